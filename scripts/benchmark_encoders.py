"""Encoder backends side by side (not a test): bulk throughput on the corpus's chunks and sentences,
single-thread query latency, agreement with the torch vectors, and (with --eval) the question set's
retrieval scores through `assistant eval`, each backend in its own data dir (vectors differ).

    .venv/bin/python scripts/benchmark_encoders.py [--backends torch,onnx,onnx-int8,openvino] [--rounds 2] [--eval]

Rounds are interleaved (backend A, B, C, then again) so load from other processes on a shared
2-core machine falls on every backend alike; the best round is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench_common import QUESTIONS, pct  # noqa: E402

from index import Embedder, load_corpus  # noqa: E402
from index.embeddings import BACKENDS  # noqa: E402
from index.splitter import chunk_document  # noqa: E402



def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="encode only the first N chunks (0: all)")
    parser.add_argument("--eval", action="store_true", help="also run `assistant eval` per backend")
    parser.add_argument("--eval-only", action="store_true", help="only the `assistant eval` runs (merged into --out)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmark" / "encoders.json")
    parser.add_argument("--data-root", type=Path, default=Path("/tmp/bench-encoders"))
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]

    if args.eval_only:
        previous = json.loads(args.out.read_text()) if args.out.exists() else {"backends": {}}
        table = previous.setdefault("backends", {})
        for b in backends:
            table.setdefault(b, {}).update(_eval(b, args))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(previous, indent=2))
        print(f"wrote {args.out}")
        return
    reference = Embedder(backend="torch")
    docs, _ = load_corpus(ROOT / "corpus")
    chunks = [(d, c) for d in docs for c in chunk_document(d, reference.count_tokens, 200)]
    if args.limit:
        chunks = chunks[: args.limit]
    texts = [c.embedding_text(d.title) for d, c in chunks]
    sentences = [s for _, c in chunks for s in c.sentences]
    print(f"{len(texts)} chunks, {len(sentences)} sentences; cpus {os.cpu_count()}, load {os.getloadavg()[0]:.1f}")

    import numpy as np

    embedders = {b: Embedder(backend=b) for b in backends}
    for e in embedders.values():
        e.embed(["warm up"])
        e.embed_one("warm up")
    ref_vecs = np.asarray(reference.embed(texts[:200]))
    results: dict[str, dict] = {b: {"chunks_s": [], "sentences_s": [], "query_ms": []} for b in backends}
    for r in range(args.rounds):
        for b, e in embedders.items():
            t = time.perf_counter()
            e.embed(texts)
            results[b]["chunks_s"].append(time.perf_counter() - t)
            t = time.perf_counter()
            e.embed(sentences)
            results[b]["sentences_s"].append(time.perf_counter() - t)
            for q in QUESTIONS * 3:
                t = time.perf_counter()
                e.embed_one(q)
                results[b]["query_ms"].append((time.perf_counter() - t) * 1000)
            print(f"round {r + 1} {b}: chunks {results[b]['chunks_s'][-1]:.1f} s, sentences "
                  f"{results[b]['sentences_s'][-1]:.1f} s (load {os.getloadavg()[0]:.1f})", flush=True)
    table = {}
    for b, e in embedders.items():
        vecs = np.asarray(e.embed(texts[:200]))
        cos = (vecs * ref_vecs).sum(1)
        res = results[b]
        table[b] = {
            "chunks_per_s": round(len(texts) / min(res["chunks_s"]), 1),
            "chunk_seconds": round(min(res["chunks_s"]), 2),
            "sentence_seconds": round(min(res["sentences_s"]), 2),
            "query_p50_ms": round(statistics.median(res["query_ms"]), 2),
            "query_p95_ms": round(pct(res["query_ms"], 0.95), 2),
            "cosine_to_torch_mean": round(float(cos.mean()), 5),
            "cosine_to_torch_min": round(float(cos.min()), 5),
        }
    print(f"\n{'backend':<10} {'chunks/s':>9} {'chunks s':>9} {'sent. s':>8} {'query p50':>10} {'p95':>7} {'cos mean':>9} {'cos min':>8}")
    for b, row in table.items():
        print(f"{b:<10} {row['chunks_per_s']:>9} {row['chunk_seconds']:>9} {row['sentence_seconds']:>8} "
              f"{row['query_p50_ms']:>10} {row['query_p95_ms']:>7} {row['cosine_to_torch_mean']:>9} {row['cosine_to_torch_min']:>8}")

    if args.eval:
        for b in backends:
            table[b].update(_eval(b, args))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"chunks": len(texts), "sentences": len(sentences), "backends": table}, indent=2))
    print(f"wrote {args.out}")


def _eval(backend: str, args: argparse.Namespace) -> dict[str, float]:
    """Index the corpus into this backend's own data dir and run `assistant eval` on it."""
    data = args.data_root / backend
    out = args.data_root / f"eval-{backend}"
    env = {**os.environ, "ASSISTANT_ENCODER_BACKEND": backend, "ASSISTANT_DATA_DIR": str(data),
           "ASSISTANT_PROGRESS": "false"}
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "assistant", "index"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    build = time.perf_counter() - t
    subprocess.run([sys.executable, "-m", "assistant", "eval", "--out", str(out), "--no-progress", "--no-charts"],
                   env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    summary = _summary(out)
    print(f"{backend:<10} index {build:.1f} s  " + "  ".join(f"{k} {v}" for k, v in summary.items()), flush=True)
    return {"index_seconds": round(build, 1), **summary}


def _summary(out: Path) -> dict[str, float]:
    """hit@5, MRR@10 and accuracy over all cases, from the eval run's results.json."""
    data = json.loads((out / "results.json").read_text())
    overall = next(iter(data["systems"].values()))["overall"]
    return {k: round(float(overall[k]), 3) for k in ("hit@5", "mrr@10", "accuracy") if overall.get(k) is not None}


if __name__ == "__main__":
    main()
