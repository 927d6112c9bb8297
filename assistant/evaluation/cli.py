"""`assistant eval ...`: run the question set, write the report, enforce floors.

`main(argv)` is called by the assistant's CLI with the arguments after `eval`; it returns the
process exit code: 0 when the run completed (and met its floors, if asked), 1 when a floor was
missed, 2 when the question set or the floors file is invalid. It prints a short summary table;
everything else goes through logging.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

from .dataset import (
    CATEGORIES,
    SPLIT_GROUPS,
    DatasetError,
    balanced_split,
    catalogue_chip_doc_ids,
    category_counts,
    corpus_doc_ids,
    corpus_plan_doc_ids,
    corpus_texts,
    load_cases,
    select_cases,
    split_counts,
    unsupported_facts,
)
from .floors import FloorCheck, FloorsError, check_floors, floors_passed, load_floors
from .report import write_report
from .runner import RunResult, run_cases

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_QUESTIONS = Path("eval/questions.yaml")
DEFAULT_FLOORS = Path("eval/floors.yaml")
RETRIEVAL_MODES: tuple[str, ...] = ("hybrid", "dense", "keyword")
WRITERS: tuple[str, ...] = ("extractive", "generative")  # --compare extractive,generative: the write stage


def _default_path(rel: Path) -> Path:
    """A repo-relative default that also works when the CLI runs from another directory."""
    return rel if rel.exists() else REPO_ROOT / rel


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="assistant eval", description="Evaluate the assistant on the question set.")
    p.add_argument("--questions", type=Path, default=None, help="question set YAML (default eval/questions.yaml)")
    p.add_argument("--out", type=Path, default=None, help="output directory (default eval/results/<timestamp>)")
    p.add_argument("--filter", default=None,
                   help="comma-separated categories, case ids or id globs (e.g. 'numeric,fp-*')")
    p.add_argument("--limit", type=int, default=None, help="run at most N cases (after filtering)")
    p.add_argument("--subset", action="store_true", help="only the fast subset (cases marked subset: true)")
    p.add_argument("--split", choices=("dev", "test", "none"), default=None,
                   help="only one half of the issue-9 cases (dev: tuned on; test: held out), or 'none' for the "
                        "original cases without a split; reports always break results down per split")
    p.add_argument("--compare", default=None, metavar="MODES",
                   help="comma-separated retrieval modes or writers to run side by side, e.g. dense,keyword,hybrid "
                        "or extractive,generative (generative: the model of ASSISTANT_LLM_*)")
    p.add_argument("--baseline", action="store_true", help="also run the plain LangChain baseline")
    p.add_argument("--floors", nargs="?", const=str(DEFAULT_FLOORS), default=None, metavar="PATH",
                   help="check floors (default file eval/floors.yaml); exit 1 if one is missed")
    p.add_argument("--check", action="store_true", help="only validate the question set and print its counts")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-charts", action="store_true", help="skip the PNG charts")
    p.add_argument("--no-warmup", action="store_true", help="do not ask an unscored warm-up question first")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv for debug)")
    return p


def known_document_ids(settings: Any | None) -> tuple[set[str] | None, set[str] | None, set[str]]:
    """(valid gold doc ids, valid chip doc ids, ids actually present in the corpus).

    Valid ids are the corpus plan's list plus whatever the corpus holds, so the question set
    validates while the corpus is still being written; a gold document missing from the corpus
    only draws a warning (it will show up as a retrieval miss).
    """
    corpus_dir = Path(getattr(settings, "corpus_dir", "") or _default_path(Path("corpus")))
    present = corpus_doc_ids(corpus_dir) if corpus_dir.is_dir() else set()
    plan = _default_path(Path("docs/corpus-plan.md"))
    planned = corpus_plan_doc_ids(plan) if plan.is_file() else set()
    docs = (planned | present) or None
    chips = catalogue_chip_doc_ids(corpus_dir / "data" / "chips.csv")
    return docs, chips, present


def _settings() -> Any:
    from assistant.settings import Settings

    return Settings()


def _assistant(settings: Any) -> Any:
    from assistant import Assistant

    return Assistant(settings)


def _config_of(settings: Any) -> dict[str, Any]:
    try:
        return settings.model_dump(mode="json")
    except Exception:  # noqa: BLE001 - the config is informative only
        return {}


def _check_stats(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """What the check stage did over a run: sentences checked and removed, answers per writer (in a
    generative run, "extractive" answers are fallbacks), and the write/check stage latency."""
    answers = [r.get("answer") or {} for r in results]
    verifications = [a.get("verification") or {} for a in answers]
    latency = {}
    for stage in ("write", "check"):
        values = sorted(float(a["timings"][stage]) for a in answers if stage in (a.get("timings") or {}))
        if values:
            latency[stage] = {"p50": values[len(values) // 2], "p95": values[min(len(values) - 1, int(0.95 * len(values)))]}
    return {"sentences_checked": sum(int(v.get("checked") or 0) for v in verifications),
            "sentences_removed": sum(int(v.get("dropped") or 0) for v in verifications),
            "answers_with_removals": sum(1 for v in verifications if v.get("dropped")),
            "writers": dict(Counter(str(a.get("writer") or "?") for a in answers)),
            "latency_ms": latency}


def _print_summary(runs: Sequence[RunResult], checks: dict[str, list[FloorCheck]], paths: dict[str, Any]) -> None:
    """The one place that prints: a compact table for the terminal."""
    def f(v: Any) -> str:
        return "   –  " if v is None else f"{v:6.3f}"

    print()
    print(f"{'system':<12} {'n':>4} {'acc':>6} {'crag':>6} {'facts':>6} {'nums':>6} {'hit@5':>6} {'mrr10':>6} "
          f"{'citP':>6} {'citR':>6} {'abstR':>6} {'falseA':>6} {'p95 ms':>8}")
    for r in runs:
        o = r.overall
        p95 = ((o.get("latency_ms") or {}).get("wall") or {}).get("p95")
        print(f"{r.name:<12} {o['n']:>4} {f(o['accuracy'])} {f(o['crag_score'])} {f(o['fact_recall'])} "
              f"{f(o['numeric_accuracy'])} {f(o['hit@5'])} {f(o['mrr@10'])} {f(o['citation_precision'])} "
              f"{f(o['citation_recall'])} {f(o['abstention_recall'])} {f(o['false_abstention_rate'])} "
              f"{(p95 or 0):>8.0f}")
    if any((r.overall.get("check") or {}).get("sentences_checked") for r in runs):
        print()
        print(f"{'check stage':<12} {'checked':>8} {'removed':>8} {'answers':>8} {'fallback':>8} "
              f"{'write p50':>10} {'write p95':>10} {'check p95':>10}")
        for r in runs:
            c = r.overall.get("check") or {}
            lat = c.get("latency_ms") or {}
            fallbacks = (c.get("writers") or {}).get("extractive", 0) if r.name == "generative" else 0
            print(f"{r.name:<12} {c.get('sentences_checked', 0):>8} {c.get('sentences_removed', 0):>8} "
                  f"{c.get('answers_with_removals', 0):>8} {fallbacks:>8} "
                  f"{(lat.get('write') or {}).get('p50', 0):>10.0f} {(lat.get('write') or {}).get('p95', 0):>10.0f} "
                  f"{(lat.get('check') or {}).get('p95', 0):>10.0f}")
    print()
    print(f"{'CRAG by category':<16} " + " ".join(f"{r.name:>10}" for r in runs))
    for cat in CATEGORIES:
        if any(cat in r.by_category for r in runs):
            vals = [(r.by_category.get(cat) or {}).get("crag_score") for r in runs]
            print(f"{cat:<16} " + " ".join(f"{'–':>10}" if v is None else f"{v:>10.3f}" for v in vals))
    if any(r.by_split for r in runs):
        print()
        print(f"{'acc / CRAG by split':<20} " + " ".join(f"{r.name:>24}" for r in runs))
        for group in SPLIT_GROUPS:
            if any(group in r.by_split for r in runs):
                cells = []
                for r in runs:
                    o = (r.by_split.get(group) or {}).get("overall") or {}
                    cells.append("–" if o.get("accuracy") is None else
                                 f"{o['accuracy']:.3f} / {o['crag_score']:+.3f} (n={o['n']})")
                print(f"{group:<20} " + " ".join(f"{c:>24}" for c in cells))
    for name, cs in checks.items():
        failed = [c for c in cs if c.passed is False]
        print(f"\nfloors ({name}): {'PASS' if not failed else 'FAIL'}")
        for c in failed:
            print("  " + c.describe())
    print(f"\nreport: {paths.get('report')}\nresults: {paths.get('results')}")


def main(argv: list[str] | None = None) -> int:
    """Entry point for `assistant eval`; returns the exit code."""
    argv = list(argv if argv is not None else sys.argv[1:])
    if argv[:1] == ["--"]:  # `assistant eval -- --subset`: the separator some parent parsers need
        argv = argv[1:]
    args = build_parser().parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("assistant.evaluation").setLevel(level)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    questions = args.questions or _default_path(DEFAULT_QUESTIONS)
    settings = None if args.check else _settings()
    docs, chips, present = known_document_ids(settings)
    try:
        cases = load_cases(questions, known_docs=docs, known_chips=chips)
    except DatasetError as exc:
        logger.error("%s", exc)
        print(f"invalid question set: {exc}", file=sys.stderr)
        return 2
    if args.check:
        counts = category_counts(cases)
        print(f"{questions}: {len(cases)} cases, {sum(c.subset for c in cases)} in the subset")
        for cat, n in counts.items():
            print(f"  {cat:<16} {n:>4}  (subset {sum(1 for c in cases if c.category == cat and c.subset)})")
        for group, per_cat in split_counts(cases).items():
            print(f"split {group}: {sum(per_cat.values())} cases ("
                  + ", ".join(f"{cat} {n}" for cat, n in per_cat.items()) + ")")
        with_split = [c for c in cases if c.split]
        rule = balanced_split(with_split)
        off_rule = sorted(c.id for c in with_split if rule.get(c.id) != c.split)
        if off_rule:
            print(f"cases whose split differs from the balanced-split rule: {len(off_rule)}: {', '.join(off_rule)}")
        corpus_dir = _default_path(Path("corpus"))
        if corpus_dir.is_dir():
            problems = unsupported_facts(cases, corpus_texts(corpus_dir))
            print(f"expected facts missing from their gold documents: {len(problems)}")
            for problem in problems:
                print(f"  - {problem}")
        return 0
    if present:
        missing = sorted({d for c in cases for d in c.gold_docs if not d.startswith("chip-")} - present)
        if missing:
            logger.warning("%d gold document(s) not in the corpus yet: %s", len(missing), ", ".join(missing))

    selected = select_cases(cases, filter=args.filter, subset=args.subset, limit=args.limit, split=args.split)
    if not selected:
        print("no case matches the selection", file=sys.stderr)
        return 2

    floors = None
    section = "subset" if args.subset else "full"
    if args.floors:
        try:
            floors = load_floors(_default_path(Path(args.floors)), section)
        except (FloorsError, OSError) as exc:
            print(f"invalid floors: {exc}", file=sys.stderr)
            return 2

    out = args.out or _default_path(Path("eval")) / "results" / datetime.now().strftime("%Y%m%d-%H%M%S")
    modes = [m.strip() for m in args.compare.split(",") if m.strip()] if args.compare else \
        [str(getattr(settings, "retrieval_mode", "hybrid"))]
    bad = [m for m in modes if m not in RETRIEVAL_MODES + WRITERS]
    if bad:
        print(f"unknown retrieval mode(s) or writer(s): {', '.join(bad)} (choose from "
              f"{', '.join(RETRIEVAL_MODES + WRITERS)})", file=sys.stderr)
        return 2
    if "generative" in modes and getattr(settings, "llm_provider", "none") == "none":
        print("--compare generative needs a chat model: set ASSISTANT_LLM_PROVIDER and ASSISTANT_LLM_BASE_URL "
              "(README: Generative answers)", file=sys.stderr)
        return 2

    runs: list[RunResult] = []
    for mode in modes:
        update = {"llm_provider": "none"} if mode == "extractive" else {} if mode == "generative" else \
            {"retrieval_mode": mode}
        variant = settings.model_copy(update=update)
        logger.info("running %d cases with %s", len(selected), mode)
        runs.append(run_cases(_assistant(variant), selected, name=mode, out_dir=out,
                              progress=not args.no_progress, warmup=not args.no_warmup, config=_config_of(variant)))
        runs[-1].overall["check"] = _check_stats(runs[-1].results)
    if args.baseline:
        from .baseline import BaselinePipeline

        baseline = BaselinePipeline(settings)
        runs.append(run_cases(baseline, selected, name="baseline", out_dir=out, progress=not args.no_progress,
                              warmup=not args.no_warmup,
                              config={"pipeline": "langchain baseline", "chunks": baseline.n_chunks,
                                      "embedding_model": str(getattr(settings, "embedding_model", ""))}))

    checks: dict[str, list[FloorCheck]] = {}
    if floors is not None:
        try:
            for run in runs[: len(modes)]:  # floors apply to the assistant, not to the baseline
                checks[run.name] = check_floors(floors, run.overall, run.by_category)
        except FloorsError as exc:
            print(f"invalid floors: {exc}", file=sys.stderr)
            return 2
    meta = {"questions": str(questions), "n_cases": len(selected), "subset": args.subset, "split": args.split,
            "filter": args.filter,
            "limit": args.limit, "floors_section": section if floors is not None else None}
    paths = write_report(out, runs, meta, checks, charts=not args.no_charts)
    _print_summary(runs, checks, paths)
    if checks and not all(floors_passed(cs) for cs in checks.values()):
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
