"""The public API: cited answers, computed figures, abstention, streaming, bad input."""

import json
import re

import pytest

from assistant import Answer, DocumentError, InvalidFilterError, InvalidQuestionError

QUESTION = "How many Nvidia chips did the approved Xinjiang and Qinghai projects plan to use?"


def test_answer_cites_every_sentence_and_states_115000(fixture_assistant):
    answer = fixture_assistant.ask(QUESTION)
    assert "115,000" in answer.text and not answer.abstained
    sentences = re.split(r"(?<=\])\s+", answer.text.strip())
    assert all(re.search(r"\[\d+\]$", s) for s in sentences)
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert numbers == {c.number for c in answer.citations}
    first = answer.citations[0]
    assert first.doc_id == "xinjiang-qinghai-39-projects" and first.url.startswith("http")
    assert first.title and first.publisher and first.published
    for citation in answer.citations:
        for sentence in re.findall(r"([^\]]+?) \[%d\]" % citation.number, answer.text):
            assert sentence.strip() in citation.snippet


def test_timings_cover_each_stage(fixture_assistant):
    answer = fixture_assistant.ask(QUESTION)
    assert {"plan", "evidence", "write", "check", "total"} <= set(answer.timings)
    assert {"evidence.embed", "evidence.dense", "evidence.keyword", "evidence.fuse", "evidence.rank"} <= set(answer.timings)
    assert answer.timings["total"] >= answer.timings["plan"] + answer.timings["evidence"]


def test_to_dict_is_json_ready(fixture_assistant):
    data = json.loads(json.dumps(fixture_assistant.ask(QUESTION).to_dict()))
    assert set(data) >= {"text", "citations", "tool_calls", "abstained", "timings"}


def test_numeric_question_leads_with_the_computed_figure(fixture_assistant):
    answer = fixture_assistant.ask("Is the H20 controlled under the October 2023 rule?")
    assert answer.tool_calls and answer.tool_calls[0].name == "export_classification"
    assert answer.text.startswith("Under the October 2023 rule, the H20") and "2,368" in answer.text
    assert answer.citations and "[1]" in answer.text.split(".")[0] + answer.text


def test_off_topic_question_abstains_and_lists_closest_sources(fixture_assistant):
    answer = fixture_assistant.ask("What is the best recipe for banana bread?")
    assert answer.abstained and "does not give" in answer.text and "closest sources" in answer.text
    assert answer.citations  # the closest sources are cited


def test_follow_up_uses_the_conversation(fixture_assistant):
    history = [{"role": "user", "content": "Which data-center projects in Xinjiang and Qinghai did Bloomberg report on?"},
               {"role": "assistant", "content": "39 projects [1]."}]
    answer = fixture_assistant.ask("Which company controls one of the largest ones?", history=history)
    assert "Nyocor" in answer.text


def test_stream_yields_pieces_then_the_answer(fixture_assistant):
    items = list(fixture_assistant.stream(QUESTION))
    assert isinstance(items[-1], Answer) and all(isinstance(p, str) for p in items[:-1])
    assert "".join(items[:-1]) == items[-1].text


@pytest.mark.parametrize("question", ["", "   ", None, "x" * 5000])
def test_bad_questions_raise_a_typed_error(fixture_assistant, question):
    with pytest.raises(InvalidQuestionError):
        fixture_assistant.ask(question)


def test_unknown_filter_raises(fixture_assistant):
    with pytest.raises(InvalidFilterError):
        fixture_assistant.ask(QUESTION, filters={"colour": "red"})


def test_uploaded_document_is_cited_then_removable(fixture_assistant, tmp_path):
    doc = tmp_path / "zorbex.md"
    doc.write_text("# Zorbex\n\nThe Zorbex Q7 accelerator delivers 777 dense TFLOPS according to its maker Quillon.\n")
    added = fixture_assistant.add_document(doc)
    answer = fixture_assistant.ask("How many TFLOPS does the Zorbex Q7 accelerator deliver?")
    assert "777" in answer.text and any(c.collection == "user" for c in answer.citations)
    assert fixture_assistant.remove_document(added["doc_id"])
    assert not any(c.doc_id == added["doc_id"] for c in fixture_assistant.ask("Zorbex Q7 accelerator TFLOPS").citations)


def test_rejected_upload_says_why_and_keeps_the_index(fixture_assistant, tmp_path):
    before = fixture_assistant.index_status()["corpus_chunks"]
    bad = tmp_path / "tool.exe"
    bad.write_bytes(b"MZ")
    with pytest.raises(DocumentError, match="unsupported type"):
        fixture_assistant.add_document(bad)
    assert fixture_assistant.index_status()["corpus_chunks"] == before


def test_sources_and_status_describe_the_index(fixture_assistant):
    sources = {s["doc_id"]: s for s in fixture_assistant.sources()}
    assert "big-fund-iii" in sources and sources["big-fund-iii"]["chunks"] > 0
    status = fixture_assistant.index_status()
    assert status["corpus_documents"] == len(sources) and status["chroma"].startswith("embedded")


def test_follow_up_naming_another_chip_computes_for_that_chip(fixture_assistant):
    history = [{"role": "user", "content": "What's the TPP of the H100?"},
               {"role": "assistant", "content": "The H100 SXM has a TPP of 15,832 [1]."}]
    answer = fixture_assistant.ask("What about the H20?", history=history)
    assert answer.text.startswith("The H20 has a TPP of 2,368")
    assert all("H20" in (call.result.get("formula", "") + str(call.arguments)) for call in answer.tool_calls)
