"""Training compute with the standard 6·N·D approximation, forwards and backwards.

Forwards: FLOPs = 6 × parameters (active, for mixture-of-experts) × tokens, and the days a
fleet needs at a model-FLOPs utilisation (MFU). Backwards: the MFU implied by reported
GPU-hours, which is how one checks a claim such as DeepSeek-V3's 2.788M H800 GPU-hours.
The MFU is shown against both BF16 and FP8 peaks because the answer depends on which
peak one calls 100%.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from .catalogue import Chip
from .errors import ToolInputError
from .formatting import fmt_num, fmt_pct, fmt_sci
from .results import ToolResult, merge_sources
from .specs import SAME_FIGURE_RTOL, resolve_specs
from .tpp import PRECISION_LABELS
from .validation import check_count, check_fraction, check_positive, check_precision

logger = logging.getLogger(__name__)

TRAINING_SOURCES: tuple[str, ...] = ("deepseek-v3-training",)
MAX_PARAMETERS = 1e15
MAX_TOKENS = 1e17
MAX_GPU_HOURS = 1e10
MAX_DAYS = 3650.0
MFU_PRECISIONS: tuple[str, ...] = ("bf16", "fp8")


def _flops(parameters: float, tokens: float) -> tuple[float, float, float]:
    n = check_positive(parameters, "parameters", MAX_PARAMETERS)
    d = check_positive(tokens, "tokens", MAX_TOKENS)
    return n, d, 6.0 * n * d


def _flops_formula(n: float, d: float, c: float) -> str:
    return f"C = 6 × N × D = 6 × {fmt_sci(n)} × {fmt_sci(d)} = {fmt_sci(c)} FLOPs"


_6ND_ASSUMPTION = (
    "6·N·D counts about 2 FLOPs per parameter per token forward and 4 backward; N is the active "
    "parameter count for mixture-of-experts models; attention and recomputation are ignored."
)


def training_flops(parameters: float, tokens: float) -> ToolResult:
    """Training compute C = 6·N·D in FLOPs."""
    n, d, c = _flops(parameters, tokens)
    return ToolResult(
        inputs={"parameters": n, "tokens": d},
        formula=_flops_formula(n, d, c),
        result={"training_flops": c},
        assumptions=[_6ND_ASSUMPTION],
        sources=list(TRAINING_SOURCES),
    )


def _peak(
    chip: Chip | None, precision: str | None, peak_tflops: float | None, label: str | None
) -> tuple[str, str, float, dict[str, float]]:
    """(chip label, precision, peak TFLOPS, all known dense peaks) from a chip or a given peak."""
    if peak_tflops is not None:
        prec = check_precision(precision or "bf16")
        peak = check_positive(peak_tflops, "peak_tflops", maximum=1e6)
        figures: dict[str, Any] = {f"{prec}_{'tops' if prec == 'int8' else 'tflops'}": peak}
        specs = resolve_specs(chip, label=label, **figures)
    else:
        specs = resolve_specs(chip, label=label)
        prec = (
            check_precision(precision) if precision else next((p for p in MFU_PRECISIONS if p in specs.throughput), "")
        )
    if not prec or prec not in specs.throughput:
        raise ToolInputError(
            "peak_tflops",
            f"no dense {PRECISION_LABELS.get(prec, 'BF16/FP8')} peak is known for {specs.label}; supply peak_tflops",
        )
    return specs.label, prec, specs.throughput[prec], dict(specs.throughput)


def training_time(
    parameters: float,
    tokens: float,
    count: int | float,
    chip: Chip | None = None,
    *,
    mfu: float,
    precision: str | None = None,
    peak_tflops: float | None = None,
    label: str | None = None,
) -> ToolResult:
    """Days to train on `count` accelerators at a given MFU: C ÷ (count × peak × MFU)."""
    n, d, c = _flops(parameters, tokens)
    k = check_count(count)
    u = check_fraction(mfu, "mfu")
    chip_label, prec, peak, _ = _peak(chip, precision, peak_tflops, label)
    seconds = c / (k * peak * 1e12 * u)
    days = seconds / 86400.0
    if days > MAX_DAYS * 100:
        logger.info("training_time: %.0f days is far beyond any real run", days)
    gpu_hours = k * seconds / 3600.0
    formula = (
        f"{_flops_formula(n, d, c)}; time = C ÷ (count × peak × MFU) = {fmt_sci(c)} ÷ ({fmt_num(k)} × "
        f"{fmt_num(peak)} × 10^12 FLOP/s × {fmt_num(u, 3)}) = {fmt_sci(seconds)} s = {fmt_num(days, 1)} days"
    )
    return ToolResult(
        inputs={
            "parameters": n,
            "tokens": d,
            "count": k,
            "chip": chip_label,
            "precision": prec,
            "peak_tflops": peak,
            "mfu": u,
        },
        formula=formula,
        result={"training_flops": c, "seconds": seconds, "days": days, "gpu_hours": gpu_hours},
        assumptions=[
            _6ND_ASSUMPTION,
            f"Peak is the dense {PRECISION_LABELS[prec]} figure of {chip_label}.",
            "The whole fleet trains the one run without interruption.",
        ],
        sources=merge_sources(list(TRAINING_SOURCES), list(chip.citation_ids) if chip else []),
    )


def implied_mfu(
    parameters: float,
    tokens: float,
    chip: Chip | None = None,
    *,
    gpu_hours: float | None = None,
    count: int | float | None = None,
    days: float | None = None,
    precision: str | None = None,
    peak_tflops: float | None = None,
    usd_per_gpu_hour: float | None = None,
    label: str | None = None,
    fleet_size: int | float | None = None,
) -> ToolResult:
    """MFU implied by reported GPU-hours (or count × days): 6·N·D ÷ (GPU-hours × 3,600 × peak).

    `fleet_size` (GPUs running in parallel) adds the wall-clock days the GPU-hours imply.
    """
    n, d, c = _flops(parameters, tokens)
    from_fleet: float | None = None
    if count is not None or days is not None:
        if count is None or days is None:
            raise ToolInputError("count" if count is None else "days", "give both count and days, or gpu_hours")
        from_fleet = check_count(count) * check_positive(days, "days", MAX_DAYS) * 24.0
    if gpu_hours is not None:
        hours = check_positive(gpu_hours, "gpu_hours", MAX_GPU_HOURS)
        if from_fleet is not None and not math.isclose(hours, from_fleet, rel_tol=SAME_FIGURE_RTOL):
            raise ToolInputError(
                "gpu_hours",
                f"contradictory inputs: {fmt_num(hours)} GPU-hours given but count × days × 24 = {fmt_num(from_fleet)}",
            )
    elif from_fleet is not None:
        hours = from_fleet
    else:
        raise ToolInputError("gpu_hours", "supply gpu_hours (or count and days)")
    chip_label, prec, peak, peaks = _peak(chip, precision, peak_tflops, label)
    achieved = c / (hours * 3600.0)  # FLOP/s per GPU
    mfu = achieved / (peak * 1e12)
    if mfu > 1:
        raise ToolInputError(
            "gpu_hours",
            f"contradictory inputs: {fmt_num(hours)} GPU-hours would need "
            f"{fmt_pct(mfu, 0)} of the {PRECISION_LABELS[prec]} peak; check the figures",
        )
    by_precision = {p: achieved / (peaks[p] * 1e12) for p in MFU_PRECISIONS if p in peaks}
    by_precision[prec] = mfu
    formula = (
        f"{_flops_formula(n, d, c)}; achieved per GPU = C ÷ (GPU-hours × 3,600) = {fmt_sci(c)} ÷ "
        f"({fmt_num(hours)} × 3,600 s) = {fmt_num(achieved / 1e12, 1)} TFLOPS; MFU = "
        f"{fmt_num(achieved / 1e12, 1)} ÷ {fmt_num(peak)} dense {PRECISION_LABELS[prec]} TFLOPS = {fmt_pct(mfu, 1)}"
    )
    for p, v in by_precision.items():
        if p != prec:
            formula += f" ({fmt_pct(v, 1)} of the {fmt_num(peaks[p])} dense {PRECISION_LABELS[p]} TFLOPS peak)"
    result: dict[str, object] = {
        "training_flops": c,
        "gpu_hours": hours,
        "achieved_tflops_per_gpu": achieved / 1e12,
        "mfu": mfu,
        "mfu_precision": prec,
        "mfu_by_precision": by_precision,
    }
    assumptions = [
        _6ND_ASSUMPTION,
        "GPU-hours cover the training run only, every GPU busy for the whole time.",
        f"MFU is measured against the dense {PRECISION_LABELS[prec]} peak of {chip_label}"
        f"{'' if precision else ' (no precision given)'}.",
    ]
    if fleet_size is not None:
        size = check_count(fleet_size, "fleet_size")
        result["wall_clock_days"] = hours / size / 24.0
        formula += (
            f"; wall clock = {fmt_num(hours)} GPU-hours ÷ {fmt_num(size)} GPUs ÷ 24 = "
            f"{fmt_num(hours / size / 24, 1)} days"
        )
    if usd_per_gpu_hour is not None:
        price = check_positive(usd_per_gpu_hour, "usd_per_gpu_hour", maximum=1000)
        result["cost_usd"] = hours * price
        formula += (
            f"; cost = {fmt_num(hours)} GPU-hours × US${fmt_num(price, 2)} = US${fmt_num(hours * price / 1e6, 3)}M"
        )
        assumptions.append(
            f"Rental price US${fmt_num(price, 2)} per GPU-hour; research, ablations and hardware "
            "purchase are not included."
        )
    return ToolResult(
        inputs={
            "parameters": n,
            "tokens": d,
            "gpu_hours": gpu_hours,
            "count": count,
            "days": days,
            "chip": chip_label,
            "precision": precision,
            "peak_tflops": peak,
            "usd_per_gpu_hour": usd_per_gpu_hour,
            "fleet_size": fleet_size,
        },
        formula=formula,
        result=result,
        assumptions=assumptions,
        sources=merge_sources(list(TRAINING_SOURCES), list(chip.citation_ids) if chip else []),
    )


def training_cost(gpu_hours: float, usd_per_gpu_hour: float) -> ToolResult:
    """Rental-equivalent cost: GPU-hours × price per GPU-hour (excludes research and hardware)."""
    hours = check_positive(gpu_hours, "gpu_hours", MAX_GPU_HOURS)
    price = check_positive(usd_per_gpu_hour, "usd_per_gpu_hour", maximum=1000)
    cost = hours * price
    return ToolResult(
        inputs={"gpu_hours": hours, "usd_per_gpu_hour": price},
        formula=f"cost = {fmt_num(hours)} GPU-hours × US${fmt_num(price, 2)} = US${fmt_num(cost)}",
        result={"cost_usd": cost},
        assumptions=["Priced as rented GPU-hours; research, ablations, staff and hardware purchase are not included."],
        sources=list(TRAINING_SOURCES),
    )


def gpu_time(*, gpu_hours: float | None = None, count: float | None = None, days: float | None = None,
             utilisation: float = 1.0) -> ToolResult:
    """GPU-hours = GPUs × days × 24 h × utilisation: given any two of the three, the third.

    A job of 1.5 million GPU-hours on 1,024 GPUs running flat out takes 1,500,000 ÷ 1,024 ÷ 24
    ≈ 61 days; 2,048 GPUs for 60 days are 2,048 × 60 × 24 ≈ 2.95 million GPU-hours. Raises
    ToolInputError unless exactly two of `gpu_hours`, `count` and `days` are given."""
    given = {k: v for k, v in {"gpu_hours": gpu_hours, "count": count, "days": days}.items() if v is not None}
    if len(given) != 2:
        raise ToolInputError("gpu_hours", "give two of: the GPU-hours, the number of GPUs and the days of running")
    util = check_fraction(utilisation, "utilisation")
    if gpu_hours is not None:
        hours = check_positive(gpu_hours, "gpu_hours", MAX_GPU_HOURS)
    if count is not None:
        n = float(check_count(count, "count"))
    if days is not None:
        d = check_positive(days, "days", MAX_DAYS * 10)
    at = f" × {fmt_num(util, 2)}" if util != 1.0 else ""
    if days is None:
        d = hours / (n * 24 * util)
        formula = f"days = {fmt_num(hours)} GPU-hours ÷ ({fmt_num(n)} GPUs × 24 h{at}) = {fmt_num(d, 1)} days"
    elif count is None:
        n = hours / (d * 24 * util)
        formula = f"GPUs = {fmt_num(hours)} GPU-hours ÷ ({fmt_num(d)} days × 24 h{at}) = {fmt_num(n, 0)} GPUs"
    else:
        hours = n * d * 24 * util
        formula = f"GPU-hours = {fmt_num(n)} GPUs × {fmt_num(d)} days × 24 h{at} = {fmt_num(hours)} GPU-hours"
    return ToolResult(
        inputs={"gpu_hours": gpu_hours, "count": count, "days": days, "utilisation": util},
        formula=formula,
        result={"gpu_hours": hours, "count": n, "days": d, "hours": d * 24},
        assumptions=[f"Every GPU runs {'continuously' if util == 1.0 else f'at {fmt_pct(util, 0)} of the time'} "
                     "for the whole period; no restarts, no idle time."],
        sources=list(TRAINING_SOURCES),
    )
