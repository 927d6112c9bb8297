"""The extractive writer, the embedded default: every sentence it writes is either a sentence of a
cited passage, a tool's computed result, or a fixed message (messages.yaml) — it cannot invent a
figure. Each part of the plan is answered on its own, in order:

- a correction first, when the evidence contradicts the question's premise;
- the computed result of a calculation the plan asked for;
- for an order part, both dated facts and the order computed from them;
- for a list part, the distinct items found across documents and a note on what the list covers;
- otherwise the best sentences that carry the asked answer type about the asked entity;
- when no sentence can answer the part, what the corpus does not give, and the closest sources.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from assistant.pipeline.evidence import containment
from assistant.pipeline.types import Draft, DraftSentence, Evidence, PartEvidence, QueryPlan
from assistant.prompts import load
from index.text import split_sentences

_RELATION_FR = {"before": "avant", "after": "après", "at about the same time as": "en même temps que",
                "on the same day as": "le même jour que"}


class ExtractiveWriter:
    """Quotes ranked sentences and states tool results; `max_sentences` bounds the quoted ones."""

    name = "extractive"
    relative_floor = 0.80  # later sentences must score within this fraction of the part's lead
    new_source_floor = 0.70  # ...or this fraction when they bring a second document
    redundancy = 0.6  # a candidate sharing more of its words with a kept sentence adds nothing

    def __init__(self, max_sentences: int = 4, threshold: float = 0.38) -> None:
        self.max_sentences = max_sentences
        self.threshold = threshold

    @staticmethod
    def messages(language: str) -> dict[str, str]:
        every = load("messages.yaml")
        return every.get(language, every["en"])

    def write(self, plan: QueryPlan, evidence: Evidence) -> Draft:
        msgs = self.messages(plan.language)
        n_parts = max(len(evidence.parts), 1)
        per_part = self.max_sentences if n_parts == 1 else max(2, self.max_sentences // n_parts)
        out: list[DraftSentence] = []
        kept: list[str] = []
        answered = 0
        for index, pe in enumerate(evidence.parts):
            sentences = self._part(index, pe, evidence, msgs, per_part, kept, plan.language)
            if any(s.kind in ("answer", "tool", "correction") for s in sentences) and not pe.facts.get("absence"):
                answered += 1
            out.extend(sentences)
        if not answered and any(pe.facts.get("absence") for pe in evidence.parts):
            # every part the sources speak to, they say is not known: that, cited, is the answer
            return Draft(sentences=out, abstained=True, writer=self.name)
        if not answered:
            return Draft(sentences=self.abstain(evidence, msgs), abstained=True, writer=self.name)
        return Draft(sentences=out, abstained=False, writer=self.name)

    def stream(self, plan: QueryPlan, evidence: Evidence) -> Iterator[str | Draft]:
        draft = self.write(plan, evidence)
        for s in draft.sentences:
            yield s.text + " "
        yield draft

    # ------------------------------------------------------------------ one part
    def _part(self, index: int, pe: PartEvidence, evidence: Evidence, msgs: dict[str, str], budget: int,
              kept: list[str], language: str) -> list[DraftSentence]:
        out: list[DraftSentence] = []
        corrections = pe.facts.get("corrections", [])
        if corrections:
            out.append(DraftSentence(msgs["correction"], [], index, "note"))
        for correction in corrections:
            if "tool" in correction:
                run = next(r for r in pe.tools if r.name == correction["tool"])
                for sentence in split_sentences(run.summary)[:1]:
                    out.append(DraftSentence(sentence, list(run.passages), index, "correction", run.name))
                continue
            out.append(DraftSentence(correction["sentence"], [correction["passage"]], index, "correction"))
            kept.append(correction["sentence"])
            then = correction.get("then")
            if then:
                relation = then["relation"] if language == "en" else _RELATION_FR.get(then["relation"], then["relation"])
                out.append(DraftSentence(msgs["order"].format(a=f"the {then['a']}", relation=relation, b=then["b"]),
                                         [correction["passage"]], index, "correction"))
        stated = {s.text for s in out}
        for run in pe.tools:
            if not run.asked:
                continue
            for sentence in split_sentences(run.summary):
                if sentence not in stated:
                    stated.add(sentence)
                    out.append(DraftSentence(sentence, list(run.passages), index, "tool", run.name))
        order = pe.facts.get("order")
        if order:
            a, b = order["a"], order["b"]
            # each dated sentence once: an earlier part may have quoted it already (a multi-hop part that
            # named one of the events)
            for event in (a, b):
                if event["sentence"] not in kept:
                    out.append(DraftSentence(event["sentence"], [event["passage"]], index, "answer"))
                    kept.append(event["sentence"])
            relation = order["relation"] if language == "en" else _RELATION_FR.get(order["relation"], order["relation"])
            if a.get("clause") or b.get("clause"):
                # "So DeepSeek put out R1 came before …" is no sentence: each event is quoted beside its date
                text = msgs["order_dated"].format(a=_clause(a["event"]), b=_clause(b["event"]), relation=relation,
                                                  date_a=a["date"], date_b=b["date"])
            else:
                text = msgs["order"].format(a=_clause(a["event"]), relation=relation, b=_clause(b["event"]))
            out.append(DraftSentence(text, [a["passage"], b["passage"]], index, "answer"))
            interval = next((r for r in pe.tools if r.name == "interval"), None)
            if interval is not None:
                # the earlier date first: "From January 20 to April 14 is 84 days", whichever event was named first
                first, last = (b, a) if order["relation"] == "after" else (a, b)
                out.append(DraftSentence(msgs["interval"].format(date_a=first["date"], date_b=last["date"],
                                                                 amount=interval.result["shown"]),
                                         [a["passage"], b["passage"]], index, "tool", "interval"))
            return out
        if pe.facts.get("sides") and not any(s.kind == "tool" for s in out):
            # a comparison: what the sources say of each side, then the best general sentence
            for side in pe.facts["sides"]:
                sentence = side["sentence"]
                if sentence.text not in kept:
                    out.append(DraftSentence(sentence.text, [sentence.passage], index, "answer"))
                    kept.append(sentence.text)
            out.extend(self._ratios(index, pe))
            if pe.facts.get("compatible", 0):
                out.extend(self._quotes(index, pe, 1, kept, with_tools=False))
            return out
        if pe.facts.get("absence") and not out:
            # "The corpus does not give the investor …. The investor … was not named in the sources [1]."
            lead = pe.sentences[0]
            kept.append(lead.text)
            return [DraftSentence(msgs["part_missing"].format(missing=pe.missing), [], index, "abstain"),
                    DraftSentence(lead.text, [lead.passage], index, "answer")]
        if pe.part.answer_type == "list" and any(s.kind == "tool" for s in out):
            return out  # a list the catalogue screened is complete for the catalogue: no quotes to add
        if pe.part.answer_type == "list" and pe.facts.get("items"):
            for item in pe.facts["items"]:
                if item.text not in kept:
                    out.append(DraftSentence(item.text, [item.passage], index, "answer"))
                    kept.append(item.text)
            out.append(DraftSentence(msgs["list_note"], [], index, "note"))
            return out
        if pe.part.scenario and any(s.kind == "tool" for s in out):
            return out  # a calculation on the user's own figures: corpus sentences about other fleets add nothing
        if pe.answerable and pe.facts.get("compatible", 0):
            room = max(1, budget - len(corrections))  # a corrected premise needs fewer supporting quotes
            out.extend(self._quotes(index, pe, room, kept, with_tools=any(r.asked and r.summary for r in pe.tools)))
            out.extend(self._ratios(index, pe))
            return out
        if out:
            return out
        out.append(DraftSentence(msgs["part_missing"].format(missing=pe.missing), [], index, "abstain"))
        closest, numbers = self._closest(pe, evidence)
        if closest:
            out.append(DraftSentence(msgs["closest"].format(sources=closest), numbers, index, "abstain"))
        for run in pe.tools:
            if run.asked and run.error and not run.summary:
                out.append(DraftSentence(msgs["tool_error"].format(error=_as_sentence(run.error)), [], index, "note", run.name))
        return out

    @staticmethod
    def _ratios(index: int, pe: PartEvidence) -> list[DraftSentence]:
        """The ratio of the two figures a comparison quoted, computed by the evidence stage."""
        return [DraftSentence(run.summary, list(run.passages), index, "tool", run.name)
                for run in pe.tools if run.name == "ratio" and run.summary]

    def _quotes(self, index: int, pe: PartEvidence, budget: int, kept: list[str],
                with_tools: bool) -> list[DraftSentence]:
        candidates = pe.sentences[: pe.facts["compatible"]]
        lead = candidates[0]
        picked: list[Any] = []
        docs: set[str] = set()
        limit = 1 if with_tools else budget
        for cand in candidates:
            if len(picked) >= limit:
                break
            if any(containment(cand.text, k) > self.redundancy for k in kept):
                continue
            if picked:
                floor = self.new_source_floor if cand.passage not in docs else self.relative_floor
                if cand.score < max(self.threshold, floor * lead.score):
                    continue
            picked.append(cand)
            docs.add(cand.passage)
            kept.append(cand.text)
        return [DraftSentence(c.text, [c.passage], index, "answer") for c in picked]

    @staticmethod
    def _closest(pe: PartEvidence, evidence: Evidence, limit: int = 3) -> tuple[str, list[int]]:
        """"[n] title (publisher, date); …" for the documents nearest the part, and their passage numbers."""
        seen: list[str] = []
        numbers: list[int] = []
        listed: list[str] = []
        for s in pe.sentences:
            passage = evidence.passage(s.passage)
            if passage is None or passage.doc_id in seen:
                continue
            seen.append(passage.doc_id)
            numbers.append(passage.number)
            m = passage.metadata
            listed.append(f"[{passage.number}] {passage.title} ({m.get('publisher', '') or 'unknown publisher'}, "
                          f"{m.get('published', '') or 'undated'})")
            if len(listed) >= limit:
                break
        return "; ".join(listed), numbers

    def abstain(self, evidence: Evidence, msgs: dict[str, str]) -> list[DraftSentence]:
        """No part could be answered: say what is missing for each, then the closest sources once."""
        out: list[DraftSentence] = []
        for index, pe in enumerate(evidence.parts):
            out.append(DraftSentence(msgs["part_missing"].format(missing=pe.missing or "an answer"), [], index,
                                     "abstain"))
            for run in pe.tools:
                if run.asked and run.error and not run.summary:
                    out.append(DraftSentence(msgs["tool_error"].format(error=_as_sentence(run.error)), [], index, "note", run.name))
        listed, numbers = [], []
        for pe in evidence.parts:
            text, nums = self._closest(pe, evidence)
            new = [n for n in nums if n not in numbers]
            if text and new:
                listed.append(text if len(new) == len(nums) else
                              "; ".join(p for p in text.split("; ") if int(p[1:p.index("]")]) in new))
                numbers.extend(new)
        if listed:
            out.append(DraftSentence(msgs["closest"].format(sources="; ".join(listed)), numbers, 0, "abstain"))
        else:
            out.append(DraftSentence(msgs["no_sources"], [], 0, "abstain"))
        return out


def _clause(event: str) -> str:
    """An event as a clause inside a sentence: "The H20 licence" → "the H20 licence"; names keep their case."""
    event = event.strip().rstrip("?")
    first = event.split(" ", 1)[0]
    return event[:1].lower() + event[1:] if first in ("The", "A", "An") else event


def _as_sentence(text: str) -> str:
    """A message that ends a sentence: its final stop added when the message has none."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."
