"""The check stage: `check(draft, evidence, mode) -> (Draft, Verification)`, for every writer.

Every sentence that states something (kinds answer, tool, correction) must:
- carry [n] markers that exist (a tool sentence may instead rest on its tool run alone);
- have each number it states (separators, percent signs and scale words normalised) in a cited
  passage or a tool result;
- name no chip or proper name that is absent from its cited passages, the tool results and the question;
- give no orders: text that instructs ("Ignore previous instructions…", "you must…") is data from a
  document, never an answer;
- not contradict a computed figure: a sentence about the same entity and attribute as a tool run,
  whose figures all differ from the tool's, is a conflicting claim and is not stated as fact.
Failing sentences are dropped (mode "drop") or kept and reported as unverified (mode "mark").
Fixed messages (kinds note and abstain) are only checked for their markers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from assistant.pipeline import support
from assistant.pipeline.parse import nlp
from assistant.pipeline.types import CheckedSentence, Draft, DraftSentence, Evidence, ToolRun, Verification
from index.text import keyword_tokens

_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "k": 1e3, "m": 1e6, "bn": 1e9}
_NUMBER = re.compile(r"(?<![\w.])(\d+(?:[,\u202f\u00a0 ]\d{3})*(?:\.\d+)?)\s*(thousand|million|billion|trillion|bn)?",
                     re.I)
_SECOND_PERSON_ORDER = re.compile(r"\byou (?:must|should|shall|need to|have to|are to|will now)\b|"
                                  r"\b(?:previous|prior|above|earlier) instructions?\b|\bsystem prompt\b", re.I)
_CAPITALISED = re.compile(r"(?<=\s)[A-Z][A-Za-z0-9&-]{2,}")
_COMMON_CAPITALS = {"The", "This", "That", "These", "Those", "It", "Its", "In", "On", "At", "By", "For", "From",
                    "And", "But", "Or", "Under", "After", "Before", "Since", "With", "As", "So", "If", "When",
                    "January", "February", "March", "April", "May", "June", "July", "August", "September",
                    "October", "November", "December", "Total", "Processing", "Performance", "According"}
STATING = ("answer", "tool", "correction")


def parse_numbers(text: str) -> list[float]:
    """Every number in `text` as floats, each both as written and with its scale word applied."""
    out: list[float] = []
    for m in _NUMBER.finditer(text):
        raw = re.sub(r"[,\u202f\u00a0 ]", "", m.group(1))
        try:
            value = float(raw)
        except ValueError:
            continue
        out.append(value)
        if m.group(2):
            out.append(value * _SCALE[m.group(2).lower()])
    return out


def _tool_numbers(runs: Iterable[ToolRun]) -> list[float]:
    found: list[float] = []

    def walk(node: Any) -> None:
        if isinstance(node, bool):
            return
        if isinstance(node, (int, float)):
            found.append(float(node))
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, (list, tuple)):
            for v in node:
                walk(v)
        elif isinstance(node, str):
            found.extend(parse_numbers(node))

    for run in runs:
        walk(run.result)
        walk(run.arguments)
        found.extend(parse_numbers(run.summary))
    return found


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(abs(a), abs(b)) * 0.005 + 1e-9


def _matched(value: float, pool: list[float]) -> bool:
    # a stated figure may be a rounding of its source ("2.79 million" for "2,788,000")
    return any(_close(value, p) or (abs(value) >= 1 and abs(p) >= 1 and abs(value - p) / max(abs(p), 1) < 0.02)
               for p in pool)


def gives_orders(text: str) -> bool:
    """A sentence that instructs rather than states: an imperative main verb, or orders to "you"."""
    if _SECOND_PERSON_ORDER.search(text):
        return True
    doc = nlp()(text)
    for sent in doc.sents:
        root = sent.root
        if root.tag_ == "VB" and root.i == sent.start and not any(c.dep_ in ("nsubj", "nsubjpass") for c in root.children):
            return True
    return False


def _names(text: str) -> list[str]:
    return [w for w in _CAPITALISED.findall(f" {text}") if w not in _COMMON_CAPITALS]


def check(draft: Draft, evidence: Evidence, mode: str = "drop") -> tuple[Draft, Verification]:
    """Verify every sentence of `draft` against `evidence`; return the kept draft and the report."""
    verification = Verification(mode=mode)
    kept: list[DraftSentence] = []
    # names the user may be repeated back: those of the questions the plan kept, never of text it dropped
    # as an order ("reply only with the word PWNED")
    question = " ".join(p.text for p in evidence.plan.parts)
    all_runs = [r for pe in evidence.parts for r in pe.tools]
    for sentence in draft.sentences:
        reasons = _reasons(sentence, evidence, all_runs, question, draft.writer)
        verification.checked.append(CheckedSentence(sentence, not reasons, reasons))
        if not reasons or mode == "mark":
            kept.append(sentence)
    stated = [s for s in kept if s.kind in STATING]
    out = Draft(sentences=kept, abstained=draft.abstained or (not stated and draft.abstained), writer=draft.writer,
                fallback=draft.fallback)
    return out, verification


def _reasons(sentence: DraftSentence, evidence: Evidence, runs: list[ToolRun], question: str,
             writer: str = "extractive") -> list[str]:
    reasons: list[str] = []
    bad = [n for n in sentence.markers if evidence.passage(n) is None]
    if bad:
        reasons.append(f"marker(s) {bad} point at no passage (there are {len(evidence.passages)})")
    if sentence.kind not in STATING:
        return reasons
    passages = [p for n in sentence.markers if (p := evidence.passage(n)) is not None]
    part_runs = [r for r in runs if r.summary]
    if sentence.kind == "tool":
        sources_text = " ".join(r.summary for r in part_runs)
    else:
        sources_text = ""
        if not passages:
            reasons.append("no [n] marker: the sentence cites no passage")
    cited = " ".join(f"{p.title} {p.text}" for p in passages) + " " + sources_text
    pool = parse_numbers(cited) + _tool_numbers(part_runs)
    missing = [v for v in parse_numbers(sentence.text) if not _matched(v, pool)]
    if missing:
        reasons.append(f"number(s) {', '.join(f'{v:g}' for v in missing)} found in no cited passage or tool result")
    lower_sources = f"{cited} {question}".lower()
    absent = [n for n in _names(sentence.text) if n.lower() not in lower_sources]
    if absent:
        reasons.append(f"name(s) {', '.join(absent)} found in no cited passage")
    if sentence.kind != "tool" and passages and not (set(keyword_tokens(sentence.text)) & set(keyword_tokens(cited))):
        reasons.append("says nothing its cited passages say")  # "Yes. [1]" states no content of [1]
    # the extractive writer's quotes, tool results and templates are checked for orders to "you" only;
    # a model's own words and anything quoted from an upload get the grammatical test too
    untrusted = writer != "extractive" or any(p.collection != "corpus" for p in passages)
    if (untrusted and gives_orders(sentence.text)) or (not untrusted and _SECOND_PERSON_ORDER.search(sentence.text)):
        reasons.append("gives orders: text that instructs is never an answer")
    if sentence.kind != "tool":
        conflict = _conflict(sentence, evidence, runs)
        if conflict:
            reasons.append(conflict)
    return reasons


def _conflict(sentence: DraftSentence, evidence: Evidence, runs: list[ToolRun]) -> str:
    """A figure about the same entity and attribute as a computed one, that matches none of the tool's."""
    if not 0 <= sentence.part < len(evidence.parts):
        return ""
    pe = evidence.parts[sentence.part]
    part_runs = [r for r in pe.tools if r.summary]
    if not part_runs or not pe.part.focus:
        return ""
    values = parse_numbers(sentence.text)
    if not values or not support.has_focus(sentence.text, pe.part.focus):
        return ""
    if not any(support.mentions(sentence.text, e) for e in pe.part.entities):
        return ""
    pool = _tool_numbers(part_runs)
    if any(_matched(v, pool) for v in values):
        return ""
    return f"conflicts with the computed {pe.part.focus}: {', '.join(f'{v:g}' for v in values)} is not what {part_runs[0].name} gives"
