"""Uploads are private to their owner: searches, listings, status and removal see only the owner's own."""


import pytest

from assistant.retrieval import chroma_where, matches, validate_filters

ZORBEX = "# Zorbex\n\nThe Zorbex Q7 accelerator delivers 777 dense TFLOPS according to its maker Quillon.\n"
QUESTION = "How many TFLOPS does the Zorbex Q7 accelerator deliver?"


@pytest.fixture
def alice_doc(fixture_assistant, tmp_path):
    path = tmp_path / "zorbex.md"
    path.write_text(ZORBEX, encoding="utf-8")
    added = fixture_assistant.add_document(path, filename="zorbex.md", owner="session:alice")
    yield added
    fixture_assistant.remove_document(added["doc_id"], owner="session:alice")


def user_doc_ids(hits):
    return {h.doc_id for h in hits if h.kind == "user"}


def test_only_the_owner_finds_an_upload_in_either_retrieval_leg(fixture_assistant, alice_doc):
    for mode in ("dense", "keyword", "hybrid"):
        alice = fixture_assistant.retriever(owner="session:alice")
        bob = fixture_assistant.retriever(owner="session:bob")
        local = fixture_assistant.retriever()
        alice.mode = bob.mode = local.mode = mode
        assert alice_doc["doc_id"] in user_doc_ids(alice.search(QUESTION).hits), mode
        assert not user_doc_ids(bob.search(QUESTION).hits), mode
        assert not user_doc_ids(local.search(QUESTION).hits), mode
        only_uploads = fixture_assistant.retriever({"collection": "user"}, owner="session:bob")
        only_uploads.mode = mode
        assert only_uploads.search(QUESTION).hits == [], mode


def test_answers_cite_only_the_askers_uploads(fixture_assistant, alice_doc):
    mine = fixture_assistant.ask(QUESTION, owner="session:alice")
    assert "777" in mine.text and any(c.doc_id == alice_doc["doc_id"] for c in mine.citations)
    theirs = fixture_assistant.ask(QUESTION, owner="session:bob")
    assert "777" not in theirs.text and all(c.collection != "user" for c in theirs.citations)


def test_listing_status_and_removal_are_per_owner(fixture_assistant, alice_doc):
    assert [d["doc_id"] for d in fixture_assistant.sources("user", owner="session:alice")] == [alice_doc["doc_id"]]
    assert fixture_assistant.sources("user", owner="session:bob") == []
    assert fixture_assistant.index_status(owner="session:bob")["user_documents"] == 0
    assert fixture_assistant.index_status(owner="session:alice")["user_documents"] == 1
    assert fixture_assistant.remove_document(alice_doc["doc_id"], owner="session:bob") is False
    assert fixture_assistant.remove_document(alice_doc["doc_id"]) is False  # "local" is an owner like any other
    assert fixture_assistant.sources("user", owner="session:alice")  # still there


def test_the_same_upload_again_is_reported_as_a_replacement(fixture_assistant, alice_doc, tmp_path):
    path = tmp_path / "again" / "zorbex.md"
    path.parent.mkdir()
    path.write_text(ZORBEX, encoding="utf-8")
    again = fixture_assistant.add_document(path, filename="zorbex.md", owner="session:alice")
    assert again["doc_id"] == alice_doc["doc_id"] and again["replaced"] is True
    other = tmp_path / "other" / "zorbex.md"
    other.parent.mkdir()
    other.write_text(ZORBEX.replace("777", "778"), encoding="utf-8")
    second = fixture_assistant.add_document(other, filename="zorbex.md", owner="session:alice")
    try:
        assert second["doc_id"] != alice_doc["doc_id"] and second["replaced"] is False
        assert second["same_name"] == [alice_doc["doc_id"]]  # said, not silently replaced
    finally:
        fixture_assistant.remove_document(second["doc_id"], owner="session:alice")


def test_abandoned_session_uploads_are_purged_but_not_users(fixture_assistant, tmp_path):
    path = tmp_path / "left.md"
    path.write_text("# Left\n\nThe Plinth R9 chip was left behind by a closed tab.\n", encoding="utf-8")
    gone = fixture_assistant.add_document(path, owner="session:closed-tab")
    kept = fixture_assistant.add_document(path, owner="user:ann")
    try:
        assert gone["doc_id"] in fixture_assistant.purge_uploads(older_than_s=0)
        assert fixture_assistant.sources("user", owner="session:closed-tab") == []
        assert [d["doc_id"] for d in fixture_assistant.sources("user", owner="user:ann")] == [kept["doc_id"]]
    finally:
        fixture_assistant.remove_document(kept["doc_id"], owner="user:ann")


def test_owner_filters_at_the_lowest_level():
    """What the retriever builds on: a user chunk matches only its owner's filters, in Chroma and in Python."""
    flt = validate_filters({"topic": "Chips"})
    assert flt == {"topic": ["chips"]}
    user_meta = {"kind": "user", "owner": "session:a", "topic": "chips", "doc_id": "u"}
    corpus_meta = {"kind": "corpus", "owner": "", "topic": "chips", "doc_id": "c"}
    assert matches(user_meta, {**flt, "owner": "session:a"}) and matches(corpus_meta, {**flt, "owner": "session:a"})
    assert not matches(user_meta, {**flt, "owner": "session:b"}) and not matches(user_meta, flt)
    assert chroma_where({"owner": "session:a"}, "user") == {"owner": "session:a"}
    assert chroma_where({}, "user") == {"owner": "<no owner>"}  # no owner given: no upload matches
    assert chroma_where({"owner": "session:a"}, "corpus") is None
    with pytest.raises(Exception, match="unknown filter key.*'owner'"):
        validate_filters({"owner": "session:a"})  # an owner is never taken from the filters callers send


# ---------------------------------------------------------------------------- what was lost to truncation is found
def test_a_row_of_a_long_table_and_a_figure_deep_in_a_long_paragraph_are_found(fixture_assistant, tmp_path):
    rows = "\n".join(f"| Site {i} | {'Hami' if i % 2 else 'Xining'} | {i * 1000 + 17:,} |" for i in range(1, 61))
    table = tmp_path / "sites.md"
    table.write_text(f"# Planned sites\n\n| Site | City | Chips planned |\n|---|---|---:|\n{rows}\n", encoding="utf-8")
    ramble = tmp_path / "ramble.txt"
    ramble.write_text(" ".join(f"and then cluster {i} was mentioned in passing" for i in range(400))
                      + " and the Quorlax campus plans 8,642 accelerators in total", encoding="utf-8")
    added = [fixture_assistant.add_document(p, owner="session:tables") for p in (table, ramble)]
    try:
        retriever = fixture_assistant.retriever({"collection": "user"}, owner="session:tables")
        hits = retriever.search("How many chips does Site 47 plan?").hits[:3]
        assert any("Site: Site 47; City: Hami; Chips planned: 47,017." in h.text for h in hits)
        hits = retriever.search("How many accelerators does the Quorlax campus plan?").hits[:3]
        assert any("8,642 accelerators" in h.text for h in hits)
    finally:
        for a in added:
            fixture_assistant.remove_document(a["doc_id"], owner="session:tables")


def test_an_upload_over_the_chunk_limit_is_refused_naming_the_setting(fixture_settings, fixture_assistant, tmp_path):
    from assistant import Assistant, DocumentError

    fixture_assistant.sources()
    small = Assistant(fixture_settings.model_copy(update={"upload_max_chunks": 3}))
    big = tmp_path / "big.txt"
    big.write_text(" ".join(f"Line {i} mentions {i} chips." for i in range(3000)), encoding="utf-8")
    with pytest.raises(DocumentError, match="over the limit of 3 per upload.*ASSISTANT_UPLOAD_MAX_CHUNKS"):
        small.add_document(big)
    assert small.sources("user") == []
