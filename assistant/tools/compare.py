"""Compare two fleets three ways: by chip count, by compute (TPP) and by power (TDP).

Headlines compare fleets by chip count ("115,000 is 28.75% of 400,000"), but chips of
different generations differ several-fold in compute and power, so the same comparison is
given by TPP and by TDP too, with chart data for the UI.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from .catalogue import Chip
from .errors import ToolInputError
from .fleet import H100_SXM_TPP
from .formatting import fmt_num, fmt_pct, fmt_power
from .results import ToolResult, merge_sources
from .specs import resolve_specs
from .tpp import TPP_SOURCES, tpp_from_throughput
from .validation import check_count

logger = logging.getLogger(__name__)

COMPARE_SOURCES: tuple[str, ...] = ("xinjiang-vs-stargate-comparison",)


@dataclass(frozen=True)
class FleetSide:
    """One side of a comparison: a chip (or label with figures), a count, and where the numbers came from."""

    label: str
    chip_label: str
    count: int
    tpp: float | None
    tdp_w: float | None
    sources: tuple[str, ...]
    chip_id: str | None

    @property
    def total_tpp(self) -> float | None:
        return None if self.tpp is None else self.count * self.tpp

    @property
    def total_power_w(self) -> float | None:
        return None if self.tdp_w is None else self.count * self.tdp_w

    def to_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "chip": self.chip_label,
            "chip_id": self.chip_id,
            "count": self.count,
            "tpp_per_chip": self.tpp,
            "total_tpp": self.total_tpp,
            "h100_equivalents": None if self.total_tpp is None else self.total_tpp / H100_SXM_TPP,
            "tdp_w": self.tdp_w,
            "accelerators_mw": None if self.total_power_w is None else self.total_power_w / 1e6,
        }


def make_side(
    chip: Chip | None,
    count: int | float,
    *,
    label: str | None = None,
    chip_label: str | None = None,
    tpp: float | None = None,
    tdp_w: float | None = None,
    name: str = "fleet",
) -> FleetSide:
    """Resolve one side; a missing TPP or TDP is left None so the other ratios still compute.

    `label` names the fleet ("the Xinjiang plan"); `chip_label` names a chip given only by figures.
    """
    n = check_count(count, f"{name}.count")
    specs = resolve_specs(chip, label=chip_label, tdp_w=tdp_w)
    side_tpp: float | None = None
    if specs.throughput:
        side_tpp = tpp_from_throughput(specs.throughput, specs.label).tpp
    if tpp is not None:
        if tpp <= 0:
            raise ToolInputError(f"{name}.tpp", f"must be greater than 0, got {tpp!r}")
        if side_tpp is not None and abs(side_tpp - tpp) > 0.01 * side_tpp:
            raise ToolInputError(
                f"{name}.tpp", f"contradictory inputs: {tpp!r} given but the catalogue gives {fmt_num(side_tpp)}"
            )
        side_tpp = side_tpp or float(tpp)
    chip_label = specs.label
    return FleetSide(
        label=label or f"{fmt_num(n)} × {chip_label}",
        chip_label=chip_label,
        count=n,
        tpp=side_tpp,
        tdp_w=specs.tdp_w,
        sources=specs.sources,
        chip_id=specs.chip_id,
    )


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def compare_fleets(a: FleetSide, b: FleetSide, *, extra_sources: list[str] | tuple[str, ...] = ()) -> ToolResult:
    """Ratios of fleet A to fleet B by count, compute (TPP) and power (TDP), with chart data."""
    by_count = a.count / b.count
    by_compute = _ratio(a.total_tpp, b.total_tpp)
    by_power = _ratio(a.total_power_w, b.total_power_w)
    parts = [f"by count: {fmt_num(a.count)} ÷ {fmt_num(b.count)} = {fmt_pct(by_count)}"]
    missing: list[str] = []
    if by_compute is not None:
        parts.append(
            f"by compute: ({fmt_num(a.count)} × TPP {fmt_num(a.tpp or 0)}) ÷ ({fmt_num(b.count)} × TPP "
            f"{fmt_num(b.tpp or 0)}) = {fmt_num(a.total_tpp or 0)} ÷ {fmt_num(b.total_tpp or 0)} = "
            f"{fmt_pct(by_compute)}"
        )
    else:
        missing += [f"{side}.tpp" for side, s in (("a", a), ("b", b)) if s.tpp is None]
        parts.append(
            "by compute: not computable (TPP unknown for "
            + " and ".join(s.chip_label for s in (a, b) if s.tpp is None)
            + ")"
        )
    if by_power is not None:
        parts.append(
            f"by power: ({fmt_num(a.count)} × {fmt_num(a.tdp_w or 0)} W) ÷ ({fmt_num(b.count)} × "
            f"{fmt_num(b.tdp_w or 0)} W) = {fmt_power(a.total_power_w or 0)} ÷ "
            f"{fmt_power(b.total_power_w or 0)} = {fmt_pct(by_power)}"
        )
    else:
        missing += [f"{side}.tdp_w" for side, s in (("a", a), ("b", b)) if s.tdp_w is None]
        parts.append(
            "by power: not computable (TDP unknown for "
            + " and ".join(s.chip_label for s in (a, b) if s.tdp_w is None)
            + ")"
        )

    def pct(x: float | None) -> float | None:
        return None if x is None else x * 100.0

    chart = {
        "title": f"{a.label} as a share of {b.label} (%)",
        "categories": ["by count", "by compute (TPP)", "by power (TDP)"],
        "series": {
            a.label: [pct(by_count), pct(by_compute), pct(by_power)],
            b.label: [100.0, 100.0 if by_compute is not None else None, 100.0 if by_power is not None else None],
        },
    }
    assumptions = [
        "Compute is compared by TPP (dense throughput × bit length, maximum over precisions) per chip × count.",
        "Power is compared by accelerator TDP × count only; host, network and cooling overheads are left out.",
        "Counts are planned or reported fleet sizes, not verified deliveries.",
    ]
    return ToolResult(
        inputs={
            "a": {"label": a.label, "chip": a.chip_label, "count": a.count},
            "b": {"label": b.label, "chip": b.chip_label, "count": b.count},
        },
        formula="; ".join(parts),
        result={
            "a": a.to_dict(),
            "b": b.to_dict(),
            "ratio_by_count": by_count,
            "ratio_by_compute": by_compute,
            "ratio_by_power": by_power,
            "percent_by_count": pct(by_count),
            "percent_by_compute": pct(by_compute),
            "percent_by_power": pct(by_power),
            "missing_inputs": missing,
        },
        assumptions=assumptions,
        sources=merge_sources(
            list(COMPARE_SOURCES), list(extra_sources), list(a.sources), list(b.sources), list(TPP_SOURCES)
        ),
        chart=chart,
    )


def compare(
    chip_a: Chip | None,
    count_a: int | float,
    chip_b: Chip | None,
    count_b: int | float,
    *,
    label_a: str | None = None,
    label_b: str | None = None,
    tdp_w_a: float | None = None,
    tdp_w_b: float | None = None,
    extra_sources: list[str] | tuple[str, ...] = (),
) -> ToolResult:
    """Convenience form of `compare_fleets` taking chips and counts directly."""
    side_a = make_side(chip_a, count_a, label=label_a, tdp_w=tdp_w_a, name="a")
    side_b = make_side(chip_b, count_b, label=label_b, tdp_w=tdp_w_b, name="b")
    return compare_fleets(side_a, side_b, extra_sources=extra_sources)


def figure_ratio(a: float, b: float, a_text: str, b_text: str) -> ToolResult:
    """How many times one stated figure is another: a ÷ b, both already in the same unit (SI values
    from tools.quantities). Raises ToolInputError when b is not positive."""
    if b <= 0:
        raise ToolInputError("b", f"{b_text} is not a positive figure to divide by")
    ratio = a / b
    return ToolResult(
        inputs={"a": a, "b": b, "a_text": a_text, "b_text": b_text},
        formula=f"{a_text} ÷ {b_text} = {fmt_num(ratio, 3)}",
        result={"ratio": ratio, "larger": a_text if ratio >= 1 else b_text},
        assumptions=["Both figures as the question states them, in the same unit."],
        sources=[],
    )


def share_of(fraction: float, amount: float, fraction_text: str, amount_text: str) -> ToolResult:
    """A stated share of a stated amount ("15% of US$4.6 billion"): fraction × amount, in the amount's
    unit. Raises ToolInputError unless the fraction is between 0 and 1 and the amount is positive."""
    if not 0 < fraction <= 1:
        raise ToolInputError("fraction", f"{fraction_text} is not a share between 0% and 100%")
    if amount <= 0:
        raise ToolInputError("amount", f"{amount_text} is not a positive amount")
    return ToolResult(
        inputs={"fraction": fraction, "amount": amount, "fraction_text": fraction_text, "amount_text": amount_text},
        formula=f"{fraction_text} × {amount_text} = {fmt_num(fraction * amount, 4)}",
        result={"value": fraction * amount},
        assumptions=["The share and the amount as the question states them."],
        sources=[],
    )


def compound_growth(start: float, years: float, end: float | None = None, rate: float | None = None) -> ToolResult:
    """Compound growth over `years`: the annual rate (CAGR) from a start and an end value,
    (end ÷ start)^(1 ÷ years) − 1; or the end value from a start and an annual rate, start × (1 + rate)^years.
    Exactly one of `end` and `rate` is given; result `rate` (a fraction) and `end`, in the start's unit.
    Raises ToolInputError for a non-positive start, end or span, or both or neither of end and rate."""
    if start <= 0 or years <= 0:
        raise ToolInputError("start" if start <= 0 else "years", "the start value and the span must be positive")
    if (end is None) == (rate is None):
        raise ToolInputError("end", "give either the end value or the annual growth rate, not both")
    if end is not None:
        if end <= 0:
            raise ToolInputError("end", "the end value must be positive")
        rate = (end / start) ** (1 / years) - 1
        formula = f"({fmt_num(end, 4)} ÷ {fmt_num(start, 4)})^(1 ÷ {fmt_num(years)}) − 1 = {fmt_num(rate * 100, 2)}%"
    else:
        assert rate is not None
        end = start * (1 + rate) ** years
        formula = f"{fmt_num(start, 4)} × (1 + {fmt_num(rate * 100, 2)}%)^{fmt_num(years)} = {fmt_num(end, 4)}"
    return ToolResult(
        inputs={"start": start, "years": years, "end": end, "rate": rate},
        formula=formula,
        result={"rate": rate, "end": end, "years": years},
        assumptions=["Growth compounds once a year at a constant rate, from the figures the question states."],
        sources=[],
    )


def convert_currency(amount: float, per_dollar: float, currency: str, to_dollars: bool = True) -> ToolResult:
    """An amount converted at a stated rate of `per_dollar` units of `currency` to one US dollar:
    amount ÷ rate into dollars, amount × rate out of them. Raises ToolInputError unless both are positive."""
    if amount <= 0:
        raise ToolInputError("amount", "the amount to convert must be positive")
    if per_dollar <= 0:
        raise ToolInputError("rate", "the exchange rate must be positive")
    value = amount / per_dollar if to_dollars else amount * per_dollar
    unit = "US$" if to_dollars else f"{currency} "
    formula = (f"{fmt_num(amount)} {currency} ÷ {fmt_num(per_dollar, 4)} {currency} per US$ = US${fmt_num(value, 4)}"
               if to_dollars else f"US${fmt_num(amount)} × {fmt_num(per_dollar, 4)} {currency} per US$ = "
                                  f"{fmt_num(value, 4)} {currency}")
    return ToolResult(
        inputs={"amount": amount, "per_dollar": per_dollar, "currency": currency, "to_dollars": to_dollars},
        formula=formula, result={"value": value, "unit": unit.strip()},
        assumptions=["At the exchange rate the question states; no fees or rate movements."], sources=[])
