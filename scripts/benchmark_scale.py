"""Scale benchmark (not a test): stores of 1k to 1M chunks, embedded and on a `chroma run` server.

    .venv/bin/python scripts/benchmark_scale.py --sizes 1000,10000,100000 [--modes embedded,server]
        [--encode 1000] [--no-sentences] [--queries 45] [--asks 15]

Chunks: the corpus's real chunks first, then synthetic ones made by perturbing them (15% of the
words replaced by other corpus words, numbers re-drawn, new document ids, titles and dates), ten
chunks per synthetic document. Vectors: the real encoder for the first `--encode` chunks (and their
sentences); beyond that, the source chunk's real vector plus Gaussian noise, renormalised (cosine
about 0.9 to the source), so the vector index holds realistic, clustered but distinct vectors.
Each size is built from scratch in its own directory with bulk writes (Chroma batches of the
server's maximum size, one keyword segment per 100k chunks) and removed after measuring.

Per size and mode it prints and records (docs/benchmark/scale.json, merged across runs): write time
(Chroma + keyword index), the encoder time those chunks would take at the measured rate, store size
on disk (Chroma + keyword index), RSS of a fresh serving process (which opens the store and runs the
queries) and of the server, retrieval stage p50/p95
(embed, dense, keyword, fuse) and, through `Assistant.ask`, every stage the answer path reports.
It then draws docs/benchmark/scale.png from every recorded result.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from bench_common import QUESTIONS, pct  # noqa: E402

import numpy as np  # noqa: E402
import psutil  # noqa: E402

from index import Embedder, load_corpus, open_store  # noqa: E402
from index.keyword import Row  # noqa: E402
from index.splitter import chunk_document  # noqa: E402
from index.store import chunk_metadata  # noqa: E402
from index.text import keyword_tokens  # noqa: E402

KEYWORD_BATCH = 100_000
NOISE = 0.022  # per-dimension sigma on 384 dims: cosine to the source vector about 0.9


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


class Source:
    """The real corpus chunks with their real vectors, and a generator of perturbed copies."""

    def __init__(self, embedder: Embedder, encode_limit: int, with_sentences: bool) -> None:
        self.embedder = embedder
        self.with_sentences = with_sentences
        docs, _ = load_corpus(ROOT / "corpus")
        self.real = []
        for doc in docs:
            for c in chunk_document(doc, embedder.count_tokens, 200):
                self.real.append((doc, c))
        words = set()
        for _, c in self.real:
            words.update(w for w in re.findall(r"[A-Za-z][A-Za-z\-]{3,}", c.text))
        self.words = sorted(words)
        t = time.perf_counter()
        self.vectors = np.asarray(embedder.embed_array([c.embedding_text(d.title) for d, c in self.real]), dtype=np.float32)
        sents = [s for _, c in self.real for s in c.sentences] if with_sentences else []
        self.sentence_vectors = np.asarray(embedder.embed_array(sents), dtype=np.float32) if sents else None
        self.encode_seconds = time.perf_counter() - t
        self.encoded_chunks = len(self.real)
        self.encode_limit = encode_limit
        offsets, i = [], 0
        for _, c in self.real:
            offsets.append(i)
            i += len(c.sentences)
        self.sentence_offsets = offsets
        self.rate = self.encoded_chunks / self.encode_seconds  # chunks (with their sentences) per second

    def perturb(self, text: str, rng: random.Random) -> str:
        out = []
        for word in text.split(" "):
            r = rng.random()
            if r < 0.15 and word.isalpha():
                out.append(rng.choice(self.words))
            elif r < 0.5 and word[:1].isdigit():
                out.append(str(rng.randint(1, 99999)))
            else:
                out.append(word)
        return " ".join(out)

    def batches(self, n: int, batch: int, seed: int = 7) -> Iterator[dict[str, Any]]:
        """Batches of chunks (ids, texts, metas, vectors) and their sentences, n chunks in all."""
        rng = random.Random(seed)
        nrng = np.random.default_rng(seed)
        made = 0
        encoded = 0
        while made < n:
            size = min(batch, n - made)
            ids, texts, metas, vecs, embed_texts = [], [], [], [], []
            s_ids, s_docs, s_metas, s_vecs, s_texts = [], [], [], [], []
            src_index = []
            for j in range(size):
                i = made + j
                k = i % len(self.real)
                doc, chunk = self.real[k]
                if i < len(self.real):
                    doc_id, title, text, sentences = doc.doc_id, doc.title, chunk.text, list(chunk.sentences)
                    published = doc.published
                else:
                    doc_id = f"syn-{i // 10:07d}"
                    title = f"{doc.title} ({i // 10})"
                    sentences = [self.perturb(s, rng) for s in chunk.sentences]
                    text = " ".join(sentences)
                    published = f"{rng.randint(2019, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                cid = f"{doc_id}:{i:08d}"
                meta = chunk_metadata(doc, chunk, "corpus")
                meta.update({"doc_id": doc_id, "title": title, "published": published,
                             "published_int": int(published.replace("-", "")[:8] or 0) if published else 0,
                             "source_hash": f"h{i // 10}", "position": i % 10, "n_sentences": len(sentences)})
                ids.append(cid)
                texts.append(text)
                metas.append(meta)
                src_index.append(k)
                embed_texts.append(f"{title} — {chunk.section}. {text}" if chunk.section else f"{title}. {text}")
                if self.with_sentences:
                    for si, s in enumerate(sentences):
                        s_ids.append(f"{cid}#{si}")
                        s_docs.append(s)
                        s_metas.append({"doc_id": doc_id, "chunk_id": cid, "i": si, "source_hash": meta["source_hash"]})
                        s_texts.append(s)
            src = np.asarray(src_index)
            # vectors: real ones for the real chunks, the real encoder up to --encode, perturbed beyond
            base = self.vectors[src].copy()
            first_synthetic = max(0, len(self.real) - made)
            to_encode = max(0, min(size, self.encode_limit - made) - first_synthetic)
            if to_encode > 0:
                lo, hi = first_synthetic, first_synthetic + to_encode
                t = time.perf_counter()
                base[lo:hi] = self.embedder.embed_array(embed_texts[lo:hi])
                self.encode_seconds += time.perf_counter() - t
                encoded += to_encode
            noisy = np.arange(size) >= first_synthetic + to_encode
            if noisy.any():
                base[noisy] += nrng.normal(0, NOISE, size=(int(noisy.sum()), base.shape[1])).astype(np.float32)
            base /= np.linalg.norm(base, axis=1, keepdims=True)
            if self.with_sentences:
                sv = []
                for j, k in enumerate(src_index):
                    n_s = len(self.real[k][1].sentences)
                    o = self.sentence_offsets[k]
                    sv.append(self.sentence_vectors[o:o + n_s])
                svec = np.concatenate(sv) if sv else np.zeros((0, base.shape[1]), dtype=np.float32)
                svec = svec + nrng.normal(0, NOISE, size=svec.shape).astype(np.float32) * (
                    np.repeat(np.arange(size) >= first_synthetic, [len(self.real[k][1].sentences) for k in src_index])[:, None])
                svec /= np.linalg.norm(svec, axis=1, keepdims=True)
            else:
                svec = None
            made += size
            yield {"ids": ids, "texts": texts, "metas": metas, "vectors": base, "s_ids": s_ids, "s_docs": s_docs,
                   "s_metas": s_metas, "s_vectors": svec}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(path: Path) -> tuple[subprocess.Popen, str]:
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    proc = subprocess.Popen([exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("chroma server did not start")


def run_size(n: int, mode: str, source: Source, args: argparse.Namespace) -> dict[str, Any]:
    work = args.work / f"{mode}-{n}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    server = None
    url = None
    keyword_cache = work / "keyword-cache"
    os.environ["ASSISTANT_KEYWORD_CACHE_DIR"] = str(keyword_cache)
    if mode == "server":
        server, url = start_server(work / "server")
    try:
        store = open_store(work / "data", url, source.embedder)
        chunks_col = store.collection("corpus")
        sentences_col = store.collection("corpus", "sentences")
        max_batch = min(5000, int(store.client.get_max_batch_size()))
        encode_before = source.encode_seconds
        t0 = time.perf_counter()
        chroma_s = keyword_s = gen_s = 0.0
        pending: list[Row] = []
        t = time.perf_counter()
        for b in source.batches(n, max_batch):
            gen_s += time.perf_counter() - t
            t = time.perf_counter()
            chunks_col.add(ids=b["ids"], documents=b["texts"], metadatas=b["metas"], embeddings=b["vectors"])
            for lo in range(0, len(b["s_ids"]), max_batch):
                sentences_col.add(ids=b["s_ids"][lo:lo + max_batch], documents=b["s_docs"][lo:lo + max_batch],
                                  metadatas=b["s_metas"][lo:lo + max_batch], embeddings=b["s_vectors"][lo:lo + max_batch])
            chroma_s += time.perf_counter() - t
            t = time.perf_counter()
            pending.extend(Row(cid, text, meta, keyword_tokens(f"{meta['title']} {meta['section']} {text}"))
                           for cid, text, meta in zip(b["ids"], b["texts"], b["metas"]))
            if len(pending) >= KEYWORD_BATCH:
                store.keyword.add_rows("corpus", pending, identity=str(chunks_col.id))
                pending = []
            keyword_s += time.perf_counter() - t
            t = time.perf_counter()
            print(f"  {mode} {n}: {chunks_col.count() if len(pending) == 0 else '…'} written "
                  f"({time.perf_counter() - t0:.0f} s)", end="\r", flush=True)
        t = time.perf_counter()
        if pending:
            store.keyword.add_rows("corpus", pending, identity=str(chunks_col.id))
        keyword_s += time.perf_counter() - t
        encode_measured = source.encode_seconds - encode_before
        encoded = min(n, args.encode)
        print()
        res: dict[str, Any] = {
            "mode": mode, "chunks": n, "sentences": sentences_col.count(),
            "write_seconds": round(chroma_s + keyword_s, 1), "chroma_write_seconds": round(chroma_s, 1),
            "keyword_write_seconds": round(keyword_s, 1), "generate_seconds": round(gen_s - encode_measured, 1),
            "vectors": f"real encoder for {encoded} chunks, perturbed real vectors for {max(0, n - encoded)}",
            "encoder_seconds_at_measured_rate": round(n / source.rate, 0),
            "build_seconds_total_with_encoder": round(n / source.rate + chroma_s + keyword_s, 0),
            "keyword_segments": store.keyword.segment_count(),
        }
        res["build_rss_mb"] = round(psutil.Process().memory_info().rss / 2**20)
        del store
        # queries in a fresh process (as the UI would open the store): its RSS is a serving process's
        cmd = [sys.executable, str(Path(__file__).resolve()), "--query-worker", str(work / "data"),
               "--queries", str(args.queries), "--asks", str(args.asks)] + (["--url", url] if url else [])
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=os.environ.copy())
        lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
        if out.returncode != 0 or not lines:
            raise SystemExit(f"query worker failed: {out.stderr[-2000:]}")
        res.update(json.loads(lines[-1]))
        if server is not None:
            res["server_rss_mb"] = round(psutil.Process(server.pid).memory_info().rss / 2**20)
            res["chroma_disk_mb"] = round(du(work / "server") / 2**20, 1)
            res["keyword_disk_mb"] = round(du(keyword_cache) / 2**20, 1)
        else:
            res["chroma_disk_mb"] = round(du(work / "data" / "chroma") / 2**20, 1)
            res["keyword_disk_mb"] = round(du(work / "data" / "keyword") / 2**20, 1)
        return res
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def query_worker(data_dir: Path, url: str | None, queries: int, asks: int) -> dict[str, Any]:
    """Open the store as a new process would, time retrieval and whole answers, report its RSS."""
    from assistant import Assistant, load_settings

    res: dict[str, Any] = {}
    t = time.perf_counter()
    assistant = Assistant(load_settings(data_dir=data_dir, chroma_url=url, progress=False))
    retriever = assistant.retriever()
    retriever.search(QUESTIONS[0])
    res["open_first_search_seconds"] = round(time.perf_counter() - t, 2)
    stages: dict[str, list[float]] = {}
    for i in range(queries):
        t = time.perf_counter()
        out = retriever.search(QUESTIONS[i % len(QUESTIONS)])
        for k, v in out.timings.items():
            stages.setdefault(k, []).append(v)
        stages.setdefault("retrieval", []).append((time.perf_counter() - t) * 1000)
    ask_stages: dict[str, list[float]] = {}
    if asks:
        t = time.perf_counter()
        try:
            assistant.ask(QUESTIONS[-1])  # unscored: loads the answer path's lazy parts
        except Exception:
            pass
        res["first_answer_ms"] = round((time.perf_counter() - t) * 1000)
    for i in range(asks):
        t = time.perf_counter()
        try:
            answer = assistant.ask(QUESTIONS[i % len(QUESTIONS)])
        except Exception as exc:  # the answer path is someone else's; record, do not stop the run
            res["ask_error"] = f"{exc.__class__.__name__}: {str(exc)[:200]}"
            break
        for k, v in (answer.timings or {}).items():
            ask_stages.setdefault(k, []).append(float(v))
        ask_stages.setdefault("wall", []).append((time.perf_counter() - t) * 1000)
    summary = lambda d: {k: {"p50": round(statistics.median(v), 2), "p95": round(pct(v, 0.95), 2)} for k, v in d.items()}  # noqa: E731
    res["retrieval_ms"] = summary(stages)
    res["ask_ms"] = summary(ask_stages)
    res["rss_mb"] = round(psutil.Process().memory_info().rss / 2**20)
    return res


def print_row(r: dict[str, Any]) -> None:
    rq = r["retrieval_ms"]
    cell = lambda k: f"{rq.get(k, {}).get('p50', 0):.1f}/{rq.get(k, {}).get('p95', 0):.1f}"  # noqa: E731
    ask = r.get("ask_ms", {}).get("wall", {})
    print(f"{r['mode']:<8} {r['chunks']:>8} {r['write_seconds']:>8} {r['encoder_seconds_at_measured_rate']:>9.0f} "
          f"{r['chroma_disk_mb'] + r['keyword_disk_mb']:>9.0f} {r['rss_mb']:>6} {r.get('server_rss_mb', '-'):>6} "
          f"{cell('embed'):>11} {cell('dense'):>11} {cell('keyword'):>11} {cell('fuse'):>9} "
          f"{ask.get('p50', 0):.0f}/{ask.get('p95', 0):.0f}")


HEADER = (f"{'mode':<8} {'chunks':>8} {'write s':>8} {'encode s':>9} {'disk MB':>9} {'RSS MB':>6} {'srv MB':>6} "
          f"{'embed ms':>11} {'dense ms':>11} {'keyword ms':>11} {'fuse ms':>9} ask ms (p50/p95)")


def markdown(results: list[dict[str, Any]]) -> str:
    """The README table: one row per mode and size."""
    def cell(stages: dict[str, Any], key: str) -> str:
        v = stages.get(key)
        return f"{v['p50']:.1f} / {v['p95']:.1f}" if v else "–"

    lines = ["| mode | chunks | store writes s | encoder s (measured rate) | disk MB | RSS MB (client + server) "
             "| embed ms | dense ms | keyword ms | fuse ms | plan ms | rank ms | write ms | answer wall ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in sorted(results, key=lambda x: (x["mode"], x["chunks"])):
        rq, ask = r["retrieval_ms"], r.get("ask_ms", {})
        rss = f"{r['rss_mb']}" + (f" + {r['server_rss_mb']}" if "server_rss_mb" in r else "")
        mark = " (chunks only, no sentence collection)" if not r.get("sentences") else ""
        lines.append(f"| {r['mode']} | {r['chunks']:,}{mark} | {r['write_seconds']:.0f} | {r['encoder_seconds_at_measured_rate']:,.0f} "
                     f"| {r['chroma_disk_mb'] + r['keyword_disk_mb']:,.0f} | {rss} | {cell(rq, 'embed')} | {cell(rq, 'dense')} "
                     f"| {cell(rq, 'keyword')} | {cell(rq, 'fuse')} | {cell(ask, 'plan')} | {cell(ask, 'evidence.rank')} "
                     f"| {cell(ask, 'write')} | {cell(ask, 'wall')} |")
    return "\n".join(lines)


def plot(results: list[dict[str, Any]], png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.8))
    for mode, style in (("embedded", "o-"), ("server", "s--")):
        rows = sorted((r for r in results if r["mode"] == mode), key=lambda r: r["chunks"])
        if not rows:
            continue
        x = [r["chunks"] for r in rows]
        colors = {"embed": "tab:purple", "dense": "tab:blue", "keyword": "tab:green", "fuse": "tab:olive",
                  "answer": "black", "writes": "tab:red", "encoder": "grey", "disk": "tab:brown", "rss": "tab:orange"}
        for stage in ("embed", "dense", "keyword", "fuse"):
            axes[0].plot(x, [max(r["retrieval_ms"].get(stage, {}).get("p95", 0), 0.01) for r in rows], style,
                         color=colors[stage], label=f"{stage} ({mode})")
        axes[0].plot(x, [r.get("ask_ms", {}).get("wall", {}).get("p95", 0) for r in rows], style, color=colors["answer"],
                     label=f"whole answer ({mode})", linewidth=2)
        axes[1].plot(x, [r["write_seconds"] for r in rows], style, color=colors["writes"], label=f"store writes ({mode})")
        if mode == "embedded":
            axes[1].plot(x, [r["encoder_seconds_at_measured_rate"] for r in rows], "x:", color=colors["encoder"],
                         label="encoder time for these chunks (measured rate)")
        axes[2].plot(x, [r["chroma_disk_mb"] + r["keyword_disk_mb"] for r in rows], style, color=colors["disk"],
                     label=f"disk ({mode})")
        axes[2].plot(x, [r["rss_mb"] + r.get("server_rss_mb", 0) for r in rows], style, color=colors["rss"],
                     label=f"RSS ({mode}; client + server)")
    titles = ("query p95 per stage (ms)", "build (s)", "footprint (MB)")
    for ax, title in zip(axes, titles):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("chunks in the store")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=6.5, ncol=2 if ax is axes[0] else 1, loc="upper left", framealpha=0.85)
    fig.suptitle("Cost curve: 2 cores, 24 GB (scripts/benchmark_scale.py)")
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=110)
    print(f"wrote {png}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--modes", default="embedded,server")
    parser.add_argument("--encode", type=int, default=1000, help="chunks vectorised by the real encoder per size")
    parser.add_argument("--no-sentences", action="store_true", help="skip the sentence collection")
    parser.add_argument("--queries", type=int, default=45)
    parser.add_argument("--asks", type=int, default=15)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-scale"))
    parser.add_argument("--keep", action="store_true", help="keep the stores after measuring")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmark" / "scale.json")
    parser.add_argument("--png", type=Path, default=ROOT / "docs" / "benchmark" / "scale.png")
    parser.add_argument("--report", action="store_true", help="only print the markdown table and redraw the PNG")
    parser.add_argument("--query-worker", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--url", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.query_worker:
        print(json.dumps(query_worker(args.query_worker, args.url, args.queries, args.asks)))
        return
    if args.report:
        results = json.loads(args.out.read_text())
        print(markdown(results))
        plot(results, args.png)
        return
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    embedder = Embedder()
    embedder.embed_one("warm up")
    source = Source(embedder, args.encode, not args.no_sentences)
    print(f"encoder {embedder.backend}: {source.rate:.1f} chunks/s with their sentences "
          f"({source.encoded_chunks} real chunks); cpus {os.cpu_count()}, load {os.getloadavg()[0]:.1f}")
    results = json.loads(args.out.read_text()) if args.out.exists() else []
    print(HEADER)
    for n in sizes:
        for mode in modes:
            r = run_size(n, mode, source, args)
            r["measured_at"] = time.strftime("%Y-%m-%d %H:%M")
            r["load_avg"] = round(os.getloadavg()[0], 1)
            results = [x for x in results if not (x["mode"] == mode and x["chunks"] == n)] + [r]
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(sorted(results, key=lambda x: (x["mode"], x["chunks"])), indent=1))
            print_row(r)
    print("\nall recorded results:")
    print(HEADER)
    for r in sorted(results, key=lambda x: (x["mode"], x["chunks"])):
        print_row(r)
    print()
    print(markdown(results))
    plot(results, args.png)


if __name__ == "__main__":
    main()
