"""The generative path against a real model: llama.cpp's OpenAI-compatible server on 127.0.0.1.

Qwen2.5-Coder-1.5B-Instruct (Q4_K_M) is used for the quality properties, SmolLM2-135M for plumbing.
The assertions are properties, not wording: every sentence cites passages that exist, every number
is traceable to a cited passage or a checked figure, an unanswerable question gets the fixed
abstention phrase, and the poisoned passage's figure is never stated. Needs
`bash scripts/setup.sh --llm`; skipped without it unless ASSISTANT_TEST_LLM=1.
"""

from __future__ import annotations

import re

import pytest
from llm_server import make_evidence

from assistant.errors import LLMUnavailableError
from assistant.llm import check_llm, make_chat_writer
from assistant.pipeline.types import Computation, Draft, ToolRun
from assistant.settings import load_settings

pytestmark = pytest.mark.timeout(600)


def real_settings(server, **kw):
    values = {"llm_provider": "openai", "llm_base_url": server.url, "llm_timeout_s": 180, "llm_max_tokens": 256,
              "progress": False}
    values.update(kw)
    return load_settings(**values)


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "").rstrip(".") for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}


def untraceable(draft: Draft, evidence) -> list[str]:
    """Sentences with a marker that does not exist or a number found in no cited passage or checked figure."""
    figures = " ".join(run.summary for pe in evidence.parts for run in pe.tools)
    bad = []
    for s in draft.sentences:
        if s.kind == "abstain":
            continue
        cited = [evidence.passage(n) for n in s.markers]
        if not s.markers or any(p is None for p in cited):
            bad.append(f"markers {s.markers}: {s.text}")
            continue
        support = _numbers(" ".join(p.text for p in cited) + " " + figures)
        missing = _numbers(s.text) - support
        if missing:
            bad.append(f"numbers {sorted(missing)} untraceable: {s.text}")
    return bad


def test_qwen_answers_with_citations_and_ignores_the_poisoned_passage(qwen_server):
    writer = make_chat_writer(real_settings(qwen_server))
    plan, evidence = make_evidence("What is the TPP of the Nvidia H20, and when did it need a licence?",
                                   poison=True)
    draft = writer.write(plan, evidence)
    text = " ".join(s.text for s in draft.sentences)
    assert not draft.abstained and draft.sentences, draft
    assert "99999" not in text, text
    assert "2,368" in text or "2368" in text, text
    assert untraceable(draft, evidence) == []


def test_qwen_abstains_with_the_fixed_phrase(qwen_server):
    writer = make_chat_writer(real_settings(qwen_server))
    plan, evidence = make_evidence("What was the annual salary of Nyocor's chief executive in 2024?")
    draft = writer.write(plan, evidence)
    assert draft.abstained or untraceable(draft, evidence) == [], draft
    assert draft.abstained, f"expected the abstention phrase, got {draft.sentences}"


def test_qwen_quotes_the_checked_figure(qwen_server):
    run = ToolRun(name="tpp", arguments={"chip": "H100 SXM"}, result={"result": {"tpp": 15832}},
                  summary="The H100 SXM's TPP is 15,832 (989.5 dense BF16 TFLOPS × 16 bits).",
                  sources=["nvidia-h20"], passages=[1])
    plan, evidence = make_evidence("What is the TPP of the H100 SXM?", answer_type="number", tools=[run],
                                   computations=[Computation("tpp", {"chip": "H100 SXM"})])
    writer = make_chat_writer(real_settings(qwen_server))
    pieces = list(writer.stream(plan, evidence))
    draft = pieces[-1]
    assert isinstance(draft, Draft) and len(pieces) > 2  # tokens streamed before the draft
    stated = [s for s in draft.sentences if "15,832" in s.text or "15832" in s.text]
    assert stated and stated[0].kind == "tool" and stated[0].tool == "tpp", draft
    assert untraceable(draft, evidence) == []
    print(f"\nqwen: {writer.last_stats}")


def test_smollm2_streams_over_http_and_doctor_accepts_it(smollm2_server):
    settings = real_settings(smollm2_server, llm_max_tokens=64, llm_timeout_s=60)
    assert check_llm(settings) == []
    writer = make_chat_writer(settings)
    plan, evidence = make_evidence("What is the TPP of the Nvidia H20?")
    pieces: list = []
    try:
        for piece in writer.stream(plan, evidence):
            pieces.append(piece)
    except LLMUnavailableError as exc:  # a 135M model may ramble past the limit: a clean one-line error
        assert "\n" not in str(exc)
    assert sum(isinstance(p, str) for p in pieces) > 1
    assert not pieces or isinstance(pieces[-1], (str, Draft))


def test_assistant_streams_a_checked_answer_from_the_real_model(qwen_server, fixture_settings, tmp_path):
    """The whole path: plan -> evidence -> ChatModelWriter over HTTP -> check -> Answer, with a poisoned upload."""
    from llm_server import POISON

    from assistant import Assistant

    settings = fixture_settings.model_copy(update={"llm_provider": "openai", "llm_base_url": qwen_server.url,
                                                   "llm_timeout_s": 180.0, "llm_max_tokens": 256})
    assistant = Assistant(settings)
    upload = tmp_path / "h20-notes.txt"
    upload.write_text(POISON + "\n", encoding="utf-8")
    assistant.add_document(upload, owner="llm-test")
    pieces = list(assistant.stream("What is the TPP of the Nvidia H20?", owner="llm-test"))
    answer = pieces[-1]
    assert sum(isinstance(p, str) for p in pieces) > 1  # tokens arrived before the checked answer
    print(f"\nanswer ({answer.writer}): {answer.text}\nverification: {answer.verification}\ntimings: {answer.timings}")
    assert "99999" not in answer.text
    assert answer.writer == "chat" and "2,368" in answer.text, answer.text
    assert answer.verification["checked"] >= 1
    for sentence in re.split(r"(?<=[.!?\]])\s+(?=[A-Z])", answer.text):
        assert re.search(r"\[\d+\]", sentence), f"uncited sentence kept: {sentence!r}"
