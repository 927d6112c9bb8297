"""Chips and fleets named in a question.

Chip names are found from the catalogue's own names and aliases, so a chip added to
chips.csv is recognised without code changes; fleets pair a chip with a count or come from
the named defaults ("the Xinjiang chips").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .catalogue import Catalogue, Chip, normalise_name


@dataclass(frozen=True)
class ChipMention:
    """A catalogue chip named in the question, with its span."""

    chip: Chip
    start: int
    end: int
    text: str


@dataclass
class FleetRef:
    """A fleet the question refers to: explicit ("115,000 H100s") or named ("the Xinjiang chips")."""

    label: str
    chip: Chip | None
    count: int | float | None
    start: int
    sources: list[str] = field(default_factory=list)
    named: str | None = None
    error: str | None = None


def find_chip_mentions(text: str, catalogue: Catalogue) -> list[ChipMention]:
    """Catalogue chips named in `text`, longest match first, non-overlapping, in order.

    Forms match case-insensitively with optional hyphens/spaces where the form itself has a
    separator ("H100 SXM", "h100-sxm") and a plural or possessive ending ("H100s", "H20's").
    Purely numeric aliases ("910") are left to explicit lookups: in running text they are
    usually counts or bandwidths.
    """
    forms, any_form = _compiled_forms(catalogue)
    if not any_form.search(text):
        return []  # most sentences name no chip: one pass over the text says so
    candidates: list[tuple[int, int, Chip]] = []
    for pattern, chip in forms:
        for m in pattern.finditer(text):
            candidates.append((m.start(), m.end(), chip))
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    mentions: list[ChipMention] = []
    last_end = -1
    for start, end, chip in candidates:
        if start >= last_end:
            mentions.append(ChipMention(chip, start, end, text[start:end]))
            last_end = end
    return mentions


_FORMS: dict[int, tuple[Catalogue, list[tuple[re.Pattern[str], Chip]], re.Pattern[str]]] = {}


def _compiled_forms(catalogue: Catalogue) -> tuple[list[tuple[re.Pattern[str], Chip]], re.Pattern[str]]:
    """Each catalogue's written forms compiled once: (pattern, chip) pairs, and one pattern matching any."""
    cached = _FORMS.get(id(catalogue))
    if cached is not None and cached[0] is catalogue:
        return cached[1], cached[2]
    forms: list[tuple[re.Pattern[str], Chip]] = []
    seen_forms: set[tuple[str, str]] = set()
    for chip in catalogue:
        for form in Catalogue.surface_forms(chip):
            key = (normalise_name(form), chip.id)
            # A bare number ("910", "4090") is a count, a bandwidth or a year far more often than a chip.
            if key in seen_forms or len(key[0]) < 2 or key[0].isdigit():
                continue
            seen_forms.add(key)
            forms.append((_form_pattern(form), chip))
    any_form = re.compile("|".join(f"(?:{p.pattern})" for p, _ in forms) or r"(?!)", re.I)
    _FORMS[id(catalogue)] = (catalogue, forms, any_form)
    return forms, any_form


def _form_pattern(form: str) -> re.Pattern[str]:
    """Regex for one written form: separators where the form has them, tight elsewhere."""
    pieces: list[str] = []
    for i, part in enumerate(re.split(r"[\s\-_/]+", form.strip())):
        runs = re.findall(r"[A-Za-z]+|\d+|[^\sA-Za-z\d]", part)
        if i:
            pieces.append(r"[\s\-]?")
        pieces.append(
            r"-?".join(re.escape(r) for r in runs)
            if len(runs) > 1 and all(r.isalnum() for r in runs)
            else "".join(re.escape(r) for r in runs)
        )
    body = "".join(pieces)
    return re.compile(r"(?<![A-Za-z0-9])" + body + r"(?:['’]s|s)?(?![A-Za-z0-9])", re.I)
