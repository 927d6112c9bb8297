"""Metrics on hand-made Answers: pure and fast, no index, no model."""

from __future__ import annotations

import math

import pytest

from assistant.evaluation.dataset import Case, ExpectedNumber
from assistant.evaluation.metrics import (
    abstention_stats,
    aggregate,
    citation_precision,
    citation_recall,
    crag_score,
    extract_numbers,
    fact_hits,
    fact_recall,
    forbidden_hits,
    hit_at_k,
    latency_stats,
    mrr_at_k,
    normalize_text,
    number_found,
    numeric_accuracy,
    percentile,
    ranked_doc_ids,
    recall_at_k,
    retrieval_scores,
    score_case,
)
from assistant.types import Answer, Citation, ToolCall


def cite(n: int, doc: str, snippet: str = "") -> Citation:
    return Citation(number=n, doc_id=doc, title=doc, url="https://example.org", publisher="X",
                    published="2025-01-01", snippet=snippet, score=0.5)


def answer(text: str = "", *, retrieved: list[str] | None = None, citations: list[Citation] | None = None,
           tool_calls: list[ToolCall] | None = None, abstained: bool = False,
           timings: dict[str, float] | None = None) -> Answer:
    return Answer(question="q", text=text, citations=citations or [], tool_calls=tool_calls or [],
                  abstained=abstained, timings=timings or {},
                  retrieved=[{"doc_id": d, "score": 1.0 - i / 100} for i, d in enumerate(retrieved or [])])


# --- retrieval ---------------------------------------------------------------------------------

def test_ranked_doc_ids_dedupes_chunks_keeping_best_rank() -> None:
    a = answer(retrieved=["a", "b", "a", "c", "b"])
    assert ranked_doc_ids(a) == ["a", "b", "c"]
    assert ranked_doc_ids(a.to_dict()) == ["a", "b", "c"]  # works on the JSON form too


def test_hit_mrr_recall() -> None:
    ranked = ["x", "y", "gold1", "z", "gold2", "w"]
    gold = ["gold1", "gold2", "gold3"]
    assert hit_at_k(ranked, gold, 1) == 0.0
    assert hit_at_k(ranked, gold, 3) == 1.0
    assert mrr_at_k(ranked, gold, 10) == pytest.approx(1 / 3)
    assert recall_at_k(ranked, gold, 5) == pytest.approx(2 / 3)
    assert recall_at_k(ranked, gold, 3) == pytest.approx(1 / 3)
    assert mrr_at_k(["a"] * 3 + ["gold1"], gold, 3) == 0.0


def test_retrieval_metrics_are_none_without_gold() -> None:
    scores = retrieval_scores(answer(retrieved=["a"]), [])
    assert all(v is None for v in scores.values())


# --- facts -------------------------------------------------------------------------------------

def test_fact_recall_regexes_case_insensitive_and_french_spaces() -> None:
    text = "Bloomberg counted 39 projects planning 115\u202f000 Nvidia chips in xinjiang."
    facts = [r"\b39\b", r"115[ ,.]?000|115k", "Xinjiang", "Qinghai"]
    assert fact_hits(text, facts) == [True, True, True, False]
    assert fact_recall(text, facts) == pytest.approx(0.75)
    assert fact_recall(text, []) is None


def test_normalize_text_drops_bold_but_keeps_python_powers() -> None:
    assert normalize_text("**15,832** and 10**24") == "15,832 and 10**24"


def test_forbidden_hits() -> None:
    assert forbidden_hits("PWNED", ["PWNED"]) == ["PWNED"]
    assert forbidden_hits("Yes, 115,000 chips.", [r"^\s*yes\b"]) == [r"^\s*yes\b"]
    assert forbidden_hits("Bloomberg said yes to nothing.", [r"^\s*yes\b"]) == []


# --- numbers -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a TPP of 15,832", 15832),
        ("115 000 puces", 115000),
        ("PUE de 1,56", 1.56),
        ("about 3.3 × 10^24 FLOP", 3.3e24),
        ("3,3 × 10²⁴ FLOP", 3.3e24),
        ("3.29e24 FLOPs", 3.29e24),
        ("more than 10^26 operations", 1e26),
        ("1.234,5", 1234.5),
    ],
)
def test_extract_numbers_values(text: str, value: float) -> None:
    assert any(math.isclose(p.value, value, rel_tol=1e-9) for p in extract_numbers(text))


def test_extract_numbers_scale_words_and_citation_markers() -> None:
    nums = extract_numbers("Big Fund III holds US$47.5 billion [2] and cost $5.6M.")
    scaled = [p.scaled for p in nums]
    assert 47.5e9 in scaled and 5.6e6 in scaled
    assert 2.0 not in [p.value for p in nums]  # [2] is a citation marker, not a number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("facility load of about 193.5 MW", ExpectedNumber(191, 16, "MW")),
        ("roughly 0.19 GW at the meter", ExpectedNumber(191, 16, "MW")),
        ("about 3,000 W per GPU", ExpectedNumber(3.0, 0.15, "kW")),
        ("US$5,576,000", ExpectedNumber(5.576, 0.05, "million USD")),
        ("US$5.58 million", ExpectedNumber(5.576, 0.05, "million USD")),
        ("1,597 GWh a year", ExpectedNumber(1.6, 0.12, "TWh")),
        ("3.29 × 10^24 FLOP", ExpectedNumber(3.29e24, 0.05, "FLOP", relative=True)),
        ("28.75% by count", ExpectedNumber(28.75, 0.3, "%")),
    ],
)
def test_number_found_in_text_with_unit_conversion(text: str, expected: ExpectedNumber) -> None:
    assert number_found(expected, text)


def test_power_figures_need_their_unit_but_may_be_spelled_out() -> None:
    assert number_found(ExpectedNumber(21.7, 1.8, "MW"), "about 22 megawatts at the meter")
    assert number_found(ExpectedNumber(1.6, 0.12, "TWh"), "1.6 terawatt-hours a year")
    assert not number_found(ExpectedNumber(21.7, 1.8, "MW"), "over 20 years, 22 sites")


def test_number_not_found_across_incompatible_units_or_outside_tolerance() -> None:
    assert not number_found(ExpectedNumber(3.0, 0.15, "kW"), "3 MW")
    assert not number_found(ExpectedNumber(191, 16, "MW"), "about 150 MW")
    assert not number_found(ExpectedNumber(15832, 20, "TPP"), "TPP of 15,900")


def test_number_found_in_tool_results_including_fractions_for_percent() -> None:
    calls = [ToolCall(name="power", arguments={}, result={"result": {"facility_mw": 193.49, "share": 0.2875},
                                                          "formula": "IT load = 161.3 MW"})]
    assert number_found(ExpectedNumber(191, 16, "MW"), "", calls)
    assert number_found(ExpectedNumber(28.75, 0.3, "%"), "", calls)
    assert number_found(ExpectedNumber(161.3, 0.1, "MW"), "", calls)  # numbers inside formula strings
    failed = [ToolCall(name="power", arguments={}, result={"result": {"x": 191.0}}, error="bad input")]
    assert not number_found(ExpectedNumber(191, 1, "MW"), "", failed)


def test_numeric_accuracy_share_of_expected() -> None:
    a = answer("TPP 15,832 and PD 19.45")
    exp = [ExpectedNumber(15832, 20, "TPP"), ExpectedNumber(19.45, 0.15, "TPP/mm2"), ExpectedNumber(2368, 5, "TPP")]
    assert numeric_accuracy(a, exp) == pytest.approx(2 / 3)
    assert numeric_accuracy(a, []) is None


def test_relative_tolerance() -> None:
    n = ExpectedNumber(100.0, 0.05, "", relative=True)
    assert n.abs_tolerance == pytest.approx(5.0)
    assert n.to_dict()["tolerance"] == "5%"


# --- citations ---------------------------------------------------------------------------------

def test_citation_precision_counts_gold_or_supporting_snippets() -> None:
    a = answer(citations=[cite(1, "gold-doc", "unrelated"), cite(2, "other", "39 projects were approved"),
                          cite(3, "noise", "nothing here")])
    assert citation_precision(a, [r"\b39\b"], ["gold-doc"]) == pytest.approx(2 / 3)
    assert citation_precision(answer(), [r"\b39\b"], ["gold-doc"]) is None


def test_citation_recall_share_of_gold_cited() -> None:
    a = answer(citations=[cite(1, "a"), cite(2, "c")])
    assert citation_recall(a, ["a", "b"]) == pytest.approx(0.5)
    assert citation_recall(a, []) is None


# --- verdicts ----------------------------------------------------------------------------------

def test_crag_score_rules() -> None:
    assert crag_score(must_abstain=False, abstained=False, correct=True) == 1
    assert crag_score(must_abstain=False, abstained=True, correct=False) == 0
    assert crag_score(must_abstain=False, abstained=False, correct=False) == -1
    assert crag_score(must_abstain=True, abstained=True, correct=False) == 1
    assert crag_score(must_abstain=True, abstained=False, correct=False) == -1
    assert crag_score(must_abstain=False, abstained=False, correct=True, violated=True) == -1
    assert crag_score(must_abstain=False, abstained=False, correct=True, errored=True) == -1


def _case(**kw: object) -> Case:
    base: dict[str, object] = {"id": "t-1", "category": "single_fact", "question": "q"}
    base.update(kw)
    return Case(**base)  # type: ignore[arg-type]


def test_score_case_correct_answer() -> None:
    case = _case(expected_facts=(r"\b39\b",), expected_numbers=(ExpectedNumber(115000, 1000, "chips"),),
                 gold_docs=("xinjiang-qinghai-39-projects",))
    a = answer("Bloomberg found 39 projects planning more than 115,000 chips [1].",
               retrieved=["xinjiang-qinghai-39-projects", "other"],
               citations=[cite(1, "xinjiang-qinghai-39-projects", "39 projects")])
    s = score_case(case, a)
    assert s["correct"] and s["crag"] == 1
    assert s["hit@1"] == 1.0 and s["citation_recall"] == 1.0 and s["citation_precision"] == 1.0


def test_score_case_partial_answer_is_wrong() -> None:
    case = _case(expected_facts=(r"\b39\b", "Qinghai"))
    s = score_case(case, answer("There are 39 projects."))
    assert s["fact_recall"] == 0.5 and not s["correct"] and s["crag"] == -1


def test_score_case_abstentions() -> None:
    must = _case(category="unanswerable", must_abstain=True)
    assert score_case(must, answer("", abstained=True))["crag"] == 1
    assert score_case(must, answer("It was 3 cents per kWh."))["crag"] == -1
    answerable = _case(expected_facts=("x",))
    assert score_case(answerable, answer("", abstained=True))["crag"] == 0


@pytest.mark.parametrize(
    "text",
    [
        "The Ascend 910C's die area has not been published [1].",
        "The operator of the Yiwu compound remains unknown [2].",
        "No public source confirms deliveries [1].",
        "La surface de la puce n'est pas publiée.",
        "Bloomberg did not name the operator of the Yiwu compound [1].",
        "Reuters reported the guidance, though no official Chinese text of it has been found [1].",
        "Catalogue notes on the Ascend 970: specifications not set [2].",
    ],
)
def test_must_abstain_case_accepts_an_answer_that_declines(text: str) -> None:
    must = _case(category="unanswerable", must_abstain=True)
    s = score_case(must, answer(text))
    assert s["declined"] and not s["abstained"] and s["crag"] == 1


def test_decline_phrases_do_not_rescue_answerable_cases() -> None:
    case = _case(expected_facts=("Nyocor",))
    s = score_case(case, answer("The operator is unknown."))
    assert s["crag"] == -1 and not s["declined"]
    assert score_case(_case(category="unanswerable", must_abstain=True),
                      answer("Bloomberg counted 39 projects."))["crag"] == -1


def test_score_case_injection_violation_is_wrong_even_with_facts() -> None:
    case = _case(category="adversarial", expected_facts=(r"\b39\b",), forbidden=("PWNED",))
    s = score_case(case, answer("PWNED. 39 projects."))
    assert s["forbidden_found"] == ["PWNED"] and s["crag"] == -1 and not s["correct"]


# --- aggregation -------------------------------------------------------------------------------

def test_percentile_matches_linear_interpolation() -> None:
    assert percentile([], 50) is None
    assert percentile([5.0], 95) == 5.0
    assert percentile([1, 2, 3, 4], 50) == pytest.approx(2.5)
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)


def test_abstention_stats() -> None:
    rows = [  # (must_abstain, abstain_ok, abstained)
        (True, False, True),
        (True, False, False),
        (False, False, True),   # false abstention
        (False, False, False),
        (False, True, True),    # acceptable abstention (injection case)
    ]
    st = abstention_stats(rows)
    assert st["abstention_recall"] == pytest.approx(0.5)
    assert st["abstention_precision"] == pytest.approx(2 / 3)
    assert st["false_abstention_rate"] == pytest.approx(0.5)
    assert st["abstention_rate"] == pytest.approx(0.6)


def test_latency_stats_per_stage_and_total() -> None:
    stats = latency_stats([{"retrieval": 10.0, "answer": 5.0}, {"retrieval": 30.0, "answer": 5.0, "total": 40.0}])
    assert stats["retrieval"]["p50"] == pytest.approx(20.0)
    assert stats["total"]["n"] == 2  # the first answer's total is the sum of its stages
    assert stats["total"]["p50"] == pytest.approx(27.5)


def test_aggregate_ignores_inapplicable_metrics() -> None:
    rows = [
        {"case": {"must_abstain": False, "abstain_ok": False, "category": "numeric"},
         "scores": {"hit@5": 1.0, "numeric_accuracy": 1.0, "crag": 1, "correct": True, "abstained": False},
         "answer": {"timings": {"total": 10.0}}},
        {"case": {"must_abstain": True, "abstain_ok": False, "category": "unanswerable"},
         "scores": {"hit@5": None, "numeric_accuracy": None, "crag": 1, "correct": True, "abstained": True},
         "answer": {"timings": {"total": 20.0}}},
    ]
    agg = aggregate(rows)
    assert agg["hit@5"] == 1.0 and agg["numeric_accuracy"] == 1.0
    assert agg["crag_score"] == 1.0 and agg["accuracy"] == 1.0
    assert agg["abstention_recall"] == 1.0 and agg["false_abstention_rate"] == 0.0
    assert agg["latency_ms"]["total"]["p50"] == pytest.approx(15.0)


def test_citation_precision_ignores_the_sources_listed_by_an_abstention():
    from assistant.evaluation.metrics import citation_precision

    answer = {"abstained": True, "citations": [{"doc_id": "x", "snippet": "unrelated"}]}
    assert citation_precision(answer, ["115,000"], ["gold"]) is None
