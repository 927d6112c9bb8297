"""Heading-aware chunker: sections stay whole where they fit, sentences are cut only when one
alone is over the limit, tables are split by rows with their header row in every chunk, and
no chunk's embedding text (title and section included) is ever over the word-piece limit."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from index.loader import SourceDocument
from index.text import split_sentences, strip_markdown

Counter = Callable[[str], int]

_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
MAX_WORD_CHARS = 100  # BERT tokenizers turn a longer "word" into one [UNK]; cut such runs into pieces
MAX_SECTION_CHARS = 120  # a longer heading is shortened for the label; its full text joins the body
MIN_BUDGET = 8
SLACK = 2  # word pieces kept free for joins the counter may not see


@dataclass
class Chunk:
    chunk_id: str
    doc_id: str
    text: str  # plain text as quoted to users
    section: str
    position: int
    sentences: list[str] = field(default_factory=list)
    head: str | None = None  # "title — section" as it fits in the window; None: built from `title`

    def embedding_text(self, title: str = "") -> str:
        """Title and section give short chunks the context a reader would have."""
        head = self.head if self.head is not None else (f"{title} — {self.section}" if self.section else title)
        return f"{head}. {self.text}" if head else self.text


@dataclass
class _Draft:
    section: str
    head: str
    sentences: list[str]
    joiner: str = " "

    @property
    def text(self) -> str:
        return self.joiner.join(self.sentences)

    def embedding_text(self) -> str:
        return f"{self.head}. {self.text}" if self.head else self.text


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


def _cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return [strip_markdown(c.replace("\\|", "|")) for c in re.split(r"(?<!\\)\|", line)]


def _blocks(text: str) -> list[tuple[str, object]]:
    """The text as prose paragraphs and Markdown tables: ("prose", str) or ("table", (header, rows))."""
    lines = text.splitlines()
    out: list[tuple[str, object]] = []
    prose: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if ("|" in line and i + 1 < len(lines) and "|" in lines[i + 1] and _TABLE_RULE.match(lines[i + 1])):
            if prose:
                out.append(("prose", "\n".join(prose)))
                prose = []
            header = _cells(line)
            rows = []
            i += 2
            while i < len(lines) and "|" in lines[i] and lines[i].strip():
                rows.append(_cells(lines[i]))
                i += 1
            out.append(("table", (header, rows)))
            continue
        prose.append(line)
        i += 1
    if prose:
        out.append(("prose", "\n".join(prose)))
    return out


def _row_sentence(header: list[str], cells: list[str]) -> str:
    """A table row as a sentence that names its columns: "Site: Site 47; Chips planned: 12,000."."""
    parts = []
    for i, cell in enumerate(cells):
        if not cell:
            continue
        label = header[i] if i < len(header) else ""
        parts.append(f"{label}: {cell}" if label else cell)
    return ("; ".join(parts) + ".") if parts else ""


def _split_chars(word: str, count_tokens: Counter, budget: int) -> list[str]:
    pieces, start = [], 0
    while start < len(word):
        lo, hi = 1, len(word) - start
        while lo < hi:  # longest prefix that fits
            mid = (lo + hi + 1) // 2
            if count_tokens(word[start:start + mid]) <= budget:
                lo = mid
            else:
                hi = mid - 1
        pieces.append(word[start:start + lo])
        start += lo
    return pieces


class WordPieceCounter:
    """Counts a fast tokenizer's word pieces (no special tokens), as the model sees them, and gives
    each piece's character span, so a long text is cut in one pass. Wraps a `tokenizers.Tokenizer`
    (or a transformers fast tokenizer, through its `backend_tokenizer`)."""

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = getattr(tokenizer, "backend_tokenizer", tokenizer)

    def __call__(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def many(self, texts: list[str]) -> list[int]:
        if not texts:
            return []
        return [len(e.ids) for e in self.tokenizer.encode_batch(texts, add_special_tokens=False)]

    def spans(self, text: str, window: int = 50_000) -> list[tuple[int, int]]:
        """Character span of every word piece; long texts are tokenized in windows cut at spaces."""
        out: list[tuple[int, int]] = []
        start = 0
        while start < len(text):
            end = min(len(text), start + window)
            if end < len(text):
                space = text.rfind(" ", start + window // 2, end)
                end = space if space > start else end
            enc = self.tokenizer.encode(text[start:end], add_special_tokens=False)
            out.extend((a + start, b + start) for a, b in enc.offsets)
            start = end
        return out


def _break_long_words(text: str) -> str:
    return re.sub(r"\S{%d}(?=\S)" % MAX_WORD_CHARS, lambda m: m.group(0) + " ", text)


def _split_by_spans(text: str, counter: Counter, budget: int) -> list[tuple[str, int]]:
    spans = counter.spans(text)  # type: ignore[attr-defined]
    pieces: list[tuple[str, int]] = []
    start_tok = 0
    while start_tok < len(spans):
        end_tok = min(start_tok + budget, len(spans))
        cut_at_word = end_tok == len(spans)
        if not cut_at_word:  # cut before a piece that starts a word, not inside one
            for back in range(end_tok, max(start_tok + 1, end_tok - 32), -1):
                if text[spans[back][0] - 1: spans[back][0]].isspace():
                    end_tok, cut_at_word = back, True
                    break
        piece = text[spans[start_tok][0]: spans[end_tok - 1][1]].strip()
        if piece and cut_at_word:  # whole words: the count is the number of spans
            pieces.append((piece, end_tok - start_tok))
        elif piece:  # cut inside a word: count again, the pieces of a cut word can differ
            pieces.extend(_counted(_split_by_words(piece, counter, budget), counter))
        start_tok = end_tok
    return pieces


def _counted(pieces: list[str], counter: Counter) -> list[tuple[str, int]]:
    return [(p, counter(p)) for p in pieces]


def _split_by_words(text: str, counter: Counter, budget: int) -> list[str]:
    words = text.split()
    pieces: list[str] = []
    i, guess = 0, max(1, budget // 2)
    while i < len(words):
        def fits(n: int) -> bool:
            return counter(" ".join(words[i:i + n])) <= budget

        hi = min(len(words) - i, budget)  # every word is at least one word piece
        if not fits(1):
            pieces.extend(_split_chars(words[i], counter, budget))
            i += 1
            continue
        lo = min(guess, hi)  # gallop from the last piece's size, then bisect
        if fits(lo):
            step = lo
            while lo < hi:
                nxt = min(hi, lo + step)
                if not fits(nxt):
                    hi = nxt - 1
                    break
                lo, step = nxt, step * 2
        else:
            hi = lo - 1
            lo = 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if fits(mid):
                lo = mid
            else:
                hi = mid - 1
        pieces.append(" ".join(words[i:i + lo]))
        i, guess = i + lo, lo
    return pieces


def split_to_fit(text: str, count_tokens: Counter, budget: int) -> list[str]:
    """`text` as consecutive pieces of at most `budget` word pieces each, cut between words
    (inside a word only when one word alone is over). Runs of more than 100 characters without
    a space are cut first (a BERT tokenizer would read each as a single unknown piece)."""
    return [p for p, _ in _pieces(text, count_tokens, budget)]


def _pieces(text: str, count_tokens: Counter, budget: int) -> list[tuple[str, int]]:
    """split_to_fit's pieces with their word-piece counts."""
    budget = max(budget, 1)
    if re.search(r"\S{%d}" % (MAX_WORD_CHARS + 1), text):
        text = _break_long_words(text)
    if len(text) <= budget * 12:
        n = count_tokens(text)
        if n <= budget:
            return [(text, n)]
    if hasattr(count_tokens, "spans"):
        return _split_by_spans(text, count_tokens, budget)
    return _counted(_split_by_words(text, count_tokens, budget), count_tokens)


def _fit_head(head: str, count_tokens: Counter, limit: int) -> str:
    if not head or count_tokens(head) <= limit:
        return head
    return split_to_fit(head, count_tokens, max(limit - 1, 1))[0] + "…"


def _section_label(heading: str) -> tuple[str, str]:
    """(label, text to prepend to the body): a long heading keeps a short label, and its full
    text stays searchable as the section's first paragraph."""
    if len(heading) <= MAX_SECTION_CHARS:
        return heading, ""
    cut = heading[:MAX_SECTION_CHARS - 1]
    cut = cut[: cut.rindex(" ")] if " " in cut[MAX_SECTION_CHARS // 2:] else cut
    return cut.rstrip() + "…", heading


def _enforce(draft: _Draft, count_tokens: Counter, max_tokens: int) -> list[_Draft]:
    """The guarantee: split until every draft's full embedding text fits, whatever the counter."""
    n = count_tokens(draft.embedding_text())
    if n <= max_tokens:
        return [draft]
    table = draft.joiner == "\n"
    if len(draft.sentences) > (2 if table else 1):
        keep = draft.sentences[:1] if table else []  # a table's header row goes with every part
        rows = draft.sentences[1:] if table else draft.sentences
        mid = max(1, len(rows) // 2)
        parts = [_Draft(draft.section, draft.head, keep + rows[:mid], draft.joiner),
                 _Draft(draft.section, draft.head, keep + rows[mid:], draft.joiner)]
        return [d for p in parts for d in _enforce(p, count_tokens, max_tokens)]
    last = draft.sentences[-1]
    budget = max(1, count_tokens(last) - (n - max_tokens) - SLACK)
    pieces = split_to_fit(last, count_tokens, budget)
    if len(pieces) == 1:  # cannot shrink the text further: shrink the head instead
        return [_Draft(draft.section, "", draft.sentences, draft.joiner)] if draft.head else [draft]
    out = []
    for piece in pieces:
        out.extend(_enforce(_Draft(draft.section, draft.head, draft.sentences[:-1] + [piece], draft.joiner),
                            count_tokens, max_tokens))
    return out


def chunk_document(doc: SourceDocument, count_tokens: Counter, max_tokens: int) -> list[Chunk]:
    """Chunks whose `embedding_text()` is at most `max_tokens` word pieces by `count_tokens`."""
    drafts: list[_Draft] = []
    for heading, text in sections(doc.body):
        label, spill = _section_label(heading)
        head = _fit_head(f"{doc.title} — {label}" if label else doc.title, count_tokens, max(MIN_BUDGET, max_tokens // 3))
        budget = max(MIN_BUDGET, max_tokens - count_tokens(f"{head}.") - SLACK)
        pending: list[str] = []
        used = 0

        def flush() -> None:
            nonlocal pending, used
            if pending:
                drafts.append(_Draft(label, head, pending))
            pending, used = [], 0

        for kind, payload in _blocks(f"{spill}\n\n{text}" if spill else text):
            if kind == "prose":
                for sentence in _paragraph_sentences(str(payload)):
                    for piece, n in _pieces(sentence, count_tokens, budget):
                        if pending and used + n > budget:
                            flush()
                        pending.append(piece)
                        used += n
                continue
            flush()
            header, rows = payload  # type: ignore[misc]
            header_line = "| " + " | ".join(header) + " |"
            header_line = split_to_fit(header_line, count_tokens, budget // 2)[0]
            header_n = count_tokens(header_line)
            group, group_used = [header_line], header_n
            for cells in rows:
                sentence = _row_sentence(header, cells)
                for piece, n in _pieces(sentence, count_tokens, budget - header_n) if sentence else []:
                    if len(group) > 1 and group_used + n > budget:
                        drafts.append(_Draft(label, head, group, "\n"))
                        group, group_used = [header_line], header_n
                    group.append(piece)
                    group_used += n
            if len(group) > 1:
                drafts.append(_Draft(label, head, group, "\n"))
        flush()
    chunks: list[Chunk] = []
    content_hash = doc.content_hash
    many = getattr(count_tokens, "many", None)
    sizes = many([d.embedding_text() for d in drafts]) if many else [None] * len(drafts)
    for draft, size in zip(drafts, sizes):
        for part in [draft] if size is not None and size <= max_tokens else _enforce(draft, count_tokens, max_tokens):
            chunks.append(_make(doc, content_hash, part, len(chunks)))
    return chunks


def _make(doc: SourceDocument, content_hash: str, draft: _Draft, position: int) -> Chunk:
    text = draft.text
    digest = hashlib.sha1(f"{doc.doc_id}\x1f{content_hash}\x1f{position}\x1f{text}".encode()).hexdigest()[:20]
    return Chunk(chunk_id=f"{doc.doc_id}:{digest}", doc_id=doc.doc_id, text=text, section=draft.section,
                 position=position, sentences=list(draft.sentences), head=draft.head)
