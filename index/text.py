"""Sentence splitting and keyword tokens, shared by the chunker, BM25 and the answer composer.

One implementation so that what the chunker calls a sentence is what the composer quotes.
"""

from __future__ import annotations

import re
import unicodedata

_ABBREVIATIONS = {
    "u.s", "e.g", "i.e", "no", "nos", "vs", "mr", "ms", "dr", "inc", "co", "corp", "ltd", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "est", "fig",
    "st", "jr", "sr", "u.k", "p", "pp", "art", "cf", "etc", "al", "mt", "no", "env",
}
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”»)]*\s+(?=[\"“«(]?[A-ZÀ-ÝŒ0-9])")
_MARKDOWN = [(re.compile(r"\*\*(.+?)\*\*"), r"\1"), (re.compile(r"(?<!\w)\*(.+?)\*(?!\w)"), r"\1"),
             (re.compile(r"\[([^\]]+)\]\([^)]+\)"), r"\1"), (re.compile(r"`([^`]+)`"), r"\1")]

STOPWORDS = frozenset(
    """a an the and or but of to in on at for from by with as is are was were be been being it its this that
    these those there their they them he she his her we our you your i what which who whom whose when where why
    how do does did done have has had having not no nor so than then too very can could would should will shall
    may might must about into over under after before between during through up down out off again further once
    all any both each few more most other some such only own same just also if while because until per via
    le la les un une des du de d l et ou en au aux dans pour par sur avec est sont été être que qui quoi quel
    quelle quels quelles ce cette ces se sa son ses leur leurs il elle ils elles on ne pas plus comme y a
    many much tell me please say""".split()
)


def strip_markdown(text: str) -> str:
    """Plain text for quoting: emphasis and link syntax removed, whitespace collapsed."""
    for pattern, repl in _MARKDOWN:
        text = pattern.sub(repl, text)
    return re.sub(r"\s+", " ", text).strip()


SPLIT_VERSION = 2  # bumped when sentence splitting changes: stored sentence indexes must be rebuilt


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences without breaking on "U.S.", "No. 11" or "1.2 GW"."""
    text = strip_markdown(text)
    if not text:
        return []
    pieces = _SENTENCE_END.split(text)
    sentences: list[str] = []
    for piece in pieces:
        if sentences:
            last_word = re.sub(r"^\W+", "", sentences[-1].rsplit(" ", 1)[-1]).rstrip(".").lower()
            # an initial ("K. Oanh Ha") continues the sentence; a unit after a number ("400 W.") ends it
            initial = re.fullmatch(r"[a-z]", last_word) and not re.search(r"\d\s*\S\.?$", sentences[-1])
            if last_word in _ABBREVIATIONS or initial:
                sentences[-1] = f"{sentences[-1]} {piece}"
                continue
        sentences.append(piece)
    return [s.strip() for s in sentences if s.strip()]


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def normalise_numbers(text: str) -> str:
    """Join thousands separators ("115,000", "115 000") so a number is one token."""
    text = re.sub(r"(?<=\d)[,\u202f\u00a0 ](?=\d{3}\b)", "", text)
    return re.sub(r"(?<=\d)[,\u202f\u00a0 ](?=\d{3}\b)", "", text)


def keyword_tokens(text: str) -> list[str]:
    """Lower-case, accent-folded content words and numbers, lightly stemmed, for BM25 and overlap."""
    text = _fold(normalise_numbers(text)).lower()
    tokens = re.findall(r"[a-z0-9]+(?:[.\-][a-z0-9]+)*", text)
    out = []
    for tok in tokens:
        if tok in STOPWORDS or (len(tok) == 1 and not tok.isdigit()):
            continue
        if len(tok) > 4 and tok.endswith("ies"):
            tok = tok[:-3] + "y"
        elif len(tok) > 3 and tok.endswith("s") and not tok.endswith("ss"):
            tok = tok[:-1]
        out.append(tok)
    return out
