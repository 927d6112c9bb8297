"""One set of chip figures, from the catalogue, from the user, or both.

Tools accept either a catalogue chip or figures the user typed ("a chip with 1,000 dense
FP8 TFLOPS and 800 mm² of die"). User figures may fill gaps the catalogue leaves blank,
but a user figure that disagrees with the catalogue is rejected: silently preferring one
would hide a contradiction the user should resolve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .catalogue import PRECISION_COLUMNS, Chip
from .errors import ToolInputError
from .formatting import fmt_num
from .validation import MAX_TDP_W, check_positive

# Two figures within this relative distance are the same figure written with rounding.
SAME_FIGURE_RTOL = 0.01


@dataclass(frozen=True)
class Specs:
    """Resolved figures for one accelerator; None means unknown (never a guess)."""

    label: str
    chip_id: str | None = None
    throughput: dict[str, float] = field(default_factory=dict)  # precision -> dense TFLOPS/TOPS
    die_area_mm2: float | None = None
    memory_bw_gbps: float | None = None
    interconnect_gbps: float | None = None
    tdp_w: float | None = None
    data_center: bool | None = None
    sources: tuple[str, ...] = ()
    provenance: dict[str, str] = field(default_factory=dict)  # field -> "catalogue" | "user"


def _merge(
    name: str, label: str, catalogue_value: float | None, user_value: float | None, maximum: float | None = None
) -> tuple[float | None, str | None]:
    """Pick the catalogue value, fill it from the user, or reject a disagreement."""
    if user_value is not None:
        user_value = check_positive(user_value, name, maximum)
    if catalogue_value is None:
        return (user_value, "user") if user_value is not None else (None, None)
    if user_value is None:
        return catalogue_value, "catalogue"
    if not math.isclose(catalogue_value, user_value, rel_tol=SAME_FIGURE_RTOL):
        raise ToolInputError(
            name,
            f"contradictory inputs: the catalogue gives {fmt_num(catalogue_value)} for "
            f"{label} but {fmt_num(user_value)} was supplied",
        )
    return catalogue_value, "catalogue"


def resolve_specs(
    chip: Chip | None = None,
    *,
    label: str | None = None,
    bf16_tflops: float | None = None,
    fp8_tflops: float | None = None,
    fp4_tflops: float | None = None,
    int8_tops: float | None = None,
    die_area_mm2: float | None = None,
    memory_bw_gbps: float | None = None,
    interconnect_gbps: float | None = None,
    tdp_w: float | None = None,
    data_center: bool | None = None,
) -> Specs:
    """Combine a catalogue chip (optional) with user figures (optional)."""
    name = label or (chip.name if chip else "the chip")
    user_throughput = {"bf16": bf16_tflops, "fp8": fp8_tflops, "fp4": fp4_tflops, "int8": int8_tops}
    throughput: dict[str, float] = {}
    provenance: dict[str, str] = {}
    for precision, column in PRECISION_COLUMNS.items():
        value, origin = _merge(
            column, name, chip.dense_throughput(precision) if chip else None, user_throughput[precision]
        )
        if value is not None and origin is not None:
            throughput[precision] = value
            provenance[column] = origin
    merged: dict[str, float | None] = {}
    for field_name, cat_value, user_value, maximum in (
        ("die_area_mm2", chip.die_area_mm2 if chip else None, die_area_mm2, None),
        ("memory_bw_gbps", chip.memory_bw_gbps if chip else None, memory_bw_gbps, None),
        ("interconnect_gbps", chip.interconnect_gbps if chip else None, interconnect_gbps, None),
        ("tdp_w", chip.tdp_w if chip else None, tdp_w, MAX_TDP_W),
    ):
        value, origin = _merge(field_name, name, cat_value, user_value, maximum)
        merged[field_name] = value
        if origin is not None:
            provenance[field_name] = origin
    dc = chip.data_center if chip else None
    if data_center is not None:
        if dc is not None and dc != data_center:
            raise ToolInputError(
                "data_center",
                f"contradictory inputs: the catalogue says {name} is "
                f"{'' if dc else 'not '}designed or marketed for data centers",
            )
        dc = data_center
        provenance.setdefault("data_center", "user" if chip is None or chip.data_center is None else "catalogue")
    elif dc is not None:
        provenance["data_center"] = "catalogue"
    return Specs(
        label=name,
        chip_id=chip.id if chip else None,
        throughput=throughput,
        die_area_mm2=merged["die_area_mm2"],
        memory_bw_gbps=merged["memory_bw_gbps"],
        interconnect_gbps=merged["interconnect_gbps"],
        tdp_w=merged["tdp_w"],
        data_center=dc,
        sources=tuple(chip.citation_ids) if chip else (),
        provenance=provenance,
    )
