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
    ("bad.md", bytes(range(256)) * 8, "binary"),
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


# ---------------------------------------------------------------------------- encodings
FRONT = "---\nid: enc-doc\ntitle: Ürümqi café report\ntopic: datacenters\n---\n\n# Heading\n\nThe café in Ürümqi hosts 115,000 chips.\n"


def test_utf8_byte_order_mark_is_stripped_and_front_matter_parses(tmp_path):
    path = tmp_path / "bom.md"
    path.write_bytes(b"\xef\xbb\xbf" + FRONT.encode("utf-8"))
    doc = load_file(path)
    assert doc.doc_id == "enc-doc" and doc.title == "Ürümqi café report" and doc.topic == "datacenters"
    assert "\ufeff" not in doc.body and "id:" not in doc.body


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_files_are_decoded(tmp_path, encoding):
    path = tmp_path / "wide.md"
    path.write_bytes(FRONT.encode(encoding) if encoding in ("utf-16", "utf-32")
                     else (b"\xff\xfe" if encoding.endswith("le") else b"\xfe\xff") + FRONT.encode(encoding))
    doc = load_file(path)
    assert doc.title == "Ürümqi café report" and "115,000 chips" in doc.body


def test_utf16_without_a_byte_order_mark_is_detected(tmp_path):
    path = tmp_path / "wide.txt"
    path.write_bytes(("The H20 has a TPP of 2,368 and sells in China. " * 20).encode("utf-16-le"))
    assert "TPP of 2,368" in load_file(path).body


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_legacy_single_byte_encodings_are_decoded(tmp_path, encoding):
    text = "Le centre de données d'Ürümqi, près du café, prévoit 115 000 puces. " * 4
    path = tmp_path / "legacy.txt"
    path.write_bytes(text.encode(encoding))
    body = load_file(path).body
    assert "données" in body and "Ürümqi" in body and "prévoit" in body


def test_crlf_line_ends_keep_front_matter(tmp_path):
    path = tmp_path / "crlf.md"
    path.write_bytes(FRONT.replace("\n", "\r\n").encode("utf-8"))
    doc = load_file(path)
    assert doc.doc_id == "enc-doc" and "\r" not in doc.body


# ---------------------------------------------------------------------------- front matter limits
def test_yaml_aliases_are_refused_quickly(tmp_path):
    """345 bytes that expand to a 531,441-word title ("billion laughs")."""
    bomb = ("---\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
            "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\ntitle: *e\n---\nbody text here.\n")
    path = tmp_path / "bomb.md"
    path.write_text(bomb)
    import time

    start = time.perf_counter()
    with pytest.raises(LoadError, match="alias") as err:
        load_file(path)
    assert time.perf_counter() - start < 1.0 and "bomb.md" in str(err.value)


def test_oversized_front_matter_is_refused(tmp_path):
    path = tmp_path / "big-front.md"
    path.write_text("---\ntitle: t\nnotes: '" + "x" * 20_000 + "'\n---\nbody text.\n")
    with pytest.raises(LoadError, match="front matter is .* bytes, over the limit"):
        load_file(path)


def test_long_titles_are_capped(tmp_path):
    from index.loader import MAX_TITLE_CHARS

    path = tmp_path / "long-title.md"
    path.write_text("---\ntitle: " + "word " * 2000 + "\n---\nbody text.\n")
    title = load_file(path).title
    assert len(title) <= MAX_TITLE_CHARS and title.endswith("…")
    line = tmp_path / "one-line.txt"
    line.write_text("lorem ipsum " * 50_000)  # a file that is one long line: its first line is not a title
    assert len(load_file(line).title) <= MAX_TITLE_CHARS


def test_only_http_urls_are_kept(tmp_path):
    for url, kept in [("https://example.com/a", True), ("http://example.com", True), ("javascript:alert(1)", False),
                      ("data:text/html,<b>x</b>", False), ("file:///etc/passwd", False), ("/relative/path", False),
                      ("https:// spaced.com", False)]:
        path = tmp_path / "src.md"
        path.write_text(f"---\ntitle: t\nsources:\n  - url: \"{url}\"\n    publisher: P\n---\nbody text.\n")
        doc = load_file(path)
        assert (doc.url == url) is kept and (doc.extra_sources[0]["url"] == url) is kept, url


def test_files_without_an_id_are_named_by_their_path(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "notes.md").write_text(f"# Notes {folder}\n\nNotes from folder {folder}.\n")
    docs, problems = load_corpus(tmp_path)
    assert problems == [] and sorted(d.doc_id for d in docs) == ["a/notes", "b/notes"]
