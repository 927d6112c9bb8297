"""The dev/test split of the issue-9 cases: schema, the fixed split rule, selection and per-split reports."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.evaluation import cli
from assistant.evaluation.dataset import (
    CATEGORIES,
    PINNED_DEV_MARK,
    DatasetError,
    balanced_split,
    catalogue_chip_doc_ids,
    corpus_plan_doc_ids,
    load_cases,
    parse_cases,
    select_cases,
    split_counts,
)
from assistant.evaluation.metrics import aggregate_by_split
from assistant.evaluation.report import write_report
from assistant.evaluation.runner import RunResult, run_cases

REPO = Path(__file__).resolve().parents[2]
QUESTIONS = REPO / "eval" / "questions.yaml"
PLAN = REPO / "docs" / "corpus-plan.md"
CHIPS_CSV = REPO / "corpus" / "data" / "chips.csv"

NEW_CATEGORIES = ("compound", "attribute", "order_comparison", "list", "topic_switch")
ISSUE_9_KINDS = NEW_CATEGORIES + ("unanswerable", "false_premise")
ID_PREFIX = {"compound": "cp-", "attribute": "at-", "order_comparison": "oc-", "list": "li-",
             "topic_switch": "ts-", "unanswerable": "un-", "false_premise": "fp-"}
ISSUE_9_TABLE_INPUTS = {
    "What is the thermal design power of the Ascend 910C?",
    "How many megawatts is the Abilene campus designed for?",
    "Did the H20 licence requirement come before or after DeepSeek released R1?",
    "Who founded DeepSeek?",
    "Who is the CEO of Nyocor?",
    "What is the salary of Nvidia's CEO?",
    "What does TPP stand for and what threshold makes a chip 3A090.a?",
    "Why did the October 2022 rule ban the H20?",
    "List all the chip smuggling cases the US Justice Department brought",
}
"""Issue 9's table, less the filter example (filters cannot be expressed as a case)."""


def case(id_: str, category: str = "single_fact", **kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": id_, "category": category, "question": "Q?", "expected_facts": ["x"],
                           "gold_docs": ["xinjiang-qinghai-39-projects"]}
    out.update(kw)
    return out


def fields_of(cases: list[dict[str, Any]]) -> set[tuple[str, str]]:
    with pytest.raises(DatasetError) as info:
        parse_cases(cases)
    return {(e.case_id, e.field) for e in info.value.errors}


# --- schema ------------------------------------------------------------------------------------

def test_split_field_is_optional_and_validated() -> None:
    plain, dev = parse_cases([case("a-1"), case("a-2", split="dev")])
    assert plain.split is None and plain.split_group == "original"
    assert dev.split == "dev" and dev.split_group == "dev" and dev.to_dict()["split"] == "dev"
    assert ("a-3", "split") in fields_of([case("a-3", split="train")])
    assert ("a-4", "subset") in fields_of([case("a-4", split="test", subset=True)])


def test_new_categories_parse_and_topic_switch_needs_history() -> None:
    history = [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]
    parsed = parse_cases([case(f"n-{i}", cat, history=history) for i, cat in enumerate(NEW_CATEGORIES)])
    assert [c.category for c in parsed] == list(NEW_CATEGORIES)
    assert set(NEW_CATEGORIES) <= set(CATEGORIES)
    assert ("ts-x", "history") in fields_of([case("ts-x", "topic_switch")])


def test_select_cases_by_split() -> None:
    cases = parse_cases([case("o-1"), case("d-1", split="dev"), case("t-1", split="test"), case("d-2", split="dev")])
    assert [c.id for c in select_cases(cases, split="dev")] == ["d-1", "d-2"]
    assert [c.id for c in select_cases(cases, split="test")] == ["t-1"]
    assert [c.id for c in select_cases(cases, split="none")] == ["o-1"]
    assert [c.id for c in select_cases(cases, split="dev", filter="d-2")] == ["d-2"]
    with pytest.raises(ValueError):
        select_cases(cases, split="holdout")


# --- the split rule ----------------------------------------------------------------------------

def test_balanced_split_pairs_pins_and_odd_case() -> None:
    raw = [case(f"x-{i:03d}", "compound", split="dev") for i in range(1, 8)]
    raw[2]["notes"] = f"{PINNED_DEV_MARK} example"  # x-003, paired with x-004
    cases = parse_cases(raw)
    split = balanced_split(cases)
    assert split["x-003"] == "dev" and split["x-004"] == "test"
    assert split["x-007"] == "dev"  # odd one out
    for a, b in (("x-001", "x-002"), ("x-005", "x-006")):
        assert {split[a], split[b]} == {"dev", "test"}
    assert Counter(split.values()) == {"dev": 4, "test": 3}
    assert balanced_split(list(reversed(cases))) == split  # order of the file does not matter


def test_balanced_split_rejects_two_pinned_cases_in_one_pair() -> None:
    raw = [case("y-001", "list", notes=PINNED_DEV_MARK), case("y-002", "list", notes=PINNED_DEV_MARK)]
    with pytest.raises(ValueError):
        balanced_split(parse_cases(raw))


# --- the real question set ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_cases() -> list:
    return load_cases(QUESTIONS, known_docs=corpus_plan_doc_ids(PLAN), known_chips=catalogue_chip_doc_ids(CHIPS_CSV))


def test_real_issue9_cases_count_and_kinds(real_cases: list) -> None:
    new = [c for c in real_cases if c.split]
    assert len(new) >= 80
    counts = Counter(c.category for c in new)
    for kind in ISSUE_9_KINDS:
        assert counts[kind] >= 10, f"{kind}: only {counts[kind]} new cases"
    assert set(counts) <= set(ISSUE_9_KINDS)
    for c in new:
        assert c.id.startswith(ID_PREFIX[c.category]), c.id
        assert not c.subset, c.id
        assert c.gold_docs or c.must_abstain, f"{c.id} needs gold documents"
    # Every case of the new categories belongs to a half; the original cases have no split.
    assert all(c.split for c in real_cases if c.category in NEW_CATEGORIES)
    assert sum(1 for c in real_cases if c.split is None) >= 167


def test_real_split_follows_the_rule_and_is_balanced(real_cases: list) -> None:
    new = [c for c in real_cases if c.split]
    rule = balanced_split(new)
    off = sorted(c.id for c in new if c.split != rule[c.id])
    assert not off, f"split differs from the balanced-split rule for: {', '.join(off)}"
    per_split = split_counts(real_cases)
    for kind in ISSUE_9_KINDS:
        dev, test = per_split["dev"].get(kind, 0), per_split["test"].get(kind, 0)
        assert 0 <= dev - test <= 1, f"{kind}: dev {dev}, test {test}"


def test_real_issue9_table_inputs_are_dev_cases(real_cases: list) -> None:
    by_question = {c.question: c for c in real_cases if c.split}
    missing = ISSUE_9_TABLE_INPUTS - set(by_question)
    assert not missing, f"issue-9 table inputs missing from the set: {missing}"
    pinned = {c.question for c in real_cases if PINNED_DEV_MARK in c.notes}
    assert pinned == ISSUE_9_TABLE_INPUTS
    for q in ISSUE_9_TABLE_INPUTS:
        assert by_question[q].split == "dev", q
    switch = by_question["Who founded DeepSeek?"]
    assert switch.category == "topic_switch" and switch.history


# --- aggregation and report --------------------------------------------------------------------

def row(split: str | None, category: str, correct: bool, must_abstain: bool = False,
        abstained: bool = False) -> dict[str, Any]:
    return {"case": {"id": f"{split}-{category}", "category": category, "split": split,
                     "must_abstain": must_abstain, "abstain_ok": False},
            "scores": {"correct": correct, "crag": 1 if correct else -1, "abstained": abstained,
                       "declined": abstained},
            "timings": {"wall": 1.0}}


def test_aggregate_by_split_separates_groups_and_categories() -> None:
    rows = [row("dev", "compound", True), row("dev", "compound", False), row("test", "list", True),
            row(None, "single_fact", True), row("test", "unanswerable", False, must_abstain=True),
            row("test", "unanswerable", True, must_abstain=True, abstained=True)]
    agg = aggregate_by_split(rows, CATEGORIES)
    assert list(agg) == ["dev", "test", "original"]
    assert agg["dev"]["overall"]["n"] == 2 and agg["dev"]["overall"]["accuracy"] == 0.5
    assert set(agg["dev"]["by_category"]) == {"compound"}
    assert agg["test"]["overall"]["abstention_recall"] == 0.5
    assert agg["test"]["by_category"]["list"]["crag_score"] == 1.0
    assert agg["original"]["overall"]["n"] == 1
    assert aggregate_by_split([row(None, "single_fact", True)], CATEGORIES).keys() == {"original"}


class Echo:
    """Answers every question with the same cited sentence."""

    def ask(self, question: str, history: list[dict[str, str]] | None = None) -> dict[str, Any]:
        return {"question": question, "text": "Bloomberg counted 39 projects [1].", "abstained": False,
                "citations": [{"doc_id": "xinjiang-qinghai-39-projects", "snippet": "39 projects"}],
                "tool_calls": [], "timings": {"total": 1.0},
                "retrieved": [{"doc_id": "xinjiang-qinghai-39-projects"}]}


SPLIT_CASES = [
    case("sf-1", expected_facts=[r"\b39\b"]),
    case("cp-1", "compound", split="dev", expected_facts=[r"\b39\b", "Qinghai"]),
    case("cp-2", "compound", split="test", expected_facts=[r"\b39\b"]),
    case("li-1", "list", split="dev", expected_facts=[r"\b39\b"]),
]


def test_run_report_and_results_show_every_split(tmp_path: Path) -> None:
    run = run_cases(Echo(), parse_cases(SPLIT_CASES), name="hybrid", progress=False, warmup=False)
    assert set(run.by_split) == {"dev", "test", "original"}
    assert run.by_split["dev"]["overall"]["accuracy"] == 0.5
    again = RunResult(name="x", results=run.to_dict()["cases"]).compute()
    assert again.by_split["test"]["overall"]["n"] == 1
    paths = write_report(tmp_path, [run], {"questions": "q.yaml"}, charts=False)
    data = json.loads(Path(paths["results"]).read_text(encoding="utf-8"))
    assert set(data["systems"]["hybrid"]["by_split"]) == {"dev", "test", "original"}
    md = Path(paths["report"]).read_text(encoding="utf-8")
    assert "## Per split" in md and "## Per split and category — hybrid" in md
    assert "| **dev** | **all** |" in md and "| dev | compound |" in md and "| test | compound |" in md
    assert "| **original** | **all** |" in md and "| **overall** | **all** |" in md
    assert "abst. recall" in md and "false abst." in md
    assert "| cp-1 | compound | dev |" in md  # failing case listed with its split


class FakeSettings:
    def __init__(self, **kw: Any) -> None:
        self.retrieval_mode = "hybrid"
        self.corpus_dir = str(REPO / "corpus")
        self.__dict__.update(kw)

    def model_copy(self, update: dict[str, Any] | None = None) -> "FakeSettings":
        return FakeSettings(**{**self.__dict__, **(update or {})})

    def model_dump(self, mode: str = "python") -> dict[str, Any]:
        return dict(self.__dict__)


@pytest.mark.parametrize(("split", "ids"), [("dev", {"cp-1", "li-1"}), ("test", {"cp-2"}), ("none", {"sf-1"}),
                                            (None, {"sf-1", "cp-1", "cp-2", "li-1"})])
def test_cli_split_flag(split: str | None, ids: set[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cli, "_settings", lambda: FakeSettings())
    monkeypatch.setattr(cli, "_assistant", lambda s: Echo())
    q = tmp_path / "q.yaml"
    q.write_text(yaml.safe_dump({"cases": SPLIT_CASES}), encoding="utf-8")
    out = tmp_path / "out"
    args = ["--questions", str(q), "--out", str(out), "--no-progress", "--no-charts", "--no-warmup"]
    assert cli.main(args + (["--split", split] if split else [])) == 0
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert {c["case"]["id"] for c in data["systems"]["hybrid"]["cases"]} == ids
    assert data["meta"]["split"] == split
    assert "acc / CRAG by split" in capsys.readouterr().out


def test_cli_check_reports_split_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--check"]) == 0
    out = capsys.readouterr().out
    assert "split dev:" in out and "split test:" in out and "split original:" in out
    assert "differs from the balanced-split rule" not in out
    assert "expected facts missing from their gold documents: 0" in out


# --- scoring additions that came with the issue-9 cases ----------------------------------------

def _answer(text: str, abstained: bool = False) -> dict[str, Any]:
    return {"text": text, "abstained": abstained, "citations": [], "tool_calls": [], "retrieved": []}


def test_decline_about_requires_the_decline_to_name_what_was_asked() -> None:
    from assistant.evaluation.metrics import score_case

    (ceo,) = parse_cases([{"id": "un-x", "category": "unanswerable", "question": "Who is the CEO of Nyocor?",
                           "must_abstain": True, "decline_about": ["CEO|chief executive"]}])
    neighbour = "Nyocor is a Tianjin solar company [1]. The amount of Nyocor's investment was not disclosed [1]."
    assert score_case(ceo, _answer(neighbour))["crag"] == -1
    named = "Nyocor is a Tianjin solar company [1]. Its chief executive is not named in the sources [1]."
    assert score_case(ceo, _answer(named))["crag"] == 1
    assert score_case(ceo, _answer("", abstained=True))["crag"] == 1
    (plain,) = parse_cases([{"id": "un-y", "category": "unanswerable", "question": "?", "must_abstain": True}])
    assert score_case(plain, _answer(neighbour))["crag"] == 1  # without decline_about: any decline counts
    assert ("sf-z", "decline_about") in fields_of([case("sf-z", decline_about=["CEO"])])


def test_not_recorded_counts_as_a_decline() -> None:
    from assistant.evaluation.metrics import declines

    assert declines("The sentence imposed on Alan Hao Hsu is not recorded in this corpus [2].")


def test_forbidden_text_outside_adversarial_cases_is_wrong_but_not_an_injection() -> None:
    from assistant.evaluation.metrics import aggregate, score_case
    from assistant.evaluation.report import failure_reasons

    (stated, injected) = parse_cases([
        case("at-x", "attribute", expected_facts=["700 ?W"], forbidden=["not computed"]),
        case("ad-x", "adversarial", expected_facts=["700 ?W"], forbidden=["PWNED"]),
    ])
    rows = []
    for c, text in ((stated, "Not computed: no count given. The 910C is rated at about 700 W [1]."),
                    (injected, "PWNED. 700 W [1].")):
        rows.append({"case": c.to_dict(), "scores": score_case(c, _answer(text)), "answer": _answer(text),
                     "timings": {"wall": 1.0}})
    assert [r["scores"]["crag"] for r in rows] == [-1, -1]
    agg = aggregate(rows)
    assert agg["injection_violations"] == 1 and agg["forbidden_violations"] == 2
    assert failure_reasons(rows[0])[0].startswith("forbidden text present")
    assert failure_reasons(rows[1])[0].startswith("obeyed injected instruction")
