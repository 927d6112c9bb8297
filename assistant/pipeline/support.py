"""Whether a sentence can answer a part: it must carry the asked answer type, name the asked
attribute (the focus, in the question's words or a glossary synonym) and be about the asked
entities. These tests decide abstention by what is asked, instead of by one score threshold.

Word classes come from data files (`answer_types.yaml`, `attributes.yaml`); the tests are the same
for every question.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

from assistant.pipeline.parse import lexicon
from assistant.pipeline.types import Entity, Part
from assistant.prompts import load
from index.text import keyword_tokens

_STEMMER = snowballstemmer.stemmer("english")

_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
           "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
DATE = re.compile(rf"\b(?:(?:{_MONTHS})\.?\s+(?:\d{{1,2}},?\s+)?(?:19|20)\d\d|\d{{1,2}}\s+(?:{_MONTHS})\s+(?:19|20)\d\d|"
                  rf"(?:19|20)\d\d-\d\d(?:-\d\d)?|(?:early|mid|late|end of)[- ](?:19|20)\d\d|(?:19|20)\d\d)\b", re.I)
_NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*(?:\s*(?:%|per ?cent|million|billion|trillion|thousand))?", re.I)
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][\w&'’-]+")


def stems(text: str) -> list[str]:
    """Content words of `text`, Snowball-stemmed ("smuggling", "smuggled" → "smuggl")."""
    return _STEMMER.stemWords(keyword_tokens(text))


@lru_cache(maxsize=1)
def synonym_groups() -> list[set[str]]:
    """Each group as a set of stemmed phrases ("thermal design power" → "thermal design power")."""
    return [{" ".join(stems(term)) for term in group} for group in load("attributes.yaml")["groups"]]


def _stem_text(text: str) -> str:
    return " " + " ".join(stems(text)) + " "


def focus_forms(focus: str) -> list[set[str]]:
    """Ways the focus may be written: its own content words, and any glossary group it belongs to.
    Empty when the focus is generic ("number", "share")."""
    generic = {s for g in lexicon()["generic"] for s in stems(g)}
    words = [w for w in stems(focus) if w not in generic]
    if not words:
        return []
    own = " ".join(words)
    forms = [{own}]
    for group in synonym_groups():
        if own in group or any(f" {term} " in f" {own} " for term in group if term):
            forms.append(group)
    return forms


def has_focus(sentence: str, focus: str, heading: str = "") -> bool:
    """The sentence (or its section heading) names the focus, or the focus is generic."""
    forms = focus_forms(focus)
    if not forms:
        return True
    text = _stem_text(f"{sentence} {heading}")
    own = next(iter(forms[0]))
    words = own.split()
    # the question's own words: the head (last) word, and for a long focus most of the others
    present = sum(f" {w} " in text for w in words)
    head = f" {words[-1]} " in text
    if head and (len(words) <= 2 or present >= len(words) - 1):
        return True
    return any(f" {term} " in text for group in forms[1:] for term in group if term)


def numbers_in(text: str) -> list[str]:
    return [m.group(0) for m in _NUMBER.finditer(text)]


def has_type(sentence: str, part: Part, heading: str = "") -> bool:
    """The sentence carries a value of the asked answer type (a definition may be in its heading)."""
    kind = part.answer_type
    if kind == "number":
        unit = lexicon()["unit_patterns"].get(part_unit(part))
        if unit is not None:
            return bool(unit.search(sentence))
        values = [n for n in numbers_in(sentence) if not _YEAR.match(n.strip())]
        return bool(values) or bool(re.search(r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|dozen|"
                                              r"hundred|thousand|million|billion|half|third|quarter)\b", sentence, re.I))
    if kind == "date":
        return bool(DATE.search(sentence))
    if kind in ("person", "place"):
        return bool(_NAME.search(sentence))
    if kind == "definition":
        return any(defines(f"{heading}. {sentence}", e.text) for e in part.entities) if part.entities else True
    return True


def defines(sentence: str, term: str) -> bool:
    """The sentence spells the term out ("Total Processing Performance (TPP)", "TPP (total …)")
    or says what it means ("TPP stands for …", "TPP is defined as …")."""
    t = re.escape(term.strip())
    return bool(re.search(rf"[A-Za-z][\w-]*(?:\s+[\w-]+){{0,6}}\s*\(\s*{t}\s*\)|\b{t}\s*\((?!\d)[^)]{{4,}}\)|"
                          rf"\b{t}\b[^.]{{0,40}}\b(?:stands? for|means?|is defined as|refers? to|is short for)\b",
                          sentence, re.I))


def part_unit(part: Part) -> str:
    words = part.focus.lower().split()
    return lexicon()["units"].get(words[-1], "") if words else ""


def mentions(text: str, entity: Entity) -> bool:
    """The entity is named in `text` (folded, stemmed; a chip also by its catalogue name). A name
    of three or more words counts when most of its words are there ("US Justice Department" in
    "the Department of Justice")."""
    stemmed = _stem_text(text)
    for form in {entity.text, entity.canonical}:
        words = stems(form)
        if words and f" {' '.join(words)} " in stemmed:
            return True
        if entity.kind == "name" and len(words) >= 3 and sum(f" {w} " in stemmed for w in words) * 3 >= len(words) * 2:
            return True
    return False


def about(text: str, entities: list[Entity]) -> bool:
    """Every entity the part names (other than dates) appears in `text` (a passage with its title)."""
    needed = [e for e in entities if not DATE.fullmatch(e.text.strip())]
    return all(mentions(text, e) for e in needed)


def missing_phrase(part: Part) -> str:
    """What the corpus lacks, in words: "the CEO of Nyocor", "the salary of Nvidia CEO"."""
    names = [e.text for e in part.entities if e.kind != "fleet" or e.text[:1].isupper()]
    focus = part.focus.strip()
    # "the CEO of Nyocor" when the question itself says "<focus> of <name>"; otherwise the question
    if focus and names and re.search(rf"\b{re.escape(focus)}\s+of\b", part.text, re.I):
        return f"the {focus} of {' and '.join(names)}"
    return f"an answer to “{part.text.strip().rstrip('?')}?”"
