"""The Chroma store: embedded PersistentClient by default, HttpClient to a server when a URL is set.

Two collections per kind of source ("corpus", "user"): chunks, and the sentences of those
chunks (so the answer step can rank sentences without re-embedding them per query).
Collection names carry a fingerprint of the embedding model (its configuration and weights) and
its output dimension, so two models never share vectors, whatever their folders are called.
Each chunk records its source's content hash: the index itself is the record of what is
indexed, in embedded and server mode alike. User chunks record their owner.

A full build (the first one, or `rebuild`) is written into staging collections and swapped in
when complete, so a build killed midway never becomes the index that answers.
"""

from __future__ import annotations

import functools
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from index.embeddings import Embedder
from index.errors import StoreError
from index.fingerprint import fingerprint
from index.keyword import default_keyword_dir
from index.loader import SourceDocument
from index.splitter import Chunk

log = logging.getLogger(__name__)

KINDS = ("corpus", "user")
PARTS = ("chunks", "sentences")
INDEX_FORMAT = "v2"  # bump when chunking or metadata change in a way old collections cannot serve
STAGING = "-next"  # suffix of the kind a full build writes into before the swap
_F = TypeVar("_F", bound=Callable[..., Any])


@register_embedding_function
class LocalSentenceTransformerEF(EmbeddingFunction[Documents]):
    """Chroma-side handle on our local model, so no collection ever falls back to Chroma's
    default embedding function (which downloads a model and fails offline)."""

    def __init__(self, model_path: str = "", embedder: Embedder | None = None) -> None:
        self._embedder = embedder  # built on first use: listing collections must not load models
        self.model_path = embedder.model_path if embedder else model_path

    def __call__(self, input: Documents) -> Embeddings:
        import numpy as np

        if self._embedder is None:
            self._embedder = Embedder(self.model_path)
        return [np.asarray(v, dtype=np.float32) for v in self._embedder.embed(list(input))]

    @staticmethod
    def name() -> str:
        return "assistant-local-sentence-transformer"

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"model_path": self.model_path}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "LocalSentenceTransformerEF":
        return LocalSentenceTransformerEF(model_path=config.get("model_path", ""))


@dataclass
class DenseHit:
    chunk_id: str
    text: str
    metadata: dict[str, Any]
    similarity: float


def _date_int(iso: str) -> int:
    digits = iso.replace("-", "")[:8]
    return int(digits.ljust(8, "0")) if digits.isdigit() else 0


def base_kind(kind: str) -> str:
    return kind[: -len(STAGING)] if kind.endswith(STAGING) else kind


def chunk_metadata(doc: SourceDocument, chunk: Chunk, kind: str) -> dict[str, Any]:
    return {
        "doc_id": doc.doc_id, "title": doc.title, "section": chunk.section, "url": doc.url,
        "publisher": doc.publisher, "published": doc.published, "published_int": _date_int(doc.published),
        "topic": doc.topic, "language": doc.language, "source_hash": doc.content_hash,
        "position": chunk.position, "kind": base_kind(kind), "path": doc.path, "indexed_at": time.time(),
        "n_sentences": len(chunk.sentences), "owner": doc.owner,
    }


def _is_store_failure(exc: BaseException) -> bool:
    """Errors of the store itself (unreachable server, broken database), not of our own code."""
    if isinstance(exc, (ConnectionError, TimeoutError, OSError, sqlite3.Error)):
        return True
    if type(exc).__name__ in ("InvalidArgumentError", "DuplicateIDError", "InvalidUUIDError"):
        return False  # a bad request of ours, not a broken store: let it show as what it is
    module = type(exc).__module__ or ""
    return module.split(".")[0] in ("chromadb", "httpx", "httpcore", "urllib3", "requests")


def _guarded(method: _F) -> _F:
    """Run a store operation; a collection swapped away by another process is looked up again,
    and a failure of the store becomes one StoreError (or the store's error_type) naming the fix."""

    @functools.wraps(method)
    def wrapper(self: "Store", *args: Any, **kwargs: Any) -> Any:
        local = self._guard_state
        if getattr(local, "active", False):  # an outer guarded call handles failures
            return method(self, *args, **kwargs)
        local.active = True
        try:
            for attempt in (1, 2):
                try:
                    return method(self, *args, **kwargs)
                except StoreError:
                    raise
                except Exception as exc:
                    if type(exc).__name__ == "NotFoundError" and attempt == 1:
                        self._collections.clear()  # swapped by a rebuild elsewhere: look it up again
                        continue
                    if not _is_store_failure(exc):
                        raise
                    raise self.error_type(self.failure_message(exc)) from None
        finally:
            local.active = False
        raise AssertionError("unreachable")

    return wrapper  # type: ignore[return-value]


EF_SEARCH = 400
"""Candidates the HNSW graph explores per query. Chroma's default of 100 missed the exact nearest chunk
(similarity 0.52 against 0.46 for the best it returned) in about one process start in four on this
corpus: below `sync_threshold` (1,000 records) Chroma rebuilds the graph with random links at every
start (chroma-core/chroma#2675). At 400 it was found in every start; the cost at this size is
microseconds. At a million chunks it is a speed/recall trade-off: `Settings.hnsw_ef_search`."""


class Store:
    def __init__(self, client: Any, embedder: Embedder, mode: str, error_type: type[StoreError] = StoreError,
                 data_dir: Path | None = None, url: str | None = None, keyword_dir: Path | None = None,
                 ef_search: int = EF_SEARCH) -> None:
        self.client = client
        self.ef_search = ef_search
        self.embedder = embedder
        self.mode = mode
        self.keyword_dir = keyword_dir
        self.error_type = error_type
        self.data_dir = data_dir
        self.url = url
        self._ef = LocalSentenceTransformerEF(embedder=embedder)
        self._collections: dict[str, Any] = {}
        self._guard_state = threading.local()

    @cached_property
    def keyword(self) -> Any:
        """The persistent keyword index kept in step with every write (index/keyword.py); None
        for a Store built without a keyword dir."""
        if self.keyword_dir is None:
            return None
        from index.keyword import KeywordStore

        return KeywordStore(Path(self.keyword_dir) / self.model_key)

    def failure_message(self, exc: BaseException) -> str:
        detail = f"{exc.__class__.__name__}: {str(exc)[:160]}".rstrip(": ")
        if self.url:
            parsed = urlparse(self.url)
            return (f"the Chroma server at {self.url} stopped answering ({detail}); restart it "
                    f"(`chroma run --path DIR --host {parsed.hostname} --port {parsed.port}`) or unset "
                    "ASSISTANT_CHROMA_URL to use the embedded store")
        return (f"the embedded store in {self.data_dir} failed ({detail}); run `assistant doctor` to see "
                "what is wrong")

    # --- identity of the model -------------------------------------------------------------
    @cached_property
    def dimension(self) -> int:
        """Output size of the embedding model: from its files, or by embedding one word."""
        declared = fingerprint(self.embedder.model_path).dimension
        return int(declared) if declared else len(self.embedder.embed_one("dimension"))

    @cached_property
    def model_key(self) -> str:
        """<fingerprint of config and weights>-<dimension>-<model slug>: what collection names carry
        (the slug keeps the backend's mark, e.g. "-int8", whose vectors differ)."""
        fp = fingerprint(self.embedder.model_path)
        return f"{fp.short}-{self.dimension}-{self.embedder.name or 'model'}"

    def model_metadata(self) -> dict[str, Any]:
        return {"model_path": self.embedder.model_path, "fingerprint": fingerprint(self.embedder.model_path).digest,
                "dimension": self.dimension, "index_format": INDEX_FORMAT}

    def _name(self, kind: str, part: str) -> str:
        return f"{kind}-{part}-{INDEX_FORMAT}-{self.model_key}"

    @_guarded
    def collection(self, kind: str, part: str = "chunks") -> Any:
        name = self._name(kind, part)
        if name not in self._collections:
            col = self.client.get_or_create_collection(name=name, embedding_function=self._ef,
                                                       metadata=self.model_metadata())
            stored = (col.metadata or {}).get("dimension")
            if stored is not None and int(stored) != self.dimension:
                raise self.error_type(
                    f"collection {name} holds {stored}-dimension vectors but the embedding model "
                    f"{self.embedder.model_path} gives {self.dimension}; run `assistant index --rebuild` "
                    "or set ASSISTANT_EMBEDDING_MODEL to the model the index was built with")
            self._search_breadth(col)
            self._collections[name] = col
        return self._collections[name]

    def _search_breadth(self, col: Any) -> None:
        """Set the collection's HNSW `ef_search` to this store's (a query-time setting Chroma keeps with
        the collection); a store that cannot write it (read-only data dir) searches with what it has."""
        config = getattr(col, "configuration_json", None) or {}
        current = (config.get("hnsw") or {}).get("ef_search")
        if current is None or current == self.ef_search:
            return
        try:
            col.modify(configuration={"hnsw": {"ef_search": self.ef_search}})
        except Exception as exc:  # noqa: BLE001 - searching still works with the stored breadth
            log.warning("could not set ef_search=%d on %s (%s); searching with %s", self.ef_search, col.name,
                        exc.__class__.__name__, current)

    def _existing(self, kind: str, part: str) -> Any | None:
        """The collection when it exists, without creating it."""
        try:
            return self.client.get_collection(name=self._name(kind, part), embedding_function=self._ef)
        except Exception as exc:
            if type(exc).__name__ in ("NotFoundError", "InvalidCollectionException", "ValueError") \
                    or "does not exist" in str(exc):
                return None
            raise

    # --- records -------------------------------------------------------------------------
    @_guarded
    def metadatas(self, kind: str, where: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every chunk's metadata (matching `where`), without its text: enough for records and listings."""
        return list(self.collection(kind).get(where=where or None, include=["metadatas"])["metadatas"] or [])

    def source_hashes(self, kind: str, owner: str | None = None) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for meta in self.metadatas(kind, {"owner": owner} if owner is not None else None):
            out.setdefault(str(meta["doc_id"]), set()).add(str(meta["source_hash"]))
        return out

    @_guarded
    def count(self, kind: str) -> int:
        return int(self.collection(kind).count())

    # --- writes --------------------------------------------------------------------------
    @_guarded
    def put_document(self, kind: str, doc: SourceDocument, chunks: list[Chunk],
                     chunk_vectors: list[list[float]], sentence_vectors: list[list[list[float]]]) -> None:
        """Write the new version, then drop older versions: a crash in between leaves the
        old version complete (or both complete), never a half-written document. Inside
        `batched_writes()` the document is written with the others when the block ends."""
        batch = getattr(self._guard_state, "batch", None)
        if batch is not None:
            batch.append((kind, (doc, chunks, chunk_vectors, sentence_vectors)))
            return
        self.put_documents(kind, [(doc, chunks, chunk_vectors, sentence_vectors)])

    @contextmanager
    def batched_writes(self) -> Iterator[None]:
        """`put_document` calls in this block (this thread) are written together when it ends, also
        when it ends by an exception (what was put before it is written): one Chroma call per
        collection instead of one per document."""
        outer = getattr(self._guard_state, "batch", None)
        if outer is not None:  # nested: the outer block writes
            yield
            return
        self._guard_state.batch = []
        try:
            yield
        finally:
            batch, self._guard_state.batch = self._guard_state.batch, None
            for kind in dict.fromkeys(k for k, _ in batch):
                self.put_documents(kind, [item for k, item in batch if k == kind])

    @_guarded
    def put_documents(self, kind: str, items: list[tuple[SourceDocument, list[Chunk], Any, Any]]) -> None:
        """`put_document` for several documents with one Chroma write per collection (Chroma's cost is
        per call: 95 documents written one by one took 9.2 s, in one call 0.9 s). Every new version is
        complete before any older version is dropped, as for one document."""
        for _, chunks, chunk_vectors, sentence_vectors in items:
            firsts = [chunk_vectors[0]] if len(chunk_vectors) else []
            firsts += [vs[0] for vs in sentence_vectors[:1] if len(vs)]
            for vec in firsts:
                if len(vec) != self.dimension:
                    raise self.error_type(f"the embedding model gave {len(vec)}-dimension vectors, expected "
                                          f"{self.dimension}; run `assistant doctor`")
        sent_ids, sent_docs, sent_meta, sent_vecs = [], [], [], []
        ids, texts, metas, vecs, keyword_docs = [], [], [], [], []
        for doc, chunks, chunk_vectors, sentence_vectors in items:
            for chunk, svecs in zip(chunks, sentence_vectors):
                for i, (sentence, vec) in enumerate(zip(chunk.sentences, svecs)):
                    sent_ids.append(f"{chunk.chunk_id}#{i}")
                    sent_docs.append(sentence)
                    sent_meta.append({"doc_id": doc.doc_id, "chunk_id": chunk.chunk_id, "i": i,
                                      "source_hash": doc.content_hash, "owner": doc.owner})
                    sent_vecs.append(vec)
            doc_metas = [chunk_metadata(doc, c, kind) for c in chunks]
            if chunks:
                keyword_docs.append((doc.doc_id, [c.chunk_id for c in chunks], [c.text for c in chunks], doc_metas))
            ids += [c.chunk_id for c in chunks]
            texts += [c.text for c in chunks]
            metas += doc_metas
            vecs += list(chunk_vectors)
        step = max(1, int(self.client.get_max_batch_size())) if hasattr(self.client, "get_max_batch_size") else 5000
        for lo in range(0, len(sent_ids), step):
            self.collection(kind, "sentences").upsert(ids=sent_ids[lo:lo + step], documents=sent_docs[lo:lo + step],
                                                      metadatas=sent_meta[lo:lo + step], embeddings=sent_vecs[lo:lo + step])
        col = self.collection(kind)
        for lo in range(0, len(ids), step):
            col.upsert(ids=ids[lo:lo + step], documents=texts[lo:lo + step], metadatas=metas[lo:lo + step],
                       embeddings=vecs[lo:lo + step])
        if self.keyword is not None and kind in KINDS and keyword_docs:
            self.keyword.put_many(kind, keyword_docs, identity=str(col.id))
        for doc, _, _, _ in items:
            self.delete_document(kind, doc.doc_id, keep_hash=doc.content_hash)

    @_guarded
    def delete_document(self, kind: str, doc_id: str, keep_hash: str | None = None, owner: str | None = None) -> None:
        clauses: list[dict[str, Any]] = [{"doc_id": doc_id}]
        if keep_hash:
            clauses.append({"source_hash": {"$ne": keep_hash}})
        if owner is not None:
            clauses.append({"owner": owner})
        where = clauses[0] if len(clauses) == 1 else {"$and": clauses}
        self.collection(kind).delete(where=where)
        self.collection(kind, "sentences").delete(where=where)
        if self.keyword is not None and kind in KINDS:
            self.keyword.delete(kind, doc_id, keep_hash)

    @_guarded
    def reset(self, kind: str) -> None:
        for part in PARTS:
            name = self._name(kind, part)
            try:
                self.client.delete_collection(name)
            except Exception as exc:  # absent already
                if _is_store_failure(exc) and type(exc).__name__ != "NotFoundError" and "does not exist" not in str(exc):
                    raise
            self._collections.pop(name, None)
        if self.keyword is not None and kind in KINDS:
            self.keyword.reset(kind)

    # --- full builds: aside, then swapped in -----------------------------------------------
    @contextmanager
    def building(self, kind: str) -> Iterator[str]:
        """`with store.building("corpus") as target:` write every document into `target`; on a normal
        exit the new collections replace the live ones. Killed midway, the live index is untouched and
        `staging_state` reports the unfinished build until the next full build."""
        staging = kind + STAGING
        self.reset(staging)
        self._set_state(staging, {"state": "building", "started_at": time.time()})
        yield staging
        self._set_state(staging, {"state": "complete", "built_at": time.time()})
        self.finish_swap(kind)

    @_guarded
    def _set_state(self, kind: str, state: dict[str, Any]) -> None:
        col = self.collection(kind)
        meta = {k: v for k, v in (col.metadata or {}).items() if not k.startswith("hnsw:")}
        col.modify(metadata={**meta, **self.model_metadata(), **state})

    @_guarded
    def finish_swap(self, kind: str) -> bool:
        """Move a complete staging build into place (also after a crash during the swap itself)."""
        staging = kind + STAGING
        chunks = self._existing(staging, "chunks")
        if chunks is None or (chunks.metadata or {}).get("state") != "complete":
            return False
        for part in ("sentences", "chunks"):  # chunks last: their arrival completes the swap
            col = chunks if part == "chunks" else self._existing(staging, part)
            if col is None:
                continue
            live = self._name(kind, part)
            try:
                self.client.delete_collection(live)
            except Exception as exc:
                if type(exc).__name__ != "NotFoundError" and "does not exist" not in str(exc):
                    raise
            col.modify(name=live)
            self._collections.pop(live, None)
            self._collections.pop(self._name(staging, part), None)
        if self.keyword is not None and kind in KINDS:  # the keyword index follows the swap
            ids, texts, metas = self.all_chunks(kind)
            self.keyword.replace_kind(kind, ids, texts, metas, identity=str(self.collection(kind).id))
        log.info("swapped in the new %s index", kind)
        return True

    @_guarded
    def staging_state(self, kind: str) -> dict[str, Any] | None:
        """The metadata of an unfinished full build of `kind`, or None when there is none."""
        chunks = self._existing(kind + STAGING, "chunks")
        if chunks is None:
            return None
        meta = dict(chunks.metadata or {})
        meta["documents"] = len({m.get("doc_id") for m in chunks.get(include=["metadatas"])["metadatas"] or []})
        return meta

    @_guarded
    def live_state(self, kind: str) -> dict[str, Any]:
        """The live collection's metadata (built_at, state) without creating it."""
        chunks = self._existing(kind, "chunks")
        return dict(chunks.metadata or {}) if chunks is not None else {}

    @_guarded
    def other_indexes(self) -> list[dict[str, Any]]:
        """Corpus chunk collections built for other embedding models (or older index formats)."""
        mine = {self._name(k, "chunks") for k in (*KINDS, *(k + STAGING for k in KINDS))}
        out = []
        for col in self.client.list_collections():
            name = col if isinstance(col, str) else col.name
            if name in mine or not name.startswith("corpus-chunks-"):
                continue
            meta = {} if isinstance(col, str) else dict(col.metadata or {})
            out.append({"name": name, "model_path": meta.get("model_path", "?"), "dimension": meta.get("dimension"),
                        "fingerprint": meta.get("fingerprint"), "index_format": meta.get("index_format")})
        return out

    # --- reads ---------------------------------------------------------------------------
    @_guarded
    def all_chunks(self, kind: str) -> tuple[list[str], list[str], list[dict[str, Any]]]:
        got = self.collection(kind).get(include=["documents", "metadatas"])
        return list(got["ids"]), list(got["documents"] or []), list(got["metadatas"] or [])

    @_guarded
    def dense(self, kind: str, vector: list[float], n: int, where: dict[str, Any] | None) -> list[DenseHit]:
        col = self.collection(kind)
        total = col.count()
        if total == 0:
            return []
        res = col.query(query_embeddings=[vector], n_results=min(n, total), where=where or None,
                        include=["documents", "metadatas", "distances"])
        return [DenseHit(cid, text, meta, 1.0 - float(dist)) for cid, text, meta, dist in
                zip(res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0])]

    @_guarded
    def sentence_similarities(self, kind: str, vector: list[float], chunk_ids: list[str]) -> dict[tuple[str, int], float]:
        """Cosine similarity of the query to every stored sentence of the given chunks."""
        if not chunk_ids:
            return {}
        import numpy as np

        got = self.collection(kind, "sentences").get(where={"chunk_id": {"$in": chunk_ids}},
                                                    include=["metadatas", "embeddings"])
        if not got["ids"]:
            return {}
        matrix = np.asarray(got["embeddings"], dtype=np.float32)
        sims = matrix @ np.asarray(vector, dtype=np.float32)
        return {(str(m["chunk_id"]), int(m["i"])): float(s) for m, s in zip(got["metadatas"], sims)}


def sqlite_quick_check(data_dir: Path) -> tuple[bool, str]:
    """SQLite's own `PRAGMA quick_check` on the embedded store's database, opened read-only."""
    db = data_dir / "chroma" / "chroma.sqlite3"
    if not db.exists():
        return True, "no database yet"
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            rows = [r[0] for r in con.execute("PRAGMA quick_check").fetchall()]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed"
        if isinstance(exc, sqlite3.OperationalError):  # locked, cannot open: not evidence of damage
            return False, f"{db} cannot be checked ({exc})"
        return False, f"{db} is damaged ({exc})"
    if rows == ["ok"]:
        return True, f"{db}: SQLite quick_check ok"
    return False, f"{db} is damaged (SQLite quick_check: {'; '.join(map(str, rows[:3]))})"


def _not_writable(data_dir: Path) -> Path | None:
    """The first of the data dir, its chroma folder and database that this process cannot write."""
    for path in (data_dir, data_dir / "chroma", data_dir / "chroma" / "chroma.sqlite3"):
        if path.exists() and not os.access(path, os.W_OK):
            return path
    return None


def open_store(data_dir: Path, chroma_url: str | None, embedder: Embedder,
               error_type: type[StoreError] = StoreError, ef_search: int = EF_SEARCH) -> Store:
    """Open the configured store, or raise StoreError (or `error_type`) saying how to fix the setup.
    A complete build interrupted during its swap is finished here. `ef_search`: see EF_SEARCH."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        parsed = urlparse(chroma_url)
        try:
            client = chromadb.HttpClient(host=parsed.hostname or "127.0.0.1",
                                         port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                                         ssl=parsed.scheme == "https", settings=chroma_settings)
            client.heartbeat()
        except Exception as exc:
            raise error_type(
                f"Chroma server at {chroma_url} is not reachable ({exc.__class__.__name__}); start it with "
                f"`chroma run --path DIR --host {parsed.hostname} --port {parsed.port}` or unset ASSISTANT_CHROMA_URL "
                "to use the embedded store") from None
        store = Store(client, embedder, f"server {chroma_url}", error_type=error_type, url=chroma_url,
                      keyword_dir=default_keyword_dir(data_dir, chroma_url), ef_search=ef_search)
    else:
        if data_dir.exists() and not data_dir.is_dir():
            raise error_type(f"data dir {data_dir} is a file, not a directory; set ASSISTANT_DATA_DIR to a directory")
        locked = _not_writable(data_dir)
        if locked is not None:
            raise error_type(f"data dir {data_dir} is not writable ({locked} is read-only for this user); make it "
                             "writable (chmod -R u+w) or set ASSISTANT_DATA_DIR to a writable folder")
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise error_type(f"data dir {data_dir} cannot be created ({exc.strerror or exc}); set ASSISTANT_DATA_DIR "
                             "to a writable folder") from None
        try:
            client = chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=chroma_settings)
            client.list_collections()
        except Exception as exc:
            text = str(exc).lower()
            if "readonly" in text or "read-only" in text or "permission" in text:
                raise error_type(f"data dir {data_dir} is not writable ({exc.__class__.__name__}); make it writable "
                                 "or set ASSISTANT_DATA_DIR to a writable folder") from None
            raise error_type(
                f"the index in {data_dir} cannot be opened ({exc.__class__.__name__}: {str(exc)[:120]}); it may be "
                f"corrupt: move {data_dir} aside (nothing is deleted for you) and run `assistant index`") from None
        store = Store(client, embedder, f"embedded {data_dir}", error_type=error_type, data_dir=data_dir,
                      keyword_dir=default_keyword_dir(data_dir, None), ef_search=ef_search)
    for kind in KINDS:
        store.finish_swap(kind)
    return store
