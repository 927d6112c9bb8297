"""The Chroma store: embedded PersistentClient by default, HttpClient to a server when a URL is set.

Two collections per kind of source ("corpus", "user"): chunks, and the sentences of those
chunks (so the answer step can rank sentences without re-embedding them per query).
Collection names carry the model slug, so switching models never mixes dimensions.
Each chunk records its source's content hash: the index itself is the record of what is
indexed, in embedded and server mode alike.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from index.embeddings import Embedder
from index.loader import SourceDocument
from index.splitter import Chunk

log = logging.getLogger(__name__)

KINDS = ("corpus", "user")


class StoreError(Exception):
    """The store cannot be opened or reached; the message says what to do."""


@register_embedding_function
class LocalSentenceTransformerEF(EmbeddingFunction[Documents]):
    """Chroma-side handle on our local model, so no collection ever falls back to Chroma's
    default embedding function (which downloads a model and fails offline)."""

    def __init__(self, model_path: str = "", embedder: Embedder | None = None) -> None:
        self._embedder = embedder or Embedder(model_path)
        self.model_path = self._embedder.model_path

    def __call__(self, input: Documents) -> Embeddings:
        import numpy as np

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


def chunk_metadata(doc: SourceDocument, chunk: Chunk, kind: str) -> dict[str, Any]:
    return {
        "doc_id": doc.doc_id, "title": doc.title, "section": chunk.section, "url": doc.url,
        "publisher": doc.publisher, "published": doc.published, "published_int": _date_int(doc.published),
        "topic": doc.topic, "language": doc.language, "source_hash": doc.content_hash,
        "position": chunk.position, "kind": kind, "path": doc.path, "indexed_at": time.time(),
        "n_sentences": len(chunk.sentences),
    }


class Store:
    def __init__(self, client: Any, embedder: Embedder, mode: str) -> None:
        self.client = client
        self.embedder = embedder
        self.mode = mode
        self._ef = LocalSentenceTransformerEF(embedder=embedder)
        self._collections: dict[str, Any] = {}

    def _name(self, kind: str, part: str) -> str:
        return f"{kind}-{part}-{self.embedder.name}"

    def collection(self, kind: str, part: str = "chunks") -> Any:
        name = self._name(kind, part)
        if name not in self._collections:
            self._collections[name] = self.client.get_or_create_collection(
                name=name, embedding_function=self._ef, metadata={"model_path": self.embedder.model_path})
        return self._collections[name]

    # --- records -------------------------------------------------------------------------
    def metadatas(self, kind: str) -> list[dict[str, Any]]:
        """Every chunk's metadata, without its text: enough for records, listings and status."""
        return list(self.collection(kind).get(include=["metadatas"])["metadatas"] or [])

    def source_hashes(self, kind: str) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for meta in self.metadatas(kind):
            out.setdefault(str(meta["doc_id"]), set()).add(str(meta["source_hash"]))
        return out

    def count(self, kind: str) -> int:
        return int(self.collection(kind).count())

    # --- writes --------------------------------------------------------------------------
    def put_document(self, kind: str, doc: SourceDocument, chunks: list[Chunk],
                     chunk_vectors: list[list[float]], sentence_vectors: list[list[list[float]]]) -> None:
        """Write the new version, then drop older versions: a crash in between leaves the
        old version complete (or both complete), never a half-written document."""
        if chunks:
            sent_ids, sent_docs, sent_meta, sent_vecs = [], [], [], []
            for chunk, vecs in zip(chunks, sentence_vectors):
                for i, (sentence, vec) in enumerate(zip(chunk.sentences, vecs)):
                    sent_ids.append(f"{chunk.chunk_id}#{i}")
                    sent_docs.append(sentence)
                    sent_meta.append({"doc_id": doc.doc_id, "chunk_id": chunk.chunk_id, "i": i,
                                      "source_hash": doc.content_hash})
                    sent_vecs.append(vec)
            self.collection(kind, "sentences").upsert(ids=sent_ids, documents=sent_docs,
                                                      metadatas=sent_meta, embeddings=sent_vecs)
            self.collection(kind).upsert(
                ids=[c.chunk_id for c in chunks], documents=[c.text for c in chunks],
                metadatas=[chunk_metadata(doc, c, kind) for c in chunks], embeddings=chunk_vectors)
        self.delete_document(kind, doc.doc_id, keep_hash=doc.content_hash)

    def delete_document(self, kind: str, doc_id: str, keep_hash: str | None = None) -> None:
        where: dict[str, Any] = {"doc_id": doc_id}
        if keep_hash:
            where = {"$and": [{"doc_id": doc_id}, {"source_hash": {"$ne": keep_hash}}]}
        self.collection(kind).delete(where=where)
        self.collection(kind, "sentences").delete(where=where)

    def reset(self, kind: str) -> None:
        for part in ("chunks", "sentences"):
            name = self._name(kind, part)
            try:
                self.client.delete_collection(name)
            except Exception:  # absent already
                pass
            self._collections.pop(name, None)

    # --- reads ---------------------------------------------------------------------------
    def all_chunks(self, kind: str) -> tuple[list[str], list[str], list[dict[str, Any]]]:
        got = self.collection(kind).get(include=["documents", "metadatas"])
        return list(got["ids"]), list(got["documents"] or []), list(got["metadatas"] or [])

    def dense(self, kind: str, vector: list[float], n: int, where: dict[str, Any] | None) -> list[DenseHit]:
        col = self.collection(kind)
        total = col.count()
        if total == 0:
            return []
        res = col.query(query_embeddings=[vector], n_results=min(n, total), where=where or None,
                        include=["documents", "metadatas", "distances"])
        return [DenseHit(cid, text, meta, 1.0 - float(dist)) for cid, text, meta, dist in
                zip(res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0])]

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


def open_store(data_dir: Path, chroma_url: str | None, embedder: Embedder) -> Store:
    """Open the configured store, or raise StoreError saying how to fix the setup."""
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
            raise StoreError(
                f"Chroma server at {chroma_url} is not reachable ({exc.__class__.__name__}); start it with "
                f"`chroma run --path DIR --host {parsed.hostname} --port {parsed.port}` or unset ASSISTANT_CHROMA_URL "
                "to use the embedded store") from None
        return Store(client, embedder, f"server {chroma_url}")
    if data_dir.exists() and not data_dir.is_dir():
        raise StoreError(f"data dir {data_dir} is a file, not a directory; set ASSISTANT_DATA_DIR to a directory")
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=chroma_settings)
        client.list_collections()
    except Exception as exc:
        raise StoreError(
            f"the index in {data_dir} cannot be opened ({exc.__class__.__name__}: {str(exc)[:120]}); it may be "
            f"corrupt: move {data_dir} aside (nothing is deleted for you) and run `assistant index`") from None
    return Store(client, embedder, f"embedded {data_dir}")
