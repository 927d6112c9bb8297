"""Run question-set cases through anything that answers like `Assistant.ask`, and score them.

The runner only needs an object with `ask(question, history=None) -> Answer`, so the assistant
in each retrieval mode and the LangChain baseline are run and scored by the same code. A case
that raises is recorded as an error (and scored −1) instead of stopping the run: one bad
question must not hide the results of the other 150.
"""

from __future__ import annotations

import json
import logging
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Protocol, Sequence

from tqdm import tqdm

from .dataset import CATEGORIES, Case
from .metrics import aggregate, aggregate_by_category, aggregate_by_split, score_case

logger = logging.getLogger(__name__)

WARMUP_QUESTION = "What is the TDP of the H100?"
"""Asked once, unscored, before timing starts, so model loading does not land in the first case's latency."""


class Answerer(Protocol):
    """What the runner needs: the public `Assistant.ask` signature."""

    def ask(self, question: str, history: list[dict[str, str]] | None = None) -> Any:  # pragma: no cover
        ...


def answer_to_dict(answer: Any) -> dict[str, Any]:
    """The JSON-ready form of an Answer (or of any object/dict of the same shape)."""
    if isinstance(answer, Mapping):
        return json.loads(json.dumps(dict(answer), default=str))
    if hasattr(answer, "to_dict"):
        return json.loads(json.dumps(answer.to_dict(), default=str))
    return json.loads(json.dumps(vars(answer), default=str))


@dataclass
class RunResult:
    """All the results of one system over the selected cases, with its aggregates."""

    name: str
    results: list[dict[str, Any]]
    config: dict[str, Any] = field(default_factory=dict)
    started: str = ""
    wall_s: float = 0.0
    overall: dict[str, Any] = field(default_factory=dict)
    by_category: dict[str, Any] = field(default_factory=dict)
    by_split: dict[str, Any] = field(default_factory=dict)
    """{"dev"|"test"|"original": {"overall": ..., "by_category": ...}} for the groups present."""

    def compute(self) -> "RunResult":
        """(Re)compute the aggregates from `results`; returns self for chaining."""
        self.overall = aggregate(self.results)
        self.by_category = aggregate_by_category(self.results, CATEGORIES)
        self.by_split = aggregate_by_split(self.results, CATEGORIES)
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "config": self.config,
            "started": self.started,
            "wall_s": self.wall_s,
            "overall": self.overall,
            "by_category": self.by_category,
            "by_split": self.by_split,
            "cases": self.results,
        }


def run_case(answerer: Answerer, case: Case) -> dict[str, Any]:
    """Ask one case's question (with its history) and score the answer; never raises."""
    t0 = time.perf_counter()
    error: str | None = None
    try:
        answer = answer_to_dict(answerer.ask(case.question, history=case.history_list()))
    except Exception as exc:  # noqa: BLE001 - a failing case is a result, not a reason to stop the run
        error = f"{type(exc).__name__}: {exc}"
        logger.warning("case %s raised %s", case.id, error)
        logger.debug("traceback for case %s:\n%s", case.id, traceback.format_exc())
        answer = {"question": case.question, "text": "", "citations": [], "tool_calls": [], "abstained": False,
                  "timings": {}, "resolved_question": "", "retrieved": []}
    wall_ms = (time.perf_counter() - t0) * 1000.0
    scores = score_case(case, answer)
    if error:
        scores["correct"] = False
        scores["crag"] = -1
    timings = dict(answer.get("timings") or {})
    timings["wall"] = wall_ms
    return {
        "case": case.to_dict(),
        "answer": answer,
        "scores": scores,
        "timings": timings,
        "error": error,
    }


def _write_case(dir_: Path, result: Mapping[str, Any]) -> None:
    path = dir_ / f"{result['case']['id']}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")


def run_cases(
    answerer: Answerer,
    cases: Sequence[Case],
    *,
    name: str = "assistant",
    out_dir: str | Path | None = None,
    progress: bool = True,
    warmup: bool = True,
    config: Mapping[str, Any] | None = None,
) -> RunResult:
    """Run every case through `answerer`, writing `<out_dir>/<name>/cases/<id>.json` as it goes.

    Per-case files are written immediately so that an interrupted run still leaves its results.
    """
    case_dir: Path | None = None
    if out_dir is not None:
        case_dir = Path(out_dir) / name / "cases"
        case_dir.mkdir(parents=True, exist_ok=True)
    if warmup and cases:
        try:
            answerer.ask(WARMUP_QUESTION)
        except Exception as exc:  # noqa: BLE001 - the real cases will record the failure
            logger.warning("warm-up question failed for %s: %s", name, exc)
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    t0 = time.perf_counter()
    results: list[dict[str, Any]] = []
    bar = tqdm(cases, desc=f"eval {name}", unit="q", disable=not progress, leave=False)
    for case in bar:
        result = run_case(answerer, case)
        results.append(result)
        if case_dir is not None:
            _write_case(case_dir, result)
        bar.set_postfix_str(f"{case.id} crag={result['scores']['crag']:+d}")
        logger.debug("case %s: crag %+d", case.id, result["scores"]["crag"])
    bar.close()
    run = RunResult(name=name, results=results, config=dict(config or {}), started=started,
                    wall_s=time.perf_counter() - t0)
    return run.compute()


__all__ = ["Answerer", "RunResult", "WARMUP_QUESTION", "answer_to_dict", "run_case", "run_cases"]
