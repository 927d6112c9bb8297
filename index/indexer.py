"""Idempotent, incremental indexing: unchanged sources write nothing, a changed source
replaces exactly its own chunks, a removed source's chunks go, unreadable files are skipped."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from index.loader import LoadError, SourceDocument, load_corpus, load_file
from index.splitter import Chunk, chunk_document
from index.store import Store

log = logging.getLogger(__name__)


@dataclass
class IndexReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)
    chunks_written: int = 0
    sentences_written: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


def _write(store: Store, kind: str, docs: list[SourceDocument], max_tokens: int, progress: bool,
           report: IndexReport) -> None:
    embedder = store.embedder
    planned: list[tuple[SourceDocument, list[Chunk]]] = [
        (doc, chunk_document(doc, embedder.count_tokens, max_tokens)) for doc in docs]
    bar = tqdm(total=sum(len(c) for _, c in planned), desc=f"indexing {kind}", unit="chunk",
               disable=not progress, leave=False)
    for doc, chunks in planned:
        chunk_vecs = embedder.embed([c.embedding_text(doc.title) for c in chunks])
        flat = embedder.embed([s for c in chunks for s in c.sentences])
        sentence_vecs, i = [], 0
        for c in chunks:
            sentence_vecs.append(flat[i:i + len(c.sentences)])
            i += len(c.sentences)
        store.put_document(kind, doc, chunks, chunk_vecs, sentence_vecs)
        report.chunks_written += len(chunks)
        report.sentences_written += len(flat)
        bar.update(len(chunks))
    bar.close()


def index_corpus(store: Store, corpus_dir: Path, max_tokens: int, rebuild: bool = False,
                 progress: bool = True) -> IndexReport:
    start = time.perf_counter()
    report = IndexReport()
    docs, problems = load_corpus(corpus_dir)
    report.skipped.extend(problems)
    if rebuild:
        store.reset("corpus")
    stored = store.source_hashes("corpus")
    todo = []
    for doc in docs:
        hashes = stored.get(doc.doc_id)
        if hashes == {doc.content_hash}:
            report.unchanged += 1
            continue
        (report.updated if hashes else report.added).append(doc.doc_id)
        todo.append(doc)
    _write(store, "corpus", todo, max_tokens, progress, report)
    # A document whose file failed to load is kept: only sources that are gone are removed.
    unreadable_paths = {p.split(":", 1)[0] for p in problems}
    present = {d.doc_id for d in docs}
    for doc_id in set(stored) - present:
        if any(Path(p).stem == doc_id or doc_id in p for p in unreadable_paths):
            log.warning("kept %s: its file could not be read this time", doc_id)
            continue
        store.delete_document("corpus", doc_id)
        report.removed.append(doc_id)
    report.seconds = time.perf_counter() - start
    log.info("indexed corpus: %d added, %d updated, %d removed, %d unchanged, %d skipped in %.1fs",
             len(report.added), len(report.updated), len(report.removed), report.unchanged,
             len(report.skipped), report.seconds)
    return report


def user_doc_id(filename: str) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", Path(filename).stem.lower()).strip("-") or "document"
    return f"user-{stem}"


def index_user_file(store: Store, path: Path, max_tokens: int, filename: str | None = None) -> SourceDocument:
    """Index one uploaded file into the user collection; raises LoadError naming the file."""
    name = filename or path.name
    doc = load_file(path, doc_id=user_doc_id(name))
    if Path(name).suffix.lower() not in (".md", ".markdown") or not doc.title or doc.title == path.stem:
        doc.title = Path(name).stem
    doc.publisher = doc.publisher or "Uploaded document"
    doc.topic = doc.topic or "user"
    doc.path = name
    report = IndexReport()
    _write(store, "user", [doc], max_tokens, False, report)
    if report.chunks_written == 0:
        store.delete_document("user", doc.doc_id)
        raise LoadError(f"{name}: no indexable text found")
    return doc


def remove_user_document(store: Store, doc_id: str) -> bool:
    if doc_id not in store.source_hashes("user"):
        return False
    store.delete_document("user", doc_id)
    return True
