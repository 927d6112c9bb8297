"""Retrieval: filters are validated, legs are selectable, fusion is reciprocal-rank."""

import pytest

from assistant.errors import InvalidFilterError
from assistant.retrieval import Hit, chroma_where, fuse, validate_filters


def test_unknown_filter_key_lists_the_known_ones():
    with pytest.raises(InvalidFilterError, match="unknown filter key.*'colour'.*topic"):
        validate_filters({"colour": "red"})


def test_bad_dates_are_rejected():
    with pytest.raises(InvalidFilterError, match="ISO date"):
        validate_filters({"date_from": "last year"})
    with pytest.raises(InvalidFilterError, match="after"):
        validate_filters({"date_from": "2025-01-01", "date_to": "2024-01-01"})


def test_filters_become_a_chroma_where_clause():
    where = chroma_where(validate_filters({"topic": "chips", "date_from": "2024-01-01"}))
    assert where == {"$and": [{"topic": {"$in": ["chips"]}}, {"published_int": {"$gte": 20240101}}]}


def test_rrf_rewards_agreement_between_legs():
    a, b, c = (Hit(x, x, {"doc_id": x}, "corpus") for x in "abc")
    fused = fuse([[a, b, c], [c, a]], rrf_k=60)
    assert [h.chunk_id for h in fused] == ["a", "c", "b"]


@pytest.mark.parametrize("mode", ["dense", "keyword", "hybrid"])
def test_each_mode_finds_the_xinjiang_document(fixture_assistant, mode):
    retriever = fixture_assistant.retriever()
    retriever.mode = mode
    docs = retriever.invoke("How many Nvidia chips did the 39 Xinjiang and Qinghai projects plan?")
    assert docs[0].metadata["doc_id"] in {"xinjiang-qinghai-39-projects", "nyocor-yiwu-project"}
    assert all("chunk_id" in d.metadata for d in docs)


def test_topic_filter_restricts_results(fixture_assistant):
    result = fixture_assistant.retriever().search("Nvidia chips", {"topic": "investment"})
    assert result.hits and {h.metadata["topic"] for h in result.hits} == {"investment"}
