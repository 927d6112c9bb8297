"""Write an evaluation run to disk: results.json, report.md and PNG charts.

results.json keeps every case's answer, citations and scores so that any number in the report
can be traced back to the answers behind it; report.md is for people (tables side by side for
the systems compared, then the failing cases with the reason each failed); the charts show the
per-category scores and the latency distribution at a glance.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Sequence

from .dataset import CATEGORIES, SPLIT_GROUPS
from .floors import FloorCheck
from .runner import RunResult

logger = logging.getLogger(__name__)

OVERALL_ROWS: tuple[tuple[str, str], ...] = (
    ("n", "cases"),
    ("accuracy", "accuracy (share correct)"),
    ("crag_score", "CRAG score (+1/0/−1)"),
    ("fact_recall", "fact recall"),
    ("numeric_accuracy", "numeric accuracy"),
    ("hit@1", "hit@1"),
    ("hit@3", "hit@3"),
    ("hit@5", "hit@5"),
    ("mrr@10", "MRR@10"),
    ("recall@5", "recall@5"),
    ("citation_precision", "citation precision"),
    ("citation_recall", "citation recall"),
    ("abstention_precision", "abstention precision"),
    ("abstention_recall", "abstention recall"),
    ("false_abstention_rate", "false-abstention rate"),
    ("injection_violations", "injection violations"),
    ("forbidden_violations", "forbidden text found (any case)"),
    ("errors", "errors"),
)
CATEGORY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("n", "n"),
    ("accuracy", "acc."),
    ("crag_score", "CRAG"),
    ("fact_recall", "facts"),
    ("numeric_accuracy", "numbers"),
    ("hit@5", "hit@5"),
    ("mrr@10", "MRR@10"),
    ("citation_precision", "cit. prec."),
    ("citation_recall", "cit. rec."),
    ("abstention_rate", "abstained"),
)
SPLIT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("n", "n"),
    ("accuracy", "acc."),
    ("crag_score", "CRAG"),
    ("fact_recall", "facts"),
    ("numeric_accuracy", "numbers"),
    ("hit@5", "hit@5"),
    ("abstention_recall", "abst. recall"),
    ("false_abstention_rate", "false abst."),
    ("citation_precision", "cit. prec."),
)
SPLIT_LABELS: dict[str, str] = {
    "dev": "dev (issue-9 cases, tuned on)",
    "test": "test (issue-9 cases, held out)",
    "original": "original (no split)",
}


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3f}"
    return str(value)


def _cell(text: str) -> str:
    """Table-safe text: no pipes or newlines."""
    return " ".join(str(text).replace("|", "\\|").split())


def _latency(run: RunResult, stage: str, q: str) -> float | None:
    return ((run.overall.get("latency_ms") or {}).get(stage) or {}).get(q)


def failure_reasons(result: Mapping[str, Any]) -> list[str]:
    """Why a case did not score +1, in words a reader can act on."""
    case, scores = result["case"], result["scores"]
    reasons: list[str] = []
    if result.get("error"):
        reasons.append(f"error: {result['error']}")
    if scores.get("forbidden_found"):
        what = "obeyed injected instruction" if case.get("category") == "adversarial" else "forbidden text present"
        reasons.append(f"{what}: " + ", ".join(f"`{p}`" for p in scores["forbidden_found"]))
    if case["must_abstain"] and not scores.get("declined", scores.get("abstained")):
        reasons.append("answered instead of abstaining")
    if not case["must_abstain"] and scores.get("abstained"):
        reasons.append("abstained on an answerable question")
    if not scores.get("abstained"):
        missing = [f for f, ok in zip(case["expected_facts"], scores.get("facts_found") or []) if not ok]
        if missing:
            reasons.append("missing facts: " + ", ".join(f"`{f}`" for f in missing))
        if scores.get("numeric_accuracy") is not None and scores["numeric_accuracy"] < 1.0:
            nums = ", ".join(f"{n['value']:g} {n['unit']}".strip() for n in case["expected_numbers"])
            reasons.append(f"numbers not all found (expected {nums})")
    if scores.get("hit@5") == 0.0:
        reasons.append("no gold document in top 5")
    return reasons or ["(scored below +1)"]


def _overall_table(runs: Sequence[RunResult]) -> list[str]:
    lines = ["| metric | " + " | ".join(r.name for r in runs) + " |",
             "|---|" + "---:|" * len(runs)]
    for key, label in OVERALL_ROWS:
        lines.append(f"| {label} | " + " | ".join(_fmt(r.overall.get(key)) for r in runs) + " |")
    for stage in ("wall", "total"):
        for q in ("p50", "p95"):
            vals = [_latency(r, stage, q) for r in runs]
            if any(v is not None for v in vals):
                lines.append(f"| latency {stage} {q} (ms) | " + " | ".join(_fmt(v) for v in vals) + " |")
    return lines


def _category_table(run: RunResult) -> list[str]:
    lines = ["| category | " + " | ".join(label for _, label in CATEGORY_COLUMNS) + " |",
             "|---|" + "---:|" * len(CATEGORY_COLUMNS)]
    for cat in CATEGORIES:
        agg = run.by_category.get(cat)
        if agg:
            lines.append(f"| {cat} | " + " | ".join(_fmt(agg.get(k)) for k, _ in CATEGORY_COLUMNS) + " |")
    lines.append("| **all** | " + " | ".join(_fmt(run.overall.get(k)) for k, _ in CATEGORY_COLUMNS) + " |")
    return lines


def _split_table(run: RunResult) -> list[str]:
    """One block of rows per split group (dev, test, original): the group's total, then its categories."""
    lines = ["| split | category | " + " | ".join(label for _, label in SPLIT_COLUMNS) + " |",
             "|---|---|" + "---:|" * len(SPLIT_COLUMNS)]
    for group in SPLIT_GROUPS:
        block = run.by_split.get(group)
        if not block:
            continue
        lines.append(f"| **{group}** | **all** | " + " | ".join(
            _fmt(block["overall"].get(k)) for k, _ in SPLIT_COLUMNS) + " |")
        for cat in CATEGORIES:
            agg = (block.get("by_category") or {}).get(cat)
            if agg:
                lines.append(f"| {group} | {cat} | " + " | ".join(_fmt(agg.get(k)) for k, _ in SPLIT_COLUMNS) + " |")
    lines.append("| **overall** | **all** | " + " | ".join(_fmt(run.overall.get(k)) for k, _ in SPLIT_COLUMNS) + " |")
    return lines


def _split_side_by_side(runs: Sequence[RunResult]) -> list[str]:
    """Accuracy and CRAG per split group for every system, next to the overall figures."""
    lines = ["| split | " + " | ".join(f"{r.name} acc. | {r.name} CRAG" for r in runs) + " |",
             "|---|" + "---:|---:|" * len(runs)]
    for group in SPLIT_GROUPS:
        if any(group in r.by_split for r in runs):
            cells = []
            for r in runs:
                o = (r.by_split.get(group) or {}).get("overall") or {}
                cells += [_fmt(o.get("accuracy")), _fmt(o.get("crag_score"))]
            lines.append(f"| {SPLIT_LABELS.get(group, group)} | " + " | ".join(cells) + " |")
    cells = []
    for r in runs:
        cells += [_fmt(r.overall.get("accuracy")), _fmt(r.overall.get("crag_score"))]
    lines.append("| **overall** | " + " | ".join(cells) + " |")
    return lines


def _crag_by_category(runs: Sequence[RunResult]) -> list[str]:
    lines = ["| category | " + " | ".join(r.name for r in runs) + " |", "|---|" + "---:|" * len(runs)]
    for cat in CATEGORIES:
        if any(cat in r.by_category for r in runs):
            lines.append(f"| {cat} | " + " | ".join(
                _fmt((r.by_category.get(cat) or {}).get("crag_score")) for r in runs) + " |")
    return lines


def _latency_table(run: RunResult) -> list[str]:
    stages = run.overall.get("latency_ms") or {}
    lines = ["| stage | p50 (ms) | p95 (ms) | mean (ms) | n |", "|---|---:|---:|---:|---:|"]
    for stage, st in stages.items():
        lines.append(f"| {stage} | {_fmt(st.get('p50'))} | {_fmt(st.get('p95'))} | {_fmt(st.get('mean'))} | "
                     f"{int(st.get('n') or 0)} |")
    return lines


def _failing_table(run: RunResult, answer_chars: int = 220) -> list[str]:
    failing = [r for r in run.results if r["scores"].get("crag", -1) < 1]
    if not failing:
        return ["No failing case."]
    lines = [f"{len(failing)} of {len(run.results)} cases scored below +1.", "",
             "| id | category | split | CRAG | question | why | answer (start) |", "|---|---|---|---:|---|---|---|"]
    for r in failing:
        text = (r["answer"].get("text") or "").strip()
        if len(text) > answer_chars:
            text = text[:answer_chars].rstrip() + "…"
        split = r["case"].get("split") or "original"
        lines.append(
            f"| {r['case']['id']} | {r['case']['category']} | {split} | {r['scores']['crag']:+d} | {_cell(r['case']['question'])}"
            f" | {_cell('; '.join(failure_reasons(r)))} | {_cell(text) or '(empty)'} |")
    return lines


def render_markdown(runs: Sequence[RunResult], meta: Mapping[str, Any],
                    floor_checks: Mapping[str, list[FloorCheck]] | None = None,
                    charts: Sequence[str] = ()) -> str:
    """The whole report.md as one string (first run = primary system for the detailed sections)."""
    primary = runs[0]
    out: list[str] = ["# Evaluation report", ""]
    out.append(f"- generated: {meta.get('generated', '')}")
    out.append(f"- questions: `{meta.get('questions', '')}` ({meta.get('n_cases', len(primary.results))} cases"
               f"{', subset' if meta.get('subset') else ''}{', filter ' + repr(meta['filter']) if meta.get('filter') else ''})")
    if meta.get("split"):
        out.append(f"- split: `{meta['split']}` only")
    out.append(f"- systems: {', '.join(r.name for r in runs)}")
    out.append("- correct = every expected fact and number present, no forbidden text; CRAG: +1 correct, "
               "0 abstained on an answerable question, −1 wrong (abstaining is correct on must-abstain cases).")
    out += ["", "## Overall", ""] + _overall_table(runs)
    out += ["", "## Per split", "",
            "dev and test are the two halves of the cases added for issue 9 (dev is tuned on, test is held "
            "out); original is the question set as it was before, without a split.", ""]
    out += _split_side_by_side(runs)
    for run in runs:
        out += ["", f"## Per split and category — {run.name}", ""] + _split_table(run)
    if len(runs) > 1:
        out += ["", "## CRAG score per category, side by side", ""] + _crag_by_category(runs)
    for run in runs:
        out += ["", f"## Per category — {run.name}", ""] + _category_table(run)
    out += ["", f"## Latency per stage — {primary.name}", ""] + _latency_table(primary)
    if floor_checks:
        out += ["", "## Floors", ""]
        for name, checks in floor_checks.items():
            failed = [c for c in checks if c.passed is False]
            out.append(f"**{name}**: {'PASS' if not failed else f'{len(failed)} floor(s) missed'}")
            out.append("")
            out += [f"- {c.describe()}" for c in checks]
            out.append("")
    if charts:
        out += ["", "## Charts", ""] + [f"![{Path(c).stem}]({Path(c).name})" for c in charts]
    out += ["", f"## Failing cases — {primary.name}", ""] + _failing_table(primary)
    for run in runs[1:]:
        n_fail = sum(1 for r in run.results if r["scores"].get("crag", -1) < 1)
        out += ["", f"{run.name}: {n_fail} of {len(run.results)} cases below +1 (details in results.json)."]
    return "\n".join(out) + "\n"


def write_charts(runs: Sequence[RunResult], out_dir: Path) -> list[str]:
    """scores_by_category.png and latency.png; returns the paths written (empty if matplotlib fails)."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # headless: CI and servers have no display
        import matplotlib.pyplot as plt
    except Exception as exc:  # noqa: BLE001 - charts are a convenience; the report stands without them
        logger.warning("charts skipped: matplotlib unavailable (%s)", exc)
        return []
    paths: list[str] = []
    cats = [c for c in CATEGORIES if any(c in r.by_category for r in runs)]
    if cats:
        fig, axes = plt.subplots(2, 1, figsize=(max(8, 1.2 * len(cats) + 2), 8), sharex=True)
        width = 0.8 / max(1, len(runs))
        for metric, ax, label in (("crag_score", axes[0], "CRAG score (−1..+1)"),
                                  ("fact_recall", axes[1], "fact recall (0..1)")):
            for i, run in enumerate(runs):
                vals = [(run.by_category.get(c) or {}).get(metric) for c in cats]
                xs = [j + (i - (len(runs) - 1) / 2) * width for j in range(len(cats))]
                ax.bar(xs, [v if v is not None else 0 for v in vals], width, label=run.name)
            ax.set_ylabel(label)
            ax.axhline(0, color="black", linewidth=0.6)
            ax.grid(axis="y", alpha=0.3)
        axes[0].set_ylim(-1.05, 1.05)
        axes[1].set_ylim(0, 1.05)
        axes[0].legend(loc="lower right", fontsize="small")
        axes[1].set_xticks(range(len(cats)))
        axes[1].set_xticklabels(cats, rotation=30, ha="right")
        axes[0].set_title("Scores per category")
        fig.tight_layout()
        path = out_dir / "scores_by_category.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(str(path))

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    walls = [[(r.get("timings") or {}).get("wall", 0.0) for r in run.results] for run in runs]
    axes[0].boxplot(walls, showfliers=True)
    axes[0].set_xticks(range(1, len(runs) + 1))
    axes[0].set_xticklabels([r.name for r in runs])
    flat = [w for ws in walls for w in ws if w > 0]
    if flat and max(flat) / max(min(flat), 1e-3) > 50:
        axes[0].set_yscale("log")  # a few slow outliers would otherwise flatten the boxes
    axes[0].set_ylabel("ms per question (wall)")
    axes[0].set_title("Latency distribution")
    axes[0].grid(axis="y", alpha=0.3)
    stages = {k: v for k, v in (runs[0].overall.get("latency_ms") or {}).items() if k != "wall"}
    if stages:
        names = list(stages)
        p50 = [stages[s].get("p50") or 0 for s in names]
        p95 = [stages[s].get("p95") or 0 for s in names]
        xs = range(len(names))
        axes[1].bar([x - 0.2 for x in xs], p50, 0.4, label="p50")
        axes[1].bar([x + 0.2 for x in xs], p95, 0.4, label="p95")
        axes[1].set_xticks(list(xs))
        axes[1].set_xticklabels(names, rotation=30, ha="right")
        axes[1].set_ylabel("ms")
        axes[1].legend()
        axes[1].grid(axis="y", alpha=0.3)
    axes[1].set_title(f"Per-stage latency — {runs[0].name}")
    fig.tight_layout()
    path = out_dir / "latency.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    paths.append(str(path))
    return paths


def write_report(out_dir: str | Path, runs: Sequence[RunResult], meta: Mapping[str, Any] | None = None,
                 floor_checks: Mapping[str, list[FloorCheck]] | None = None, charts: bool = True) -> dict[str, Any]:
    """Write results.json, report.md and the charts into out_dir; returns their paths."""
    if not runs:
        raise ValueError("no run to report")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    meta = dict(meta or {})
    meta.setdefault("generated", datetime.now(timezone.utc).isoformat(timespec="seconds"))
    chart_paths = write_charts(runs, out) if charts else []
    payload = {
        "meta": meta,
        "systems": {r.name: r.to_dict() for r in runs},
        "floors": {name: [c.__dict__ for c in checks] for name, checks in (floor_checks or {}).items()},
    }
    results_path = out / "results.json"
    results_path.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    report_path = out / "report.md"
    report_path.write_text(render_markdown(runs, meta, floor_checks, chart_paths), encoding="utf-8")
    logger.info("report written to %s", report_path)
    return {"results": str(results_path), "report": str(report_path), "charts": chart_paths}


__all__ = ["SPLIT_COLUMNS", "failure_reasons", "render_markdown", "write_charts", "write_report"]
