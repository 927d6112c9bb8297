"""Heading-aware chunker: sections stay whole where they fit, sentences are never cut,
and every chunk stays under the embedding model's word-piece limit."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from index.loader import SourceDocument
from index.text import split_sentences

_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")


@dataclass
class Chunk:
    chunk_id: str
    doc_id: str
    text: str  # plain text as quoted to users
    section: str
    position: int
    sentences: list[str] = field(default_factory=list)

    def embedding_text(self, title: str) -> str:
        """Title and section give short chunks the context a reader would have."""
        head = f"{title} — {self.section}" if self.section else title
        return f"{head}. {self.text}"


def sections(body: str) -> list[tuple[str, str]]:
    """(heading, text) pairs; text before the first heading has the heading ""."""
    out: list[tuple[str, list[str]]] = [("", [])]
    for line in body.splitlines():
        m = _HEADING.match(line)
        if m:
            out.append((m.group(2).strip(), []))
        else:
            out[-1][1].append(line)
    return [(h, "\n".join(lines).strip()) for h, lines in out if "\n".join(lines).strip()]


def _paragraph_sentences(text: str) -> list[str]:
    sentences: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        para = re.sub(r"^\s*[-*+]\s+", "", para, flags=re.M)
        sentences.extend(split_sentences(para))
    return sentences


def chunk_document(doc: SourceDocument, count_tokens: Callable[[str], int], max_tokens: int) -> list[Chunk]:
    chunks: list[Chunk] = []
    budget = max_tokens - count_tokens(doc.title) - 8  # the title/section prefix shares the window
    for heading, text in sections(doc.body):
        current: list[str] = []
        used = count_tokens(heading) if heading else 0
        for sentence in _paragraph_sentences(text):
            n = count_tokens(sentence)
            if current and used + n > budget:
                chunks.append(_make(doc, heading, current, len(chunks)))
                current, used = [], count_tokens(heading) if heading else 0
            current.append(sentence)
            used += n
        if current:
            chunks.append(_make(doc, heading, current, len(chunks)))
    return chunks


def _make(doc: SourceDocument, heading: str, sentences: list[str], position: int) -> Chunk:
    text = " ".join(sentences)
    digest = hashlib.sha1(f"{doc.doc_id}\x1f{doc.content_hash}\x1f{position}\x1f{text}".encode()).hexdigest()[:20]
    return Chunk(chunk_id=f"{doc.doc_id}:{digest}", doc_id=doc.doc_id, text=text, section=heading,
                 position=position, sentences=list(sentences))
