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

from assistant.errors import (CorpusUnavailableError, DocumentError, InvalidFilterError, InvalidQuestionError,
                              LLMUnavailableError, StoreUnavailableError)
from assistant.history import validate_history
from assistant.language import Glossary
from assistant.owners import check_owner
from assistant.pipeline.assemble import assemble
from assistant.pipeline.check import check
from assistant.pipeline.evidence import EvidenceGatherer, EvidenceSettings
from assistant.pipeline.intent import IntentClassifier
from assistant.pipeline.plan import Planner
from assistant.pipeline.types import Draft, Evidence, QueryPlan
from assistant.prompts import PROMPTS, load
from assistant.retrieval import HybridRetriever, KeywordIndex, matches, validate_filters
from assistant.settings import Settings, load_settings
from assistant.types import Answer
from assistant.writers import Writer
from assistant.writers.extractive import ExtractiveWriter
from index import Embedder, IndexReport, LoadError, StoreError, index_corpus, index_user_file, open_store
from index import remove_user_document as _remove_user_document
from index.indexer import purge_user_documents, upload_identity, user_doc_id
from index.loader import USER_TYPES

log = logging.getLogger(__name__)
_PIECE_END = re.compile(r"(?<=\])\s+(?=[^\[\s])")  # after a sentence's citation markers


class Assistant:
    """`Assistant().ask(question, history)` → `Answer`. Heavy parts load on first use."""

    def __init__(self, settings: Settings | None = None, writer: Writer | None = None) -> None:
        self.settings = settings or load_settings()
        self._writer = writer  # None: chosen from settings (see `writer`)
        self._lock = threading.RLock()
        self._keyword: KeywordIndex | None = None
        self._topics: set[str] | None = None  # corpus topics, for filter errors that name them
        self._ready = False

    # ------------------------------------------------------------------ components
    @cached_property
    def embedder(self) -> Embedder:
        return Embedder(self.settings.embedding_model, backend=self.settings.encoder_backend)

    @cached_property
    def store(self) -> Any:
        """The Chroma store; every failure of it (at open or later) is a StoreUnavailableError."""
        try:
            return open_store(self.settings.data_dir, self.settings.chroma_url, self.embedder,
                              error_type=StoreUnavailableError, ef_search=self.settings.hnsw_ef_search)
        except StoreUnavailableError:
            raise
        except StoreError as exc:
            raise StoreUnavailableError(str(exc)) from None

    @cached_property
    def glossary(self) -> Glossary:
        return Glossary.load(PROMPTS / "glossary_fr_en.yaml")

    @cached_property
    def classifier(self) -> IntentClassifier:
        return IntentClassifier(self.embedder.embed, embed_one=self.embedder.embed_one)

    @cached_property
    def planner(self) -> Planner:
        return Planner(self.classifier, self.catalogue, idf=lambda token: self._keyword.idf(token) if self._keyword else 0.0,
                       english_terms=self.glossary.english_terms)

    @cached_property
    def extractive(self) -> ExtractiveWriter:
        return ExtractiveWriter(self.settings.answer_sentences, self.settings.abstain_threshold)

    @cached_property
    def writer(self) -> Writer:
        """The write stage, chosen here and only here: a given writer, the chat model the settings
        name (ASSISTANT_LLM_PROVIDER), or the extractive writer."""
        if self._writer is not None:
            return self._writer
        from assistant.llm import make_chat_writer

        return make_chat_writer(self.settings, self.catalogue) or self.extractive

    @cached_property
    def catalogue(self) -> Any:
        from assistant.tools import load_catalogue

        return load_catalogue(self.settings.chips_csv) if self.settings.chips_csv.exists() else None

    def retriever(self, filters: dict[str, Any] | None = None, owner: str = "local") -> HybridRetriever:
        """A retriever over the corpus and `owner`'s uploads (nobody else's), with validated filters:
        topics fold case and must be known (the error names the known ones)."""
        owner = check_owner(owner)
        flt = validate_filters(filters)
        self._ensure_ready()
        if "topic" in flt:
            flt["topic"] = self._known_topics(flt["topic"], owner)
        s = self.settings
        return HybridRetriever(store=self.store, keyword_index=self._keyword, mode=s.retrieval_mode, k=s.k,
                               candidates=s.candidates, rrf_k=s.rrf_k, filters=flt, owner=owner)

    def _known_topics(self, wanted: list[str], owner: str) -> list[str]:
        with self._lock:
            if self._topics is None:
                self._topics = {str(m.get("topic") or "").lower() for m in self.store.metadatas("corpus")} - {""}
            corpus_topics = self._topics
        missing = [t for t in wanted if t not in corpus_topics]
        if missing:
            mine = {str(m.get("topic") or "").lower() for m in self.store.metadatas("user", {"owner": owner})}
            known = corpus_topics | (mine - {""})
            missing = [t for t in missing if t not in known]
            if missing:
                raise InvalidFilterError(f"unknown topic {', '.join(repr(t) for t in missing)}; known topics: "
                                         f"{', '.join(sorted(known))}")
        return wanted

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
            except (StoreUnavailableError, CorpusUnavailableError):
                raise
            except StoreError as exc:
                raise StoreUnavailableError(str(exc)) from None
            except LoadError as exc:
                raise CorpusUnavailableError(str(exc)) from None
            except Exception as exc:
                raise StoreUnavailableError(
                    f"the Chroma store ({self.settings.chroma_mode}) failed: {exc.__class__.__name__}: {exc}") from None
            self._ready = True

    # ------------------------------------------------------------------ indexing
    def index(self, rebuild: bool = False) -> IndexReport:
        """Update the corpus index (or rebuild it aside and swap it in when complete)."""
        with self._lock:
            corpus = self.settings.corpus_dir
            if not corpus.is_dir():
                empty = self.store.count("corpus") == 0
                raise CorpusUnavailableError(
                    f"the corpus directory {corpus} does not exist"
                    + (" and the index is empty" if empty else "")
                    + "; set ASSISTANT_CORPUS_DIR to the corpus folder"
                    + (" (or ASSISTANT_DATA_DIR to a folder with a built index)" if empty else ""))
            try:
                report = index_corpus(self.store, corpus, self.settings.chunk_tokens,
                                      rebuild=rebuild, progress=self.settings.progress)
            except LoadError as exc:
                raise CorpusUnavailableError(str(exc)) from None
            self._topics = None
            if self._keyword is not None and (report.changed or rebuild):
                self._keyword.refresh()
            return report

    def add_document(self, path: str | Path, filename: str | None = None, owner: str = "local") -> dict[str, Any]:
        """Index a file into `owner`'s private uploads; searchable at once, by that owner only.

        Returns doc_id, title, filename, `replaced` (the same document was there already: the same
        path, or for a named upload the same name and content) and `same_name` (ids of this owner's
        other documents with that file name, kept beside it)."""
        owner = check_owner(owner)
        path = Path(path)
        name = filename or path.name
        if Path(name).suffix.lower() not in USER_TYPES:
            raise DocumentError(f"{name}: unsupported type; upload one of {', '.join(sorted(USER_TYPES))}")
        if not path.is_file():
            raise DocumentError(f"{name}: file not found")
        size_mb = path.stat().st_size / 1e6
        if size_mb > self.settings.upload_max_mb:
            raise DocumentError(f"{name}: {size_mb:.1f} MB is over the {self.settings.upload_max_mb:g} MB limit "
                                "(ASSISTANT_UPLOAD_MAX_MB)")
        self._ensure_ready()
        with self._lock:
            try:
                doc_id = user_doc_id(name, owner, upload_identity(path, filename))
                mine = {str(m["doc_id"]): str(m.get("path", "")) for m in self.store.metadatas("user", {"owner": owner})}
                doc = index_user_file(self.store, path, self.settings.chunk_tokens, filename=filename, owner=owner,
                                      max_chunks=self.settings.upload_max_chunks)
            except LoadError as exc:
                raise DocumentError(str(exc)) from None
            except OSError as exc:
                raise DocumentError(f"{name}: could not be read ({exc.strerror or exc})") from None
            assert self._keyword is not None
            self._keyword.refresh()
        return {"doc_id": doc.doc_id, "title": doc.title, "filename": name, "replaced": doc_id in mine,
                "same_name": sorted(d for d, p in mine.items() if p == name and d != doc_id)}

    def remove_document(self, doc_id: str, owner: str = "local") -> bool:
        """Remove one of `owner`'s uploads; False when `owner` has no such document."""
        owner = check_owner(owner)
        self._ensure_ready()
        with self._lock:
            removed = _remove_user_document(self.store, str(doc_id), owner=owner)
            if removed and self._keyword is not None:
                self._keyword.refresh()
            return removed

    def purge_uploads(self, older_than_s: float | None = None, owner_prefix: str = "session:") -> list[str]:
        """Remove abandoned uploads: those of owners starting with `owner_prefix` (anonymous browser
        sessions) last written more than `older_than_s` seconds ago (default ASSISTANT_UPLOAD_TTL_HOURS),
        and uploads stored without an owner. Returns the removed document ids."""
        if older_than_s is None:
            older_than_s = self.settings.upload_ttl_hours * 3600
        if older_than_s < 0:
            # a negative age would take uploads of sessions that are still open
            raise InvalidFilterError(f"older-than must be zero or more hours, not {older_than_s / 3600:g}; "
                                     "give the age after which an anonymous session's uploads are removed")
        self._ensure_ready()
        with self._lock:
            removed = purge_user_documents(self.store, older_than_s, owner_prefix)
            if removed and self._keyword is not None:
                self._keyword.refresh()
            return removed

    def sources(self, collection: str = "corpus", owner: str = "local") -> list[dict[str, Any]]:
        """Indexed documents with their chunk counts; for "user", only `owner`'s uploads."""
        if collection not in ("corpus", "user"):
            raise InvalidFilterError(f"collection must be 'corpus' or 'user', not {str(collection)[:20]!r}")
        owner = check_owner(owner)
        self._ensure_ready()
        docs: dict[str, dict[str, Any]] = {}
        for m in self.store.metadatas(collection, {"owner": owner} if collection == "user" else None):
            d = docs.setdefault(str(m["doc_id"]), {"doc_id": m["doc_id"], "title": m.get("title", ""),
                                                   "topic": m.get("topic", ""), "published": m.get("published", ""),
                                                   "language": m.get("language", ""), "filename": m.get("path", ""),
                                                   "chunks": 0})
            d["chunks"] += 1
        return sorted(docs.values(), key=lambda d: (d["topic"], d["doc_id"]))

    def index_state(self) -> dict[str, Any]:
        """Whether the corpus index that answers is a complete build, and a warning to show when a
        full build did not finish (the previous complete index still answers; none: no index)."""
        self._ensure_ready()
        live = self.store.live_state("corpus")
        staging = self.store.staging_state("corpus")
        state: dict[str, Any] = {"complete": self.store.count("corpus") > 0, "built_at": live.get("built_at"),
                                 "warning": None}
        if staging and staging.get("state") == "building":
            started = time.strftime("%Y-%m-%d %H:%M", time.localtime(float(staging.get("started_at") or 0)))
            state["warning"] = (f"a rebuild of the index started {started} did not finish "
                                f"({staging.get('documents', 0)} documents written); answers use the previous "
                                "complete index; run `assistant index --rebuild` to finish it")
        return state

    def index_status(self, owner: str = "local") -> dict[str, Any]:
        """Counts for the status panel: the corpus, and `owner`'s uploads only."""
        owner = check_owner(owner)
        self._ensure_ready()
        status: dict[str, Any] = {"embedding_model": self.embedder.model_path, "chroma": self.settings.chroma_mode}
        last = 0.0
        for kind in ("corpus", "user"):
            metas = self.store.metadatas(kind, {"owner": owner} if kind == "user" else None)
            status[f"{kind}_documents"] = len({m["doc_id"] for m in metas})
            status[f"{kind}_chunks"] = len(metas)
            last = max([last] + [float(m.get("indexed_at", 0)) for m in metas])
        status["last_update"] = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(last)) if last else ""
        warning = self.index_state()["warning"]
        if warning:
            status["warning"] = warning
        return status

    # ------------------------------------------------------------------ answering
    def _validate(self, question: Any) -> str:
        if not isinstance(question, str) or not question.strip():
            raise InvalidQuestionError("the question is empty; ask something like "
                                       "'How many Nvidia chips did the Xinjiang projects plan to use?'")
        question = question.strip()
        try:
            question.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InvalidQuestionError(f"the question has characters that are not valid text at position {exc.start} "
                                       "(bytes that are not UTF-8, or a lone surrogate); type it again") from None
        if len(question) > self.settings.max_question_chars:
            raise InvalidQuestionError(f"the question has {len(question)} characters, over the limit of "
                                       f"{self.settings.max_question_chars} (ASSISTANT_MAX_QUESTION_CHARS); shorten it")
        return question

    def ask(self, question: str, history: Sequence[dict[str, Any]] | None = None,
            filters: dict[str, Any] | None = None, owner: str = "local") -> Answer:
        """plan → evidence → write → check → Answer, each stage timed into `answer.timings` (ms).

        Raises InvalidQuestionError / InvalidFilterError for bad input and StoreUnavailableError
        when the store cannot be read; a chat writer's failure falls back to the extractive writer."""
        answer: Answer | None = None
        for item in self._answer(question, history, filters, owner, streaming=False):
            if isinstance(item, Answer):
                answer = item
        assert answer is not None
        return answer

    def stream(self, question: str, history: Sequence[dict[str, Any]] | None = None,
               filters: dict[str, Any] | None = None, owner: str = "local") -> Iterator[str | Answer]:
        """Yield text pieces as the writer produces them, then the checked Answer. When the check
        changed the text, the Answer's text replaces what was streamed."""
        yield from self._answer(question, history, filters, owner, streaming=True)

    def _answer(self, question: str, history: Sequence[dict[str, Any]] | None, filters: dict[str, Any] | None,
                owner: str, streaming: bool) -> Iterator[str | Answer]:
        start = time.perf_counter()
        question = self._validate(question)
        history = validate_history(history, self.settings.max_history_chars)
        self._ensure_ready()
        retriever = self.retriever(filters, owner=owner)  # validates the filters (topics folded and known)
        timings: dict[str, float] = {}

        t = time.perf_counter()
        plan = self.planner.plan(question, history)
        timings["plan"] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        gatherer = self._gatherer(retriever)
        evidence = gatherer.gather(plan)
        timings["evidence"] = (time.perf_counter() - t) * 1000
        timings.update({f"evidence.{k}": v for k, v in gatherer.timings.items()})

        t = time.perf_counter()
        draft: Draft | None = None
        if streaming and self.writer is not self.extractive:
            try:
                for piece in self.writer.stream(plan, evidence):
                    if isinstance(piece, Draft):
                        draft = piece
                    else:
                        yield piece
            except LLMUnavailableError as exc:
                draft = self._fallback(plan, evidence, str(exc))
        else:
            draft = self._write(plan, evidence)
        assert draft is not None
        timings["write"] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        checked, verification = check(draft, evidence, self.settings.check_mode)
        if draft.writer != self.extractive.name and not any(s.kind in ("answer", "tool", "correction")
                                                            for s in checked.sentences) and not draft.abstained:
            checked, verification = check(self._fallback(plan, evidence, "no sentence of its reply passed the check"),
                                          evidence, self.settings.check_mode)
        timings["check"] = (time.perf_counter() - t) * 1000

        messages = self.extractive.messages(plan.language)
        timings["total"] = (time.perf_counter() - start) * 1000
        answer = assemble(plan, evidence, checked, verification, messages,
                          {k: round(v, 2) for k, v in timings.items()})
        if streaming and self.writer is self.extractive:
            pieces = [p for p in _PIECE_END.split(answer.text) if p] if answer.text else []
            for i, piece in enumerate(pieces):
                yield piece if i == 0 else " " + piece
        yield answer

    def _write(self, plan: QueryPlan, evidence: Evidence) -> Draft:
        try:
            return self.writer.write(plan, evidence)
        except LLMUnavailableError as exc:
            return self._fallback(plan, evidence, str(exc))

    def _fallback(self, plan: QueryPlan, evidence: Evidence, reason: str) -> Draft:
        log.warning("chat writer unavailable, extractive fallback: %s", reason)
        draft = self.extractive.write(plan, evidence)
        draft.fallback = reason
        return draft

    def _gatherer(self, retriever: HybridRetriever) -> EvidenceGatherer:
        """The evidence stage for one request: its retriever carries the filters and the owner."""
        s = self.settings
        filters = retriever.filters
        assert self._keyword is not None

        def tool_passage(vector: list[float], doc_id: str) -> Any:
            hits = self.store.dense("corpus", vector, 1, {"doc_id": doc_id})
            if not hits:
                return None
            from assistant.retrieval import Hit

            h = hits[0]
            return Hit(h.chunk_id, h.text, h.metadata, "corpus", score=h.similarity, dense=h.similarity)

        def allowed(doc_id: str) -> bool:
            if not filters:
                return True
            metas = self.store.collection("corpus").get(where={"doc_id": doc_id}, limit=1, include=["metadatas"])
            return bool(metas["ids"]) and matches(metas["metadatas"][0], filters)

        def entry(doc_id: str) -> list[Any]:
            """Every chunk of one small document (a chip's catalogue entry: four short chunks)."""
            from assistant.retrieval import Hit

            got = self.store.collection("corpus").get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
            return [Hit(cid, text, meta, "corpus", score=0.0, dense=0.0)
                    for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"])]

        def defining(term: str, vector: list[float]) -> list[Any]:
            """The chunks closest to the question among those that spell `term` out as "… (term)"."""
            from assistant.retrieval import Hit, chroma_where

            got = self.store.collection("corpus").query(
                query_embeddings=[vector], n_results=3, where=chroma_where(filters, "corpus"),
                where_document={"$contains": f"({term})"}, include=["documents", "metadatas", "distances"])
            return [Hit(cid, text, meta, "corpus", dense=1.0 - dist) for cid, text, meta, dist in
                    zip(got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0])]

        return EvidenceGatherer(
            search=retriever.search, similarities=self.store.sentence_similarities, embed=self.embedder.embed_one,
            idf=self._keyword.idf, catalogue=self.catalogue, classifier=self.classifier,
            settings=EvidenceSettings(k=s.k, rrf_k=s.rrf_k, threshold=s.abstain_threshold,
                                      unknown_answer={lang: m["unknown_answer"] for lang, m in load("messages.yaml").items()}),
            english_terms=self.glossary.english_terms, defaults=self.planner.defaults, allowed_doc=allowed,
            tool_passage=tool_passage, defining=defining, replan=self.planner.part, entry=entry)

