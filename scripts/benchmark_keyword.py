"""Keyword engines side by side (not a test): the project's segment index (index/keyword.py),
bm25s and rank_bm25 on the same token lists, at several sizes.

    .venv/bin/python scripts/benchmark_keyword.py [--sizes 10000,100000,1000000] [--rank-bm25-max 100000]

Token lists: the corpus's real chunks through index.text.keyword_tokens (title + section + text),
then perturbed copies (15% of the tokens replaced by other corpus tokens, numbers re-drawn).
For each engine: build time, query p50/p95 over the benchmark questions (top 30), and the cost of
one change (a 10-chunk document added): the segment index writes one small segment; bm25s and
rank_bm25 have no update and are rebuilt. Writes docs/benchmark/keyword.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench_common import QUESTIONS, pct  # noqa: E402

import numpy as np  # noqa: E402

from index.keyword import KeywordStore, Row  # noqa: E402
from index.loader import load_corpus  # noqa: E402
from index.splitter import chunk_document  # noqa: E402
from index.text import keyword_tokens  # noqa: E402



def corpus_tokens() -> tuple[list[list[str]], list[str], float]:
    docs, _ = load_corpus(ROOT / "corpus")
    texts = []
    for d in docs:
        for c in chunk_document(d, lambda s: len(s.split()) * 4 // 3, 200):
            texts.append(f"{d.title} {c.section} {c.text}")
    t = time.perf_counter()
    toks = [keyword_tokens(x) for x in texts]
    per_chunk = (time.perf_counter() - t) / len(texts)
    return toks, texts, per_chunk


def synth(real: list[list[str]], n: int, seed: int = 3) -> list[list[str]]:
    rng = random.Random(seed)
    vocab = sorted({t for r in real for t in r})
    out = list(real[:n])
    while len(out) < n:
        src = real[len(out) % len(real)]
        out.append([rng.choice(vocab) if rng.random() < 0.15 else (str(rng.randint(1, 99999)) if t[:1].isdigit() else t)
                    for t in src])
    return out


def time_queries(search) -> dict[str, float]:  # noqa: ANN001
    lat = []
    for _ in range(3):
        for q in QUESTIONS:
            toks = keyword_tokens(q)
            t = time.perf_counter()
            search(toks)
            lat.append((time.perf_counter() - t) * 1000)
    return {"p50_ms": round(statistics.median(lat), 2), "p95_ms": round(pct(lat, 0.95), 2)}


def bench_segments(tokens: list[list[str]], texts: list[str]) -> dict:
    root = Path(tempfile.mkdtemp(prefix="kwbench-"))
    try:
        ks = KeywordStore(root / "kw")
        t = time.perf_counter()
        batch = 100_000
        for lo in range(0, len(tokens), batch):
            rows = [Row(f"c{i}", texts[i % len(texts)][:200], {"doc_id": f"d{i // 10}", "source_hash": "h"}, tokens[i])
                    for i in range(lo, min(len(tokens), lo + batch))]
            ks.add_rows("corpus", rows)
        build = time.perf_counter() - t
        res = time_queries(lambda toks: ks.search(toks, 30))
        t = time.perf_counter()
        ks.put("corpus", "new-doc", [f"new{i}" for i in range(10)], [texts[i] for i in range(10)],
               [{"doc_id": "new-doc", "source_hash": "h", "title": "t"} for _ in range(10)])
        update = time.perf_counter() - t
        t = time.perf_counter()
        ks.delete("corpus", "d3")
        delete = time.perf_counter() - t
        other = KeywordStore(root / "kw")
        t = time.perf_counter()
        other.search(keyword_tokens(QUESTIONS[0]), 30)
        open_first = time.perf_counter() - t
        return {"build_s": round(build, 2), **res, "update_10_chunks_s": round(update, 3), "delete_doc_s": round(delete, 3),
                "first_search_new_process_s": round(open_first, 3), "disk_mb": round(ks.disk_bytes() / 2**20, 1),
                "segments": ks.segment_count()}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def bench_bm25s(tokens: list[list[str]]) -> dict:
    import bm25s

    t = time.perf_counter()
    retriever = bm25s.BM25(method="lucene", k1=1.5, b=0.75)
    retriever.index(tokens, show_progress=False)
    build = time.perf_counter() - t
    vocab = retriever.vocab_dict

    def search(toks: list[str]) -> object:
        known = [x for x in toks if x in vocab]
        if not known:
            return None
        return retriever.retrieve([known], k=30, show_progress=False, n_threads=1)

    res = time_queries(search)
    return {"build_s": round(build, 2), **res, "update_10_chunks_s": round(build, 2),
            "note": "no incremental update: every change re-indexes the whole corpus"}


def bench_rank_bm25(tokens: list[list[str]]) -> dict:
    from rank_bm25 import BM25Okapi

    t = time.perf_counter()
    bm = BM25Okapi(tokens)
    build = time.perf_counter() - t

    def search(toks: list[str]) -> object:
        scores = bm.get_scores(toks)
        return np.argpartition(-scores, 30)[:30]

    res = time_queries(search)
    return {"build_s": round(build, 2), **res, "update_10_chunks_s": round(build, 2),
            "note": "no incremental update: every change rebuilds (and re-reads the store)"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--rank-bm25-max", type=int, default=100_000)
    parser.add_argument("--engines", default="segments,bm25s,rank_bm25")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmark" / "keyword.json")
    args = parser.parse_args()
    real, texts, per_chunk = corpus_tokens()
    print(f"keyword_tokens: {per_chunk * 1e6:.0f} µs per chunk ({per_chunk * 1e6:.0f} s per million chunks); "
          f"cpus {os.cpu_count()}, load {os.getloadavg()[0]:.1f}")
    engines = args.engines.split(",")
    results = json.loads(args.out.read_text()) if args.out.exists() else {}
    print(f"{'chunks':>8} {'engine':<10} {'build s':>8} {'p50 ms':>8} {'p95 ms':>8} {'one change s':>13}")
    for n in [int(s) for s in args.sizes.split(",")]:
        tokens = synth(real, n)
        for engine in engines:
            if engine == "rank_bm25" and n > args.rank_bm25_max:
                continue
            gc.collect()
            r = {"segments": lambda: bench_segments(tokens, texts), "bm25s": lambda: bench_bm25s(tokens),
                 "rank_bm25": lambda: bench_rank_bm25(tokens)}[engine]()
            r["load"] = round(os.getloadavg()[0], 1)
            results[f"{engine}@{n}"] = {"engine": engine, "chunks": n, **r}
            print(f"{n:>8} {engine:<10} {r['build_s']:>8} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['update_10_chunks_s']:>13}",
                  flush=True)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(results, indent=1))
        del tokens
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
