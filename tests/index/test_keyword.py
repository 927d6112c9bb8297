"""The persistent keyword index: add, replace, remove, reopen, compaction, filters, and a change
written by another process seen at the next search."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from index.keyword import MAX_SEGMENTS, KeywordStore
from index.text import keyword_tokens

REPO = Path(__file__).resolve().parents[2]


def meta(doc_id: str, source_hash: str = "h1", topic: str = "chips", published_int: int = 20250101, **extra):
    return {"doc_id": doc_id, "source_hash": source_hash, "topic": topic, "published_int": published_int,
            "title": doc_id.replace("-", " "), "section": "", **extra}


def put(ks: KeywordStore, doc_id: str, texts: list[str], kind: str = "corpus", source_hash: str = "h1", **m):
    ids = [f"{doc_id}:{source_hash}:{i}" for i in range(len(texts))]
    ks.put(kind, doc_id, ids, texts, [meta(doc_id, source_hash, **m) for _ in texts])
    return ids


def ids_of(ks: KeywordStore, query: str, n: int = 10, **kw) -> list[str]:
    return [h.chunk_id for h in ks.search(keyword_tokens(query), n, **kw)]


def reference_scores(rows: list[list[str]], query: str, k1: float = 1.5, b: float = 0.75) -> list[float]:
    """BM25 (Lucene idf) computed the slow, obvious way over one flat list of documents."""
    n = len(rows)
    avgdl = sum(map(len, rows)) / n
    out = []
    for doc in rows:
        score = 0.0
        for term in dict.fromkeys(keyword_tokens(query)):
            df = sum(1 for d in rows if term in d)
            tf = doc.count(term)
            if tf:
                score += math.log(1 + (n - df + 0.5) / (df + 0.5)) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(doc) / avgdl))
        out.append(score)
    return out


def test_add_search_and_idf(tmp_path):
    ks = KeywordStore(tmp_path / "kw")
    assert ks.search(["nvidia"], 5) == [] and ks.idf("nvidia") == 0.0
    put(ks, "h20", ["The H20 needed a licence from April 2025.", "Nvidia sold the H20 in China."])
    put(ks, "fund", ["Big Fund III has registered capital of 344 billion yuan."])
    assert ids_of(ks, "H20 licence")[0] == "h20:h1:0"
    assert ids_of(ks, "registered capital") == ["fund:h1:0"]
    hit = ks.search(keyword_tokens("registered capital"), 1)[0]
    assert hit.kind == "corpus" and hit.meta["doc_id"] == "fund" and "344 billion" in hit.text
    # an unseen word is as telling as the rarest seen one (a word found in one chunk)
    assert ks.idf("unseenword") == pytest.approx(ks.idf("registered"))
    assert ks.idf("registered") > ks.idf("h20")


def test_replace_tombstones_the_old_version(tmp_path):
    ks = KeywordStore(tmp_path / "kw")
    put(ks, "doc", ["Old figure: 100 megawatts at Abilene."], source_hash="v1")
    put(ks, "other", ["Unrelated text about Stargate."])
    put(ks, "doc", ["New figure: 1200 megawatts at Abilene.", "A second chunk on Abilene power."], source_hash="v2")
    assert ks.count("corpus") == 3
    assert all(i.startswith("doc:v2") for i in ids_of(ks, "old figure 100 megawatts Abilene"))
    assert ids_of(ks, "old 100") == []
    # the same version written twice leaves no duplicates
    put(ks, "doc", ["New figure: 1200 megawatts at Abilene.", "A second chunk on Abilene power."], source_hash="v2")
    assert ks.count("corpus") == 3 and len(ids_of(ks, "Abilene")) == 2


def test_remove_keep_hash_and_reset(tmp_path):
    ks = KeywordStore(tmp_path / "kw")
    put(ks, "a", ["Ascend 910C processing power."])
    put(ks, "b", ["Ascend 910B supply from SMIC."], kind="user")
    ks.delete("corpus", "a", keep_hash="h1")  # keeps its own version
    assert ks.count("corpus") == 1
    ks.delete("corpus", "a")
    assert ks.count("corpus") == 0 and ids_of(ks, "Ascend") == ["b:h1:0"]
    ks.delete("corpus", "missing")  # a no-op writes nothing
    generation = ks.generation
    ks.delete("corpus", "missing")
    assert ks.generation == generation
    ks.reset("user")
    assert ks.count() == 0 and ids_of(ks, "Ascend") == []


def test_persists_across_reopen(tmp_path):
    ks = KeywordStore(tmp_path / "kw")
    put(ks, "a", ["Xinjiang projects plan 115,000 H100 and H200 chips."])
    put(ks, "b", ["Qinghai hosts a share of the approved projects."], kind="user")
    ks.delete("user", "b")
    reopened = KeywordStore(tmp_path / "kw")
    assert reopened.generation == ks.generation
    assert reopened.count("corpus") == 1 and reopened.count("user") == 0
    assert ids_of(reopened, "115000 chips") == ["a:h1:0"]


def test_many_writes_compact_and_rank_as_one_index(tmp_path):
    ks = KeywordStore(tmp_path / "kw")
    texts: dict[str, list[str]] = {}
    words = ["nvidia", "export", "licence", "xinjiang", "power", "fund", "capital", "chips", "rule", "tpp"]
    for i in range(40):
        doc = [f"{words[i % 10]} {words[(i * 3) % 10]} {words[(i * 7) % 10]} number {i} " * (1 + i % 3),
               f"{words[(i + 1) % 10]} plain text {i}"]
        texts[f"d{i}"] = doc
        put(ks, f"d{i}", doc)
    for i in range(0, 40, 5):  # removals and replacements between compactions
        ks.delete("corpus", f"d{i}")
        del texts[f"d{i}"]
    for i in range(1, 40, 7):
        texts[f"d{i}"] = [f"replaced nvidia power {i}"]
        put(ks, f"d{i}", texts[f"d{i}"], source_hash="h2")
    assert ks.segment_count() <= MAX_SEGMENTS
    flat = [(f"{d}:{'h2' if t[0].startswith('replaced') else 'h1'}:{j}", x, d)
            for d, t in texts.items() for j, x in enumerate(t)]
    assert ks.count("corpus") == len(flat)
    rows = [keyword_tokens(f"{d.replace('-', ' ')}  {x}") for _, x, d in flat]
    for query in ["nvidia power", "export licence capital", "tpp rule 12"]:
        ref = reference_scores(rows, query)
        expected = {flat[i][0]: ref[i] for i in range(len(flat)) if ref[i] > 0}
        got = {h.chunk_id: h.score for h in ks.search(keyword_tokens(query), 1000)}
        assert got.keys() == expected.keys()
        for cid, score in expected.items():
            assert got[cid] == pytest.approx(score, rel=1e-4)
    assert ks.idf("nvidia") == pytest.approx(
        math.log(1 + (len(rows) - sum("nvidia" in r for r in rows) + 0.5) / (sum("nvidia" in r for r in rows) + 0.5)))


def test_filters_kinds_and_accept(tmp_path):
    ks = KeywordStore(tmp_path / "kw")
    put(ks, "old", ["Export rule on chips."], topic="export-controls", published_int=20221007)
    put(ks, "new", ["Export rule on chips, updated."], topic="export-controls", published_int=20250115)
    put(ks, "mine", ["Export rule notes on chips."], kind="user", topic="user", owner="alice")
    assert len(ids_of(ks, "export rule")) == 3
    assert ids_of(ks, "export rule", kinds=["user"]) == ["mine:h1:0"]
    assert ids_of(ks, "export rule", prefilter={"date_from": 20240101, "collection": ["corpus"]},
                  kinds=["corpus"]) == ["new:h1:0"]
    assert ids_of(ks, "export rule", prefilter={"source": ["old"]}) == ["old:h1:0"]
    assert sorted(ids_of(ks, "export rule", prefilter={"topic": ["export-controls"]})) == ["new:h1:0", "old:h1:0"]
    # every candidate goes through accept(meta): an owner check the index does not know about
    assert ids_of(ks, "export rule", accept=lambda m: m.get("owner") in (None, "bob")) == \
        [i for i in ids_of(ks, "export rule") if not i.startswith("mine")]


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, capture_output=True, text=True,
                          check=True, timeout=120).stdout


def test_another_process_sees_a_change_at_the_next_search(tmp_path):
    root = tmp_path / "kw"
    ks = KeywordStore(root)
    put(ks, "base", ["Stargate Abilene campus power."])
    assert ids_of(ks, "Ascend 910C") == []
    # another process (the CLI) adds a document while this one (the UI) keeps its index open
    _run(f"""
        from index.keyword import KeywordStore
        ks = KeywordStore({str(root)!r})
        ks.put("user", "upload", ["upload:h1:0"], ["Huawei Ascend 910C yield figures."],
               [{{"doc_id": "upload", "source_hash": "h1", "title": "notes"}}])
    """)
    assert ids_of(ks, "Ascend 910C") == ["upload:h1:0"]
    # ...and sees this process's removal
    ks.delete("corpus", "base")
    out = _run(f"""
        from index.keyword import KeywordStore
        from index.text import keyword_tokens
        ks = KeywordStore({str(root)!r})
        print(ks.count("corpus"), [h.chunk_id for h in ks.search(keyword_tokens("Ascend"), 5)])
    """)
    assert out.strip() == "0 ['upload:h1:0']"


def test_store_writes_keep_the_keyword_index_in_step(tmp_path, corpus_copy, embedder):
    """Through the real store: index, upload, replace, remove; a fresh KeywordIndex finds each change
    without reading the store again."""
    from assistant.retrieval import KeywordIndex
    from index import index_corpus, index_user_file, open_store, remove_user_document

    store = open_store(tmp_path / "data", None, embedder)
    index_corpus(store, corpus_copy, 200, progress=False)
    kw = KeywordIndex(store)
    assert kw.engine.count("corpus") == store.count("corpus") > 0
    note = tmp_path / "zephyr-notes.md"
    note.write_text("# Zephyrine cluster\n\nThe Zephyrine cluster runs 4,096 accelerators in Tromso.\n")
    doc = index_user_file(store, note, 200)
    hits = kw.search("Zephyrine accelerators", 5, {"owner": "local"})  # uploads: the owner's only
    assert hits and hits[0].kind == "user" and hits[0].doc_id == doc.doc_id
    note.write_text("# Zephyrine cluster\n\nThe Zephyrine cluster now runs 8,192 accelerators in Tromso.\n")
    index_user_file(store, note, 200)
    hits = kw.search("Zephyrine", 5, {"owner": "local"})
    assert len(hits) == 1 and "8,192" in hits[0].text
    assert kw.sync() is False  # counts and collection ids agree: nothing is read back
    remove_user_document(store, doc.doc_id)
    assert kw.search("Zephyrine", 5, {"owner": "local"}) == []
    # a missing index (an older data dir) is rebuilt once from the store
    import shutil

    shutil.rmtree(store.keyword_dir)
    store2 = open_store(tmp_path / "data", None, embedder)
    kw2 = KeywordIndex(store2)
    assert kw2.engine.count("corpus") == store2.count("corpus")
    assert kw2.search("Xinjiang", 3, {})
