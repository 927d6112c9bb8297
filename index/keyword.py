"""A persistent, incrementally updated BM25 keyword index: immutable segments plus tombstones.

Layout of one index directory (one per store and model; kinds "corpus" and "user" share it):

    MANIFEST.json            generation, live segments and the tombstone file of each
    seg-<gen>-<rand>/        one immutable segment: a term-frequency matrix in CSC form
        vocab.npy              sorted 64-bit hashes of the terms (no strings are needed to score)
        indptr.npy rows.npy tf.npy   postings: rows[indptr[t]:indptr[t+1]] hold term t, tf its counts
        lengths.npy            tokens per row (BM25's document length)
        kinds.npy docs.npy dates.npy topics.npy   per-row columns for filtering without reading records
        records.jsonl offsets.npy                 {"id", "text", "meta"} per row, read only for hits
        tables.json            the doc (doc_id, source_hash) and topic tables the columns index into
    del-<gen>.npy            rows of a segment removed after it was written (a boolean mask)

Every write (add a document's chunks, remove a document, reset a kind) takes a file lock, re-reads
the manifest, writes a new small segment and/or new tombstone masks, and atomically replaces the
manifest with the next generation. Nothing is ever rebuilt from the store on a change: when more
than `MAX_SEGMENTS` segments exist, the smaller ones are merged from their own arrays (tombstoned
rows dropped), without re-tokenising. Readers never lock: before each search they `stat` the manifest
(a few microseconds) and reload only when another writer — this process or another — replaced it.

Scores are BM25 (Lucene's idf, k1=1.5, b=0.75) computed at query time from the postings of the
query's terms with exact global statistics (document count, average length, document frequency,
all net of tombstones), so a search over several segments ranks exactly as one rebuilt index would.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import math
import mmap
import os
import shutil
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

log = logging.getLogger(__name__)

KIND_CODES = {"corpus": 0, "user": 1}
KIND_NAMES = {v: k for k, v in KIND_CODES.items()}
MAX_SEGMENTS = 8  # more than this after a write: the smaller segments are merged
PURGE_DELETED = 0.5  # a segment with more than this share of tombstoned rows is rewritten
FORMAT = 1


def term_hash(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little", signed=False)


def _hashes(tokens: Iterable[str], cache: dict[str, int]) -> list[int]:
    if len(cache) > 1_000_000:
        cache.clear()
    out = []
    for tok in tokens:
        h = cache.get(tok)
        if h is None:
            h = cache[tok] = term_hash(tok)
        out.append(h)
    return out


@dataclass
class Row:
    """One chunk as the keyword index sees it: its id, text, metadata and keyword tokens."""

    chunk_id: str
    text: str
    meta: dict[str, Any]
    tokens: list[str]


@dataclass
class KeywordHit:
    chunk_id: str
    text: str
    meta: dict[str, Any]
    kind: str
    score: float


class Segment:
    """An immutable, memory-mapped segment plus the tombstone mask the manifest gives it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        load = lambda n: np.load(path / f"{n}.npy", mmap_mode="r")  # noqa: E731
        self.vocab = load("vocab")
        self.indptr = load("indptr")
        self.rows = load("rows")
        self.tf = load("tf")
        self.lengths = np.asarray(load("lengths"), dtype=np.float32)
        self.kinds = np.asarray(load("kinds"))
        self.docs = np.asarray(load("docs"))
        self.dates = np.asarray(load("dates"))
        self.topics = np.asarray(load("topics"))
        self.offsets = load("offsets")
        for arr in (self.vocab, self.indptr, self.rows, self.tf):  # read ahead: the first searches hit warm pages
            advise = getattr(getattr(arr, "_mmap", None), "madvise", None)
            if advise is not None and hasattr(mmap, "MADV_WILLNEED"):
                try:
                    advise(mmap.MADV_WILLNEED)
                except (OSError, ValueError):
                    pass
        tables = json.loads((path / "tables.json").read_text())
        self.doc_table: list[list[str]] = tables["docs"]  # [doc_id, source_hash]
        self.topic_table: list[str] = tables["topics"]
        self.n = int(self.lengths.shape[0])
        size = (path / "records.jsonl").stat().st_size
        if size:
            with open(path / "records.jsonl", "rb") as fh:
                self._records = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        else:
            self._records = b""
        self.deleted = np.zeros(self.n, dtype=bool)
        self.deleted_file: str | None = None
        self._set_stats()

    def with_deleted(self, deleted: np.ndarray | None, deleted_file: str | None) -> "Segment":
        """A shallow copy sharing the arrays, with another tombstone mask."""
        clone = object.__new__(Segment)
        clone.__dict__.update(self.__dict__)
        clone.__dict__["_owner"] = self
        clone.deleted = np.zeros(self.n, dtype=bool) if deleted is None else np.asarray(deleted, dtype=bool)
        clone.deleted_file = deleted_file
        clone._set_stats()
        return clone

    def _set_stats(self) -> None:
        alive = ~self.deleted
        self.alive = alive
        self.n_alive = int(alive.sum())
        self.len_alive = float(self.lengths[alive].sum(dtype=np.float64))
        self.kind_alive = {name: int((alive & (self.kinds == code)).sum()) for name, code in KIND_CODES.items()}

    def length_norm(self, k1: float, b: float, avgdl: float) -> np.ndarray:
        """k1 * (1 - b + b * length / avgdl) per row, kept until the average length changes."""
        cached = self.__dict__.get("_norm")
        if cached is None or cached[0] != (k1, b, avgdl):
            cached = self.__dict__["_norm"] = ((k1, b, avgdl),
                                               (k1 * (1 - b + b * self.lengths / avgdl)).astype(np.float32))
        return cached[1]

    def record(self, row: int) -> dict[str, Any]:
        start, end = int(self.offsets[row]), int(self.offsets[row + 1])
        return json.loads(self._records[start:end])

    def postings(self, h: int) -> tuple[np.ndarray, np.ndarray] | None:
        i = int(np.searchsorted(self.vocab, np.uint64(h)))
        if i >= self.vocab.shape[0] or int(self.vocab[i]) != h:
            return None
        lo, hi = int(self.indptr[i]), int(self.indptr[i + 1])
        return np.asarray(self.rows[lo:hi]), np.asarray(self.tf[lo:hi], dtype=np.float32)

    @property
    def _doc_index(self) -> tuple[dict[str, list[int]], np.ndarray, np.ndarray]:
        """doc_id → table entries, and rows grouped by table entry (built once per segment)."""
        owner = self.__dict__.get("_owner", self)  # views share their segment's index
        cached = owner.__dict__.get("_doc_index_cache")
        if cached is None:
            lookup: dict[str, list[int]] = {}
            for i, (d, _) in enumerate(self.doc_table):
                lookup.setdefault(d, []).append(i)
            order = np.argsort(self.docs, kind="stable")
            bounds = np.searchsorted(self.docs[order], np.arange(len(self.doc_table) + 1))
            cached = owner.__dict__["_doc_index_cache"] = (lookup, order, bounds)
        return cached

    def doc_rows(self, kind: str, doc_id: str | None, keep_hash: str | None) -> np.ndarray:
        """Alive rows of `kind` (and of `doc_id`, except those of `keep_hash`), as a mask."""
        if doc_id is None:
            return self.alive & (self.kinds == KIND_CODES[kind])
        lookup, order, bounds = self._doc_index
        entries = [i for i in lookup.get(doc_id, ()) if self.doc_table[i][1] != keep_hash]
        mask = np.zeros(self.n, dtype=bool)
        for i in entries:
            rows = order[bounds[i]:bounds[i + 1]]
            mask[rows] = True
        if entries:
            mask &= self.alive & (self.kinds == KIND_CODES[kind])
        return mask


@dataclass
class _State:
    generation: int = 0
    segments: list[Segment] = field(default_factory=list)
    stamp: tuple[int, int] | None = None  # (inode, mtime_ns) of the manifest read
    identity: dict[str, str] = field(default_factory=dict)  # kind → id of the store collection it mirrors
    n_alive: int = 0
    len_alive: float = 0.0

    def __post_init__(self) -> None:
        self.n_alive = sum(s.n_alive for s in self.segments)
        self.len_alive = sum(s.len_alive for s in self.segments)


class KeywordStore:
    """The persistent index. Thread-safe in one process; safe across processes (file lock for
    writers, atomic manifest replacement for readers)."""

    k1 = 1.5
    b = 0.75

    def __init__(self, root: Path, tokenize: Callable[[str], list[str]] | None = None) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        if tokenize is None:
            from index.text import keyword_tokens as tokenize
        self.tokenize = tokenize
        self._lock = threading.RLock()
        self._hash_cache: dict[str, int] = {}
        self._loaded: dict[str, Segment] = {}  # segment name → segment without tombstones
        self._views: dict[tuple[str, str | None], Segment] = {}  # (segment, tombstone file) → view
        self._state = _State()
        self._idf_cache: tuple[int, dict[str, float]] = (-1, {})
        self.reloads = 0
        self._refresh(force=True)

    # ------------------------------------------------------------------ reading state
    @property
    def manifest(self) -> Path:
        return self.root / "MANIFEST.json"

    def _stamp(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.manifest)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def _refresh(self, force: bool = False) -> _State:
        """The cheap change check: reload only when the manifest was replaced."""
        stamp = self._stamp()
        state = self._state
        if not force and stamp == state.stamp:
            if stamp is None or time.time_ns() - stamp[1] > 2_000_000_000:
                return state
            # replaced in the last 2 s: an inode can be reused within one clock tick, so compare
            # the generation itself (a small read, only right after a write)
            try:
                if json.loads(self.manifest.read_text()).get("generation") == state.generation:
                    return state
            except (FileNotFoundError, json.JSONDecodeError):
                pass
        with self._lock:
            for attempt in range(5):
                stamp = self._stamp()
                if stamp is None:
                    self._state = _State(stamp=None)
                    return self._state
                try:
                    manifest = json.loads(self.manifest.read_text())
                    segments = []
                    for entry in manifest["segments"]:
                        key = (entry["name"], entry.get("deleted"))
                        view = self._views.get(key)
                        if view is None:
                            base = self._loaded.get(entry["name"])
                            if base is None:
                                base = self._loaded[entry["name"]] = Segment(self.root / entry["name"])
                            deleted = np.load(self.root / entry["deleted"]) if entry.get("deleted") else None
                            view = self._views[key] = base.with_deleted(deleted, entry.get("deleted"))
                        segments.append(view)
                    break
                except (FileNotFoundError, json.JSONDecodeError, ValueError):
                    if attempt == 4:
                        raise
                    time.sleep(0.01 * (attempt + 1))  # a writer replaced it while we read: read again
            live = {s.name for s in segments}
            for name in list(self._loaded):
                if name not in live:
                    del self._loaded[name]
            live_views = {(s.name, s.deleted_file) for s in segments}
            for key in list(self._views):
                if key not in live_views:
                    del self._views[key]
            self._state = _State(generation=int(manifest["generation"]), segments=segments, stamp=stamp,
                                 identity=dict(manifest.get("identity") or {}))
            self.reloads += 1
            return self._state

    @property
    def generation(self) -> int:
        return self._refresh().generation

    def count(self, kind: str | None = None) -> int:
        state = self._refresh()
        if kind is None:
            return state.n_alive
        return sum(s.kind_alive[kind] for s in state.segments)

    def identity(self, kind: str) -> str | None:
        """The id of the store collection this kind was last written from (a new id: a new collection)."""
        return self._refresh().identity.get(kind)

    def segment_count(self) -> int:
        return len(self._refresh().segments)

    # ------------------------------------------------------------------ scoring
    def _idf(self, df: float, n: float) -> float:
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def idf(self, token: str) -> float:
        """Lucene's BM25 idf of a keyword token; a token no chunk contains gets the idf of a
        token found once (the rarest possible), 0.0 on an empty index."""
        state = self._refresh()
        gen, cache = self._idf_cache
        if gen != state.generation:
            cache = {}
            self._idf_cache = (state.generation, cache)
        value = cache.get(token)
        if value is None:
            if state.n_alive == 0:
                return 0.0
            h = _hashes([token], self._hash_cache)[0]
            df = 0
            for seg in state.segments:
                got = seg.postings(h)
                if got is not None:
                    df += int(seg.alive[got[0]].sum())
            value = cache[token] = self._idf(max(df, 1), state.n_alive)
        return value

    def search(self, tokens: Sequence[str], n: int, kinds: Sequence[str] | None = None,
               prefilter: dict[str, Any] | None = None,
               accept: Callable[[dict[str, Any]], bool] | None = None) -> list[KeywordHit]:
        """The `n` best rows for the query tokens among those of `kinds` that pass `prefilter`
        (vectorised: topic, source, date_from, date_to) and then `accept(meta)` (every candidate)."""
        state = self._refresh()
        if state.n_alive == 0 or n <= 0:
            return []
        terms = list(dict.fromkeys(tokens))
        if not terms:
            return []
        hashes = _hashes(terms, self._hash_cache)
        # pass 1: postings and exact global document frequencies
        found: list[list[tuple[int, np.ndarray, np.ndarray]]] = []
        df = np.zeros(len(hashes))
        for seg in state.segments:
            per = []
            for ti, h in enumerate(hashes):
                got = seg.postings(h)
                if got is None:
                    continue
                rows, tf = got
                if seg.n_alive < seg.n:
                    keep = seg.alive[rows]
                    rows, tf = rows[keep], tf[keep]
                if rows.size:
                    df[ti] += rows.size
                    per.append((ti, rows, tf))
            found.append(per)
        n_docs = float(state.n_alive)
        avgdl = state.len_alive / n_docs if n_docs else 1.0
        idf = [self._idf(d, n_docs) for d in df]
        # pass 2: BM25 per segment; each segment offers its best `limit` candidates (any global top
        # `limit` row is in its own segment's top `limit`), more only when `accept` rejects too many
        flt = prefilter or {}
        filtered = bool((kinds and set(kinds) != set(KIND_CODES)) or flt.get("source") or flt.get("topic")
                        or "date_from" in flt or "date_to" in flt)
        limit = max(n * 3, 16)
        while True:
            cands: list[tuple[np.ndarray, np.ndarray, int]] = []  # (scores, rows, segment index)
            truncated = False
            for si, (seg, per) in enumerate(zip(state.segments, found)):
                if not per:
                    continue
                all_rows = np.concatenate([rows for _, rows, _ in per])
                norm = seg.length_norm(self.k1, self.b, avgdl)
                contrib = np.concatenate([(idf[ti] * (self.k1 + 1)) * tf / (tf + norm[rows]) for ti, rows, tf in per])
                if len(per) == 1:
                    rows, scores = all_rows, contrib
                elif all_rows.size * 16 > seg.n:  # dense accumulation: O(rows of the segment)
                    dense = np.bincount(all_rows, weights=contrib, minlength=seg.n)
                    if not filtered and limit < seg.n:  # top `limit` straight from the dense scores
                        top = np.argpartition(-dense, limit - 1)[:limit]
                        rows = top[dense[top] > 0]
                        truncated |= bool(np.count_nonzero(dense) > rows.size)
                        if rows.size:
                            cands.append((dense[rows], rows, si))
                        continue
                    rows = np.flatnonzero(dense)
                    scores = dense[rows]
                else:  # sparse accumulation: O(postings log postings)
                    uniq, inverse = np.unique(all_rows, return_inverse=True)
                    rows, scores = uniq, np.bincount(inverse, weights=contrib)
                if filtered:
                    keep = self._prefilter(seg, rows, kinds, flt)
                    if keep is not None:
                        rows, scores = rows[keep], scores[keep]
                if rows.size > limit:
                    top = np.argpartition(-scores, limit - 1)[:limit]
                    rows, scores = rows[top], scores[top]
                    truncated = True
                if rows.size:
                    cands.append((scores, rows, si))
            if not cands:
                return []
            scores = np.concatenate([c[0] for c in cands])
            rows = np.concatenate([c[1] for c in cands])
            segs = np.concatenate([np.full(c[1].size, c[2], dtype=np.int32) for c in cands])
            order = np.lexsort((rows, segs, -scores))
            hits: list[KeywordHit] = []
            for i in order:
                seg = state.segments[int(segs[i])]
                rec = seg.record(int(rows[i]))
                meta = rec["meta"]
                if accept is not None and not accept(meta):
                    continue
                hits.append(KeywordHit(rec["id"], rec["text"], meta, KIND_NAMES[int(seg.kinds[rows[i]])],
                                       float(scores[i])))
                if len(hits) >= n:
                    return hits
            if not truncated:
                return hits
            limit *= 4

    @staticmethod
    def _prefilter(seg: Segment, rows: np.ndarray, kinds: Sequence[str] | None,
                   flt: dict[str, Any]) -> np.ndarray | None:
        keep = None

        def both(mask: np.ndarray) -> np.ndarray:
            return mask if keep is None else keep & mask

        if kinds and set(kinds) != set(KIND_CODES):
            keep = both(np.isin(seg.kinds[rows], [KIND_CODES[k] for k in kinds if k in KIND_CODES]))
        if flt.get("source"):
            wanted = [i for i, (d, _) in enumerate(seg.doc_table) if d in set(flt["source"])]
            keep = both(np.isin(seg.docs[rows], wanted))
        if flt.get("topic"):
            wanted = [i for i, t in enumerate(seg.topic_table) if t in set(flt["topic"])]
            keep = both(np.isin(seg.topics[rows], wanted))
        if "date_from" in flt:
            keep = both(seg.dates[rows] >= int(flt["date_from"]))
        if "date_to" in flt:
            keep = both(seg.dates[rows] <= int(flt["date_to"]))
        return keep

    # ------------------------------------------------------------------ writing
    def _locked(self):  # noqa: ANN202 - a context manager
        store = self

        class _Lock:
            def __enter__(self_inner):  # noqa: N805
                store._lock.acquire()
                self_inner.fh = open(store.root / ".lock", "a+")
                fcntl.flock(self_inner.fh, fcntl.LOCK_EX)
                return self_inner

            def __exit__(self_inner, *exc):  # noqa: N805
                fcntl.flock(self_inner.fh, fcntl.LOCK_UN)
                self_inner.fh.close()
                store._lock.release()

        return _Lock()

    def rows_for(self, kind: str, ids: Sequence[str], texts: Sequence[str],
                 metas: Sequence[dict[str, Any]]) -> list[Row]:
        return [Row(cid, text, dict(meta), self.tokenize(f"{meta.get('title', '')} {meta.get('section', '')} {text}"))
                for cid, text, meta in zip(ids, texts, metas)]

    def put(self, kind: str, doc_id: str, ids: Sequence[str], texts: Sequence[str],
            metas: Sequence[dict[str, Any]], identity: str | None = None) -> None:
        """A document's complete new version: its old rows are tombstoned and the new ones added,
        in one generation."""
        rows = self.rows_for(kind, ids, texts, metas)
        self.apply(kind, add=rows, delete=[(doc_id, None)], identity=identity)

    def put_many(self, kind: str, docs: Sequence[tuple[str, Sequence[str], Sequence[str], Sequence[dict[str, Any]]]],
                 identity: str | None = None) -> None:
        """Several documents' new versions (doc_id, ids, texts, metas) in one generation and one segment."""
        rows = [r for doc_id, ids, texts, metas in docs for r in self.rows_for(kind, ids, texts, metas)]
        self.apply(kind, add=rows, delete=[(doc_id, None) for doc_id, *_ in docs], identity=identity)

    def add_rows(self, kind: str, rows: list[Row], identity: str | None = None) -> None:
        self.apply(kind, add=rows, identity=identity)

    def delete(self, kind: str, doc_id: str, keep_hash: str | None = None) -> None:
        self.apply(kind, delete=[(doc_id, keep_hash)])

    def reset(self, kind: str) -> None:
        self.apply(kind, reset=True, identity="")

    def replace_kind(self, kind: str, ids: Sequence[str], texts: Sequence[str],
                     metas: Sequence[dict[str, Any]], identity: str | None = None) -> None:
        """Bootstrap or repair: the whole kind from a full read of the store, in one generation."""
        self.apply(kind, add=self.rows_for(kind, ids, texts, metas), reset=True, identity=identity)

    def apply(self, kind: str, add: list[Row] | None = None,
              delete: list[tuple[str, str | None]] | None = None, reset: bool = False,
              identity: str | None = None) -> None:
        if kind not in KIND_CODES:
            raise ValueError(f"unknown kind {kind!r}")
        with self._locked():
            state = self._refresh()
            changed: dict[str, np.ndarray] = {}
            for seg in state.segments:
                mask = None
                if reset:
                    mask = seg.doc_rows(kind, None, None)
                else:
                    for doc_id, keep_hash in delete or []:
                        m = seg.doc_rows(kind, doc_id, keep_hash)
                        mask = m if mask is None else mask | m
                if mask is not None and mask.any():
                    changed[seg.name] = seg.deleted | mask
            ident = dict(state.identity)
            if identity is not None:
                ident[kind] = identity
            if not changed and not add and ident == state.identity:
                return
            generation = state.generation + 1
            entries: list[dict[str, Any]] = []
            for seg in state.segments:
                deleted_file = seg.deleted_file
                if seg.name in changed:
                    mask = changed[seg.name]
                    if mask.all():
                        continue  # nothing alive: drop the segment
                    deleted_file = f"del-{generation:08d}-{seg.name}.npy"
                    _save_npy(self.root / deleted_file, mask)
                entries.append({"name": seg.name, "deleted": deleted_file})
            if add:
                name = self._write_segment(generation, kind, add)
                entries.append({"name": name, "deleted": None})
            self._write_manifest(generation, entries, ident)
            state = self._refresh(force=True)
            if len(state.segments) > MAX_SEGMENTS or any(
                    s.n - s.n_alive > PURGE_DELETED * s.n for s in state.segments):
                self._compact(state)
            self._gc()

    def _write_manifest(self, generation: int, entries: list[dict[str, Any]], identity: dict[str, str]) -> None:
        tmp = self.root / f".MANIFEST.{uuid.uuid4().hex}.tmp"
        tmp.write_text(json.dumps({"format": FORMAT, "generation": generation, "segments": entries,
                                   "identity": identity, "written_at": time.time()}))
        os.replace(tmp, self.manifest)

    def _compact(self, state: _State) -> None:
        """Merge the smaller segments (and rewrite mostly-deleted ones) from their own arrays."""
        by_size = sorted(state.segments, key=lambda s: -s.n_alive)
        keep = [s for s in by_size[: MAX_SEGMENTS // 2 - 1] if s.n - s.n_alive <= PURGE_DELETED * s.n]
        merge = [s for s in state.segments if s not in keep]
        if len(merge) < 2 and all(s.n == s.n_alive for s in merge):
            return
        generation = state.generation + 1
        name = self._merge_segments(generation, merge)
        entries = [{"name": s.name, "deleted": s.deleted_file} for s in state.segments if s in keep]
        if name:
            entries.append({"name": name, "deleted": None})
        self._write_manifest(generation, entries, state.identity)
        self._refresh(force=True)

    def _gc(self) -> None:
        """Remove files no manifest references any more (readers holding them keep their maps)."""
        try:
            manifest = json.loads(self.manifest.read_text())
        except FileNotFoundError:
            return
        live = {e["name"] for e in manifest["segments"]} | {e["deleted"] for e in manifest["segments"] if e["deleted"]}
        for path in self.root.iterdir():
            if path.name.startswith(("seg-", "del-")) and path.name not in live:
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
            elif path.name.startswith(".MANIFEST.") and time.time() - path.stat().st_mtime > 60:
                path.unlink(missing_ok=True)

    # ------------------------------------------------------------------ segment files
    def _write_segment(self, generation: int, kind: str, rows: list[Row]) -> str:
        term_rows: list[np.ndarray] = []
        term_hashes: list[int] = []
        term_tf: list[int] = []
        lengths = np.zeros(len(rows), dtype=np.int32)
        for i, row in enumerate(rows):
            counts = Counter(row.tokens)
            lengths[i] = len(row.tokens)
            term_hashes.extend(_hashes(counts.keys(), self._hash_cache))
            term_tf.extend(counts.values())
            term_rows.append(np.full(len(counts), i, dtype=np.int32))
        cols = {
            "hash": np.asarray(term_hashes, dtype=np.uint64),
            "row": np.concatenate(term_rows) if term_rows else np.zeros(0, dtype=np.int32),
            "tf": np.minimum(np.asarray(term_tf, dtype=np.int64), 65535).astype(np.uint16),
        }
        kinds = np.full(len(rows), KIND_CODES[kind], dtype=np.int8)
        return self._write_arrays(generation, cols, lengths, kinds, [r.chunk_id for r in rows],
                                  [r.text for r in rows], [r.meta for r in rows])

    def _write_arrays(self, generation: int, postings: dict[str, np.ndarray], lengths: np.ndarray,
                      kinds: np.ndarray, ids: Sequence[str] | None = None, texts: Sequence[str] | None = None,
                      metas: Sequence[dict[str, Any]] | None = None, records: tuple[bytes, np.ndarray] | None = None,
                      columns: dict[str, Any] | None = None) -> str:
        name = f"seg-{generation:08d}-{uuid.uuid4().hex[:8]}"
        tmp = self.root / f".{name}.tmp"
        tmp.mkdir()
        order = np.lexsort((postings["row"], postings["hash"]))
        hashes = postings["hash"][order]
        vocab, starts = np.unique(hashes, return_index=True)
        indptr = np.append(starts, hashes.size).astype(np.int64)
        _save_npy(tmp / "vocab.npy", vocab.astype(np.uint64))
        _save_npy(tmp / "indptr.npy", indptr)
        _save_npy(tmp / "rows.npy", postings["row"][order].astype(np.int32))
        _save_npy(tmp / "tf.npy", postings["tf"][order].astype(np.uint16))
        _save_npy(tmp / "lengths.npy", lengths.astype(np.int32))
        _save_npy(tmp / "kinds.npy", kinds.astype(np.int8))
        if columns is None:
            assert ids is not None and texts is not None and metas is not None
            doc_index: dict[tuple[str, str], int] = {}
            topic_index: dict[str, int] = {}
            docs = np.zeros(len(ids), dtype=np.int32)
            topics = np.zeros(len(ids), dtype=np.int32)
            dates = np.zeros(len(ids), dtype=np.int32)
            offsets = np.zeros(len(ids) + 1, dtype=np.int64)
            blob = bytearray()
            for i, (cid, text, meta) in enumerate(zip(ids, texts, metas)):
                key = (str(meta.get("doc_id", "")), str(meta.get("source_hash", "")))
                docs[i] = doc_index.setdefault(key, len(doc_index))
                topics[i] = topic_index.setdefault(str(meta.get("topic", "")), len(topic_index))
                dates[i] = int(meta.get("published_int") or 0)
                blob += json.dumps({"id": cid, "text": text, "meta": meta}, ensure_ascii=False).encode()
                offsets[i + 1] = len(blob)
            tables = {"docs": [list(k) for k in doc_index], "topics": list(topic_index)}
        else:
            docs, topics, dates, tables = columns["docs"], columns["topics"], columns["dates"], columns["tables"]
            blob, offsets = records  # type: ignore[misc]
        _save_npy(tmp / "docs.npy", docs)
        _save_npy(tmp / "topics.npy", topics)
        _save_npy(tmp / "dates.npy", dates)
        _save_npy(tmp / "offsets.npy", offsets)
        (tmp / "records.jsonl").write_bytes(bytes(blob))
        (tmp / "tables.json").write_text(json.dumps(tables, ensure_ascii=False))
        os.replace(tmp, self.root / name)
        return name

    def _merge_segments(self, generation: int, segs: list[Segment]) -> str | None:
        hashes, rows, tfs, lengths, kinds, docs, topics, dates = [], [], [], [], [], [], [], []
        blobs, offsets = [], [np.zeros(1, dtype=np.int64)]
        doc_index: dict[tuple[str, str], int] = {}
        topic_index: dict[str, int] = {}
        base, blob_base = 0, 0
        for seg in segs:
            alive = seg.alive
            if not alive.any():
                continue
            new_row = np.cumsum(alive, dtype=np.int64) - 1 + base
            counts = np.diff(np.asarray(seg.indptr))
            term_of = np.repeat(np.asarray(seg.vocab), counts)
            r = np.asarray(seg.rows)
            keep = alive[r]
            hashes.append(term_of[keep])
            rows.append(new_row[r[keep]].astype(np.int32))
            tfs.append(np.asarray(seg.tf)[keep])
            idx = np.flatnonzero(alive)
            lengths.append(seg.lengths[idx].astype(np.int32))
            kinds.append(seg.kinds[idx])
            dates.append(seg.dates[idx])
            doc_map = np.array([doc_index.setdefault(tuple(d), len(doc_index)) for d in seg.doc_table] or [0],
                               dtype=np.int32)
            topic_map = np.array([topic_index.setdefault(t, len(topic_index)) for t in seg.topic_table] or [0],
                                 dtype=np.int32)
            docs.append(doc_map[seg.docs[idx]])
            topics.append(topic_map[seg.topics[idx]])
            starts = np.asarray(seg.offsets[:-1])[idx]
            ends = np.asarray(seg.offsets[1:])[idx]
            raw = seg._records
            blobs.append(b"".join(raw[int(s):int(e)] for s, e in zip(starts, ends)))
            offsets.append(np.cumsum(ends - starts) + blob_base)
            blob_base += int((ends - starts).sum())
            base += idx.size
        if base == 0:
            return None
        postings = {"hash": np.concatenate(hashes), "row": np.concatenate(rows), "tf": np.concatenate(tfs)}
        columns = {"docs": np.concatenate(docs), "topics": np.concatenate(topics), "dates": np.concatenate(dates),
                   "tables": {"docs": [list(k) for k in doc_index], "topics": list(topic_index)}}
        return self._write_arrays(generation, postings, np.concatenate(lengths), np.concatenate(kinds),
                                  records=(b"".join(blobs), np.concatenate(offsets)), columns=columns)

    def bulk_load(self, kind: str, rows_iter: Iterable[list[Row]]) -> None:
        """Add many rows as one segment per batch (benchmarks, bootstrap of a large store)."""
        for rows in rows_iter:
            self.add_rows(kind, rows)

    def disk_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())


def _save_npy(path: Path, array: np.ndarray) -> None:
    with open(path, "wb") as fh:
        np.save(fh, np.ascontiguousarray(array))


def default_keyword_dir(data_dir: Path, chroma_url: str | None) -> Path:
    """Beside the embedded store; for a server, a local cache (ASSISTANT_KEYWORD_CACHE_DIR or
    ~/.cache/compute-geopolitics-assistant/keyword/<host>-<port>)."""
    if not chroma_url:
        return Path(data_dir) / "keyword"
    from urllib.parse import urlparse

    parsed = urlparse(chroma_url)
    base = os.environ.get("ASSISTANT_KEYWORD_CACHE_DIR") or str(
        Path.home() / ".cache" / "compute-geopolitics-assistant" / "keyword")
    return Path(base) / f"{parsed.hostname or 'localhost'}-{parsed.port or 8000}"
