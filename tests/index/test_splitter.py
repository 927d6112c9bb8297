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
