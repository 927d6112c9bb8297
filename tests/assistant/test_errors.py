"""Bad input and broken environments give one typed error naming the problem and the fix."""

from pathlib import Path

import pytest

from assistant import AssistantError, InvalidFilterError, InvalidQuestionError, StoreUnavailableError, load_settings
from assistant.errors import CorpusUnavailableError

QUESTION = "How much did Big Fund III raise?"


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert text and "\n" not in text and "Traceback" not in text
    return text


@pytest.mark.parametrize("filters,message", [
    ({"topic": 5}, "filter topic takes a string or a list of strings, not int"),
    ({"topic": ["chips", None]}, "not NoneType"),
    (["investment"], "filters must be a mapping"),
    ("investment", "filters must be a mapping"),
    ({"date_from": 2024}, "ISO date"),
    ({"topic": "nonsense"}, "unknown topic 'nonsense'; known topics: chips, datacenters, export-controls, investment"),
])
def test_bad_filters_raise_one_line(fixture_assistant, filters, message):
    with pytest.raises(InvalidFilterError, match=message) as err:
        fixture_assistant.ask(QUESTION, filters=filters)
    one_line(err.value)


def test_topic_filters_fold_case(fixture_assistant):
    answer = fixture_assistant.ask(QUESTION, filters={"topic": "Investment"})
    assert answer.citations and {c.doc_id for c in answer.citations} <= {
        d["doc_id"] for d in fixture_assistant.sources() if d["topic"] == "investment"}


@pytest.mark.parametrize("question", ["\udcff", "What is \ud800 the H20?", "\udcff\udcfe bytes"])
def test_undecodable_questions_raise_one_line(fixture_assistant, question):
    with pytest.raises(InvalidQuestionError, match="not valid text") as err:
        fixture_assistant.ask(question)
    one_line(err.value)


def test_an_empty_store_without_its_corpus_says_what_to_set(tmp_path):
    from assistant import Assistant

    assistant = Assistant(load_settings(data_dir=tmp_path / "data", corpus_dir=tmp_path / "no-corpus", progress=False))
    with pytest.raises(CorpusUnavailableError, match="no-corpus does not exist.*ASSISTANT_CORPUS_DIR") as err:
        assistant.ask(QUESTION)
    one_line(err.value)
    assert isinstance(err.value, AssistantError)


def test_a_chroma_server_killed_mid_session(chroma_process, tmp_path, monkeypatch):
    """ask and add_document then raise StoreUnavailableError naming the server and the fix."""
    from assistant import Assistant

    monkeypatch.setenv("ASSISTANT_KEYWORD_CACHE_DIR", str(tmp_path / "keyword-cache"))
    url, proc = chroma_process
    corpus = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"
    assistant = Assistant(load_settings(corpus_dir=corpus, chroma_url=url, progress=False))
    assert assistant.ask(QUESTION).citations
    proc.kill()
    proc.wait(timeout=10)
    with pytest.raises(StoreUnavailableError, match=f"Chroma server at {url} stopped answering") as err:
        assistant.ask(QUESTION)
    assert "chroma run" in one_line(err.value)
    note = tmp_path / "note.md"
    note.write_text("# Note\n\nThe Vantrel R2 chip has 64 cores.\n", encoding="utf-8")
    with pytest.raises(StoreUnavailableError, match="stopped answering") as err:
        assistant.add_document(note)
    one_line(err.value)
