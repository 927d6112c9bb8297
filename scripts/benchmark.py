"""Benchmark (not a test): index throughput beside raw encode, and per-stage query latency.

    .venv/bin/python scripts/benchmark.py [--queries 40]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from assistant import Assistant, load_settings
from index import Embedder, index_corpus, load_corpus, open_store
from index.splitter import chunk_document

QUESTIONS = [
    "How many Nvidia chips did the approved Xinjiang and Qinghai projects plan to use?",
    "What share of the planned compute sits in the Yiwu compound?",
    "Which company controls one of the largest Xinjiang projects?",
    "What thresholds define 3A090.a after October 2023?",
    "When did the H20 need a licence?",
    "What did the January 2026 BIS rule change for the H200?",
    "How much registered capital does Big Fund III have?",
    "How many GB200 chips will Oracle buy for Abilene?",
    "How many GPU-hours did DeepSeek-V3 take to train?",
    "How much market value did Nvidia lose on January 27, 2025?",
    "Is the H20 controlled?",
    "What is the TPP of an Ascend 910C?",
    "How many megawatts would 115,000 H100s draw at a PUE of 1.3?",
    "What share of Stargate's compute would the Xinjiang chips be?",
    "What is the capital of Peru?",
]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=45, help="warm queries to time")
    args = parser.parse_args()
    settings = load_settings(progress=False)
    embedder = Embedder(settings.embedding_model)
    embedder.embed_one("warm up")
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp), None, embedder)
        t = time.perf_counter()
        report = index_corpus(store, settings.corpus_dir, settings.chunk_tokens, progress=False)
        build = time.perf_counter() - t
        docs, _ = load_corpus(settings.corpus_dir)
        chunks = [(d, c) for d in docs for c in chunk_document(d, embedder.count_tokens, settings.chunk_tokens)]
        texts = [c.embedding_text(d.title) for d, c in chunks]
        sentences = [s for _, c in chunks for s in c.sentences]
        t = time.perf_counter()
        embedder.model.encode(texts, batch_size=64, normalize_embeddings=True)
        raw_chunks = time.perf_counter() - t
        t = time.perf_counter()
        embedder.model.encode(sentences, batch_size=64, normalize_embeddings=True)
        raw_sentences = time.perf_counter() - t
    print(f"index build: {report.chunks_written} chunks + {report.sentences_written} sentences in {build:.1f} s "
          f"= {report.chunks_written / build:.1f} chunks/s")
    print(f"raw encode : chunks {len(texts) / raw_chunks:.1f} chunks/s ({raw_chunks:.1f} s), "
          f"sentences {raw_sentences:.1f} s; raw total {raw_chunks + raw_sentences:.1f} s")
    print(f"pipeline overhead ratio (build ÷ raw encode of chunks and sentences): {build / (raw_chunks + raw_sentences):.2f}")

    with tempfile.TemporaryDirectory() as tmp:
        assistant = Assistant(settings.model_copy(update={"data_dir": Path(tmp)}))
        assistant.index()
        cold = assistant.ask(QUESTIONS[0]).timings
        print("cold first query (index loaded, model warm) ms: " + ", ".join(f"{k} {v:.1f}" for k, v in cold.items()))
        stages: dict[str, list[float]] = {}
        for i in range(args.queries):
            timings = assistant.ask(QUESTIONS[i % len(QUESTIONS)]).timings
            for k, v in timings.items():
                stages.setdefault(k, []).append(v)
    print(f"warm queries ({args.queries}):")
    for stage, values in stages.items():
        print(f"  {stage:<8} p50 {statistics.median(values):7.1f} ms   p95 {pct(values, 0.95):7.1f} ms")


if __name__ == "__main__":
    main()
