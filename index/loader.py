"""Read sources into `SourceDocument`s: the corpus format (Markdown + YAML front matter),
the chip catalogue, and the files users bring (txt, md, html, pdf).
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import yaml

from index.errors import LoadError
from index.text import SPLIT_VERSION

log = logging.getLogger(__name__)

USER_TYPES = {".txt", ".md", ".markdown", ".html", ".htm", ".pdf"}
MAX_FRONT_MATTER_BYTES = 16 * 1024  # front matter is a few fields; more is refused
MAX_TITLE_CHARS = 200  # longer titles are cut at a word, with "…"
MAX_FIELD_CHARS = 300  # topic, publisher, language, date
MAX_ID_CHARS = 200
MAX_URL_CHARS = 2000
_BOMS = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]

__all__ = ["LoadError", "SourceDocument", "USER_TYPES", "decode_text", "load_corpus", "load_file", "parse_markdown",
           "safe_url"]


@dataclass
class SourceDocument:
    """One citable document, whatever file it came from."""

    doc_id: str
    title: str
    body: str  # Markdown or plain text; headings ("## ...") delimit sections
    topic: str = ""
    published: str = ""  # ISO date or ""
    language: str = "en"
    url: str = ""
    publisher: str = ""
    path: str = ""
    extra_sources: list[dict[str, str]] = field(default_factory=list)
    owner: str = ""  # who may search it: "" for the corpus, the uploader's id for user documents

    @property
    def content_hash(self) -> str:
        """Changes whenever anything that ends up in the index changes."""
        # the splitter's version too: its sentence indexes are stored beside the chunks
        key = "\x1f".join([self.doc_id, self.title, self.topic, self.published, self.language,
                           self.url, self.publisher, self.body, f"split-{SPLIT_VERSION}"])
        return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n(.*))?\Z", re.S)


def _iso(value: object) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return _cap(str(value or ""), MAX_FIELD_CHARS)


def _cap(text: str, limit: int) -> str:
    """One line of at most `limit` characters, cut at a word with "…" when longer."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + "…"


def safe_url(value: object) -> str:
    """The URL when it is an absolute http(s) URL with a host; "" for anything else
    (javascript:, data:, file:, relative paths, over-long strings)."""
    url = str(value or "").strip()
    if not url or len(url) > MAX_URL_CHARS or any(c.isspace() or ord(c) < 32 for c in url):
        return ""
    try:
        parsed = urlparse(url)
    except ValueError:
        return ""
    return url if parsed.scheme.lower() in ("http", "https") and parsed.netloc else ""


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without aliases: "*name" references can expand a few bytes into millions of words."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.events.AliasEvent):
            event = self.peek_event()
            raise LoadError(f"YAML alias *{event.anchor} on line {event.start_mark.line + 1}")
        return super().compose_node(parent, index)


def _front_matter(block: str, path: Path) -> dict:
    size = len(block.encode("utf-8"))
    if size > MAX_FRONT_MATTER_BYTES:
        raise LoadError(f"{path.name}: front matter is {size:,} bytes, over the limit of {MAX_FRONT_MATTER_BYTES:,}; "
                        "keep it to a few fields (id, title, topic, published, sources)")
    try:
        meta = yaml.load(block, Loader=_NoAliasLoader) or {}
    except LoadError as exc:
        raise LoadError(f"{path.name}: front matter uses a {exc}; aliases are not allowed, write the value out") from None
    except yaml.YAMLError as exc:
        raise LoadError(f"{path.name}: front matter is not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(meta, dict):
        raise LoadError(f"{path.name}: front matter must be a mapping")
    return meta


def _first_line_title(text: str, fallback: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return _cap(line.strip().lstrip("#").strip(), MAX_TITLE_CHARS) or fallback
    return fallback


def parse_markdown(text: str, path: Path, default_id: str | None = None) -> SourceDocument:
    """Corpus format: front matter with id, title, topic, published, language, sources."""
    default_id = default_id or path.stem
    match = _FRONT_MATTER.match(text)
    if not match:
        return SourceDocument(doc_id=default_id, title=_first_line_title(text, path.stem), body=text, path=str(path))
    meta = _front_matter(match.group(1), path)
    sources = meta.get("sources") or []
    if not isinstance(sources, list):
        sources = [sources] if isinstance(sources, dict) else []
    first = sources[0] if sources and isinstance(sources[0], dict) else {}
    doc_id = str(meta.get("id") or default_id).strip()
    if len(doc_id) > MAX_ID_CHARS or not doc_id.isprintable():
        raise LoadError(f"{path.name}: front matter id must be printable and at most {MAX_ID_CHARS} characters")
    extra = []
    for s in sources:
        if isinstance(s, dict):
            entry = {str(k)[:40]: _iso(v) for k, v in s.items() if k != "url"}
            if s.get("url") is not None:
                entry["url"] = safe_url(s.get("url"))
            extra.append(entry)
    return SourceDocument(
        doc_id=doc_id,
        title=_cap(str(meta.get("title") or ""), MAX_TITLE_CHARS) or path.stem,
        body=match.group(2) or "",
        topic=_cap(str(meta.get("topic") or ""), MAX_FIELD_CHARS).lower(),
        published=_iso(meta.get("published")),
        language=_cap(str(meta.get("language") or "en"), MAX_FIELD_CHARS),
        url=safe_url(first.get("url")),
        publisher=_cap(str(first.get("publisher") or ""), MAX_FIELD_CHARS),
        path=str(path),
        extra_sources=extra,
    )


def _looks_binary(text: str) -> bool:
    """Text files hold next to no control characters; binary data decoded as text holds many."""
    if "\x00" in text:
        return True
    sample = text[:200_000]
    controls = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v\x1b")
    return controls > max(2, len(sample) // 100)


def decode_text(raw: bytes, name: str) -> str:
    """Decode a text file: a byte-order mark (UTF-8/16/32) decides; otherwise UTF-8, otherwise the
    encoding charset-normalizer detects (Latin-1, Windows-1252, Shift-JIS, UTF-16 without a mark, …).
    Refuses, naming the reason, what is not text. Line ends become "\\n"; the mark is dropped."""
    encoding = next((enc for bom, enc in _BOMS if raw.startswith(bom)), None)
    text: str | None = None
    if encoding:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            raise LoadError(f"{name}: starts with a {encoding.upper()} byte-order mark but is not valid "
                            f"{encoding.upper()}; save it as UTF-8 and try again") from None
    else:
        try:
            if b"\x00" in raw[:4096]:  # UTF-16/32 without a mark is valid UTF-8 full of NULs: detect it
                raise UnicodeDecodeError("utf-8", raw[:1], 0, 1, "NUL bytes")
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            from charset_normalizer import from_bytes

            best = from_bytes(raw).best()
            if best is None or best.encoding is None:
                raise LoadError(f"{name}: not text in any encoding we can recognise (binary data?); "
                                "save it as UTF-8 text and try again") from None
            text = str(best)
            log.info("%s: decoded as %s", name, best.encoding)
    text = text.lstrip("\ufeff")
    if _looks_binary(text):
        raise LoadError(f"{name}: looks like binary data, not text; upload a text, Markdown, HTML or PDF file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _html_to_text(raw: str) -> tuple[str, str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(raw, "html.parser")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    title = soup.title.get_text(strip=True) if soup.title else ""
    parts = []
    for el in soup.find_all(["h1", "h2", "h3", "p", "li", "td", "pre", "blockquote"]):
        text = el.get_text(" ", strip=True)
        if not text:
            continue
        parts.append(f"## {text}" if el.name in ("h2", "h3") else text)
    body = "\n\n".join(parts) or soup.get_text("\n", strip=True)
    return title, body


def _pdf_to_text(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return "\n\n".join((page.extract_text() or "") for page in reader.pages)


def load_file(path: Path, doc_id: str | None = None, default_id: str | None = None) -> SourceDocument:
    """Load one file of any supported type; raise LoadError naming the file on any failure.

    `doc_id` forces the id (uploads); `default_id` is used when the file does not set its own."""
    suffix = path.suffix.lower()
    if suffix not in USER_TYPES:
        raise LoadError(f"{path.name}: unsupported file type {suffix or '(none)'}; use one of {sorted(USER_TYPES)}")
    fallback_id = doc_id or default_id or path.stem
    try:
        if suffix == ".pdf":
            text = _pdf_to_text(path)
            doc = SourceDocument(doc_id=fallback_id, title=path.stem, body=text, path=str(path))
        else:
            raw = decode_text(path.read_bytes(), path.name)
            if suffix in (".html", ".htm"):
                title, body = _html_to_text(raw)
                doc = SourceDocument(doc_id=fallback_id, title=_cap(title, MAX_TITLE_CHARS) or path.stem, body=body,
                                     path=str(path))
            else:
                doc = parse_markdown(raw, path, default_id=fallback_id)
                if doc_id:
                    doc.doc_id = doc_id
    except LoadError:
        raise
    except Exception as exc:  # pypdf and bs4 raise many kinds
        raise LoadError(f"{path.name}: could not be read ({exc.__class__.__name__}: {str(exc)[:200]})") from None
    if not doc.body.strip():
        raise LoadError(f"{path.name}: contains no text")
    return doc


def load_corpus(corpus_dir: Path) -> tuple[list[SourceDocument], list[str]]:
    """All corpus documents plus the chip catalogue; unreadable files are reported, not fatal."""
    from index.catalogue import load_catalogue_documents

    docs: list[SourceDocument] = []
    problems: list[str] = []
    if not corpus_dir.is_dir():
        raise LoadError(f"corpus directory {corpus_dir} does not exist; set ASSISTANT_CORPUS_DIR")
    for path in sorted(corpus_dir.rglob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        try:  # a file without an id of its own is named by its path: a/notes.md and b/notes.md differ
            docs.append(load_file(path, default_id=path.relative_to(corpus_dir).with_suffix("").as_posix()))
        except (LoadError, OSError) as exc:
            log.warning("skipped %s", exc)
            problems.append(str(exc))
    chips = corpus_dir / "data" / "chips.csv"
    if chips.exists():
        try:
            docs.extend(load_catalogue_documents(chips))
        except LoadError as exc:
            log.warning("skipped %s", exc)
            problems.append(str(exc))
    seen: dict[str, str] = {}
    unique = []
    for doc in docs:
        if doc.doc_id in seen:
            problems.append(f"{doc.path}: duplicate id {doc.doc_id!r} (also in {seen[doc.doc_id]}); skipped")
            continue
        seen[doc.doc_id] = doc.path
        unique.append(doc)
    return unique, problems
