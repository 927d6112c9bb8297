"""Corpus → chunks → embeddings → Chroma. Knows nothing of the assistant that reads it.

Names are imported on first use, so `import index.errors` (or `index.fingerprint`) stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Embedder": "index.embeddings",
    "IndexReport": "index.indexer", "index_corpus": "index.indexer", "index_user_file": "index.indexer",
    "remove_user_document": "index.indexer", "purge_user_documents": "index.indexer",
    "LoadError": "index.errors", "StoreError": "index.errors",
    "SourceDocument": "index.loader", "load_corpus": "index.loader", "load_file": "index.loader",
    "Store": "index.store", "open_store": "index.store",
    "ModelFingerprint": "index.fingerprint", "fingerprint": "index.fingerprint",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'index' has no attribute {name!r}")
