"""Dense (Chroma) and keyword (BM25) rankings fused by reciprocal rank fusion,
exposed as a LangChain retriever. Which legs run is a setting, so they can be compared."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.errors import InvalidFilterError
from index.store import KINDS, Store
from index.text import keyword_tokens

log = logging.getLogger(__name__)

FILTER_KEYS = ("topic", "date_from", "date_to", "source", "collection")


@dataclass
class Hit:
    chunk_id: str
    text: str
    metadata: dict[str, Any]
    kind: str
    score: float = 0.0  # fused
    dense: float | None = None  # cosine similarity when the dense leg saw it
    keyword: float | None = None  # BM25 score when the keyword leg saw it

    @property
    def doc_id(self) -> str:
        return str(self.metadata.get("doc_id", ""))


@dataclass
class SearchResult:
    hits: list[Hit]
    query_vector: list[float] | None
    timings: dict[str, float] = field(default_factory=dict)


def _parse_date(key: str, value: Any) -> int:
    if isinstance(value, bool):
        raise InvalidFilterError(f"filter {key}={value!r} is not an ISO date (YYYY-MM-DD)")
    if isinstance(value, int) and 10000101 <= value <= 99991231:  # already normalised (YYYYMMDD)
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return int(value.strftime("%Y%m%d"))
    if not isinstance(value, str):
        raise InvalidFilterError(f"filter {key} takes an ISO date string (YYYY-MM-DD), not {type(value).__name__}")
    try:
        return int(dt.date.fromisoformat(value.strip()[:10]).strftime("%Y%m%d"))
    except ValueError:
        raise InvalidFilterError(f"filter {key}={value[:40]!r} is not an ISO date (YYYY-MM-DD)") from None


OWNER_KEY = "owner"  # added by the retriever from who is asking; never accepted from callers' filters
NO_OWNER = "<no owner>"  # matches no stored chunk: a search without an owner sees no uploads


def validate_filters(filters: Any) -> dict[str, Any]:
    """Reject anything but a mapping of known keys to strings (lists of strings) or ISO dates,
    naming the problem; normalise values to lists/ints. Topic and collection names fold case."""
    if filters is None:
        return {}
    if not isinstance(filters, Mapping):
        raise InvalidFilterError(f"filters must be a mapping such as {{'topic': 'chips'}}, not a "
                                 f"{type(filters).__name__}")
    if not filters:
        return {}
    unknown = sorted(repr(k) for k in filters if k not in FILTER_KEYS)
    if unknown:
        raise InvalidFilterError(f"unknown filter key(s) [{', '.join(unknown)}]; use any of {list(FILTER_KEYS)}")
    out: dict[str, Any] = {}
    for key, value in filters.items():
        if value is None or (isinstance(value, str) and not value.strip()) or (
                isinstance(value, (list, tuple, set, frozenset)) and not value):
            continue
        if key in ("date_from", "date_to"):
            out[key] = _parse_date(key, value)
            continue
        if isinstance(value, str):
            values = [value]
        elif isinstance(value, (list, tuple, set, frozenset)):
            values = list(value)
        else:
            raise InvalidFilterError(f"filter {key} takes a string or a list of strings, not {type(value).__name__}")
        if not all(isinstance(v, str) for v in values):
            bad = next(v for v in values if not isinstance(v, str))
            raise InvalidFilterError(f"filter {key} takes a string or a list of strings, not {type(bad).__name__}")
        for v in values:
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidFilterError(f"filter {key} contains characters that are not valid text") from None
        values = [v.strip() for v in values if v.strip()]
        if key in ("topic", "collection"):
            values = list(dict.fromkeys(v.lower() for v in values))
        if key == "collection" and set(values) - set(KINDS):
            raise InvalidFilterError(f"filter collection must be one of {list(KINDS)}")
        if values:
            out[key] = values
    if "date_from" in out and "date_to" in out and out["date_from"] > out["date_to"]:
        raise InvalidFilterError("filter date_from is after date_to")
    return out


def chroma_where(filters: dict[str, Any], kind: str | None = None) -> dict[str, Any] | None:
    """The Chroma `where` for validated filters. Searching the "user" collection always restricts
    to `filters["owner"]` (none given: no upload matches); with no `kind`, an owner in the filters
    keeps corpus chunks and that owner's uploads."""
    clauses: list[dict[str, Any]] = []
    owner = filters.get(OWNER_KEY)
    if kind == "user":
        clauses.append({"owner": owner or NO_OWNER})
    elif kind is None and OWNER_KEY in filters:
        clauses.append({"$or": [{"kind": "corpus"}, {"owner": owner or NO_OWNER}]})
    if "topic" in filters:
        clauses.append({"topic": {"$in": filters["topic"]}})
    if "source" in filters:
        clauses.append({"doc_id": {"$in": filters["source"]}})
    if "date_from" in filters:
        clauses.append({"published_int": {"$gte": filters["date_from"]}})
    if "date_to" in filters:
        clauses.append({"published_int": {"$lte": filters["date_to"]}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def matches(meta: dict[str, Any], filters: dict[str, Any]) -> bool:
    """Whether a chunk passes the filters. An uploaded chunk passes only for its own owner
    (`filters["owner"]`); without an owner in the filters, no upload passes."""
    if meta.get("kind") == "user" or meta.get("owner"):
        owner = filters.get(OWNER_KEY)
        if not owner or meta.get("owner") != owner:
            return False
    if "topic" in filters and str(meta.get("topic") or "").lower() not in filters["topic"]:
        return False
    if "source" in filters and meta.get("doc_id") not in filters["source"]:
        return False
    date = int(meta.get("published_int") or 0)
    if "date_from" in filters and date < filters["date_from"]:
        return False
    if "date_to" in filters and date > filters["date_to"]:
        return False
    return True


class KeywordIndex:
    """BM25 over every stored chunk, from the persistent segment index the store keeps in step
    on every write (index/keyword.py). Searching costs the postings of the query's words, not a
    pass over every chunk; a change written by another process (the CLI while the UI runs) is
    seen at the next search through a `stat` of the index manifest. At start, and for a Chroma
    server every `sync_seconds`, the index is checked against the store's counts and collection
    ids, and rebuilt from one full read of the store only when they disagree (a missing or
    foreign index)."""

    def __init__(self, store: Store, sync_seconds: float = 5.0) -> None:
        self.store = store
        self.sync_seconds = sync_seconds
        self._lock = threading.Lock()
        engine = getattr(store, "keyword", None)
        if engine is None:  # a Store built without a keyword dir: a private index in a temp dir
            import tempfile

            from index.keyword import KeywordStore

            self._tmp = tempfile.TemporaryDirectory(prefix="keyword-")
            engine = KeywordStore(Path(self._tmp.name))
        self.engine = engine
        self._remote = str(getattr(store, "mode", "")).startswith("server")
        self._synced = 0.0
        self.sync()

    def sync(self) -> bool:
        """Compare with the store (one count per kind); rebuild a kind from the store only when its
        count or collection differs. True when something was rebuilt."""
        rebuilt = False
        with self._lock:
            for kind in KINDS:
                for attempt in range(2):
                    count = self.store.count(kind)
                    ident = str(self.store.collection(kind).id)
                    mine = self.engine.count(kind)
                    if mine == count and (count == 0 or self.engine.identity(kind) == ident):
                        break
                    if attempt == 0:  # a writer may be between its Chroma write and its index write
                        time.sleep(0.2)
                        continue
                    log.info("keyword index for %s disagrees with the store (%d vs %d chunks): rebuilding it",
                             kind, mine, count)
                    ids, texts, metas = self.store.all_chunks(kind)
                    self.engine.replace_kind(kind, ids, texts, metas, identity=ident)
                    rebuilt = True
            self._synced = time.monotonic()
        return rebuilt

    def refresh(self) -> None:
        """Kept for callers: writes already updated the index; this reloads it and checks the store."""
        self.sync()

    def idf(self, token: str) -> float:
        return self.engine.idf(token)

    def search(self, query: str, n: int, filters: dict[str, Any]) -> list[Hit]:
        tokens = keyword_tokens(query)
        if not tokens:
            return []
        if self._remote and time.monotonic() - self._synced > self.sync_seconds:
            self.sync()  # writers on other machines write the server, not this cache
        found = self.engine.search(tokens, n, kinds=filters.get("collection"), prefilter=filters,
                                   accept=lambda meta: matches(meta, filters))
        return [Hit(h.chunk_id, h.text, h.meta, h.kind, keyword=h.score) for h in found]


def fuse(rankings: list[list[Hit]], rrf_k: int) -> list[Hit]:
    fused: dict[str, Hit] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking):
            current = fused.setdefault(hit.chunk_id, Hit(hit.chunk_id, hit.text, hit.metadata, hit.kind))
            current.score += 1.0 / (rrf_k + rank + 1)
            current.dense = hit.dense if hit.dense is not None else current.dense
            current.keyword = hit.keyword if hit.keyword is not None else current.keyword
    return sorted(fused.values(), key=lambda h: -h.score)


class HybridRetriever(BaseRetriever):
    """LangChain face of the search: `invoke(query)` returns Documents with scores in metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Any
    keyword_index: Any
    mode: str = "hybrid"
    k: int = 6
    candidates: int = 30
    rrf_k: int = 60
    filters: dict[str, Any] = {}
    owner: str = "local"  # whose uploads this search may see (the corpus is everyone's)

    def search(self, query: str, filters: dict[str, Any] | None = None, k: int | None = None) -> SearchResult:
        flt = validate_filters(filters if filters is not None else self.filters)
        flt[OWNER_KEY] = self.owner  # both legs: Chroma `where` per collection, and `matches` for keywords
        timings: dict[str, float] = {}
        rankings: list[list[Hit]] = []
        vector = None
        kinds = flt.get("collection") or list(KINDS)
        if self.mode in ("hybrid", "dense"):
            t = time.perf_counter()
            vector = self.store.embedder.embed_one(query)
            timings["embed"] = (time.perf_counter() - t) * 1000
            t = time.perf_counter()
            dense: list[Hit] = []
            for kind in kinds:
                for h in self.store.dense(kind, vector, self.candidates, chroma_where(flt, kind)):
                    if kind == "user" and not matches(h.metadata, flt):  # belt and braces
                        continue
                    dense.append(Hit(h.chunk_id, h.text, h.metadata, kind, dense=h.similarity))
            dense.sort(key=lambda h: -(h.dense or 0))
            rankings.append(dense[: self.candidates])
            timings["dense"] = (time.perf_counter() - t) * 1000
        if self.mode in ("hybrid", "keyword"):
            t = time.perf_counter()
            rankings.append(self.keyword_index.search(query, self.candidates, flt))
            timings["keyword"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        hits = fuse(rankings, self.rrf_k)
        timings["fuse"] = (time.perf_counter() - t) * 1000
        return SearchResult(hits=hits, query_vector=vector, timings=timings)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        result = self.search(query)
        return [Document(page_content=h.text, id=h.chunk_id,
                         metadata={**h.metadata, "chunk_id": h.chunk_id, "score": h.score,
                                   "dense": h.dense, "keyword": h.keyword, "collection": h.kind})
                for h in result.hits[: self.k]]
