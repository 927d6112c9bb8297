"""The extractive writer answers every part of the plan on its own, from the evidence only."""

from __future__ import annotations

from assistant.pipeline.types import (Draft, Evidence, Part, PartEvidence, Passage, QueryPlan, RankedSentence,
                                      ToolRun)
from assistant.writers import Writer
from assistant.writers.extractive import ExtractiveWriter

P = [Passage(1, "tpp-explained", "c1", "Total Processing Performance (TPP)", "TPP stands for Total Processing Performance."),
     Passage(2, "oct-2023", "c2", "October 2023 rule", "A chip is 3A090.a if its TPP is 4,800 or more."),
     Passage(3, "nyocor", "c3", "Nyocor", "Nyocor plans 625 H100 servers near Yiwu.", {"publisher": "Bloomberg", "published": "2025-07-14"})]


def part_evidence(text, answer_type, sentences, compatible=None, **kw):
    pe = PartEvidence(part=Part(text=text, answer_type=answer_type), sentences=sentences, **kw)
    pe.facts.setdefault("compatible", len(sentences) if compatible is None else compatible)
    return pe


def write(*parts, question="q?"):
    plan = QueryPlan(question=question, standalone=question, parts=[pe.part for pe in parts])
    return ExtractiveWriter(max_sentences=4, threshold=0.3).write(plan, Evidence(plan=plan, passages=P, parts=list(parts)))


def test_it_is_a_writer():
    assert isinstance(ExtractiveWriter(), Writer)


def test_every_part_gets_its_own_cited_sentence():
    draft = write(part_evidence("What does TPP stand for", "definition", [RankedSentence(P[0].text, 1, 0.8)]),
                  part_evidence("What threshold makes a chip 3A090.a", "number", [RankedSentence(P[1].text, 2, 0.7)]))
    assert [(s.text, s.markers, s.part) for s in draft.sentences] == [(P[0].text, [1], 0), (P[1].text, [2], 1)]
    assert not draft.abstained


def test_a_part_nothing_answers_says_what_is_missing_and_lists_the_closest_sources():
    draft = write(part_evidence("Who is the CEO of Nyocor", "person", [RankedSentence(P[2].text, 3, 0.5)], compatible=0,
                                answerable=False, missing="the CEO of Nyocor"))
    assert draft.abstained
    assert draft.sentences[0].text == "The corpus does not give the CEO of Nyocor."
    assert "[3] Nyocor (Bloomberg, 2025-07-14)" in draft.sentences[-1].text and draft.sentences[-1].markers == [3]


def test_an_order_part_states_both_dated_facts_and_the_computed_order():
    order = {"a": {"event": "the H20 licence requirement", "sentence": "The licence came in April 2025.", "passage": 2},
             "b": {"event": "DeepSeek released R1", "sentence": "R1 came out in January 2025.", "passage": 3},
             "relation": "after"}
    draft = write(part_evidence("Did X come before or after Y", "order", [], facts={"order": order}))
    texts = [s.text for s in draft.sentences]
    assert texts == ["The licence came in April 2025.", "R1 came out in January 2025.",
                     "So the H20 licence requirement came after DeepSeek released R1."]
    assert draft.sentences[-1].markers == [2, 3]


def test_a_list_part_ends_with_what_the_list_covers():
    items = [RankedSentence("Case one was brought in 2025.", 2, 0.6), RankedSentence("Case two was brought in 2024.", 3, 0.5)]
    draft = write(part_evidence("List the cases", "list", items, facts={"items": items}))
    assert [s.text for s in draft.sentences[:2]] == [i.text for i in items]
    assert "only what the documents in this corpus report" in draft.sentences[-1].text


def test_a_computed_result_leads_and_a_correction_comes_first():
    run = ToolRun("export_classification", {}, {}, "Under the October 2022 rule, the H20 is not caught by 3A090.",
                  ["chip-h20"], passages=[2], asked=False)
    pe = part_evidence("Why did the October 2022 rule ban the H20", "explanation", [RankedSentence(P[1].text, 2, 0.6)],
                       tools=[run], facts={"corrections": [{"tool": "export_classification"}]})
    draft = write(pe)
    assert draft.sentences[0].kind == "note" and draft.sentences[1].kind == "correction"
    assert draft.sentences[1].text.startswith("Under the October 2022 rule")


def test_a_tool_that_could_not_run_never_leads_and_speaks_only_when_asked():
    unasked = ToolRun("power", {}, {}, "", [], error="count: give a number of accelerators", asked=False)
    draft = write(part_evidence("What is the TDP of the Ascend 910C", "number", [RankedSentence(P[0].text, 1, 0.8)],
                                tools=[unasked]))
    assert all("count" not in s.text for s in draft.sentences)


def test_stream_ends_with_the_draft():
    plan = QueryPlan(question="q", standalone="q", parts=[Part(text="q")])
    items = list(ExtractiveWriter().stream(plan, Evidence(plan=plan, passages=P, parts=[
        part_evidence("q", "other", [RankedSentence(P[0].text, 1, 0.8)])])))
    assert isinstance(items[-1], Draft) and items[0].startswith("TPP stands for")
