"""Corpus → chunks → embeddings → Chroma. Knows nothing of the assistant that reads it."""

from index.embeddings import Embedder
from index.indexer import IndexReport, index_corpus, index_user_file, remove_user_document
from index.loader import LoadError, SourceDocument, load_corpus, load_file
from index.store import Store, StoreError, open_store

__all__ = [
    "Embedder", "IndexReport", "index_corpus", "index_user_file", "remove_user_document",
    "LoadError", "SourceDocument", "load_corpus", "load_file", "Store", "StoreError", "open_store",
]
