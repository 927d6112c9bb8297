"""The write stage: `Writer.write(plan, evidence) -> Draft`.

Two implementations share this interface: `ExtractiveWriter` (the embedded default, which quotes
ranked sentences and states tool results; it cannot invent a figure) and `ChatModelWriter` (any
LangChain chat model, tools bound). Whatever a writer returns goes through the check stage.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from assistant.pipeline.types import Draft, Evidence, QueryPlan


@runtime_checkable
class Writer(Protocol):
    """`write` turns evidence into sentences with passage markers; `stream` yields text pieces
    as they are produced and ends with the same Draft `write` would return."""

    name: str

    def write(self, plan: QueryPlan, evidence: Evidence) -> Draft: ...

    def stream(self, plan: QueryPlan, evidence: Evidence) -> Iterator[str | Draft]: ...
