"""The search: the one product of all the stated figures whose dimension is the asked one, with its
working, or a ToolInputError saying why nothing is computed."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from typing import Any

from ..errors import ToolInputError
from ..formatting import fmt_num, fmt_sci, fmt_sig
from ..results import ToolResult
from .asked import Target, _asked_sentence, target
from .reading import Figure, _digits, figures
from .units import _is_money, _words, registry


MAX_FIGURES = 8  # 2**8 sign patterns at most


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
        between = text[a.end:b.start]
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
    figs, shares = figures(question)
    asked = target(question, figs)
    if asked is None:
        raise ToolInputError("target", "no asked amount read (how many …, how much …)")
    if any(f.factor_only for f in figs):
        raise ToolInputError("figures", "a plain number without a unit: whether it multiplies or divides is not stated")
    if len(shares) > 1:
        raise ToolInputError("share", "more than one percentage: the order they apply in is not stated")
    asks_count = any(v > 0 for k, v in asked.counts.items() if k in _words()["device_countables"])
    text = _digits(question)
    figs = _restated(_scaled(figs, shares, _asked_sentence(text), asks_count), text)
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
