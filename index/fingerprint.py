"""Identify an embedding model by what it computes, not by the name of its folder.

Collections are keyed on this fingerprint and the model's output dimension, so two different
models (even in folders with the same name) never share or mix stored vectors.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

WEIGHT_SUFFIXES = {".safetensors", ".bin", ".pt", ".pth", ".onnx", ".h5", ".msgpack", ".ckpt", ".gguf"}
SKIPPED = {"readme.md", ".gitattributes"}
WHOLE_FILE_LIMIT = 4 * 1024 * 1024  # smaller files (configs, vocabularies) are hashed whole
SAMPLE = 1024 * 1024  # larger ones (weights): size, first MB and last MB


@dataclass(frozen=True)
class ModelFingerprint:
    digest: str  # hex sha256 of the model's configuration and weights
    dimension: int | None  # output dimension read from the model's files; None when they do not say

    @property
    def short(self) -> str:
        return self.digest[:12]


def _file_digest(h: "hashlib._Hash", path: Path, rel: str) -> None:
    size = path.stat().st_size
    h.update(f"{rel}\x1f{size}\x1f".encode())
    with path.open("rb") as fh:
        if size <= WHOLE_FILE_LIMIT and path.suffix.lower() not in WEIGHT_SUFFIXES:
            h.update(fh.read())
            return
        h.update(fh.read(SAMPLE))
        if size > 2 * SAMPLE:
            fh.seek(size - SAMPLE)
        h.update(fh.read(SAMPLE))


def _stamp(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Cheap cache key: every file's path, size and modification time."""
    out = []
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            st = p.stat()
            out.append((str(p), st.st_size, st.st_mtime_ns))
    return tuple(out)


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def declared_dimension(folder: Path) -> int | None:
    """The sentence embedding size the model's own files declare (modules.json chain), or None."""
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(modules, list):
        return None
    dim: int | None = None
    for module in sorted((m for m in modules if isinstance(m, dict)), key=lambda m: m.get("idx", 0)):
        kind = str(module.get("type", "")).rsplit(".", 1)[-1]
        config = _read_json(folder / str(module.get("path", "")) / "config.json") if module.get("path") else {}
        if kind == "Transformer":
            base = _read_json(folder / str(module.get("path", "")) / "config.json")
            dim = base.get("hidden_size") or base.get("d_model") or base.get("dim")
        elif kind == "Pooling":
            width = config.get("word_embedding_dimension") or dim
            modes = sum(1 for k, v in config.items() if k.startswith("pooling_mode_") and v is True) or 1
            dim = int(width) * modes if width else None
        elif kind == "Dense":
            dim = config.get("out_features", dim)
        elif kind in ("Normalize", "Dropout", "LayerNorm"):
            continue
        else:  # a module whose output size we cannot read
            return None
    return int(dim) if dim else None


@lru_cache(maxsize=16)
def _fingerprint(folder: str, stamp: tuple[tuple[str, int, int], ...]) -> ModelFingerprint:
    root = Path(folder)
    h = hashlib.sha256()
    for path_str, _, _ in stamp:
        path = Path(path_str)
        rel = path.relative_to(root).as_posix()
        if path.name.lower() in SKIPPED or any(part.startswith(".") for part in Path(rel).parts):
            continue
        _file_digest(h, path, rel)
    return ModelFingerprint(h.hexdigest(), declared_dimension(root))


def fingerprint(model_path: str | Path) -> ModelFingerprint:
    """Fingerprint of the model folder: its configuration files and its weights (size, first and
    last MB). Computed in milliseconds and cached while the files are unchanged."""
    folder = Path(model_path).resolve()
    return _fingerprint(str(folder), _stamp(folder))
