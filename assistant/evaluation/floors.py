"""Quality floors: the minimum (or maximum) values a run must reach, read from eval/floors.yaml.

Floors live in a data file rather than in test code so the lead can tune them as the system
improves without touching the tests, and so `assistant eval --floors` and the test suite
enforce exactly the same numbers.

File shape (every section optional)::

    subset:                 # used with --subset and by tests/evaluation/test_subset.py
      min: {crag_score: 0.0, hit@5: 0.5}
      max: {false_abstention_rate: 0.5, latency_ms.wall.p95: 30000}
      categories:
        unanswerable: {min: {abstention_recall: 0.3}}
    full:                   # used for a run over the whole question set
      min: {...}

A file with `min`/`max`/`categories` at the top level applies to every run. Metric names are
keys of the aggregate (see metrics.aggregate); dotted names reach into nested values
(`latency_ms.total.p95`). A metric that does not apply to the run (None, e.g. numeric accuracy
of a run with no numeric case) is reported as skipped, not failed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import yaml

logger = logging.getLogger(__name__)


class FloorsError(ValueError):
    """The floors file is malformed (so a typo cannot silently disable a floor)."""


@dataclass(frozen=True)
class FloorCheck:
    """One floor compared with the run: `passed` is None when the metric did not apply."""

    scope: str  # "overall" or a category name
    metric: str
    op: str  # ">=" or "<="
    threshold: float
    actual: float | None
    passed: bool | None

    def describe(self) -> str:
        actual = "n/a" if self.actual is None else f"{self.actual:.3f}"
        status = {True: "ok", False: "FAIL", None: "skipped"}[self.passed]
        return f"[{status}] {self.scope} {self.metric} = {actual} (floor {self.op} {self.threshold:g})"


def load_floors(path: str | Path, section: str | None = None) -> dict[str, Any]:
    """The floors for one section ('subset' or 'full'), or the top-level floors if the file has no sections."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise FloorsError(f"{path}: expected a mapping")
    if section and section in data:
        chosen = data[section] or {}
    elif any(k in data for k in ("min", "max", "categories")):
        chosen = data
    elif section:
        raise FloorsError(f"{path}: no section {section!r} (have: {', '.join(sorted(map(str, data)))})")
    else:
        chosen = data
    _validate(chosen, str(path))
    return chosen


def _validate(floors: Mapping[str, Any], where: str) -> None:
    allowed = {"min", "max", "categories"}
    extra = set(floors) - allowed
    if extra:
        raise FloorsError(f"{where}: unknown key(s) {', '.join(sorted(map(str, extra)))}; use min, max, categories")
    for key in ("min", "max"):
        block = floors.get(key) or {}
        if not isinstance(block, dict):
            raise FloorsError(f"{where}: {key} must be a mapping of metric: value")
        for metric, value in block.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise FloorsError(f"{where}: {key}.{metric} must be a number, got {value!r}")
    cats = floors.get("categories") or {}
    if not isinstance(cats, dict):
        raise FloorsError(f"{where}: categories must be a mapping")
    for cat, block in cats.items():
        if not isinstance(block, dict):
            raise FloorsError(f"{where}: categories.{cat} must be a mapping with min/max")
        _validate({k: v for k, v in block.items()}, f"{where}: categories.{cat}")
        if "categories" in block:
            raise FloorsError(f"{where}: categories.{cat} cannot nest categories")


def _lookup(agg: Mapping[str, Any], metric: str) -> Any:
    node: Any = agg
    for part in _split_metric(metric):
        if not isinstance(node, Mapping) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _split_metric(metric: str) -> list[str]:
    """'latency_ms.wall.p95' → ['latency_ms', 'wall', 'p95']; 'hit@5' stays whole (no dots)."""
    return metric.split(".")


class _Missing:
    pass


_MISSING = _Missing()


def _check_block(scope: str, agg: Mapping[str, Any], floors: Mapping[str, Any]) -> list[FloorCheck]:
    checks: list[FloorCheck] = []
    for key, op in (("min", ">="), ("max", "<=")):
        for metric, threshold in (floors.get(key) or {}).items():
            value = _lookup(agg, str(metric))
            if isinstance(value, _Missing):
                # An unknown metric name is a configuration error, not a skipped floor.
                raise FloorsError(f"unknown metric {metric!r} in {scope} floors")
            if value is None:
                checks.append(FloorCheck(scope, str(metric), op, float(threshold), None, None))
                continue
            actual = float(value)
            passed = actual >= threshold - 1e-12 if op == ">=" else actual <= threshold + 1e-12
            checks.append(FloorCheck(scope, str(metric), op, float(threshold), actual, passed))
    return checks


def check_floors(floors: Mapping[str, Any], overall: Mapping[str, Any],
                 by_category: Mapping[str, Mapping[str, Any]]) -> list[FloorCheck]:
    """Compare a run's aggregates with the floors; a category absent from the run is skipped."""
    checks = _check_block("overall", overall, floors)
    for cat, block in (floors.get("categories") or {}).items():
        if cat not in by_category:
            logger.info("floors for category %s skipped: no case of it in this run", cat)
            continue
        checks.extend(_check_block(str(cat), by_category[cat], block))
    return checks


def floors_passed(checks: list[FloorCheck]) -> bool:
    """True unless some applicable floor failed."""
    return not any(c.passed is False for c in checks)


__all__ = ["FloorCheck", "FloorsError", "check_floors", "floors_passed", "load_floors"]
