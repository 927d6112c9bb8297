"""What a scenario question asks for: the unit of the asked amount ("how many full racks", "how much
memory", "in GWh", "per utilised GPU-hour"), what it is a rate of, and how to round it."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .reading import Figure, _digits, figures
from .units import _COUNTED, _countable, _counted_nouns, _is_money, _term, _words, registry


@dataclass(frozen=True)
class _Asked:
    """"how many full racks": the lead words, the adjectives, the counted noun, and the span."""

    lead: str
    adjectives: str
    noun: str
    end: int  # where the asked noun ends in the asking sentence


@dataclass
class Target:
    """What is asked: its unit as an amount (1 MW; 1 GB as 10⁹ bytes), the things it counts or is a
    rate of, how to round, and its words ("racks"; "per second", "per GPU")."""

    amount: Any  # pint.Quantity
    counts: Counter[str] = field(default_factory=Counter)
    rounding: str = ""  # "down", "up" or ""
    label: str = ""
    per: list[str] = field(default_factory=list)


def target(question: str, figs: list[Figure] | None = None) -> Target | None:
    """What the question sentence asks for, or None when it asks no amount this module can read.
    `figs` are the question's figures when already read (`figures(question)[0]`); read here otherwise.

    Raises:
        ToolInputError: a number of the question could not be read (see `figures`).
    """
    text = _digits(question)
    if figs is None:
        figs = figures(question)[0]
    token = _COUNTED.set(_counted_nouns(text))
    try:
        return _target(text, figs)
    finally:
        _COUNTED.reset(token)


def _asked_sentence(text: str) -> str:
    """The sentence that asks: the last with a question mark, else the last with a question word (a
    part may come before the statements it leans on: "what does it earn in a day An inference …")."""
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", text) if s.strip()]
    return next((s for s in reversed(sentences) if "?" in s), "") or \
        next((s for s in reversed(sentences) if re.search(r"\b(?:how|what|which)\b", s, re.I)), "") or \
        (sentences[-1] if sentences else "")


def _target(text: str, figs: list[Figure]) -> Target | None:
    asked = _asked_sentence(text)
    offset = text.rfind(asked)
    # the figures' own rates ("at US$2.10 per GPU-hour") are theirs, not the asked amount's
    spans = [(f.start - offset, f.start - offset + len(f.text)) for f in figs]
    words = _words()
    rounding = ""
    found: Target | None = None
    many = None
    for lead in re.finditer(r"\b(?:how many|(?:the\s+)?(?:fewest|smallest number of|minimum number of|most|"
                            r"largest number of|maximum number of))\s+", asked, re.I):
        # the counted noun after up to two adjectives ("how many whole cards", "how many full racks")
        for k in range(4):
            m = re.match(rf"((?:[\w-]+\s+){{{k}}})([\w-]+)", asked[lead.end():])
            following = re.match(r"\s+([\w-]+)", asked[lead.end() + m.end():]) if m else None
            if m and _term(m.group(2)) is not None and not (following and _countable(following.group(1))):
                break  # ("how many 80 GB GPUs": GPUs, not GB)
        else:
            continue
        if m is not None:
            many = _Asked(lead.group(0), m.group(1), m.group(2), lead.end() + m.end())
            break
    # "how much memory", "how much facility power", "what is the total power": the asked noun within two words
    much = next((m for m in re.finditer(r"\b(?:how much|what(?:'s| is| are| was| will be| would be)\s+(?:the|its|their)"
                                        r"(?:\s+(?:total|combined|overall|annual|yearly|monthly|daily))?)"
                                        r"\s+(?:[\w-]+\s+)??([\w-]+)", asked, re.I)
                 if m.group(1).lower() in words["asked_nouns"]), None) or \
        re.search(r"\bhow much\s+(?:([\w-]+)\s+)?", asked, re.I)
    # "… in GWh", "what is that in US dollars", "in MWh does it use in 30 days": a unit after "in" that is
    # no figure of the question's own ("in 30 days" is one)
    unit_in = next((u for u in re.finditer(r"\b(?:in|into)\s+(?:US\s+)?([A-Za-z$€][\w$€-]*)", asked, re.I)
                    if _term(u.group(1)) is not None and set(_term(u.group(1))[1]) <= {"byte"}  # type: ignore[index]
                    and not any(a <= u.start() <= b for a, b in spans)), None)
    if many:
        adjectives = many.adjectives.lower().split()
        term = _term(many.noun)
        if term is not None:
            found = Target(amount=1 * term[0], counts=term[1], label=many.noun)
            if set(adjectives) & set(words["round_down"]):
                rounding = "down"
            elif re.match(r"(?:the\s+)?(?:fewest|smallest|minimum)", many.lead, re.I):
                rounding = "up"
    if found is None and unit_in and _term(unit_in.group(1)) is not None:
        term = _term(unit_in.group(1))
        assert term is not None
        found = Target(amount=1 * term[0], counts=term[1], label=unit_in.group(1))
    if found is None and much and much.group(1) and much.group(1).lower() in words["asked_nouns"]:
        unit_word = words["asked_nouns"][much.group(1).lower()]
        term = _term(unit_word)
        assert term is not None, unit_word
        found = Target(amount=1 * term[0], counts=term[1], label=unit_word)
    if found is None and re.search(r"\bhow long\b", asked, re.I):
        found = Target(amount=1 * registry().parse_units(words["duration_default"]), label="days")
    if found is None and any(re.search(rf"\b{w}\b", asked, re.I) for w in words["money_words"]):
        found = Target(amount=1 * registry().parse_units("USD"), label="US$")
    if found is None:
        return None
    # "per utilised GPU-hour", "each GPU … per second": the asked amount is a rate of these
    for m in re.finditer(r"\b(?:per|each|every)\s+([\w-]+)(?:\s+([\w-]+))?", asked[many.end if many else 0:], re.I):
        # "per second", "each GPU", "per utilised GPU-hour": the first of the next two words that is a unit
        word = next((w for w in m.groups() if w and _term(w) is not None), None)
        term = _term(word) if word else None
        at = m.start() + (many.end if many else 0)
        if term is None or any(a <= at <= b + 1 for a, b in spans):
            continue
        if m.group(0).lower().startswith(("each", "every")) and not term[1]:
            continue  # "each second" is no thing of which the amount is a rate
        clause = re.split(r"[,;]", asked[at:], maxsplit=1)[0]
        if m.group(0).lower().startswith(("each", "every")) and \
                any(at < a < at + len(clause) for a, _ in spans):
            continue  # "… if each rack draws 120 kW": the rate of that figure, not of the asked amount
        found.amount = found.amount / term[0]
        found.counts.subtract(term[1])
        found.per.append(word)
    if re.search(r"\bannual\b|\ba year\b|\bper year\b|\byearly\b", asked, re.I) and _is_money(found.amount) and \
            not re.search(r"\b(?:in|over|for)\s+a\s+year\b", asked, re.I):
        found.amount = found.amount / registry().parse_units("year")
        found.per.append("year")
    things = [k for k, v in found.counts.items() if v > 0 and k != "byte"]
    if not rounding and things and not found.per:
        # the asking sentence's verb decides ("how many GPUs can it power" rounds down though the
        # statement says each "needs" 1.4 kW); a need stated only before it rounds up ("We need to house
        # 150,000 GPUs … How many racks is that?")
        def said(where: str, key: str) -> bool:
            return any(re.search(rf"\b{w}\b", where, re.I) for w in words[key])

        if said(asked, "round_down_verbs") != said(asked, "round_up"):
            rounding = "down" if said(asked, "round_down_verbs") else "up"
        elif not said(asked, "round_down_verbs") and said(text, "round_up") and not said(text, "round_down_verbs"):
            rounding = "up"
    found.rounding = rounding
    return found
