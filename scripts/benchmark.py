"""Benchmark (not a test): index build beside the raw encoder, where the build's time goes,
per-stage query latency, and a cold start.

    .venv/bin/python scripts/benchmark.py [--queries 45] [--backend onnx]

The raw encoder time is the same backend encoding the same chunk texts and sentences in
length-sorted batches with nothing else; the build's extra time is split into splitting
(sentence split and word-piece counts), Chroma writes, keyword index writes and the rest.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench_common import QUESTIONS, pct  # noqa: E402

from assistant import Assistant, load_settings  # noqa: E402
from index import Embedder, index_corpus, load_corpus, open_store  # noqa: E402
from index import indexer as indexer_module  # noqa: E402
from index.splitter import chunk_document  # noqa: E402



class Timer:
    """Accumulates the wall time of wrapped calls (outermost call only)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._depth = 0

    def wrap(self, name: str, fn):  # noqa: ANN001, ANN201
        def timed(*a, **kw):  # noqa: ANN002, ANN003, ANN202
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t

        return timed


def build_breakdown(settings, embedder: Embedder) -> tuple[float, dict[str, float], object]:  # noqa: ANN001
    timer = Timer()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp), None, embedder)
        keyword = store.keyword
        keyword.put = timer.wrap("keyword index writes", keyword.put)
        keyword.delete = timer.wrap("keyword index writes", keyword.delete)
        original_embed = embedder.embed_array
        embedder.embed_array = timer.wrap("encode", original_embed)  # type: ignore[method-assign]
        original_put = store.put_documents
        store.put_documents = timer.wrap("store writes", original_put)  # type: ignore[method-assign]
        original_chunk = indexer_module.chunk_document
        indexer_module.chunk_document = timer.wrap("splitting (sentences, word pieces)", original_chunk)
        original_load = indexer_module.load_corpus
        indexer_module.load_corpus = timer.wrap("loading files", original_load)
        try:
            t = time.perf_counter()
            report = index_corpus(store, settings.corpus_dir, settings.chunk_tokens, progress=False)
            build = time.perf_counter() - t
        finally:
            embedder.embed_array = original_embed  # type: ignore[method-assign]
            indexer_module.chunk_document = original_chunk
            indexer_module.load_corpus = original_load
    parts = dict(timer.seconds)
    # the keyword writes happen inside put_document: report Chroma's share on its own
    parts["chroma writes"] = parts.pop("store writes", 0.0) - parts.get("keyword index writes", 0.0)
    parts["other"] = build - sum(parts.values())
    return build, parts, report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=45, help="warm queries to time")
    parser.add_argument("--backend", default=None, help="encoder backend (default: ASSISTANT_ENCODER_BACKEND or onnx)")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold-start measurement")
    args = parser.parse_args()
    if args.backend:
        os.environ["ASSISTANT_ENCODER_BACKEND"] = args.backend
    settings = load_settings(progress=False)
    embedder = Embedder(settings.embedding_model)
    embedder.embed(["warm up"])
    embedder.embed_one("warm up")
    print(f"encoder backend: {embedder.backend}; cpus {os.cpu_count()}, load {os.getloadavg()[0]:.1f}")

    docs, _ = load_corpus(settings.corpus_dir)
    chunks = [(d, c) for d in docs for c in chunk_document(d, embedder.count_tokens, settings.chunk_tokens)]
    texts = [c.embedding_text(d.title) for d, c in chunks]
    sentences = [s for _, c in chunks for s in c.sentences]

    def raw_encode() -> tuple[float, float]:
        t = time.perf_counter()
        embedder.embed_array(texts)
        chunk_s = time.perf_counter() - t
        t = time.perf_counter()
        embedder.embed_array(sentences)
        return chunk_s, time.perf_counter() - t

    # raw encoder time before and after the build, averaged: the machine's load drifts
    before = raw_encode()
    build, parts, report = build_breakdown(settings, embedder)
    after = raw_encode()
    raw_chunks, raw_sentences = (before[0] + after[0]) / 2, (before[1] + after[1]) / 2
    raw = raw_chunks + raw_sentences
    print(f"index build: {report.chunks_written} chunks + {report.sentences_written} sentences in {build:.1f} s "
          f"= {report.chunks_written / build:.1f} chunks/s")
    print(f"raw encode : chunks {len(texts) / raw_chunks:.1f} chunks/s ({raw_chunks:.1f} s), "
          f"sentences {raw_sentences:.1f} s; raw total {raw:.1f} s")
    print(f"pipeline overhead ratio (build ÷ raw encode of chunks and sentences): {build / raw:.2f} "
          f"(raw before {sum(before):.1f} s, after {sum(after):.1f} s)")
    outside = build - parts.get("encode", 0.0)
    print(f"time outside the encoder: {outside:.1f} s = {outside / raw:.2f} of the raw encoder time "
          f"(load-independent overhead; the ratio above also carries the load's drift)")
    print("where the build's time goes:")
    for name, seconds in sorted(parts.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<36} {seconds:6.2f} s  {100 * seconds / build:5.1f}%")

    with tempfile.TemporaryDirectory() as tmp:
        assistant = Assistant(settings.model_copy(update={"data_dir": Path(tmp)}))
        assistant.index()
        cold = assistant.ask(QUESTIONS[0]).timings
        print("first query (index loaded, model warm) ms: " + ", ".join(f"{k} {v:.1f}" for k, v in cold.items()))
        stages: dict[str, list[float]] = {}
        walls: list[float] = []
        for i in range(args.queries):
            t = time.perf_counter()
            timings = assistant.ask(QUESTIONS[i % len(QUESTIONS)]).timings
            walls.append((time.perf_counter() - t) * 1000)
            for k, v in timings.items():
                stages.setdefault(k, []).append(v)
        print(f"warm queries ({args.queries}):")
        for stage, values in stages.items():
            print(f"  {stage:<8} p50 {statistics.median(values):7.1f} ms   p95 {pct(values, 0.95):7.1f} ms")
        print(f"  {'wall':<8} p50 {statistics.median(walls):7.1f} ms   p95 {pct(walls, 0.95):7.1f} ms")
        if not args.no_cold:
            code = ("import time; t=time.perf_counter(); from assistant import Assistant; a=Assistant(); "
                    f"a.ask({QUESTIONS[0]!r}); print(time.perf_counter()-t)")
            env = {**os.environ, "ASSISTANT_DATA_DIR": tmp, "ASSISTANT_PROGRESS": "false"}
            t = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
            total = time.perf_counter() - t
            inside = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "?"
            print(f"cold start, new process to first answer (existing index): {total:.1f} s "
                  f"(imports to answer inside the process {float(inside):.1f} s)" if inside != "?" else
                  f"cold start failed: {out.stderr[-400:]}")


if __name__ == "__main__":
    main()
