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
    path.write_bytes(b"\xff\xfe not utf-8")
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
