"""The one result shape every tool returns.

Every tool answers with the same five keys (`inputs`, `formula`, `result`, `assumptions`,
`sources`, plus `chart` for comparisons) so that the answer composer, the UI and the
evaluation runner can show and check any computation without knowing which tool made it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .formatting import clean_float


def _jsonable(value: Any) -> Any:
    """Convert nested values into plain JSON types (tuples to lists, floats de-noised)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return clean_float(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    raise TypeError(f"not JSON-ready: {type(value).__name__}")


@dataclass(frozen=True)
class ToolResult:
    """A computation with everything needed to check it.

    `formula` is human-readable with the numbers substituted; `assumptions` lists every
    default or simplification the numbers rest on; `sources` are corpus doc ids to cite.
    """

    inputs: dict[str, Any]
    formula: str
    result: dict[str, Any]
    assumptions: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    chart: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; `chart` only appears when the tool made one."""
        out: dict[str, Any] = {
            "inputs": _jsonable(self.inputs),
            "formula": self.formula,
            "result": _jsonable(self.result),
            "assumptions": list(self.assumptions),
            "sources": _dedupe(self.sources),
        }
        if self.chart is not None:
            out["chart"] = _jsonable(self.chart)
        return out


def _dedupe(items: list[str]) -> list[str]:
    """Keep first occurrences in order, so citation numbering stays stable."""
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.add(item)
            out.append(item)
    return out


def merge_sources(*groups: list[str] | tuple[str, ...]) -> list[str]:
    """Concatenate source lists without duplicates, preserving order."""
    merged: list[str] = []
    for group in groups:
        merged.extend(group)
    return _dedupe(merged)
