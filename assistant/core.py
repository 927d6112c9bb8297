"""The facade every way in uses (CLI, UI, evaluation, Python): one path from question to
cited answer, each stage timed into the Answer."""

from __future__ import annotations

import logging
import re
import threading
from functools import cached_property
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from assistant.answering import PROMPTS, AnswerGenerator, Draft, ExtractiveGenerator, GenerationRequest, load_prompt
from assistant.conversation import resolve
from assistant.errors import DocumentError, InvalidQuestionError, StoreUnavailableError
from assistant.language import Glossary, detect_language
from assistant.retrieval import HybridRetriever, KeywordIndex, fuse, validate_filters
from assistant.settings import Settings, load_settings
from assistant.types import Answer, Citation, ToolCall
from index import Embedder, IndexReport, LoadError, StoreError, index_corpus, index_user_file, open_store
from index import remove_user_document as _remove_user_document
from index.loader import USER_TYPES
from index.text import keyword_tokens, split_sentences

log = logging.getLogger(__name__)
SNIPPET_CHARS = 700
MIN_OWN_TERMS = 3  # a follow-up with fewer content words ("who chairs it?") is searched only with its context
_PIECE_END = re.compile(r"(?<=\])\s+(?=[^\[\s])")  # after a sentence's citation markers


class _CitationBook:
    """Numbers sources in order of first use; one number per document, whose snippet holds
    a window of every chunk it was quoted from, so each quoted sentence can be shown in place."""

    def __init__(self) -> None:
        self.by_doc: dict[str, int] = {}
        self.entries: list[dict[str, Any]] = []

    def cite(self, meta: dict[str, Any], chunk_id: str, chunk_text: str, quote: str, score: float,
             collection: str) -> int:
        doc_id = str(meta.get("doc_id", ""))
        if doc_id not in self.by_doc:
            self.entries.append({"meta": meta, "windows": {}, "quotes": [], "score": score, "collection": collection})
            self.by_doc[doc_id] = len(self.entries)
        entry = self.entries[self.by_doc[doc_id] - 1]
        if quote and quote not in entry["quotes"]:
            entry["quotes"].append(quote)
        if chunk_id not in entry["windows"] or (quote and quote not in entry["windows"][chunk_id]):
            size = SNIPPET_CHARS if not entry["windows"] else SNIPPET_CHARS // 2
            entry["windows"][chunk_id] = _snippet(chunk_text, quote, size)
        return self.by_doc[doc_id]

    def citations(self) -> list[Citation]:
        out = []
        for n, e in enumerate(self.entries, start=1):
            m = e["meta"]
            out.append(Citation(number=n, doc_id=str(m.get("doc_id", "")), title=str(m.get("title", "")),
                                url=str(m.get("url", "")), publisher=str(m.get("publisher", "")),
                                published=str(m.get("published", "")), snippet=" ".join(e["windows"].values()),
                                score=round(float(e["score"]), 4), section=str(m.get("section", "")),
                                collection=e["collection"], quote=" ".join(e["quotes"])))
        return out


def _snippet(text: str, quote: str, size: int = SNIPPET_CHARS) -> str:
    """The chunk around the quoted sentence, short enough for a source card; never cuts the quote."""
    size = max(size, len(quote) + 40)
    if len(text) <= size:
        return text
    at = max(0, text.find(quote))
    start = max(0, min(at - (size - len(quote)) // 2, len(text) - size))
    cut = text[start:start + size]
    return ("… " if start else "") + cut + (" …" if start + size < len(text) else "")


class Assistant:
    """`Assistant().ask(question, history)` → `Answer`. Heavy parts load on first use."""

    def __init__(self, settings: Settings | None = None, generator: AnswerGenerator | None = None) -> None:
        self.settings = settings or load_settings()
        self.generator: AnswerGenerator = generator or ExtractiveGenerator()
        self._lock = threading.RLock()
        self._keyword: KeywordIndex | None = None
        self._ready = False

    # ------------------------------------------------------------------ components
    @cached_property
    def embedder(self) -> Embedder:
        return Embedder(self.settings.embedding_model)

    @cached_property
    def store(self) -> Any:
        try:
            return open_store(self.settings.data_dir, self.settings.chroma_url, self.embedder)
        except StoreError as exc:
            raise StoreUnavailableError(str(exc)) from None

    @cached_property
    def glossary(self) -> Glossary:
        return Glossary.load(PROMPTS / "glossary_fr_en.yaml")

    @cached_property
    def catalogue(self) -> Any:
        from assistant.tools import load_catalogue

        return load_catalogue(self.settings.chips_csv) if self.settings.chips_csv.exists() else None

    def retriever(self, filters: dict[str, Any] | None = None) -> HybridRetriever:
        self._ensure_ready()
        s = self.settings
        return HybridRetriever(store=self.store, keyword_index=self._keyword, mode=s.retrieval_mode, k=s.k,
                               candidates=s.candidates, rrf_k=s.rrf_k, filters=filters or {})

    def _ensure_ready(self) -> None:
        """Build the index on first use when it is missing, then load the keyword index."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            try:
                if self.store.count("corpus") == 0:
                    log.info("index is empty: building it from %s", self.settings.corpus_dir)
                    self.index()
                self._keyword = KeywordIndex(self.store)
            except StoreError as exc:
                raise StoreUnavailableError(str(exc)) from None
            except (StoreUnavailableError, LoadError):
                raise
            except Exception as exc:
                raise StoreUnavailableError(
                    f"the Chroma store ({self.settings.chroma_mode}) failed: {exc.__class__.__name__}: {exc}") from None
            self._ready = True

    # ------------------------------------------------------------------ indexing
    def index(self, rebuild: bool = False) -> IndexReport:
        with self._lock:
            report = index_corpus(self.store, self.settings.corpus_dir, self.settings.chunk_tokens,
                                  rebuild=rebuild, progress=self.settings.progress)
            if self._keyword is not None and (report.changed or rebuild):
                self._keyword.refresh()
            return report

    def add_document(self, path: str | Path, filename: str | None = None) -> dict[str, Any]:
        """Index a user's file into the user collection; searchable at once."""
        path = Path(path)
        name = filename or path.name
        if Path(name).suffix.lower() not in USER_TYPES:
            raise DocumentError(f"{name}: unsupported type; upload one of {', '.join(sorted(USER_TYPES))}")
        size_mb = path.stat().st_size / 1e6 if path.exists() else 0
        if size_mb > self.settings.upload_max_mb:
            raise DocumentError(f"{name}: {size_mb:.1f} MB is over the {self.settings.upload_max_mb:g} MB limit "
                                "(ASSISTANT_UPLOAD_MAX_MB)")
        self._ensure_ready()
        with self._lock:
            try:
                doc = index_user_file(self.store, path, self.settings.chunk_tokens, filename=name)
            except LoadError as exc:
                raise DocumentError(str(exc)) from None
            assert self._keyword is not None
            self._keyword.refresh()
        return {"doc_id": doc.doc_id, "title": doc.title, "filename": name}

    def remove_document(self, doc_id: str) -> bool:
        self._ensure_ready()
        with self._lock:
            removed = _remove_user_document(self.store, doc_id)
            if removed and self._keyword is not None:
                self._keyword.refresh()
            return removed

    def sources(self, collection: str = "corpus") -> list[dict[str, Any]]:
        """Indexed documents with their chunk counts."""
        self._ensure_ready()
        docs: dict[str, dict[str, Any]] = {}
        for m in self.store.metadatas(collection):
            d = docs.setdefault(str(m["doc_id"]), {"doc_id": m["doc_id"], "title": m.get("title", ""),
                                                   "topic": m.get("topic", ""), "published": m.get("published", ""),
                                                   "language": m.get("language", ""), "chunks": 0})
            d["chunks"] += 1
        return sorted(docs.values(), key=lambda d: (d["topic"], d["doc_id"]))

    def index_status(self) -> dict[str, Any]:
        self._ensure_ready()
        status: dict[str, Any] = {"embedding_model": self.embedder.model_path, "chroma": self.settings.chroma_mode}
        last = 0.0
        for kind in ("corpus", "user"):
            metas = self.store.metadatas(kind)
            status[f"{kind}_documents"] = len({m["doc_id"] for m in metas})
            status[f"{kind}_chunks"] = len(metas)
            last = max([last] + [float(m.get("indexed_at", 0)) for m in metas])
        status["last_update"] = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(last)) if last else ""
        return status

    # ------------------------------------------------------------------ answering
    def _validate(self, question: Any) -> str:
        if not isinstance(question, str) or not question.strip():
            raise InvalidQuestionError("the question is empty; ask something like "
                                       "'How many Nvidia chips did the Xinjiang projects plan to use?'")
        question = question.strip()
        if len(question) > self.settings.max_question_chars:
            raise InvalidQuestionError(f"the question has {len(question)} characters, over the limit of "
                                       f"{self.settings.max_question_chars} (ASSISTANT_MAX_QUESTION_CHARS); shorten it")
        return question

    def ask(self, question: str, history: Sequence[dict[str, Any]] | None = None,
            filters: dict[str, Any] | None = None) -> Answer:
        start = time.perf_counter()
        question = self._validate(question)
        flt = validate_filters(filters)
        timings: dict[str, float] = {}

        t = time.perf_counter()
        resolved = resolve(question, history)
        timings["resolve"] = (time.perf_counter() - t) * 1000

        self._ensure_ready()
        t = time.perf_counter()
        outcomes = []
        if self.catalogue is not None:
            from assistant.tools import route

            outcomes = route(question, self.catalogue)
            if not outcomes and resolved != question:
                outcomes = self._route_follow_up(question, resolved)
        timings["tools"] = (time.perf_counter() - t) * 1000

        language = detect_language(question)
        search_text, coverage_texts = resolved, [question, resolved]
        if language != "en":
            english = self.glossary.english_terms(resolved)
            search_text = f"{resolved} {english}".strip()
            coverage_texts.append(" ".join([english, *re.findall(r"\b\d[\d.,]*", question)]))
        retriever = self.retriever(flt)
        result = retriever.search(search_text)
        timings.update(result.timings)
        if resolved != question and len(keyword_tokens(question)) >= MIN_OWN_TERMS:
            # A follow-up asks something new about the earlier subject: rank by the turn itself
            # as well as by the joined text, so the new part is not drowned by the old one.
            own = retriever.search(question)
            result.hits = fuse([own.hits, result.hits], self.settings.rrf_k)
            for stage, ms in own.timings.items():
                timings[stage] = timings.get(stage, 0.0) + ms
        hits = result.hits[: self.settings.k]

        t = time.perf_counter()
        sims: dict[tuple[str, int], float] = {}
        if result.query_vector is None and hits:  # keyword-only mode still ranks sentences by meaning
            result.query_vector = self.embedder.embed_one(search_text)
        if hits:
            for kind in {h.kind for h in hits}:
                sims.update(self.store.sentence_similarities(
                    kind, result.query_vector, [h.chunk_id for h in hits if h.kind == kind]))
        assert self._keyword is not None
        draft = self.generator.generate(GenerationRequest(
            question=question, context=search_text, hits=hits, sentence_similarity=sims, idf=self._keyword.idf,
            max_sentences=self.settings.answer_sentences, threshold=self.settings.abstain_threshold,
            coverage_min=self.settings.coverage_min, coverage_texts=tuple(coverage_texts)))
        answer = self._compose(question, resolved, hits, draft, outcomes, language)
        answer.support = round(draft.support, 4)
        answer.coverage = round(draft.coverage, 4)
        timings["compose"] = (time.perf_counter() - t) * 1000
        timings["total"] = (time.perf_counter() - start) * 1000
        answer.timings = {k: round(v, 2) for k, v in timings.items()}
        answer.retrieved = [{"doc_id": h.doc_id, "chunk_id": h.chunk_id, "score": round(h.score, 5),
                             "dense": h.dense, "collection": h.kind} for h in result.hits[:10]]
        return answer

    def _compose(self, question: str, resolved: str, hits: list[Any], draft: Draft, outcomes: list[Any],
                 language: str) -> Answer:
        all_messages = load_prompt("messages.yaml")
        messages = all_messages.get(language, all_messages["en"])
        book = _CitationBook()
        parts: list[str] = []
        tool_calls: list[ToolCall] = []
        for outcome in outcomes:
            tool_calls.append(outcome.to_tool_call())
            if outcome.error and not outcome.summary:
                parts.append(messages["tool_error"].format(error=outcome.error))
                continue
            markers = "".join(f"[{n}]" for n in self._cite_tool_sources(book, outcome))
            for sentence in split_sentences(outcome.summary):
                parts.append(f"{sentence} {markers}".strip())
            if outcome.error:
                parts.append(messages["tool_error"].format(error=outcome.error))
        abstained = draft.abstained and not any(o.summary for o in outcomes)
        if abstained:
            closest = []
            seen = set()
            for h in hits:
                if h.doc_id in seen or len(closest) >= 3:
                    continue
                seen.add(h.doc_id)
                n = book.cite(h.metadata, h.chunk_id, h.text, "", h.score, h.kind)
                m = h.metadata
                closest.append(f"[{n}] {m.get('title', '')} ({m.get('publisher', '')}, {m.get('published', '') or 'undated'})")
            parts.append(messages["abstain"].format(sources="; ".join(closest)) if closest else messages["no_sources"])
        elif not draft.abstained:
            for s in draft.sentences:
                n = book.cite(s.hit.metadata, s.hit.chunk_id, s.hit.text, s.text, s.hit.score, s.hit.kind)
                parts.append(f"{s.text} [{n}]")
        return Answer(question=question, text=" ".join(parts), citations=book.citations(), tool_calls=tool_calls,
                      abstained=abstained, resolved_question=resolved)

    def _route_follow_up(self, question: str, resolved: str) -> list[Any]:
        """Route a follow-up with its context; when the new turn names chips ("what about the
        H20?"), keep only the results about those chips, not the ones of the earlier turn."""
        from assistant.tools import route
        from assistant.tools.mentions import find_chip_mentions

        outcomes = route(resolved, self.catalogue)
        named = {m.chip.name for m in find_chip_mentions(question, self.catalogue)}
        if not named:
            return outcomes
        about_new = [o for o in outcomes if any(name in o.summary for name in named)]
        return about_new or outcomes

    def _cite_tool_sources(self, book: _CitationBook, outcome: Any, limit: int = 2) -> list[int]:
        """Cite the sources that best support a computed statement, each by its closest passage."""
        if not outcome.sources or not outcome.summary:
            return []
        vector = self.embedder.embed_one(outcome.summary)
        best = []
        for doc_id in dict.fromkeys(outcome.sources):
            for hit in self.store.dense("corpus", vector, 1, {"doc_id": doc_id}):
                best.append(hit)
        best.sort(key=lambda h: -h.similarity)
        return [book.cite(h.metadata, h.chunk_id, h.text, "", h.similarity, "corpus") for h in best[:limit]]

    def stream(self, question: str, history: Sequence[dict[str, Any]] | None = None,
               filters: dict[str, Any] | None = None) -> Iterator[str | Answer]:
        """Yield the answer text piece by piece (sentence by sentence), then the final Answer."""
        answer = self.ask(question, history, filters)
        pieces = [p for p in _PIECE_END.split(answer.text) if p] if answer.text else []
        for i, piece in enumerate(pieces):
            yield piece if i == 0 else " " + piece
        yield answer
