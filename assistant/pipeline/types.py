"""The typed values that pass between the answer stages: plan → evidence → write → check.

Each stage is a module with one job (`plan.py`, `evidence.py`, `assistant/writers/*`, `check.py`);
these dataclasses are their inputs and outputs. They carry no retrieval or model machinery, so a
writer (extractive or a chat model) depends only on this module and `assistant.types`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

AnswerType = Literal[
    "person",  # who: a person or an organisation
    "place",  # where, in which town/province/country
    "date",  # when, what year, since when
    "number",  # how many/much, what share, a figure with its unit
    "list",  # list / name all / which companies (plural)
    "yes_no",  # is/does/did/can ...
    "order",  # before or after, which came first
    "comparison",  # compare, ratio, how many times, more than
    "definition",  # what does X stand for / mean
    "explanation",  # why, how did, what happened
    "other",
]

ANSWER_TYPES: tuple[str, ...] = AnswerType.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Entity:
    """Something a question names: `kind` is chip, fleet, organisation, place, rule, event or term."""

    text: str  # as written in the question
    kind: str
    canonical: str = ""  # catalogue name, named-fleet key or corpus spelling, when known
    topical: bool = True  # False for a name so common in the corpus that it frames it (US, China, Nvidia)


@dataclass(frozen=True)
class Computation:
    """A deterministic calculation the question asks for.

    `tool` is one of the router's tool families (tpp, export, power, fleet, compare, training);
    `inputs` are the slots found in the question; `missing` names what a user must supply
    when the calculation cannot run. A computation with `missing` never leads an answer.
    """

    tool: str
    inputs: dict[str, Any] = field(default_factory=dict)
    missing: str = ""


@dataclass
class Part:
    """One sub-question of the plan, answered on its own with its own evidence and citation."""

    text: str  # the sub-question, standalone
    answer_type: str = "other"  # one of ANSWER_TYPES
    focus: str = ""  # the asked attribute ("thermal design power", "chief executive"); "" when none
    entities: list[Entity] = field(default_factory=list)
    computations: list[Computation] = field(default_factory=list)
    premise: str = ""  # what the question takes for granted ("the October 2022 rule banned the H20")
    intent: str = "lookup"  # nearest-exemplar label: lookup, or a calculation family
    intent_score: float = 0.0  # that label's share of the nearest exemplars' vote
    premise_intent: str = ""  # the calculation family that can test the premise, when one can
    premise_stated: bool = False  # the user states the premise in a clause ("Since X, …"): always tested
    predicate: bool = False  # the focus is the question's verb ("when was X founded"), not a noun
    alternatives: list[str] = field(default_factory=list)  # the options of "A or B?": an answer names one
    scenario: str = ""  # figures the user states for it ("A hall of 4,096 GPUs at 400 W…", "If …"): its inputs
    frame: str = ""  # a verbless lead that frames it ("Within Huawei's line-up", "Going by the FT's figures")
    tool_text: str = ""  # the text the plan ran its calculation on; the evidence stage reruns a scenario on it
    asks: str = ""  # the class of thing it asks to name ("Which card …?" → "card"), "" when it asks no name
    # a multi-hop part: it needs the thing part `depends_on` names; `slot` (its description or pronoun
    # in `text`) is replaced by that name before its evidence is gathered; -1 when it stands alone
    depends_on: int = -1
    slot: str = ""
    interval: str = ""  # "how many days between A and B": the unit the time between two dated events is asked in
    # ("any": the question names none, as in "how long"; the size of the interval chooses it)
    # "Which is bigger, A or B? By how much?": the margin a comparison is asked with, by a piece after it
    # ("amount", a unit such as "GB" or "years", or "factor"); "" when only the comparison is asked
    margin: str = ""
    # the two events an interval is asked between, when the question names them outside the part ("Once
    # A, how many weeks went by before B?", "A and B: how many months apart were they?"); [] otherwise
    events: list[str] = field(default_factory=list)


@dataclass
class QueryPlan:
    """What `plan(question, history)` decides before anything is retrieved."""

    question: str  # the turn as asked
    standalone: str  # the turn itself when it stands alone, else completed from earlier turns
    language: str = "en"
    follow_up: bool = False
    parts: list[Part] = field(default_factory=list)
    quantities: list[dict[str, Any]] = field(default_factory=list)  # {"kind", "value", "unit", "text"}
    context: str = ""  # the earlier question a follow-up leans on, when it could not be merged into the turn

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Passage:
    """A numbered source passage the writer may cite as [number] (numbers start at 1)."""

    number: int
    doc_id: str
    chunk_id: str
    title: str
    text: str  # the chunk text
    metadata: dict[str, Any] = field(default_factory=dict)
    collection: str = "corpus"  # "corpus" or "user" (an upload: never stated as fact on its own)
    score: float = 0.0


@dataclass
class RankedSentence:
    """A sentence of a passage ranked for one part (used by the extractive writer and the check)."""

    text: str
    passage: int  # Passage.number
    score: float
    similarity: float = 0.0


@dataclass
class ToolRun:
    """A tool outcome for one part: `summary` is its plain-language result, `result` its working.
    `error` is set (and `summary` may be empty) when it could not run."""

    name: str
    arguments: dict[str, Any]
    result: dict[str, Any]
    summary: str
    sources: list[str]  # doc_ids the figures come from
    error: str | None = None
    passages: list[int] = field(default_factory=list)  # Passage numbers that support it
    asked: bool = True  # the plan asked for this calculation (a missing-input message shows only then)


@dataclass
class PartEvidence:
    part: Part
    sentences: list[RankedSentence] = field(default_factory=list)  # best first
    tools: list[ToolRun] = field(default_factory=list)
    support: float = 0.0  # the best sentence's score
    answerable: bool = True  # some sentence carries the asked answer type about the asked entity
    missing: str = ""  # what the corpus lacks, when not answerable ("Nyocor's chief executive")
    facts: dict[str, Any] = field(default_factory=dict)  # deterministic results: {"order": ..., "items": [...]}


@dataclass
class Evidence:
    """Everything the writer may use: numbered passages and, per part, ranked sentences and tool runs."""

    plan: QueryPlan
    passages: list[Passage] = field(default_factory=list)
    parts: list[PartEvidence] = field(default_factory=list)
    retrieved: list[dict[str, Any]] = field(default_factory=list)  # ranked doc ids and scores, for evaluation

    def passage(self, number: int) -> Passage | None:
        return self.passages[number - 1] if 1 <= number <= len(self.passages) else None


SentenceKind = Literal["answer", "tool", "correction", "abstain", "note"]


@dataclass
class DraftSentence:
    """One sentence the writer stands behind; `markers` are the Passage numbers it cites."""

    text: str  # without markers
    markers: list[int] = field(default_factory=list)
    part: int = 0  # index into plan.parts
    kind: str = "answer"  # one of SentenceKind
    tool: str = ""  # ToolRun.name when the sentence states a computed result


@dataclass
class Draft:
    """What a writer returns. `abstained` is True when no part could be answered."""

    sentences: list[DraftSentence] = field(default_factory=list)
    abstained: bool = False
    writer: str = "extractive"
    fallback: str = ""  # why a chat writer fell back to the extractive one, if it did


@dataclass
class CheckedSentence:
    sentence: DraftSentence
    ok: bool
    reasons: list[str] = field(default_factory=list)  # why it failed: "number 99999 not in [2]", ...


@dataclass
class Verification:
    """What the check stage found: every sentence with its verdict; `dropped` counts the removed ones."""

    checked: list[CheckedSentence] = field(default_factory=list)
    mode: str = "drop"  # "drop" removes failing sentences; "mark" keeps them marked unverified

    @property
    def dropped(self) -> int:
        return sum(1 for c in self.checked if not c.ok)

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "checked": len(self.checked),
            "dropped": self.dropped,
            "failures": [{"text": c.sentence.text, "reasons": c.reasons} for c in self.checked if not c.ok],
        }
