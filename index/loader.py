"""Read sources into `SourceDocument`s: the corpus format (Markdown + YAML front matter),
the chip catalogue, and the files users bring (txt, md, html, pdf).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

log = logging.getLogger(__name__)

USER_TYPES = {".txt", ".md", ".markdown", ".html", ".htm", ".pdf"}


class LoadError(Exception):
    """A source could not be read or parsed; the message names the file and the reason."""


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

    @property
    def content_hash(self) -> str:
        """Changes whenever anything that ends up in the index changes."""
        key = "\x1f".join([self.doc_id, self.title, self.topic, self.published, self.language,
                           self.url, self.publisher, self.body])
        return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n?(.*)\Z", re.S)


def _iso(value: object) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return str(value or "")


def parse_markdown(text: str, path: Path) -> SourceDocument:
    """Corpus format: front matter with id, title, topic, published, language, sources."""
    match = _FRONT_MATTER.match(text)
    if not match:
        title = next((ln.lstrip("# ").strip() for ln in text.splitlines() if ln.strip()), path.stem)
        return SourceDocument(doc_id=path.stem, title=title, body=text, path=str(path))
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise LoadError(f"{path}: front matter is not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(meta, dict):
        raise LoadError(f"{path}: front matter must be a mapping")
    sources = meta.get("sources") or []
    first = sources[0] if sources and isinstance(sources[0], dict) else {}
    return SourceDocument(
        doc_id=str(meta.get("id") or path.stem),
        title=str(meta.get("title") or path.stem),
        body=match.group(2),
        topic=str(meta.get("topic") or ""),
        published=_iso(meta.get("published")),
        language=str(meta.get("language") or "en"),
        url=str(first.get("url") or ""),
        publisher=str(first.get("publisher") or ""),
        path=str(path),
        extra_sources=[{k: _iso(v) for k, v in s.items()} for s in sources if isinstance(s, dict)],
    )


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


def load_file(path: Path, doc_id: str | None = None) -> SourceDocument:
    """Load one file of any supported type; raise LoadError naming the file on any failure."""
    suffix = path.suffix.lower()
    if suffix not in USER_TYPES:
        raise LoadError(f"{path.name}: unsupported file type {suffix or '(none)'}; use one of {sorted(USER_TYPES)}")
    try:
        if suffix == ".pdf":
            text = _pdf_to_text(path)
            doc = SourceDocument(doc_id=doc_id or path.stem, title=path.stem, body=text, path=str(path))
        else:
            raw = path.read_bytes().decode("utf-8")
            if suffix in (".html", ".htm"):
                title, body = _html_to_text(raw)
                doc = SourceDocument(doc_id=doc_id or path.stem, title=title or path.stem, body=body, path=str(path))
            else:
                doc = parse_markdown(raw, path)
                if doc_id:
                    doc.doc_id = doc_id
    except LoadError:
        raise
    except UnicodeDecodeError:
        raise LoadError(f"{path.name}: not UTF-8 text; save it as UTF-8 and try again") from None
    except Exception as exc:  # pypdf and bs4 raise many kinds
        raise LoadError(f"{path.name}: could not be read ({exc.__class__.__name__}: {exc})") from None
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
        try:
            docs.append(load_file(path))
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
