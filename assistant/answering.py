"""The answer step: from retrieved chunks to cited sentences.

The embedded default is extractive — it quotes the corpus, so it cannot invent a figure.
A LangChain chat model can fill the same interface later (ChatModelGenerator).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Protocol

import yaml

from assistant.retrieval import Hit
from index.text import keyword_tokens, split_sentences

PROMPTS = Path(__file__).parent / "prompts"
_QUANTITY = re.compile(r"\b(how (many|much|large|big)|what (share|percentage|fraction|proportion)|combien|"
                       r"quel(le)? (part|pourcentage)|how long|when|what year|quand)\b", re.I)


@lru_cache(maxsize=None)
def load_prompt(name: str) -> dict[str, Any]:
    return yaml.safe_load((PROMPTS / name).read_text(encoding="utf-8"))


@dataclass
class Scored:
    text: str
    hit: Hit
    index: int  # sentence position within the chunk
    score: float
    similarity: float
    overlap: float


@dataclass
class Draft:
    """What a generator returns: the sentences it stands behind, each tied to its chunk."""

    sentences: list[Scored] = field(default_factory=list)
    support: float = 0.0
    coverage: float = 1.0
    abstained: bool = False


@dataclass
class GenerationRequest:
    question: str  # this turn as asked
    context: str  # this turn resolved against the conversation
    hits: list[Hit]
    sentence_similarity: dict[tuple[str, int], float]
    idf: Callable[[str], float]
    max_sentences: int
    threshold: float
    coverage_min: float = 0.0
    coverage_texts: tuple[str, ...] = ()  # phrasings whose words are looked for in the sources; the best one counts


class AnswerGenerator(Protocol):
    def generate(self, request: GenerationRequest) -> Draft: ...


def _overlap(sentence_terms: set[str], weights: dict[str, float]) -> float:
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in sentence_terms) / total if total else 0.0


def _containment(a: set[str], b: set[str]) -> float:
    """Share of the smaller sentence's words found in the other: catches restatements."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


class ExtractiveGenerator:
    """Score every sentence of the top chunks by meaning (cosine to the query) and by the
    question's rarer words (idf-weighted overlap), keep the best non-redundant ones,
    lead with the most direct."""

    w_similarity = 0.55
    w_overlap = 0.35
    w_rank = 0.10
    relative_floor = 0.80  # later sentences must score within this fraction of the lead
    new_source_floor = 0.70  # ...or this fraction when they bring a second document (multi-part questions)
    redundancy = 0.6  # a candidate sharing more of its words with a kept sentence adds nothing

    def score(self, request: GenerationRequest) -> list[Scored]:
        weights: dict[str, float] = {}
        for term in keyword_tokens(request.context):
            weights[term] = 0.5 * request.idf(term)
        for term in keyword_tokens(request.question):
            weights[term] = request.idf(term)
        asks_quantity = bool(_QUANTITY.search(request.question))
        scored: list[Scored] = []
        for rank, hit in enumerate(request.hits):
            context_terms = set(keyword_tokens(f"{hit.metadata.get('title', '')} {hit.metadata.get('section', '')}"))
            for i, sentence in enumerate(split_sentences(hit.text)):
                terms = set(keyword_tokens(sentence))
                sim = request.sentence_similarity.get((hit.chunk_id, i), hit.dense or 0.0)
                lex = 0.8 * _overlap(terms, weights) + 0.2 * _overlap(terms | context_terms, weights)
                score = self.w_similarity * sim + self.w_overlap * lex + self.w_rank / (1 + rank)
                if asks_quantity and re.search(r"\d", sentence):
                    score += 0.04
                if len(sentence) < 25:
                    score -= 0.1
                scored.append(Scored(sentence, hit, i, score, sim, lex))
        scored.sort(key=lambda s: -s.score)
        return scored

    @staticmethod
    def coverage(request: GenerationRequest) -> float:
        """Share (idf-weighted) of the question's words found anywhere in the retrieved chunks.
        A rare question word that no retrieved passage contains ("salary", "interest rate")
        is the usual sign that the corpus holds the topic but not the fact asked for."""
        present: set[str] = set()
        for hit in request.hits:
            present |= set(keyword_tokens(f"{hit.metadata.get('title', '')} {hit.metadata.get('section', '')} {hit.text}"))
        best = 0.0
        for text in request.coverage_texts or (request.question,):
            terms = set(keyword_tokens(text))
            total = sum(request.idf(t) for t in terms)
            best = max(best, sum(request.idf(t) for t in terms if t in present) / total if total else 1.0)
        return best

    def generate(self, request: GenerationRequest) -> Draft:
        scored = self.score(request)
        if not scored:
            return Draft(abstained=True)
        lead = scored[0]
        support = lead.score
        coverage = self.coverage(request)
        if support < request.threshold or coverage < request.coverage_min:
            return Draft(sentences=[], support=support, coverage=coverage, abstained=True)
        picked = [lead]
        terms_picked = [set(keyword_tokens(lead.text))]
        docs = {lead.hit.doc_id}
        for cand in scored[1:]:
            if len(picked) >= request.max_sentences:
                break
            floor = self.new_source_floor if cand.hit.doc_id not in docs else self.relative_floor
            if cand.score < max(request.threshold, floor * lead.score):
                continue
            terms = set(keyword_tokens(cand.text))
            if any(_containment(terms, t) > self.redundancy for t in terms_picked):
                continue
            picked.append(cand)
            terms_picked.append(terms)
            docs.add(cand.hit.doc_id)
        return Draft(sentences=picked, support=support, coverage=coverage)


class ChatModelGenerator:
    """Fills the same interface with any LangChain chat model; the prompt is a data file.
    Sentences the model writes are kept only when they carry a valid [n] marker."""

    def __init__(self, llm: Any) -> None:
        from langchain_core.prompts import ChatPromptTemplate

        spec = load_prompt("chat_answer.yaml")
        self.chain = ChatPromptTemplate.from_messages([("system", spec["system"]), ("human", spec["human"])]) | llm

    def generate(self, request: GenerationRequest) -> Draft:
        hits = request.hits
        passages = "\n".join(f"[{i + 1}] {h.text}" for i, h in enumerate(hits))
        reply = self.chain.invoke({"passages": passages, "tools": "none", "question": request.question})
        text = str(getattr(reply, "content", reply)).strip()
        if not text or "INSUFFICIENT" in text:
            return Draft(abstained=True)
        out = []
        for sentence in split_sentences(text):
            m = re.search(r"\[(\d+)\][.!?]?\s*$", sentence)
            if m and 1 <= int(m.group(1)) <= len(hits):
                hit = hits[int(m.group(1)) - 1]
                out.append(Scored(sentence[: m.start()].strip(), hit, 0, 1.0, 1.0, 1.0))
        return Draft(sentences=out, support=1.0, abstained=not out)
