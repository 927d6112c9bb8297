"""Chunking follows headings, never cuts a sentence, and stays under the word-piece limit."""

from index.loader import SourceDocument
from index.splitter import chunk_document, sections


def words(text: str) -> int:
    return len(text.split())


DOC = SourceDocument(doc_id="d", title="Title", body=(
    "Lead sentence one. Lead sentence two.\n\n## First part\n\n" + " ".join(f"Sentence number {i} is here." for i in range(40))
    + "\n\n## Second part\n\nShort closing sentence."))


def test_sections_follow_headings():
    assert [h for h, _ in sections(DOC.body)] == ["", "First part", "Second part"]


def test_chunks_stay_under_the_limit_and_keep_section_names():
    chunks = chunk_document(DOC, words, max_tokens=40)
    assert all(words(c.embedding_text(DOC.title)) <= 40 for c in chunks)
    assert {c.section for c in chunks} == {"", "First part", "Second part"}
    assert all(c.text.endswith(".") for c in chunks)


def test_chunk_ids_are_stable_and_content_derived():
    a = [c.chunk_id for c in chunk_document(DOC, words, 40)]
    b = [c.chunk_id for c in chunk_document(DOC, words, 40)]
    assert a == b and len(set(a)) == len(a)
    changed = SourceDocument(doc_id="d", title="Title", body=DOC.body + " Extra.")
    assert set(a).isdisjoint(c.chunk_id for c in chunk_document(changed, words, 40))


def test_real_tokenizer_limit(embedder):
    long_doc = SourceDocument(doc_id="x", title="A title", body="## S\n\n" + " ".join(
        f"The H100 delivers {i},000 units of something measurable." for i in range(200)))
    for chunk in chunk_document(long_doc, embedder.count_tokens, 200):
        assert embedder.count_tokens(chunk.embedding_text(long_doc.title)) <= 256


# ---------------------------------------------------------------------------- never over the model's limit
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from index.indexer import chunk_limit, token_counter  # noqa: E402
from index.loader import load_corpus  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
TABLE_ROWS = "\n".join(f"| Site {i} | {'Hami' if i % 2 else 'Xining'} | {i * 1000:,} | Operator {i} |" for i in range(1, 61))
TABLE_DOC = SourceDocument(doc_id="sites", title="Planned sites", body=(
    "## Sites\n\nThe table lists every planned site.\n\n| Site | City | Chips planned | Operator |\n"
    f"|---|---|---:|---|\n{TABLE_ROWS}\n\nThe list was compiled in 2025."))
NO_STOPS = SourceDocument(doc_id="ramble", title="A ramble", body=" ".join(
    f"and then cluster {i} was mentioned in passing" for i in range(430)) + " and the Zorbex site plans 4,242 chips")


def within_model_limit(embedder, doc, chunks) -> None:
    """Every chunk's embedding text, counted by the model's own tokenizer with [CLS] and [SEP],
    fits the model's window."""
    for c in chunks:
        assert embedder.count_tokens(c.embedding_text(doc.title)) + 2 <= embedder.max_tokens, c.text[:80]


def test_a_long_sentence_is_cut_at_the_limit_and_keeps_its_figure(embedder):
    chunks = chunk_document(NO_STOPS, token_counter(embedder), chunk_limit(embedder, 200))
    assert len(chunks) > 3
    within_model_limit(embedder, NO_STOPS, chunks)
    assert " ".join(c.text for c in chunks).split() == NO_STOPS.body.split()  # nothing lost, nothing reordered
    assert sum("4,242" in c.text for c in chunks) == 1


def test_tables_split_by_rows_with_the_header_in_every_chunk(embedder):
    chunks = [c for c in chunk_document(TABLE_DOC, token_counter(embedder), chunk_limit(embedder, 200))
              if "Chips planned" in c.text]
    assert len(chunks) >= 3
    within_model_limit(embedder, TABLE_DOC, chunks)
    for c in chunks:
        assert c.sentences[0] == "| Site | City | Chips planned | Operator |"
    rows = [s for c in chunks for s in c.sentences[1:]]
    assert len(rows) == 60  # each row whole, once
    site47 = next(c for c in chunks if "Site 47;" in c.text)
    assert "Site: Site 47; City: Hami; Chips planned: 47,000; Operator: Operator 47." in site47.sentences


def test_a_five_megabyte_line_becomes_many_chunks_quickly(embedder):
    line = " ".join(f"Shard {i} of the archive lists 12,{i % 1000:03d} accelerators" for i in range(110_000))
    assert len(line) > 5_000_000
    doc = SourceDocument(doc_id="huge", title="One line", body=line)
    start = time.perf_counter()
    chunks = chunk_document(doc, token_counter(embedder), chunk_limit(embedder, 200))
    assert time.perf_counter() - start < 90
    assert len(chunks) > 1000 and max(len(c.text) for c in chunks) < 2000
    sample = chunks[:: max(1, len(chunks) // 200)]
    within_model_limit(embedder, doc, sample)
    counts = token_counter(embedder).many([c.embedding_text(doc.title) for c in chunks])
    assert max(counts) + 2 <= embedder.max_tokens


@pytest.mark.parametrize("body", [
    "x" * 60_000,  # no space at all
    "中文文本测试。" * 3000,  # CJK: one word piece per character
    "## " + "very long heading " * 300 + "\n\nShort body sentence.",
    "https://example.com/" + "a/" * 5000 + " is a long link.",
])
def test_odd_texts_stay_within_the_limit(embedder, body):
    doc = SourceDocument(doc_id="odd", title="An odd document " * 12, body=body)
    for counter in (token_counter(embedder), embedder.count_tokens):
        chunks = chunk_document(doc, counter, chunk_limit(embedder, 200))
        assert chunks
        within_model_limit(embedder, doc, chunks)


def test_no_chunk_of_the_corpus_exceeds_the_model_limit(embedder):
    docs, problems = load_corpus(REPO / "corpus")
    assert not problems and len(docs) > 50
    counter, limit = token_counter(embedder), chunk_limit(embedder, 256)  # the largest setting allowed
    n = 0
    for doc in docs:
        chunks = chunk_document(doc, counter, limit)
        texts = [c.embedding_text(doc.title) for c in chunks]
        assert max(embedder.count_tokens(t) for t in texts) + 2 <= embedder.max_tokens, doc.doc_id
        n += len(chunks)
    assert n > 300
