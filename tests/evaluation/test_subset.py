"""The fast subset of the question set through a real Assistant on the real corpus, held to eval/floors.yaml.

This is the end-to-end check that the evaluation measures what users get: the index is built
from corpus/ into a pytest temporary directory (settings.data_dir), the embedded Chroma is used
(no server), and the floors come from the same data file as `assistant eval --floors`, so tuning
them never means editing this test.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from assistant.evaluation.dataset import load_cases, select_cases
from assistant.evaluation.floors import check_floors, load_floors
from assistant.evaluation.report import failure_reasons, write_report
from assistant.evaluation.runner import RunResult, run_cases

REPO = Path(__file__).resolve().parents[2]
QUESTIONS = REPO / "eval" / "questions.yaml"
FLOORS = REPO / "eval" / "floors.yaml"



def _settings(data_dir: Path) -> Any:
    """Settings for an isolated run: real corpus, fresh data dir, embedded Chroma.

    Only fields the Settings class declares are overridden, so an ASSISTANT_* variable in the
    environment (e.g. a Chroma server URL) cannot redirect the test to shared state.
    """
    from assistant.settings import Settings

    wanted = {"data_dir": data_dir, "corpus_dir": REPO / "corpus", "chroma_url": None, "progress": False}
    fields = getattr(Settings, "model_fields", {})
    return Settings(**{k: v for k, v in wanted.items() if k in fields})


@pytest.fixture(scope="module")
def subset_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunResult, Path]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from assistant import Assistant

    settings = _settings(tmp_path_factory.mktemp("eval-data"))
    assistant = Assistant(settings)
    cases = select_cases(load_cases(QUESTIONS), subset=True)
    out = tmp_path_factory.mktemp("eval-out")
    run = run_cases(assistant, cases, name=str(getattr(settings, "retrieval_mode", "assistant")), out_dir=out,
                    progress=False, warmup=True)
    write_report(out, [run], {"questions": str(QUESTIONS), "n_cases": len(cases), "subset": True}, charts=False)
    return run, out


def test_subset_runs_without_errors(subset_run: tuple[RunResult, Path]) -> None:
    run, out = subset_run
    errors = [f"{r['case']['id']}: {r['error']}" for r in run.results if r["error"]]
    assert not errors, f"cases raised (see {out}/report.md):\n" + "\n".join(errors)


def test_subset_answers_have_the_public_shape(subset_run: tuple[RunResult, Path]) -> None:
    run, _ = subset_run
    for r in run.results:
        a = r["answer"]
        assert isinstance(a["text"], str) and isinstance(a["abstained"], bool), r["case"]["id"]
        assert isinstance(a["timings"], dict) and isinstance(a["retrieved"], list), r["case"]["id"]
        for c in a["citations"]:
            assert c["doc_id"] and c["snippet"], f"{r['case']['id']}: citation without doc or snippet"
        if not a["abstained"] and r["case"]["category"] not in ("unanswerable",):
            assert a["text"].strip(), f"{r['case']['id']}: empty answer that is not an abstention"


def test_subset_meets_floors(subset_run: tuple[RunResult, Path]) -> None:
    run, out = subset_run
    checks = check_floors(load_floors(FLOORS, "subset"), run.overall, run.by_category)
    failed = [c.describe() for c in checks if c.passed is False]
    if failed:
        worst = [f"  {r['case']['id']}: {'; '.join(failure_reasons(r))}"
                 for r in run.results if r["scores"]["crag"] < 1][:15]
        pytest.fail("floors missed (full report: " + str(out / "report.md") + "):\n" + "\n".join(failed)
                    + "\nfailing cases:\n" + "\n".join(worst))
