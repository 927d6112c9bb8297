"""The last step: a checked Draft becomes the public `Answer`.

Passages are renumbered as citations, one number per document in order of first use; each
citation's snippet holds a window of every chunk it was quoted from, so the quoted sentence can be
shown in place. A sentence that rests only on a user's upload is presented as what that upload
says, never as a fact of the corpus.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.pipeline.types import Draft, Evidence, Passage, QueryPlan, Verification
from assistant.types import Answer, Citation, ToolCall

SNIPPET_CHARS = 700
_INLINE_MARKER = re.compile(r"\[(\d+)\]")


def snippet(text: str, quote: str, size: int = SNIPPET_CHARS) -> str:
    """The chunk around the quoted sentence, short enough for a source card; never cuts the quote."""
    size = max(size, len(quote) + 40)
    if len(text) <= size:
        return text
    at = max(0, text.find(quote))
    start = max(0, min(at - (size - len(quote)) // 2, len(text) - size))
    cut = text[start:start + size]
    return ("… " if start else "") + cut + (" …" if start + size < len(text) else "")


class CitationBook:
    """Numbers documents in order of first use and collects, per document, the windows and quotes."""

    def __init__(self) -> None:
        self.by_doc: dict[str, int] = {}
        self.entries: list[dict[str, Any]] = []

    def cite(self, passage: Passage, quote: str) -> int:
        if passage.doc_id not in self.by_doc:
            self.entries.append({"passage": passage, "windows": {}, "quotes": []})
            self.by_doc[passage.doc_id] = len(self.entries)
        entry = self.entries[self.by_doc[passage.doc_id] - 1]
        if quote and quote not in entry["quotes"] and quote in passage.text:
            entry["quotes"].append(quote)
        windows = entry["windows"]
        if passage.chunk_id not in windows or (quote and quote in passage.text and quote not in windows[passage.chunk_id]):
            size = SNIPPET_CHARS if not windows else SNIPPET_CHARS // 2
            windows[passage.chunk_id] = snippet(passage.text, quote if quote in passage.text else "", size)
        return self.by_doc[passage.doc_id]

    def citations(self) -> list[Citation]:
        out = []
        for n, e in enumerate(self.entries, start=1):
            p: Passage = e["passage"]
            m = p.metadata
            out.append(Citation(number=n, doc_id=p.doc_id, title=p.title, url=str(m.get("url", "")),
                                publisher=str(m.get("publisher", "")), published=str(m.get("published", "")),
                                snippet=" ".join(e["windows"].values()), score=round(float(p.score), 4),
                                section=str(m.get("section", "")), collection=p.collection,
                                quote=" ".join(e["quotes"])))
        return out


def assemble(plan: QueryPlan, evidence: Evidence, draft: Draft, verification: Verification,
             messages: dict[str, str], timings: dict[str, float]) -> Answer:
    """The Answer a user sees: text with [n] markers, citations, tool calls, plan and verification."""
    book = CitationBook()
    pieces: list[str] = []
    failed = {id(c.sentence) for c in verification.checked if not c.ok}
    if draft.fallback:
        pieces.append(messages["fallback"].format(reason=draft.fallback))
    for sentence in draft.sentences:
        mapping = {n: book.cite(p, sentence.text) for n in sentence.markers if (p := evidence.passage(n)) is not None}
        text = sentence.text
        if _INLINE_MARKER.search(text) and sentence.kind == "abstain":
            pieces.append(_INLINE_MARKER.sub(lambda m: f"[{mapping.get(int(m.group(1)), m.group(1))}]", text))
            continue
        cited = [evidence.passage(n) for n in sentence.markers]
        if cited and all(p is not None and p.collection == "user" for p in cited):
            text = messages["upload_says"].format(title=cited[0].title) + " " + text  # type: ignore[union-attr]
        if id(sentence) in failed:
            text = f"{text} {messages['unverified']}"
        markers = "".join(f"[{n}]" for n in dict.fromkeys(mapping.values()))
        pieces.append(f"{text} {markers}".strip())
    tool_calls = [ToolCall(name=r.name, arguments=dict(r.arguments), result=dict(r.result), error=r.error)
                  for pe in evidence.parts for r in pe.tools if r.asked or r.summary]
    support = max((pe.support for pe in evidence.parts), default=0.0)
    return Answer(question=plan.question, text=" ".join(pieces), citations=book.citations(), tool_calls=tool_calls,
                  abstained=draft.abstained, support=round(support, 4), timings=timings,
                  resolved_question=plan.standalone if not plan.context else f"{plan.context} {plan.standalone}",
                  retrieved=evidence.retrieved[:10], plan=plan.to_dict(), verification=verification.to_dict(),
                  writer=draft.writer)
