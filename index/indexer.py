"""Idempotent, incremental indexing: unchanged sources write nothing, a changed source
replaces exactly its own chunks, a removed source's chunks go, unreadable files are skipped."""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from index.loader import LoadError, SourceDocument, load_corpus, load_file
from index.splitter import Chunk, WordPieceCounter, chunk_document
from index.store import Store

log = logging.getLogger(__name__)
ENCODE_GROUP_CHUNKS = 1024  # chunks encoded and written together across documents (Chroma costs per call)


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


def token_counter(embedder: object) -> Callable[[str], int]:
    """The model's own word-piece counter: its fast tokenizer when it has one (fast cuts of long
    texts), else the embedder's `count_tokens`."""
    if (Path(embedder.model_path) / "tokenizer.json").exists():  # type: ignore[attr-defined]
        return WordPieceCounter(embedder.tokenizer)  # type: ignore[attr-defined]
    return embedder.count_tokens  # type: ignore[attr-defined]


def chunk_limit(embedder: object, max_tokens: int) -> int:
    """Word pieces a chunk's embedding text may hold: the setting, within the model's window less
    its two special tokens ([CLS], [SEP])."""
    return min(max_tokens, int(embedder.max_tokens) - 2)  # type: ignore[attr-defined]


def plan_chunks(store: Store, docs: list[SourceDocument], max_tokens: int) -> list[tuple[SourceDocument, list[Chunk]]]:
    counter, limit = token_counter(store.embedder), chunk_limit(store.embedder, max_tokens)
    return [(doc, chunk_document(doc, counter, limit)) for doc in docs]


def _write(store: Store, kind: str, docs: list[SourceDocument], max_tokens: int, progress: bool,
           report: IndexReport, planned: list[tuple[SourceDocument, list[Chunk]]] | None = None) -> None:
    embedder = store.embedder
    if planned is None:
        planned = plan_chunks(store, docs, max_tokens)
    bar = tqdm(total=sum(len(c) for _, c in planned), desc=f"indexing {kind}", unit="chunk",
               disable=not progress, leave=False)
    # Encode several documents' chunks and sentences in one call (length-sorted batches pad less than
    # one small call per document) and write them with one Chroma call per collection (Chroma's cost
    # is per call); every new version is complete before any older one is dropped.
    group: list[tuple[SourceDocument, list[Chunk]]] = []
    for n, item in enumerate(planned):
        group.append(item)
        if sum(len(c) for _, c in group) < ENCODE_GROUP_CHUNKS and n + 1 < len(planned):
            continue
        texts = [c.embedding_text(doc.title) for doc, chunks in group for c in chunks]
        sentences = [s for _, chunks in group for c in chunks for s in c.sentences]
        vectors = embedder.embed_array(texts + sentences)  # float32 rows: no Python lists for Chroma
        chunk_at, sent_at = 0, len(texts)
        with store.batched_writes():
            for doc, chunks in group:
                chunk_vecs = vectors[chunk_at:chunk_at + len(chunks)]
                chunk_at += len(chunks)
                sentence_vecs = []
                for c in chunks:
                    sentence_vecs.append(vectors[sent_at:sent_at + len(c.sentences)])
                    sent_at += len(c.sentences)
                store.put_document(kind, doc, chunks, chunk_vecs, sentence_vecs)
                report.chunks_written += len(chunks)
                report.sentences_written += sum(len(c.sentences) for c in chunks)
                bar.update(len(chunks))
        group = []
    bar.close()


def index_corpus(store: Store, corpus_dir: Path, max_tokens: int, rebuild: bool = False,
                 progress: bool = True) -> IndexReport:
    start = time.perf_counter()
    report = IndexReport()
    docs, problems = load_corpus(corpus_dir)
    report.skipped.extend(problems)
    if rebuild or store.count("corpus") == 0:
        # A full build goes into staging collections and is swapped in only when complete: killed
        # midway, the previous index (or none) stays the one that answers, and doctor says so.
        with store.building("corpus") as target:
            _write(store, target, docs, max_tokens, progress, report)
        report.added = [d.doc_id for d in docs]
        report.seconds = time.perf_counter() - start
        log.info("built the corpus index: %d documents, %d chunks, %d skipped in %.1fs", len(docs),
                 report.chunks_written, len(report.skipped), report.seconds)
        return report
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


def user_doc_id(name: str, owner: str, key: str) -> str:
    """`user-<readable stem>-<hash of owner and identity>`: ids of different files, or of the same
    file uploaded by different owners, never collide, whatever their names (non-ASCII included)."""
    stem = re.sub(r"[^a-z0-9]+", "-", Path(name).stem.lower()).strip("-")[:40].strip("-") or "document"
    digest = hashlib.sha256(f"{owner}\x1f{key}".encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"user-{stem}-{digest}"


def upload_identity(path: Path, filename: str | None) -> str:
    """What makes two uploads "the same document": for a browser upload (a display name given, the
    path a temporary copy) its name and content; for a file added from disk its absolute path, so
    adding the same file again, edited or not, replaces it."""
    if filename:
        return "upload\x1f" + filename + "\x1f" + hashlib.sha256(path.read_bytes()).hexdigest()
    return "path\x1f" + str(path.resolve())


def index_user_file(store: Store, path: Path, max_tokens: int, filename: str | None = None, owner: str = "local",
                    max_chunks: int | None = None) -> SourceDocument:
    """Index one uploaded file into the user collection, private to `owner`; raises LoadError naming
    the file. A document with the same identity (see `upload_identity`) is replaced."""
    name = filename or path.name
    doc = load_file(path, doc_id=user_doc_id(name, owner, upload_identity(path, filename)))
    if Path(name).suffix.lower() not in (".md", ".markdown") or not doc.title or doc.title == path.stem:
        doc.title = Path(name).stem or name
    # What the file says about itself is the uploader's claim, and shown as such.
    doc.publisher = f"{doc.publisher} (as stated in the uploaded file)" if doc.publisher else "Uploaded document"
    doc.topic = doc.topic or "user"
    doc.path = name
    doc.owner = owner
    planned = plan_chunks(store, [doc], max_tokens)
    n_chunks = len(planned[0][1])
    if max_chunks is not None and n_chunks > max_chunks:
        raise LoadError(f"{name}: {n_chunks:,} chunks of text, over the limit of {max_chunks:,} per upload "
                        "(ASSISTANT_UPLOAD_MAX_CHUNKS); upload a shorter document or split it")
    report = IndexReport()
    _write(store, "user", [doc], max_tokens, False, report, planned=planned)
    if report.chunks_written == 0:
        store.delete_document("user", doc.doc_id)
        raise LoadError(f"{name}: no indexable text found")
    return doc


def remove_user_document(store: Store, doc_id: str, owner: str | None = None) -> bool:
    """Remove an uploaded document; with `owner`, only when it belongs to that owner."""
    if doc_id not in store.source_hashes("user", owner=owner):
        return False
    store.delete_document("user", doc_id, owner=owner)
    return True


def purge_user_documents(store: Store, older_than_s: float, owner_prefix: str = "session:",
                         now: float | None = None) -> list[str]:
    """Remove uploads whose owner starts with `owner_prefix` (browser sessions, by default) and that
    were last written more than `older_than_s` seconds ago, and any upload without an owner (written
    before uploads were private). Returns the removed document ids."""
    now = time.time() if now is None else now
    newest: dict[str, tuple[str, float]] = {}
    for meta in store.metadatas("user"):
        owner = str(meta.get("owner") or "")
        at = float(meta.get("indexed_at") or 0)
        doc_id = str(meta["doc_id"])
        if doc_id not in newest or at > newest[doc_id][1]:
            newest[doc_id] = (owner, at)
    removed = []
    for doc_id, (owner, at) in sorted(newest.items()):
        if not owner or (owner.startswith(owner_prefix) and now - at > older_than_s):
            store.delete_document("user", doc_id)
            removed.append(doc_id)
    if removed:
        log.info("purged %d abandoned uploads", len(removed))
    return removed
