"""Fleet compute: how much peak throughput a number of accelerators adds up to.

Two views are given because they answer different questions: peak FLOP/s at a stated
precision (what the hardware can do) and H100-equivalents by TPP (how export-control
metrics weigh it; TPP of H100 SXM = 15,832). Neither says anything about achieved
utilisation, which is stated as an assumption.
"""

from __future__ import annotations

import logging

from .catalogue import Chip
from .errors import ToolInputError
from .formatting import fmt_num, fmt_sig
from .results import ToolResult, merge_sources
from .specs import resolve_specs
from .tpp import PRECISION_LABELS, PRECISION_ORDER, TPP_SOURCES, tpp_from_throughput
from .validation import check_count, check_positive, check_precision

logger = logging.getLogger(__name__)

H100_SXM_TPP = 15832.0
"""TPP of one H100 SXM (1,979 dense FP8 TFLOPS × 8): the unit of 'H100-equivalents'."""

DEFAULT_PRECISION_ORDER: tuple[str, ...] = ("bf16", "fp8", "int8", "fp4")
"""When no precision is asked for, report the first the chip has: BF16/FP16 is the usual training figure."""


def fleet_compute(
    chip: Chip | None = None,
    count: int | float = 0,
    *,
    precision: str | None = None,
    label: str | None = None,
    bf16_tflops: float | None = None,
    fp8_tflops: float | None = None,
    fp4_tflops: float | None = None,
    int8_tops: float | None = None,
    h100_tpp: float = H100_SXM_TPP,
) -> ToolResult:
    """count × dense peak at a precision (FLOP/s, reported in EFLOPS) and H100-equivalents by TPP."""
    n = check_count(count)
    reference = check_positive(h100_tpp, "h100_tpp")
    specs = resolve_specs(
        chip, label=label, bf16_tflops=bf16_tflops, fp8_tflops=fp8_tflops, fp4_tflops=fp4_tflops, int8_tops=int8_tops
    )
    breakdown = tpp_from_throughput(specs.throughput, specs.label)
    assumptions = [
        "Peak dense throughput from the datasheet; achieved throughput depends on utilisation (MFU), "
        "typically well below peak.",
        f"H100-equivalents weigh chips by TPP, with one H100 SXM = {fmt_num(reference)}.",
    ]
    if precision is None:
        chosen = next(p for p in DEFAULT_PRECISION_ORDER if p in specs.throughput)
        assumptions.append(
            f"No precision was given: {PRECISION_LABELS[chosen]} dense is reported; "
            "other precisions are listed in by_precision."
        )
    else:
        chosen = check_precision(precision)
        if chosen not in specs.throughput:
            known = ", ".join(PRECISION_LABELS[p] for p in specs.throughput)
            raise ToolInputError(
                "precision",
                f"no dense {PRECISION_LABELS[chosen]} figure is known for {specs.label} "
                f"(known: {known}); supply {chosen}_{'tops' if chosen == 'int8' else 'tflops'}",
            )
    per_chip = specs.throughput[chosen]
    total = n * per_chip * 1e12
    op = "OP/s" if chosen == "int8" else "FLOP/s"
    by_precision = {p: n * specs.throughput[p] * 1e12 / 1e18 for p in PRECISION_ORDER if p in specs.throughput}
    h100_eq = n * breakdown.tpp / reference
    per_unit, total_unit = ("TOPS", "EOP/s") if chosen == "int8" else ("TFLOPS", "EFLOP/s")
    formula = (
        f"{fmt_num(n)} × {fmt_num(per_chip)} dense {PRECISION_LABELS[chosen]} {per_unit} = "
        f"{fmt_sig(total / 1e18)} {total_unit}; H100-equivalents = {fmt_num(n)} × TPP {fmt_num(breakdown.tpp)} ÷ "
        f"{fmt_num(reference)} = {fmt_num(h100_eq, 1)}"
    )
    inputs: dict[str, object] = {
        "chip": specs.label,
        "count": n,
        "precision": precision,
        "per_chip_dense": dict(specs.throughput),
        "h100_tpp": reference,
    }
    if specs.chip_id:
        inputs["chip_id"] = specs.chip_id
    return ToolResult(
        inputs=inputs,
        formula=formula,
        result={
            "chip": specs.label,
            "count": n,
            "precision": chosen,
            "per_chip_tflops": per_chip,
            "total_flops": total,
            "total_eflops": total / 1e18,
            "unit": op,
            "eflops_by_precision": by_precision,
            "tpp_per_chip": breakdown.tpp,
            "total_tpp": n * breakdown.tpp,
            "h100_equivalents": h100_eq,
        },
        assumptions=assumptions,
        sources=merge_sources(list(specs.sources), list(TPP_SOURCES)),
    )


def equivalent_count(chip: Chip, reference: Chip, reference_count: int | float) -> ToolResult:
    """How many of `chip` match the TPP of `reference_count` × `reference` (e.g. H100s per 400,000 GB200)."""
    n = check_count(reference_count, "reference_count")
    target = tpp_from_throughput(resolve_specs(chip).throughput, chip.name)
    ref = tpp_from_throughput(resolve_specs(reference).throughput, reference.name)
    count = n * ref.tpp / target.tpp
    formula = (
        f"count = {fmt_num(n)} × TPP {fmt_num(ref.tpp)} ÷ TPP {fmt_num(target.tpp)} = {fmt_num(count, 1)} {chip.name}"
    )
    return ToolResult(
        inputs={"chip": chip.name, "reference_chip": reference.name, "reference_count": n},
        formula=formula,
        result={
            "chip": chip.name,
            "count": count,
            "count_whole": int(-(-count // 1)),
            "tpp_per_chip": target.tpp,
            "reference_tpp_per_chip": ref.tpp,
            "reference_total_tpp": n * ref.tpp,
        },
        assumptions=[
            "Chips are matched on TPP (dense peak × bit length); memory, interconnect and software "
            "efficiency are not compared."
        ],
        sources=merge_sources(chip.citation_ids, reference.citation_ids, list(TPP_SOURCES)),
    )
