"""Loading: the corpus format, user file types, and clear errors for unreadable files."""

from pathlib import Path

import pytest

from index.loader import LoadError, load_corpus, load_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"


def test_corpus_documents_carry_front_matter_and_first_source():
    docs, problems = load_corpus(FIXTURES)
    assert problems == []
    by_id = {d.doc_id: d for d in docs}
    doc = by_id["xinjiang-qinghai-39-projects"]
    assert doc.topic == "datacenters" and doc.published.startswith("2025-")
    assert doc.url.startswith("http") and doc.publisher


def test_catalogue_rows_become_citable_documents():
    docs, _ = load_corpus(FIXTURES)
    chip = {d.doc_id: d for d in docs}["chip-h20"]
    assert "Total Processing Performance (TPP) of 2,368" in chip.body
    assert chip.topic == "chips"


def test_content_hash_changes_with_the_body():
    docs, _ = load_corpus(FIXTURES)
    doc = docs[0]
    before = doc.content_hash
    doc.body += "\nOne more sentence."
    assert doc.content_hash != before


def test_html_scripts_are_dropped_and_text_kept(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html><title>T</title><script>alert(1)</script><h2>Part</h2><p>Body text here.</p></html>")
    doc = load_file(page)
    assert "alert" not in doc.body and "Body text here." in doc.body and "## Part" in doc.body


def test_pdf_text_is_extracted(tmp_path):
    from pypdf import PdfWriter

    pdf = tmp_path / "empty.pdf"
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    with pdf.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(LoadError, match="contains no text"):
        load_file(pdf)


@pytest.mark.parametrize("name,content,message", [
    ("notes.exe", b"MZ", "unsupported file type"),
    ("bad.md", b"\xff\xfe\x00bad", "not UTF-8"),
    ("broken.md", b"---\nid: [unclosed\n---\nbody", "front matter is not valid YAML"),
    ("blank.txt", b"   \n", "contains no text"),
])
def test_unreadable_files_raise_an_error_naming_the_file(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError, match=message) as err:
        load_file(path)
    assert name in str(err.value)


def test_missing_corpus_directory_is_reported(tmp_path):
    with pytest.raises(LoadError, match="does not exist"):
        load_corpus(tmp_path / "nowhere")


def test_rendered_catalogue_tpp_agrees_with_the_tools_for_every_chip():
    """index/ states each chip's TPP in prose without importing the tools; the two must agree."""
    import re

    from assistant.tools import compute_tpp, load_catalogue
    from index.catalogue import load_catalogue_documents

    corpus = Path(__file__).resolve().parents[2] / "corpus" / "data" / "chips.csv"
    catalogue = load_catalogue(corpus)
    for doc in load_catalogue_documents(corpus):
        stated = re.search(r"Total Processing Performance \(TPP\) of ([\d,.]+)", doc.body)
        if not stated:
            continue
        chip = catalogue.get(doc.doc_id.removeprefix("chip-"))
        computed = compute_tpp(chip).to_dict()["result"]["tpp"]
        assert float(stated.group(1).replace(",", "")) == pytest.approx(computed, rel=1e-3), doc.doc_id
