"""The values that cross the public API: what an answer is made of.

Kept free of any retrieval or UI code so that the CLI, the UI, the evaluation runner
and the tools can all depend on these shapes without importing the machinery.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Citation:
    """One numbered source of an answer; `snippet` is the passage that supports the cited sentence."""

    number: int
    doc_id: str
    title: str
    url: str
    publisher: str
    published: str
    snippet: str
    score: float
    section: str = ""
    collection: str = "corpus"  # "corpus" or "user" (uploaded documents)
    quote: str = ""  # the sentence(s) of the answer that cite this source, verbatim from the snippet


@dataclass(frozen=True)
class ToolCall:
    """A deterministic computation the answer relies on, with everything needed to check it.

    `result` is JSON-ready and, for the tools in `assistant.tools`, carries the keys
    `inputs`, `formula`, `result`, `assumptions` and optionally `chart`.
    """

    name: str
    arguments: dict[str, Any]
    result: dict[str, Any]
    error: str | None = None


@dataclass
class Answer:
    """What `Assistant.ask` returns: text with [n] markers, the citations they point to, and how it was made."""

    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    tool_calls: list[ToolCall] = field(default_factory=list)
    abstained: bool = False
    support: float = 0.0  # how well the best retrieved sentence matches the question; abstain below the threshold
    timings: dict[str, float] = field(default_factory=dict)  # stage -> milliseconds
    resolved_question: str = ""  # the question after follow-up resolution
    retrieved: list[dict[str, Any]] = field(default_factory=list)  # ranked doc ids and scores, for evaluation
    plan: dict[str, Any] = field(default_factory=dict)  # the QueryPlan: standalone question, parts, answer types, entities
    verification: dict[str, Any] = field(default_factory=dict)  # the check stage's report: checked, dropped, failures
    writer: str = "extractive"  # which writer produced the text

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, identical for the CLI's --json, the UI endpoint and the evaluation report."""
        return asdict(self)
