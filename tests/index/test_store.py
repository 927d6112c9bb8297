"""The store in both modes: embedded by default, a real `chroma run` server when a URL is set."""

import os
from pathlib import Path

import pytest

from index import StoreError, index_corpus, open_store
from index.store import EF_SEARCH


@pytest.fixture
def chroma_server(chroma_process):
    return chroma_process[0]


def test_server_mode_indexes_and_answers(chroma_server, corpus_copy, embedder, tmp_path):
    from assistant import Assistant, load_settings

    store = open_store(tmp_path / "unused", chroma_server, embedder)
    assert store.mode.startswith("server")
    report = index_corpus(store, corpus_copy, 200, progress=False)
    assert report.chunks_written > 0
    again = index_corpus(store, corpus_copy, 200, progress=False)
    assert again.chunks_written == 0
    assistant = Assistant(load_settings(corpus_dir=corpus_copy, chroma_url=chroma_server, progress=False))
    answer = assistant.ask("How many Nvidia chips did the Xinjiang and Qinghai projects plan to use?")
    assert "115,000" in answer.text and answer.citations


def test_server_down_is_a_clear_error(embedder, tmp_path):
    from llm_server import free_port

    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(StoreError, match="not reachable.*chroma run"):
        open_store(tmp_path, url, embedder)


def test_data_dir_that_is_a_file_is_rejected(embedder, tmp_path):
    bad = tmp_path / "file"
    bad.write_text("x")
    with pytest.raises(StoreError, match="is a file"):
        open_store(bad, None, embedder)


def test_corrupt_data_dir_is_reported_and_left_in_place(embedder, tmp_path):
    chroma_dir = tmp_path / "data" / "chroma"
    chroma_dir.mkdir(parents=True)
    (chroma_dir / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot be opened.*move"):
        open_store(tmp_path / "data", None, embedder)
    assert (chroma_dir / "chroma.sqlite3").exists()


# ---------------------------------------------------------------------------- models never share collections
def copy_model(dest: Path) -> Path:
    """A copy of the packaged model (links to its files) in a folder named like it: "model"."""
    from index.embeddings import default_model_path

    src = Path(default_model_path())
    dest.mkdir(parents=True)
    for item in src.iterdir():
        (dest / item.name).symlink_to(item)
    return dest


def different_384_model(dest: Path) -> Path:
    """Same architecture and folder name, other weights: a genuinely different 384-dimension model."""
    import numpy as np
    from safetensors.numpy import load_file, save_file

    copy_model(dest)
    weights = load_file(str(dest / "model.safetensors"))
    (dest / "model.safetensors").unlink()
    rng = np.random.default_rng(0)
    weights = {k: (v + rng.normal(0, 0.02, v.shape).astype(v.dtype)) if v.dtype == np.float32 else v
               for k, v in weights.items()}
    save_file(weights, str(dest / "model.safetensors"))
    return dest


def model_128(dest: Path) -> Path:
    """The packaged model with a 384→128 projection: a 128-dimension model in a folder called "model"."""
    import torch
    from sentence_transformers import SentenceTransformer

    try:
        from sentence_transformers.sentence_transformer import modules as models
    except ImportError:  # older sentence-transformers
        from sentence_transformers import models

    from index.embeddings import default_model_path

    base = SentenceTransformer(default_model_path(), device="cpu")
    torch.manual_seed(0)
    dense = models.Dense(384, 128, activation_function=torch.nn.Identity())
    SentenceTransformer(modules=[base[0], base[1], dense, base[2]], device="cpu").save(str(dest))
    return dest


def test_a_different_model_in_a_folder_of_the_same_name_gets_its_own_collections(tmp_path, corpus_copy, embedder):
    from index import Embedder

    data = tmp_path / "data"
    default = open_store(data, None, embedder)
    index_corpus(default, corpus_copy, 200, progress=False)
    other_embedder = Embedder(str(different_384_model(tmp_path / "other" / "model")), backend="torch")
    assert Path(other_embedder.model_path).name == Path(embedder.model_path).name == "model"
    other = open_store(data, None, other_embedder)
    assert other.dimension == default.dimension == 384
    assert other.collection("corpus").name != default.collection("corpus").name
    assert other.count("corpus") == 0  # it never reads vectors another model wrote
    assert other.other_indexes()[0]["model_path"] == embedder.model_path


def test_a_128_dimension_model_works_beside_the_384_one(tmp_path, corpus_copy, embedder):
    from index import Embedder, index_user_file

    data = tmp_path / "data"
    index_corpus(open_store(data, None, embedder), corpus_copy, 200, progress=False)
    small = open_store(data, None, Embedder(str(model_128(tmp_path / "small" / "model")), backend="torch"))
    assert small.dimension == 128 and "-128-" in small.collection("corpus").name
    note = tmp_path / "note.md"
    note.write_text("# Note\n\nThe Vantrel R2 chip has 64 cores.\n", encoding="utf-8")
    doc = index_user_file(small, note, 200)  # no "expecting 384, got 128"
    hits = small.dense("user", small.embedder.embed_one("Vantrel R2 cores"), 3, {"owner": "local"})
    assert hits and hits[0].metadata["doc_id"] == doc.doc_id


def test_the_search_breadth_is_set_on_every_collection_and_kept(tmp_path, embedder):
    # Chroma's default ef_search (100) missed exact neighbours on the corpus (index.store.EF_SEARCH)
    store = open_store(tmp_path / "data", None, embedder, ef_search=250)
    assert store.collection("corpus").configuration_json["hnsw"]["ef_search"] == 250
    reopened = open_store(tmp_path / "data", None, embedder)
    assert reopened.collection("corpus").configuration_json["hnsw"]["ef_search"] == EF_SEARCH


def test_the_dimension_is_checked_when_a_collection_is_opened(tmp_path, embedder):
    store = open_store(tmp_path / "data", None, embedder)
    name = store._name("corpus", "chunks")
    store.client.get_or_create_collection(name, embedding_function=store._ef, metadata={"dimension": 999})
    with pytest.raises(StoreError, match="holds 999-dimension vectors.*--rebuild"):
        store.collection("corpus")


# ---------------------------------------------------------------------------- failures of the store itself
def test_a_server_that_dies_mid_session_gives_one_clear_error(chroma_process, embedder, tmp_path):
    url, proc = chroma_process
    store = open_store(tmp_path / "unused", url, embedder)
    note = tmp_path / "note.md"
    note.write_text("# Note\n\nThe Vantrel R2 chip has 64 cores.\n", encoding="utf-8")
    from index import index_user_file

    index_user_file(store, note, 200)
    proc.kill()
    proc.wait(timeout=10)
    vector = embedder.embed_one("Vantrel")
    for call in (lambda: store.dense("user", vector, 3, None), lambda: store.count("corpus"),
                 lambda: index_user_file(store, note, 200), lambda: store.metadatas("user")):
        with pytest.raises(StoreError, match=f"Chroma server at {url} stopped answering.*chroma run") as err:
            call()
        assert "\n" not in str(err.value)


def test_sqlite_quick_check_finds_garbage_in_the_database(tmp_path, corpus_copy, embedder):
    from index.store import sqlite_quick_check

    data = tmp_path / "data"
    index_corpus(open_store(data, None, embedder), corpus_copy, 200, progress=False)
    assert sqlite_quick_check(data)[0]
    db = data / "chroma" / "chroma.sqlite3"
    size = db.stat().st_size
    with db.open("r+b") as fh:
        fh.seek(size // 2)
        fh.write(os.urandom(64 * 1024))
    ok, detail = sqlite_quick_check(data)
    assert not ok and "damaged" in detail
