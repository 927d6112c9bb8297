"""Indexing with the real model into a real embedded Chroma: idempotent, incremental, safe."""

from pathlib import Path

import pytest

from index import index_corpus, open_store


@pytest.fixture
def store(tmp_path, embedder):
    return open_store(tmp_path / "data", None, embedder)


def chunk_ids(store) -> set[str]:
    return set(store.all_chunks("corpus")[0])


def test_build_then_reindex_writes_nothing(store, corpus_copy):
    first = index_corpus(store, corpus_copy, 200, progress=False)
    assert len(first.added) == 8 and first.chunks_written > 0
    before = chunk_ids(store)
    again = index_corpus(store, corpus_copy, 200, progress=False)
    assert again.chunks_written == 0 and again.unchanged == 8 and not again.changed
    assert chunk_ids(store) == before


def test_editing_a_file_replaces_exactly_its_chunks(store, corpus_copy):
    index_corpus(store, corpus_copy, 200, progress=False)
    _, _, metas = store.all_chunks("corpus")
    others = {cid for cid, m in zip(store.all_chunks("corpus")[0], metas) if m["doc_id"] != "big-fund-iii"}
    path = corpus_copy / "investment" / "big-fund-iii.md"
    path.write_text(path.read_text() + "\n\n## Added\n\nBig Fund III added a sentence for this test.\n")
    report = index_corpus(store, corpus_copy, 200, progress=False)
    assert report.updated == ["big-fund-iii"] and not report.added
    ids, docs, metas = store.all_chunks("corpus")
    assert others <= set(ids)
    fund = [d for d, m in zip(docs, metas) if m["doc_id"] == "big-fund-iii"]
    assert any("added a sentence for this test" in d for d in fund)
    assert len({m["source_hash"] for m in metas if m["doc_id"] == "big-fund-iii"}) == 1


def test_deleting_a_file_removes_its_chunks_and_sentences(store, corpus_copy):
    index_corpus(store, corpus_copy, 200, progress=False)
    (corpus_copy / "chips" / "nvidia-h20.md").unlink()
    report = index_corpus(store, corpus_copy, 200, progress=False)
    assert report.removed == ["nvidia-h20"]
    assert "nvidia-h20" not in store.source_hashes("corpus")
    assert not store.collection("corpus", "sentences").get(where={"doc_id": "nvidia-h20"})["ids"]


def test_unreadable_file_is_reported_skipped_and_its_old_chunks_kept(store, corpus_copy):
    index_corpus(store, corpus_copy, 200, progress=False)
    path = corpus_copy / "investment" / "big-fund-iii.md"
    path.write_bytes(bytes(range(256)) * 8)  # binary: no encoding reads it as text
    report = index_corpus(store, corpus_copy, 200, progress=False)
    assert any("big-fund-iii.md" in s for s in report.skipped)
    assert "big-fund-iii" in store.source_hashes("corpus")
    assert report.removed == []


def test_interrupted_update_leaves_complete_versions_and_recovers(store, corpus_copy, monkeypatch):
    index_corpus(store, corpus_copy, 200, progress=False)
    path = corpus_copy / "investment" / "big-fund-iii.md"
    path.write_text(path.read_text().replace("344 billion", "345 billion"))
    real_delete = store.delete_document

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "delete_document", crash)
    with pytest.raises(KeyboardInterrupt):
        index_corpus(store, corpus_copy, 200, progress=False)
    monkeypatch.setattr(store, "delete_document", real_delete)
    hashes = store.source_hashes("corpus")["big-fund-iii"]
    assert len(hashes) == 2  # old and new both complete, neither half-written
    index_corpus(store, corpus_copy, 200, progress=False)
    assert len(store.source_hashes("corpus")["big-fund-iii"]) == 1


def test_collection_names_encode_the_model(store):
    assert store.embedder.name in store.collection("corpus").name


def test_rebuild_starts_from_scratch(store, corpus_copy):
    index_corpus(store, corpus_copy, 200, progress=False)
    report = index_corpus(store, corpus_copy, 200, rebuild=True, progress=False)
    assert len(report.added) == 8


def test_collection_names_encode_the_model_fingerprint_and_dimension(store):
    from index.fingerprint import fingerprint

    name = store.collection("corpus").name
    assert fingerprint(store.embedder.model_path).short in name and "-384-" in name
    meta = store.collection("corpus").metadata
    assert meta["dimension"] == 384 and meta["fingerprint"] == fingerprint(store.embedder.model_path).digest


# ---------------------------------------------------------------------------- full builds: aside, then swapped in
def test_a_rebuild_killed_midway_leaves_the_previous_index_answering(store, corpus_copy, monkeypatch):
    index_corpus(store, corpus_copy, 200, progress=False)
    before = chunk_ids(store)
    real_put = store.put_document
    written = []

    def killed_after_two(kind, doc, *args, **kwargs):
        if len(written) == 2:
            raise KeyboardInterrupt  # what Ctrl-C (or a kill between two writes) does to the loop
        written.append(doc.doc_id)
        return real_put(kind, doc, *args, **kwargs)

    monkeypatch.setattr(store, "put_document", killed_after_two)
    with pytest.raises(KeyboardInterrupt):
        index_corpus(store, corpus_copy, 200, rebuild=True, progress=False)
    monkeypatch.setattr(store, "put_document", real_put)
    assert chunk_ids(store) == before  # the complete previous index still answers
    staging = store.staging_state("corpus")
    assert staging["state"] == "building" and staging["documents"] == 2  # and the unfinished build is on record
    report = index_corpus(store, corpus_copy, 200, rebuild=True, progress=False)
    assert len(report.added) == 8 and store.staging_state("corpus") is None
    assert store.count("corpus") == len(before)


def test_a_first_build_killed_by_sigkill_is_never_served(tmp_path, corpus_copy):
    """A real `assistant index` process killed with SIGKILL midway: the half-written build stays
    aside, the live index stays empty (so the next start builds it again), and doctor says so."""
    import os
    import signal
    import subprocess
    import sys

    from index import Embedder

    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ASSISTANT_DATA_DIR": str(tmp_path / "data"),
           "ASSISTANT_CORPUS_DIR": str(corpus_copy)}
    script = ("import sys, index.indexer as ix\n"
              "real = ix.Store.put_document\n"
              "def slow(self, kind, doc, *a, **k):\n"
              "    real(self, kind, doc, *a, **k)\n"
              "    print('WROTE', doc.doc_id, flush=True)\n"
              "    import time; time.sleep(30)\n"
              "ix.Store.put_document = slow\n"
              "from assistant.cli import main\nsys.exit(main(['index']))\n")
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=repo, env=env, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("WROTE"), line
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    store = open_store(tmp_path / "data", None, Embedder())
    assert store.count("corpus") == 0  # nothing partial is live
    assert store.staging_state("corpus")["state"] == "building"
    report = index_corpus(store, corpus_copy, 200, progress=False)
    assert len(report.added) == 8 and store.staging_state("corpus") is None


# ---------------------------------------------------------------------------- uploads: ids and owners
def test_upload_ids_never_collide(store, tmp_path):
    from index import index_user_file

    files = {}
    for rel, text in [("a/notes.txt", "Notes from folder a."), ("b/notes.txt", "Notes from folder b."),
                      ("report.txt", "The plain report."), ("report.md", "The Markdown report."),
                      ("报告.txt", "The first Chinese file."), ("数据.txt", "The second Chinese file."),
                      ("Ünïcode.txt", "An accented name."), ("Unicode.txt", "A plain name.")]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        files[rel] = index_user_file(store, path, 200, owner="session:one").doc_id
    assert len(set(files.values())) == len(files)
    stored = store.source_hashes("user")
    assert set(stored) == set(files.values())  # nothing replaced anything
    # the same file again is the same document: replaced, not duplicated
    (tmp_path / "a" / "notes.txt").write_text("Notes from folder a, edited.", encoding="utf-8")
    assert index_user_file(store, tmp_path / "a" / "notes.txt", 200, owner="session:one").doc_id == files["a/notes.txt"]
    assert len(store.source_hashes("user")) == len(files)


def test_browser_uploads_are_identified_by_name_and_content(store, tmp_path):
    from index import index_user_file

    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    (one / "notes.txt").write_text("The first notes.", encoding="utf-8")
    (two / "notes.txt").write_text("Other notes entirely.", encoding="utf-8")
    a = index_user_file(store, one / "notes.txt", 200, filename="notes.txt", owner="session:x").doc_id
    b = index_user_file(store, two / "notes.txt", 200, filename="notes.txt", owner="session:x").doc_id
    again = index_user_file(store, one / "notes.txt", 200, filename="notes.txt", owner="session:x").doc_id
    assert a != b and again == a


def test_every_user_chunk_and_sentence_records_its_owner(store, tmp_path):
    from index import index_user_file, remove_user_document

    path = tmp_path / "mine.md"
    path.write_text("# Mine\n\nThe Qorvane chip has 12 cores. It ships in 2027.\n", encoding="utf-8")
    alice = index_user_file(store, path, 200, owner="session:alice")
    bob = index_user_file(store, path, 200, owner="session:bob")
    assert alice.doc_id != bob.doc_id  # the same file, two owners: two documents
    for part in ("chunks", "sentences"):
        metas = store.collection("user", part).get(include=["metadatas"])["metadatas"]
        assert metas and {m["owner"] for m in metas} == {"session:alice", "session:bob"}
    assert not remove_user_document(store, alice.doc_id, owner="session:bob")
    assert alice.doc_id in store.source_hashes("user")
    assert remove_user_document(store, alice.doc_id, owner="session:alice")
    assert set(store.source_hashes("user")) == {bob.doc_id}


def test_abandoned_session_uploads_are_purged(store, tmp_path):
    import time

    from index import index_user_file, purge_user_documents

    path = tmp_path / "old.txt"
    path.write_text("An upload that was left behind.", encoding="utf-8")
    old = index_user_file(store, path, 200, owner="session:gone").doc_id
    kept_user = index_user_file(store, path, 200, owner="user:ann").doc_id
    kept_local = index_user_file(store, path, 200, owner="local").doc_id
    assert purge_user_documents(store, 3600) == []  # not old yet
    assert purge_user_documents(store, 3600, now=time.time() + 7200) == [old]
    assert set(store.source_hashes("user")) == {kept_user, kept_local}
