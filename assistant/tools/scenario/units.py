"""Units and counted things for the scenario solver: the pint registry (currencies, FLOP, the calendar
of bills), the words that name a unit or a counted thing, and the nouns a question counts."""

from __future__ import annotations

import re
import threading
from collections import Counter
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

import pint

from ...prompts import load


_LOCK = threading.Lock()


_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9}


@lru_cache(maxsize=1)
def _currencies() -> dict[str, str]:
    """The currency words and signs of scenario.yaml, lower-cased ("us$" → "USD", "yuan" → "CNY")."""
    return {k.lower(): v for k, v in _words()["currencies"].items()}


_WORD = re.compile(r"(?<![\w])[A-Za-z€$][\w/²-]*")


_INFORMATION = re.compile(r"([kKMGTP])?(B|b|bytes?|bits?)|(kilo|mega|giga|tera|peta)?(bytes?|bits?)")


_MODEL = re.compile(r"(?!(?:FP|BF|INT|TF|HBM|GDDR|DDR|LPDDR|NVL|PCIE|Q|FY|CY)\d)(?:[A-Z]{1,4}\d{2,4}[A-Z]{0,2})s?", re.I)  # an accelerator's model number ("H100", "MI308", "H20s")


_PREFIX = {"k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12, "p": 1e15}


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
    if w.lower() in _currencies():
        return registry().parse_units(_currencies()[w.lower()])
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
            if word.lower() in _currencies() and re.search(r"\b[A-Z][a-z]+\s+$", text[pos:m.start()]):
                return None  # "Taiwan dollars", "Hong Kong dollars": not the US dollar, and not read
            return word, m.start(), m.start() + len(word)
    return None


def _is_money(amount: Any) -> bool:
    """The amount is money, or money per something ("US$ per year")."""
    return "[currency]" in dict(amount.dimensionality)
