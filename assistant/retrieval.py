"""Dense (Chroma) and keyword (BM25) rankings fused by reciprocal rank fusion,
exposed as a LangChain retriever. Which legs run is a setting, so they can be compared."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict
from rank_bm25 import BM25Okapi

from assistant.errors import InvalidFilterError
from index.store import KINDS, Store
from index.text import keyword_tokens

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
    try:
        return int(dt.date.fromisoformat(str(value)[:10]).strftime("%Y%m%d"))
    except ValueError:
        raise InvalidFilterError(f"filter {key}={value!r} is not an ISO date (YYYY-MM-DD)") from None


def validate_filters(filters: dict[str, Any] | None) -> dict[str, Any]:
    """Reject unknown keys with the list of known ones; normalise values to lists/ints."""
    if not filters:
        return {}
    unknown = sorted(set(filters) - set(FILTER_KEYS))
    if unknown:
        raise InvalidFilterError(f"unknown filter key(s) {unknown}; use any of {list(FILTER_KEYS)}")
    out: dict[str, Any] = {}
    for key, value in filters.items():
        if value in (None, "", []):
            continue
        if key in ("date_from", "date_to"):
            out[key] = _parse_date(key, value)
        else:
            values = [value] if isinstance(value, str) else list(value)
            if not all(isinstance(v, str) for v in values):
                raise InvalidFilterError(f"filter {key} takes a string or a list of strings")
            if key == "collection" and set(values) - set(KINDS):
                raise InvalidFilterError(f"filter collection must be one of {list(KINDS)}")
            out[key] = values
    if "date_from" in out and "date_to" in out and out["date_from"] > out["date_to"]:
        raise InvalidFilterError("filter date_from is after date_to")
    return out


def chroma_where(filters: dict[str, Any]) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
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
    if "topic" in filters and meta.get("topic") not in filters["topic"]:
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
    """BM25 over every stored chunk; rebuilt from the store whenever the index changes."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._entries: list[tuple[str, str, str, dict[str, Any]]] = []
        self._bm25: BM25Okapi | None = None
        self._unseen_idf = 0.0
        self.refresh()

    def refresh(self) -> None:
        entries, corpus = [], []
        for kind in KINDS:
            ids, texts, metas = self.store.all_chunks(kind)
            for cid, text, meta in zip(ids, texts, metas):
                entries.append((kind, cid, text, meta))
                corpus.append(keyword_tokens(f"{meta.get('title', '')} {meta.get('section', '')} {text}"))
        bm25 = BM25Okapi(corpus) if corpus else None
        with self._lock:
            self._entries = entries
            self._bm25 = bm25
            # a word no chunk contains is at least as telling as the rarest word seen
            self._unseen_idf = max(bm25.idf.values(), default=0.0) if bm25 else 0.0

    def idf(self, token: str) -> float:
        if self._bm25 is None:
            return 0.0
        return float(self._bm25.idf.get(token, self._unseen_idf))

    def search(self, query: str, n: int, filters: dict[str, Any]) -> list[Hit]:
        tokens = keyword_tokens(query)
        with self._lock:
            bm25, entries = self._bm25, self._entries
        if bm25 is None or not tokens:
            return []
        scores = bm25.get_scores(tokens)
        kinds = filters.get("collection")
        ranked = sorted(range(len(entries)), key=lambda i: -scores[i])
        hits = []
        for i in ranked:
            if scores[i] <= 0 or len(hits) >= n:
                break
            kind, cid, text, meta = entries[i]
            if (kinds and kind not in kinds) or not matches(meta, filters):
                continue
            hits.append(Hit(cid, text, meta, kind, keyword=float(scores[i])))
        return hits


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

    def search(self, query: str, filters: dict[str, Any] | None = None, k: int | None = None) -> SearchResult:
        flt = validate_filters(filters if filters is not None else self.filters)
        timings: dict[str, float] = {}
        rankings: list[list[Hit]] = []
        vector = None
        kinds = flt.get("collection") or list(KINDS)
        if self.mode in ("hybrid", "dense"):
            t = time.perf_counter()
            vector = self.store.embedder.embed_one(query)
            timings["embed"] = (time.perf_counter() - t) * 1000
            t = time.perf_counter()
            where = chroma_where(flt)
            dense: list[Hit] = []
            for kind in kinds:
                for h in self.store.dense(kind, vector, self.candidates, where):
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
