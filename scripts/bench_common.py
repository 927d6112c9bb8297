"""What the benchmark scripts share: the questions they time (a data file) and the percentile they report."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from assistant.evaluation.metrics import percentile  # noqa: E402

QUESTIONS = [line.strip() for line in Path(__file__).with_name("benchmark_questions.txt").read_text(
    encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of `values`, interpolated as the evaluation report does; 0 for none."""
    return percentile(values, q * 100) or 0.0
