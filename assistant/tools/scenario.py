"""Dimensional analysis of a calculation the user states in full ("A hall has 30 MW for IT load and
each 72-GPU rack draws 120 kW. How many full racks can it power?").

The figures of the question become quantities: a physical amount with its unit, read by pint
("30 MW", "120 kW", "4 years", "70 KB"), times counts of things ("72-GPU rack" is 72 GPU per rack,
"US$30,000 each" is dollars per the thing counted before it). The asked quantity's unit comes from
"how many X", "how much X", "per X" and "each X" in the question sentence. The answer is the product
of all the stated figures, each multiplied or divided once, whose dimension is the asked one; a share
scales the figure its own phrase names ("four years at 80% utilisation", "a 15% discount").

Nothing is computed — a ToolInputError says why — when the figures do not say how they combine: a
plain number without a unit ("a PUE of 1.2" may multiply an IT load or divide a grid connection), a
share whose phrase does not place it, two shares, the same amount twice (a sum is no product), a
number left unread, a zero, no fitting product, or two fitting products with different values.

Word classes (what is counted, what "how much memory" asks for, the words of shares, scale suffixes)
are in `assistant/prompts/scenario.yaml`; units are pint's.
"""

from __future__ import annotations

import itertools
import math
import re
import threading
from contextvars import ContextVar
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pint

from ..prompts import load
from .errors import ToolInputError
from .formatting import fmt_num, fmt_sci, fmt_sig
from .quantities import numerals
from .results import ToolResult

_LOCK = threading.Lock()
MAX_FIGURES = 8  # 2**8 sign patterns at most
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9}
_SMALL = {"one": 1, "two": 2, "three": 3, "a": 1, "an": 1}
_CURRENCY = {"us$": "USD", "$": "USD", "usd": "USD", "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
             "yuan": "CNY", "rmb": "CNY", "cny": "CNY", "dollar": "USD", "dollars": "USD"}
_NUMBER = re.compile(
    r"(?P<cur>US\$|(?<![A-Za-z])\$|€|\bUSD\s?|\bRMB\s?)?(?P<num>(?<![\w.])\d(?:[\d,]*\d)?(?:\.\d+)?)"
    r"(?:\s*(?:x|×|\*)\s*10\s*(?:\^|\*\*)\s*(?P<exp>[-−]?\d+)|\^(?P<pow>[-−]?\d+)|[eE](?P<e>[-−+]?\d+)(?![\w]))?"
    r"(?:[\s-]*(?P<scale>thousand|million|billion|trillion|bn)\b)?", re.I)
_WORD = re.compile(r"(?<![\w])[A-Za-z€$][\w/²-]*")
_INFORMATION = re.compile(r"([kKMGTP])?(B|b|bytes?|bits?)|(kilo|mega|giga|tera|peta)?(bytes?|bits?)")
_MODEL = re.compile(r"(?!(?:FP|BF|INT|TF|HBM|GDDR|DDR|LPDDR|NVL|PCIE|Q|FY|CY)\d)(?:[A-Z]{1,4}\d{2,4}[A-Z]{0,2})s?", re.I)  # an accelerator's model number ("H100", "MI308", "H20s")
_PREFIX = {"k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12, "p": 1e15}


@dataclass(frozen=True)
class Figure:
    """A stated figure: `amount` is its physical part (pint, dimensionless for a pure count),
    `counts` the exponents of the things it counts ({"gpu": 1, "rack": -1} for "72-GPU rack")."""

    text: str
    amount: Any  # pint.Quantity
    counts: tuple[tuple[str, int], ...] = ()
    start: int = 0
    factor_only: bool = False  # a plain number ("a PUE of 1.2"): its bearing is not stated, so it is refused
    end: int = 0  # where its phrase ends in the question (a share written right after it scales it)
    single: bool = False  # "a GPU", "an 8-GPU server": one thing, used only where the unit needs it


@dataclass(frozen=True)
class _Asked:
    """"how many full racks": the lead words, the adjectives, the counted noun, and the span."""

    lead: str
    adjectives: str
    noun: str
    start: int
    stop: int

    def end(self) -> int:
        return self.stop


@dataclass
class Target:
    """What is asked: its unit as an amount (1 MW; 1 GB as 10⁹ bytes), the things it counts or is a
    rate of, how to round, and its words ("racks"; "per second", "per GPU")."""

    amount: Any  # pint.Quantity
    counts: Counter[str] = field(default_factory=Counter)
    rounding: str = ""  # "down", "up" or ""
    label: str = ""
    per: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _words() -> dict[str, Any]:
    return load("scenario.yaml")


_REGISTRY: list[pint.UnitRegistry] = []  # built once per process, under _LOCK (quantities of two registries never mix)


def registry() -> pint.UnitRegistry:
    """The pint registry with the currencies, FLOP units and calendar of scenario.yaml; one per process,
    built once even when the UI's threads ask for it at the same time."""
    if not _REGISTRY:
        with _LOCK:
            if not _REGISTRY:
                ureg = pint.UnitRegistry(case_sensitive=True, on_redefinition="ignore")
                for line in _words()["definitions"]:
                    ureg.define(line)
                _REGISTRY.append(ureg)
    return _REGISTRY[0]


@lru_cache(maxsize=1)
def _countable_names() -> dict[str, str]:
    return {w: name for name, words in _words()["countables"].items() for w in words}


# the nouns this question counts that scenario.yaml does not list ("39 projects" makes "project" and
# "projects" counted things while the question is read); set by figures() and target()
_COUNTED: ContextVar[dict[str, str]] = ContextVar("counted", default={})


def _countable(word: str) -> str:
    """The thing a counted noun counts ("accelerators" → "gpu"; "projects" → "project" in a question that
    counts projects); "" for a word that is no noun of a count."""
    w = word.lower().strip("-")
    if _MODEL.fullmatch(word.strip("-")):
        return "gpu"  # "1,000 H100", "1 million H20s": a count of accelerators of that model
    return _countable_names().get(w, "") or _COUNTED.get().get(w, "")


def _counted_nouns(text: str) -> dict[str, str]:
    """Plural nouns written right after a number, or after a number and one modifier ("39 projects",
    "12 new sites"), that are no unit: each, and its singular, names a counted thing."""
    out: dict[str, str] = {}
    for m in re.finditer(r"(?<![\w.])\d[\d,.]*\s+(?:[a-z][a-z-]*\s+)?([a-z]{3,}s)\b", text):
        plural = m.group(1)
        if plural.endswith("ss") or plural in _words()["not_counted"] or _unit(plural) is not None \
                or _countable_names().get(plural):
            continue
        singular = plural[:-2] if plural.endswith(("xes", "ches", "shes", "sses")) else plural[:-1]
        out[plural] = out[singular] = singular
    return out


def _unit(word: str) -> Any | None:
    """The pint unit a word names ("MW", "GWh", "years", "KB"), or None; currency words included."""
    w = word.strip(".,;:()")
    if not w or w.lower() in ("a", "an", "the", "of", "in", "at", "per", "m", "s", "b", "t", "k"):
        return None
    if w.lower() in _CURRENCY:
        return registry().parse_units(_CURRENCY[w.lower()])
    w = re.sub(r"^([kKMGTP])B$", lambda m: m.group(1).replace("K", "k") + "B", w)  # "KB" is kilobytes
    if w.isupper() and len(w) > 1 and w not in ("MW", "GW", "KW", "TW", "GB", "TB", "MB", "PB", "FLOP", "FLOPS",
                                                 "TFLOPS", "PFLOPS", "EFLOPS", "TOPS", "USD", "EUR", "CNY"):
        return None  # an acronym ("PUE", "GPU"), not a unit
    w = {"KW": "kW", "kwh": "kWh", "KWh": "kWh"}.get(w, w)
    try:
        unit = registry().parse_units(w)
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, ValueError, AttributeError,
            TypeError, AssertionError):
        try:
            unit = registry().parse_units(w.lower()) if len(w) > 3 else None
        except Exception:  # noqa: BLE001 - pint raises several kinds on words that are no units
            return None
    except Exception:  # noqa: BLE001
        return None
    if unit is None or unit == registry().dimensionless:
        return None
    return unit


def _term(word: str) -> tuple[Any, Counter[str]] | None:
    """A unit or a counted thing, or a hyphenated product of them ("GPU-hour" → hour × gpu)."""
    parts = [p for p in word.split("-") if p]
    if not parts:
        return None
    unit: Any = registry().dimensionless
    counts: Counter[str] = Counter()
    rate = re.fullmatch(r"([kKMGTP]?B)/(s|sec|second|h|hour)", word)
    if rate:  # "4.8 TB/s": bytes per unit of time
        inner = _term(rate.group(1))
        return (inner[0] / registry().parse_units("second" if rate.group(2).startswith("s") else "hour"),
                inner[1]) if inner else None
    for p in parts:
        info = _INFORMATION.fullmatch(p)
        if info:
            # pint counts bytes as dimensionless; here they are a thing of their own, so that memory is
            # never matched with a count
            prefix = (info.group(1) or info.group(3) or "").lower()[:1]
            bits = (info.group(2) or info.group(4) or "").lower().startswith("bit") or info.group(2) == "b"
            unit = unit * (_PREFIX.get(prefix, 1.0) / (8 if bits else 1))
            counts["byte"] += 1
            continue
        c = _countable(p)
        u = None if c else _unit(p)
        if c:
            counts[c] += 1
        elif u is not None:
            unit = unit * u
        else:
            return None
    return unit, counts


def _noun_after(text: str, pos: int, skip: int = 2) -> tuple[str, int, int] | None:
    """The first word after `pos` that is a unit or a counted thing, skipping up to `skip` other words
    ("64 concurrent requests"); (word, start, end) or None."""
    for i, m in enumerate(_WORD.finditer(text, pos)):
        if i > skip or re.search(r"[.,;:?!()]", text[pos:m.start()]):
            return None
        if m.group(0).lower() in ("of", "per", "each", "a", "an", "the", "at", "for", "in", "to", "and", "or"):
            return None
        if _term(m.group(0).rstrip(".,")) is not None:
            word = m.group(0).rstrip(".,")
            if word.lower() in _CURRENCY and re.search(r"\b[A-Z][a-z]+\s+$", text[pos:m.start()]):
                return None  # "Taiwan dollars", "Hong Kong dollars": not the US dollar, and not read
            return word, m.start(), m.start() + len(word)
    return None


def _value(m: re.Match[str]) -> float:
    value = float(m.group("num").replace(",", ""))
    if m.group("pow"):  # "10^9 bytes"
        power = int(m.group("pow").replace("−", "-"))
        if value != 10 or abs(power) > 300:
            raise ToolInputError("figures", f"{m.group(0)} is no power of ten this calculates with")
        value = 10.0 ** power
    exponent = m.group("exp") or m.group("e")
    if exponent:
        power = int(exponent.replace("−", "-").replace("+", ""))
        if abs(power) > 300:
            raise ToolInputError("figures", f"10^{power} is beyond any figure this calculates with")
        value *= 10.0 ** power
    if m.group("scale"):
        value *= _SCALES[m.group("scale").lower()]
    return value


def _rate_after(text: str, end: int) -> tuple[Any, Counter[str], int] | None:
    """"per kWh", "per million output tokens", "a year", "every second", "to the dollar" right after a
    figure: what it is divided by, with the end of the phrase."""
    m = re.match(r"\s*(?:of\s+[\w-]+(?:\s+[\w-]+)?\s+)?(per|a|an|every|each|to the|to one|to a|for each|for every)\s+"
                 r"(?:(\d(?:[\d,]*\d)?(?:\.\d+)?)([A-Za-z]{1,2})?\s+|(million|billion|thousand|trillion)\s+)?",
                 text[end:], re.I)
    if not m:
        return None
    scale = 1.0
    if m.group(4):
        scale = _SCALES[m.group(4).lower()]
    elif m.group(2):
        # "per 1,000 tokens", "per 1K tokens", "per 1M tokens"
        suffix = m.group(3) or ""
        if suffix and suffix not in _words()["scale_suffixes"]:
            return None
        scale = float(m.group(2).replace(",", "")) * float(_words()["scale_suffixes"].get(suffix, 1))
    noun = _noun_after(text, end + m.end(), skip=1)
    if noun is None:
        return None
    word = noun[0]
    if m.group(1).lower() in ("a", "an") and (_term(word) is None or not _term(word)[1] and  # type: ignore[index]
                                               word.lower().rstrip("s") not in _words()["single_units"]):
        return None  # "a GPU" after a figure is no rate; "210 GWh a year" is
    term = _term(word)
    assert term is not None
    return term[0] * scale if scale != 1.0 else term[0], term[1], noun[2]


def _clause_start(text: str, position: int, marks: str) -> int:
    """Where the sentence (or clause) holding `position` begins: after the last of `marks` before it
    that ends a sentence — a mark followed by a space, never the point of "1.2" or the comma of "1,000"."""
    ends = [m.end() for m in re.finditer(rf"[{re.escape(marks)}](?=\s)", text[:position])]
    return ends[-1] if ends else 0


def _each_subject(text: str, start: int) -> str:
    """The thing counted nearest before `start` in the same clause ("8,000 accelerators priced at
    US$30,000 each" → "gpu")."""
    clause_start = _clause_start(text, start, ".;?!")
    last = ""
    for m in _WORD.finditer(text, clause_start, start):
        for piece in m.group(0).split("-")[-1:]:
            if _countable(piece):
                last = _countable(piece)
    return last


def _before_each(text: str, start: int, floor: int = 0) -> str:
    """"each 72-GPU rack draws 120 kW", "every GPU rated at 1,200 W": the thing after each/every/per
    earlier in the clause (after `floor`, the end of the figure before, whose own "per" it is not), of
    which the figure is a rate."""
    clause_start = _clause_start(text, start, ".;,?!")
    m = None
    for found in re.finditer(r"\b(?:each|every|per)\s+(?:[\d,.]+-[\w-]+\s+)?([\w-]+)", text[clause_start:start], re.I):
        if not (found.group(0).lower().startswith("per") and clause_start + found.start() < floor):
            m = found  # (a "per" inside the figure before is that figure's rate: "2 bytes per parameter")
    if m is None:
        # "A GPU rents for US$2.50 an hour", "An NVL72 rack holds 72 GPUs": what one thing, the clause's
        # subject, has or costs
        sentence = text[_clause_start(text, start, ".;?!"):start]
        subject = re.match(r"\s*(?:(?:if|suppose|say|assume|when)\s+)?(?:a|an)\s+(?:([\w-]+)\s+)?([\w-]+)", sentence, re.I)
        if subject:
            return next((_countable(w) for w in (subject.group(2), subject.group(1)) if w and _countable(w)), "")
        return ""
    if not _countable(m.group(1)) and m.group(0).lower().startswith(("each", "every")):
        # "2,048 GPUs that each sustain 400 TFLOPS": "each" stands for the thing counted before it
        return _each_subject(text, clause_start + m.start())
    return _countable(m.group(1))


def _digits(question: str) -> str:
    """The question with number words as digits ("eight GPUs" → "8 GPUs"), a scale word kept apart from its
    digits ("671-billion-parameter" → "671 billion-parameter", never "671-1000000000")."""
    kept: list[str] = []

    def keep(m: re.Match[str]) -> str:
        kept.append(m.group(0).replace("-", " "))
        return f"\ue000{len(kept) - 1}\ue001"  # private-use marks: never in a question's own text

    question = question.replace("\ue000", "").replace("\ue001", "")
    text = numerals(re.sub(r"\d[\d,.]*[\s-]+(?:thousand|million|billion|trillion)\b", keep, question, flags=re.I))
    return re.sub("\ue000(\\d+)\ue001", lambda m: kept[int(m.group(1))], text)


def figures(question: str) -> tuple[list[Figure], list[tuple[float, int, str]]]:
    """The figures a question states, and its shares as (fraction, position, how it applies:
    "share", "added" or "removed")."""
    text = _digits(question)
    token = _COUNTED.set(_counted_nouns(text))
    try:
        return _figures(text)
    finally:
        _COUNTED.reset(token)


def _figures(text: str) -> tuple[list[Figure], list[tuple[float, int, str]]]:
    # "two bytes per parameter": a small number word counts when a unit or a counted thing follows it
    text = re.sub(r"\b(one|two|three)\s+(?=(?:[\w-]+\s+)?[\w-]+)",
                  lambda m: f"{_SMALL[m.group(1).lower()]} " if _noun_after(m.string, m.end(), skip=1) else m.group(0),
                  text, flags=re.I)
    found: list[Figure] = []
    shares: list[_Share] = []
    skipped: list[tuple[int, int]] = []  # numbers read as no figure on purpose: years, model names
    ureg = registry()
    consumed = 0  # the end of the last figure's phrase: a number inside it ("per 1000000 tokens") is its rate
    for m in _NUMBER.finditer(text):
        if m.start() < consumed:
            continue
        value = _value(m)
        if re.fullmatch(r"(?:19|20)\d\d", m.group("num")) and not m.group("cur") and not m.group("scale") \
                and _noun_after(text, m.end(), skip=0) is None and not re.match(r"-[A-Za-z]", text[m.end():]):
            skipped.append((m.start(), m.end()))
            continue  # a year ("in 2025"), not "2000 W" nor "2048 GPUs"
        end = m.end()
        glued = re.match(r"[A-Za-z]+(?:/[A-Za-z]+)?", text[end:])
        glued_unit: Any = None
        if glued:
            # a letter written onto the digits: part of a name after a capitalised word ("Ascend 910B",
            # "RTX 4090D"); else a scale ("70B parameters", "US$1.5B") or a unit ("20MW", "4.8TB/s");
            # anything else is not read, and the number left unread makes the scenario refused
            name_before = re.search(r"\b[A-Z][\w-]*\s+$", text[:m.start()]) and not m.group("cur")
            if name_before:
                skipped.append((m.start(), end + glued.end()))
                continue
            if glued.group(0) in _words()["scale_suffixes"]:
                value *= float(_words()["scale_suffixes"][glued.group(0)])
                end += glued.end()
            elif _term(glued.group(0)) is not None:
                glued_unit = _term(glued.group(0))
                end += glued.end()
            else:
                continue
        tail = text[end:]
        pct = re.match(r"\s*(%|per ?cent\b|percent\b)", tail, re.I)
        if pct:
            shares.append(_share(text, value / 100, m.start(), end + pct.end()))
            continue
        unit: Any = ureg.dimensionless
        counts: Counter[str] = Counter()
        if m.group("cur"):
            unit = ureg.parse_units(_CURRENCY[m.group("cur").strip().lower()])
        compound = re.match(r"-([A-Za-z][\w]*)(?:-([A-Za-z][\w]*))?\s+([\w-]+)", tail)  # "72-GPU rack", "30-day run"
        plain = not m.group("cur")
        if plain and compound and _term(compound.group(1)) is not None:
            term = _term(compound.group(1))
            assert term is not None
            unit, counts = term
            # the thing it describes ("72-GPU rack"), never a model name after it ("24,576-GPU H100 clusters")
            owner = "" if _MODEL.fullmatch(compound.group(3)) else _countable(compound.group(3))
            if owner:
                counts[owner] -= 1
            end += compound.end()
        elif glued_unit is not None:
            unit, counts = glued_unit[0], Counter(glued_unit[1])
        elif plain:
            noun = _noun_after(text, end)
            if noun is not None:
                term = _term(noun[0])
                assert term is not None
                unit, counts = term
                end = noun[2]
            elif re.match(r"\s+(?:dollars?|euros?|yuan)\b", tail, re.I):
                word = re.match(r"\s+(\w+)", tail)
                assert word is not None
                unit = ureg.parse_units(_CURRENCY[word.group(1).lower()])
                end += word.end()
        # "8,000 of them": a count of the thing counted before
        of_them = re.match(r"\s+of\s+(?:them|these|those)\b", text[end:], re.I)
        if of_them and unit == ureg.dimensionless and not counts:
            thing = _each_subject(text, m.start()) or _before_each(text, m.start())
            if thing:
                counts[thing] += 1
                end += of_them.end()
        if unit == ureg.dimensionless and not counts:
            # a plain number ("a PUE of 1.2") may multiply or divide ("IT load at a PUE of 1.2" vs "a grid
            # connection at a PUE of 1.2"): its unit cannot say which, so it is kept to refuse the scenario
            found.append(Figure(text=text[m.start():end].strip(), amount=value * ureg.dimensionless, start=m.start(),
                                factor_only=True, end=end))
            continue
        # "racks of 72 GPUs": 72 GPUs per rack
        of = re.search(r"\b([\w-]+)\s+of\s*$", text[:m.start()])
        if of and _countable(of.group(1)) and counts and sum(counts.values()) == 1:
            counts[_countable(of.group(1))] -= 1
        # "80 GB GPUs", "120 kW racks": a unit written before a counted thing is that thing's
        after_unit = re.match(r"\s+([\w-]+)", text[end:])
        if after_unit and _countable(after_unit.group(1)) and (unit != ureg.dimensionless or "byte" in counts) \
                and not counts.get(_countable(after_unit.group(1))):
            counts[_countable(after_unit.group(1))] -= 1
            end += after_unit.end()
        rate = _rate_after(text, end)
        if rate is not None:  # "per kWh", "an hour", "every second"
            unit = unit / rate[0]
            counts.subtract(rate[1])
            end = rate[2]
        if re.match(r"\s*(?:each|apiece|a piece|a head|per head|a unit|per unit)\b", text[end:], re.I):
            subject = _each_subject(text, m.start())
            # "US$30,000 each": of the thing counted before it ("32,000-token contexts each" is one already)
            if subject and not any(v < 0 for v in counts.values()):
                counts[subject] -= 1
        else:
            # "each rack draws 120 kW", "A GPU rents for US$2.50 an hour": of the clause's one thing
            subject = _before_each(text, m.start(), consumed)
            if subject and not counts.get(subject):
                counts[subject] -= 1

        consumed = end
        # "per million tokens" as written, not as the digits the number words became
        shown = re.sub(r"\b(per|a|every)\s+1(000|000000|000000000|000000000000)\b",
                       lambda w: f"{w.group(1)} {({'000': 'thousand', '000000': 'million', '000000000': 'billion'}).get(w.group(2), 'trillion')}",
                       text[m.start():end].strip())
        for k in (k for k, v in counts.items() if v < 0):
            # "72 GPUs" that hold per rack is shown as a rate: "72 GPUs per rack"
            names = "|".join(w for w, name in [*_countable_names().items(), *_COUNTED.get().items()] if name == k) or k
            if not re.search(rf"\b(?:per|each|every|apiece|{names})\b", shown, re.I):
                # in the question's own word for the thing ("per accelerator", "per card")
                written = re.search(rf"\b({names})\b", text, re.I)
                word = written.group(1) if written else ("GPU" if k == "gpu" else k)
                word = word[:-1] if word.lower().endswith("s") and not word.lower().endswith("ss") else word
                shown += f" per {word}"
        found.append(Figure(text=shown, amount=value * unit, end=end,
                            counts=tuple(sorted((k, v) for k, v in counts.items() if v)), start=m.start()))
    # "a GPU", "a full year": a single counted thing or unit of time the scenario names
    # (also "a 2000 W server", "an 80 GB GPU": one thing described by a figure)
    for m in re.finditer(r"\b(?:[Aa]n?|[Oo]ne)\s+(?:full\s+|single\s+|whole\s+)?(?:\d[\d,.]*-[\w-]+\s+|"
                         r"\d[\d,.]*\s*(?:[kKMGTP]?(?:W|Wh|B)|[kKMGTP]B/s)\s+)?([A-Za-z][\w-]*)\b", text):
        word = m.group(1)
        before = text[max(0, m.start() - 12): m.start()].lower()
        if re.search(r"\b(?:per|each|every)\s*$", before) or \
                any(f.start <= m.start() < f.start + len(f.text) for f in found):
            continue
        # "an inference server": the thing may follow one word that describes it
        described = re.match(r"\s+([A-Za-z][\w-]*)\b", text[m.end():])
        if not _countable(word) and described and _countable(described.group(1)) and not _unit(word):
            word, end_at = described.group(1), m.end() + described.end()
        else:
            end_at = m.end()
        if _countable(word) and not re.search(r"\b(?:of|for)\s*$", before):
            found.append(Figure(text=text[m.start():end_at], amount=1 * ureg.dimensionless,
                                counts=((_countable(word), 1),), start=m.start(), end=end_at, single=True))
        elif word.lower().rstrip("s") in _words()["single_units"] and re.search(r"\b(?:in|over|for|during)\s*$", before):
            found.append(Figure(text=m.group(0), amount=1 * ureg.parse_units(word.lower()), start=m.start()))
    found.sort(key=lambda f: f.start)
    # every number the question writes is read: as a figure, a share, a year or a name; one left unread
    # ("per 1K tokens" misread, a suffix not understood) would make the product silently wrong
    read_spans = [(f.start, f.end or f.start + len(f.text)) for f in found] + \
        [(sh.start, sh.end) for sh in shares] + skipped
    for digits in re.finditer(r"(?<![\w.,])\d", text):  # where a number starts ("H100" is a name)
        if not any(a <= digits.start() < b for a, b in read_spans):
            raise ToolInputError("figures", f"the number at '{text[max(0, digits.start() - 10):digits.start() + 10].strip()}' "
                                            "was not read; write it with its unit")
    return found, [_bind(text, found, share) for share in shares]


@dataclass(frozen=True)
class _Share:
    """A percentage and what its own phrase says of it: how it applies ("share" ×p, "added" ×(1+p),
    "removed" ×(1−p)) and to which figure ("before": the one its phrase follows, "after": the one
    after "of", "money": the amount of money before it in its sentence); how "" when it says nothing."""

    fraction: float
    start: int
    end: int
    how: str
    to: str
    utilisation: bool = False  # "at 80% utilisation": it slows a rate, and only a rate


def _share(text: str, fraction: float, start: int, end: int) -> _Share:
    """Read a percentage by its own phrase only: "four years at 80% utilisation" scales those years, "40%
    of that peak" or "15% of US$4 billion" the figure it is of, "a 15% discount" or "20% off" takes off,
    "10% on top" adds, "a 25% tariff" is that share of the money before it. Any other use is not
    guessed (`how` is "")."""
    words = _words()
    before, after = text[:start].lower(), text[end:].lower()
    after_words = re.match(r"\s*(?:[a-z-]+\s+){0,2}", after)
    near_after = after[: after_words.end() if after_words else 0]
    sentence = text[_clause_start(text, start, ".?!;"):].split(".")[0].lower()
    if any(re.search(rf"\b{re.escape(w)}\b", sentence) for w in words["remainder_words"]):
        return _Share(fraction, start, end, "", "")  # "loses 15% … and the rest feeds IT": which part is asked?
    if any(re.match(rf"\s*(?:[a-z-]+\s+)?{re.escape(w)}\b", after) for w in words["utilisation_words"]):
        return _Share(fraction, start, end, "share", "adjacent", utilisation=True)
    if re.match(r"\s*of\b", after):
        return _Share(fraction, start, end, "share", "after" if re.match(r"\s*of\s+(?:the\s+)?(?:us\$|\$|€)?\d", after)
                      else "before")
    if re.search(r"\bat\s+(?:an?\s+)?(?:average\s+|mean\s+|effective\s+)?$", before):
        return _Share(fraction, start, end, "share", "adjacent")
    if any(re.match(rf"\s*(?:[a-z-]+\s+)?{re.escape(w)}\b", after) for w in words["fraction_removed"]) or \
            re.search(r"\b(?:discount|rebate|reduction|cut) of\s*$", before):
        return _Share(fraction, start, end, "removed", "money")
    if any(re.match(rf"\s*{re.escape(w)}\b", after) for w in words["fraction_added"]) or \
            re.search(r"\b(?:plus|another|an extra|add|adding)\s*(?:an?\s+)?$", before):
        return _Share(fraction, start, end, "added", "before")
    if any(re.search(rf"\b{re.escape(w)}\b", near_after) for w in words["levies"]):
        # "a 25% tariff is added on top": its own clause says it is added to the price
        clause = re.split(r"[,;.?!]", after, maxsplit=1)[0]
        added = any(re.search(rf"\b{re.escape(w)}\b", clause) for w in [*words["fraction_added"], "added", "included"])
        return _Share(fraction, start, end, "added" if added else "levy", "money")
    return _Share(fraction, start, end, "", "")


def _bind(text: str, figs: list[Figure], share: _Share) -> tuple[float, int, str]:
    """(fraction, index of the figure it applies to or -1, how); how is "utilisation" for a share of
    use, which `_scaled` admits only on a rate."""
    sentence_start = _clause_start(text, share.start, ".?!;")
    earlier = [i for i, f in enumerate(figs) if sentence_start <= f.start < share.start and not f.factor_only]
    if share.to == "adjacent":
        # the figure written right before "at" ("four years at 80%"), not one a verb separates ("1e24 FLOP
        # runs at 40% utilisation on …": which figure the utilisation slows is not said)
        near = [i for i in earlier if re.fullmatch(r"\s*(?:each\s+|apiece\s+)?at\s+(?:an?\s+)?(?:average\s+|mean\s+|effective\s+)?",
                                                    text[figs[i].end:share.start], re.I)]
        if not near:
            # "A 10 MW facility runs at 60% average load.": the sentence's one figure, when none follows
            # the share in it (a figure after it could be what it slows: "1e24 FLOP runs at 40% on 400 PFLOPS")
            sentence_end = min([i for i in (text.find(c, share.end) for c in ".?!;") if i >= 0] or [len(text)])
            later = [f for f in figs if share.end <= f.start < sentence_end and not f.single]
            alone = [i for i in earlier if not figs[i].single]
            near = alone if len(alone) == 1 and not later else []
        return share.fraction, near[-1] if near else -1, "utilisation" if share.utilisation else "share"
    if share.to == "after":
        later = [i for i, f in enumerate(figs) if f.start >= share.end]
        return share.fraction, later[0] if later else -1, "share"
    if share.to == "money":
        money = [i for i in earlier if _is_money(figs[i].amount)]
        return share.fraction, money[-1] if money else -1, share.how
    if share.to == "before":
        return share.fraction, earlier[-1] if earlier else -1, share.how
    return share.fraction, -1, share.how


def target(question: str) -> Target | None:
    """What the question sentence asks for, or None when it asks no amount this module can read."""
    text = _digits(question)
    token = _COUNTED.set(_counted_nouns(text))
    try:
        return _target(question, text)
    finally:
        _COUNTED.reset(token)


def _asked_sentence(text: str) -> str:
    """The sentence that asks: the last with a question mark, else the last with a question word (a
    part may come before the statements it leans on: "what does it earn in a day An inference …")."""
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", text) if s.strip()]
    return next((s for s in reversed(sentences) if "?" in s), "") or \
        next((s for s in reversed(sentences) if re.search(r"\b(?:how|what|which)\b", s, re.I)), "") or \
        (sentences[-1] if sentences else "")


def _target(question: str, text: str) -> Target | None:
    asked = _asked_sentence(text)
    offset = text.rfind(asked)
    # the figures' own rates ("at US$2.10 per GPU-hour") are theirs, not the asked amount's
    spans = [(f.start - offset, f.start - offset + len(f.text)) for f in figures(question)[0]]
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
            many = _Asked(lead.group(0), m.group(1), m.group(2), lead.start(), lead.end() + m.end())
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
    for m in re.finditer(r"\b(?:per|each|every)\s+([\w-]+)(?:\s+([\w-]+))?", asked[many.end() if many else 0:], re.I):
        # "per second", "each GPU", "per utilised GPU-hour": the first of the next two words that is a unit
        word = next((w for w in m.groups() if w and _term(w) is not None), None)
        term = _term(word) if word else None
        at = m.start() + (many.end() if many else 0)
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


def _dimension(amount: Any, counts: Counter[str]) -> tuple[Any, tuple[tuple[str, int], ...]]:
    return amount.dimensionality, tuple(sorted((k, v) for k, v in counts.items() if v))


def _scaled(figs: list[Figure], shares: list[tuple[float, int, str]], asked: str, asks_count: bool = False) -> list[Figure]:
    """Each share applied to the figure its phrase names. A share whose phrase does not say what it
    applies to or how, or a levy ("a 25% tariff") when the question asks for the price with it, is not
    guessed.

    Raises:
        ToolInputError: a share that cannot be placed.
    """
    out = list(figs)
    for fraction, index, how in shares:
        if index < 0 or not how:
            raise ToolInputError("share", "a percentage whose phrase does not say what it is a share of")
        if how == "utilisation":
            # use slows a rate ("1.2 kW per GPU at 70% utilisation", "1,000 TFLOPS at 40%"); it does not
            # shorten a rental ("30 days at 50% utilisation" still bills 30 days) unless the question asks
            # per used unit ("per utilised GPU-hour"), and how many things a supply runs at a given use is
            # not a product of the figures
            per_time = dict(out[index].amount.dimensionality).get("[time]", 0) < 0  # a rate or a power
            if asks_count or not (per_time or re.search(r"\butili[sz]ed\b|\beffective\b", asked, re.I)):
                raise ToolInputError("share", "a utilisation whose bearing on the asked amount is not stated")
            how = "share"
        if how == "levy":
            # "What is the tariff bill?" asks the levy itself; "what does it cost with the tariff?" the sum
            if re.search(r"\b(?:includ\w*|after|with|all[- ]in|once|plus|total cost)\b", asked, re.I):
                raise ToolInputError("share", "a levy added to a price: say whether the levy alone or the total is asked")
            how = "share"
        factor = 1 + fraction if how == "added" else 1 - fraction if how == "removed" else fraction
        f = out[index]
        out[index] = Figure(text=f"({f.text} × {fmt_num(factor, 4)})", amount=f.amount * factor, counts=f.counts,
                            start=f.start, end=f.end)
    return out


def _restated(figs: list[Figure], text: str) -> list[Figure]:
    """Without pairs that restate a conversion ("1 GB = 10^9 bytes", "Take 1 GB as 1,000,000 KB"): two
    equal amounts in different units with "=", "as", "is" or "equals" between them. Two equal figures
    otherwise are two figures ("30 days …, 30 days …")."""
    drop: set[int] = set()
    for i, j in itertools.combinations(range(len(figs)), 2):
        a, b = figs[i], figs[j]
        between = text[(a.end or a.start + len(a.text)):b.start]
        if not re.fullmatch(r"\s*(?:=|as|is|equals|to)\s*", between, re.I) or a.text.split()[-1:] == b.text.split()[-1:]:
            continue
        if i in drop or j in drop or a.counts != b.counts or any(v < 0 for _, v in a.counts) \
                or a.factor_only or b.factor_only:
            continue
        if a.amount.dimensionality == b.amount.dimensionality and (a.counts or not a.amount.dimensionless):
            if math.isclose((a.amount / b.amount).to("dimensionless").magnitude, 1.0, rel_tol=1e-9):
                drop |= {i, j}
    return [f for k, f in enumerate(figs) if k not in drop]


def solve(question: str) -> ToolResult:
    """The amount a fully stated scenario asks for (see the module docstring).

    Raises:
        ToolInputError: the question asks no amount this module reads, states fewer than two figures,
            no product of its figures has the asked dimension, or two products fit with different values.
    """
    asked = target(question)
    if asked is None:
        raise ToolInputError("target", "no asked amount read (how many …, how much …)")
    figs, shares = figures(question)
    if any(f.factor_only for f in figs):
        raise ToolInputError("figures", "a plain number without a unit: whether it multiplies or divides is not stated")
    if len(shares) > 1:
        raise ToolInputError("share", "more than one percentage: the order they apply in is not stated")
    asks_count = any(v > 0 for k, v in asked.counts.items() if k in _words()["device_countables"])
    figs = _restated(_scaled(figs, shares, _asked_sentence(_digits(question)), asks_count), _digits(question))
    if any(not math.isfinite(f.amount.magnitude) or f.amount.magnitude == 0 for f in figs):
        raise ToolInputError("figures", "a figure of zero or beyond any size: nothing to calculate with")
    for a, b in itertools.combinations(figs, 2):
        # the same amount twice ("30 days …, 30 days …", "500 GPUs in March, 500 in April") is likely a sum,
        # which no product of the figures is
        if not (a.single or b.single) and a.counts == b.counts and a.amount.dimensionality == b.amount.dimensionality and \
                math.isclose((a.amount / b.amount).to("dimensionless").magnitude, 1.0, rel_tol=1e-9):
            raise ToolInputError("figures", "the same amount is stated twice: a sum is not calculated here")
    if len(figs) < 2 or len(figs) > MAX_FIGURES:
        raise ToolInputError("figures", f"{len(figs)} figures stated; a scenario needs 2 to {MAX_FIGURES}")
    want = _dimension(asked.amount, asked.counts)
    # every figure is used, except one that only describes a thing nothing else counts ("racks of 72
    # GPUs" when neither the other figures nor the question count GPUs)
    counted = [{k for k, _ in f.counts} for f in figs]
    optional = {i for i, f in enumerate(figs) if f.single} | {i for i, f in enumerate(figs)
                if any(v < 0 for _, v in f.counts)  # a rate, never a plain count or amount
                and any(k not in asked.counts and all(k not in c for j, c in enumerate(counted) if j != i)
                        for k in counted[i])}
    best: list[tuple[int, float, list[tuple[int, int]]]] = []
    for used in range(len(figs), max(1, len(figs) - len(optional) - 1), -1):
        for chosen in itertools.combinations(range(len(figs)), used):
            if any(i not in chosen and i not in optional for i in range(len(figs))):
                continue
            for signs in itertools.product((1, -1), repeat=len(chosen)):
                amount: Any = 1 * registry().dimensionless
                counts: Counter[str] = Counter()
                for i, s in zip(chosen, signs):
                    amount = amount * figs[i].amount if s > 0 else amount / figs[i].amount
                    for k, v in figs[i].counts:
                        counts[k] += s * v
                if _dimension(amount, counts) != want:
                    continue
                value = float((amount / asked.amount).to("dimensionless").magnitude)
                best.append((used, value, list(zip(chosen, signs))))
        if best:
            break
    if not best:
        raise ToolInputError("figures", "no product of the stated figures has the asked unit")
    values = {round(v, 9) for _, v, _ in best}
    if len({f"{v:.6g}" for v in values}) > 1:
        raise ToolInputError("figures", "the stated figures combine in more than one way; say how")
    used, value, signs = best[0]
    if any(v > 0 for k, v in asked.counts.items() if k != "byte") and not asked.per and abs(value) < 0.01:
        # a count of things below a hundredth is no count: the figures were misread
        raise ToolInputError("figures", "the figures give no plausible count; state them again")
    exact = value
    if asked.rounding == "down":
        value = math.floor(value + 1e-9)
    elif asked.rounding == "up":
        value = math.ceil(value - 1e-9)
    # one thing ("a GPU") only carries the unit: it is not written into the working
    numerator = [figs[i].text for i, sign in signs if sign > 0 and not figs[i].single]
    denominator = [figs[i].text for i, sign in signs if sign < 0 and not figs[i].single]
    formula = (" × ".join(numerator) or "1") + "".join(f" ÷ {d}" for d in denominator)
    unit_text = _unit_text(asked)
    return ToolResult(
        inputs={"figures": [f.text for f in figs], "asked": _unit_text(asked)},
        formula=f"{formula} ≈ {_amount_text(exact, unit_text)}",
        result={"value": value, "exact": exact, "unit": unit_text, "rounding": asked.rounding,
                "used": [figs[i].text for i, _ in signs if not figs[i].single],
                "text": _amount_text(value, unit_text)},
        assumptions=["Every figure is the user's; each is used once, multiplied or divided as its unit requires."],
        sources=[],
    )


def _is_money(amount: Any) -> bool:
    """The amount is money, or money per something ("US$ per year")."""
    return "[currency]" in dict(amount.dimensionality)


def _unit_text(asked: Target) -> str:
    """The answer's unit in the question's words ("racks", "GWh", "GB"), money as "US$", and what it is
    per ("US$ per year", "tokens per second per GPU")."""
    base = "US$" if _is_money(asked.amount) else asked.label
    return base + "".join(f" per {w}" for w in asked.per)


def _amount_text(value: float, unit_text: str) -> str:
    """"US$35.39 million", "250 racks", "2.458 MW": four significant figures, whole numbers in full,
    money over a million in millions or billions."""
    def number(x: float) -> str:
        if x != 0 and (abs(x) >= 1e12 or abs(x) < 1e-3):
            return fmt_sci(x, 4)  # "8.64 × 10^23 FLOP", never its float noise written out
        if float(x).is_integer():
            return fmt_num(x, 0)
        return fmt_num(x, 1) if abs(x) >= 1000 else fmt_sig(x, 4)

    if value == 1 and re.fullmatch(r"[A-Za-z-]+s", unit_text) and not unit_text.endswith("ss"):
        unit_text = unit_text[:-1]  # "1 rack"

    if unit_text.startswith("US$") and abs(value) >= 1e6:
        scale, word = (1e9, "billion") if abs(value) >= 1e9 else (1e6, "million")
        return f"US${fmt_sig(value / scale, 4)} {word}{unit_text[3:]}"
    if unit_text.startswith("US$"):
        return f"US${fmt_num(value, 2)}{unit_text[3:]}"
    return f"{number(value)} {unit_text}".strip()
