"""The tools as LangChain `StructuredTool`s, for deployments that do have a language model.

Each wrapper takes JSON-friendly arguments (chip names, not Chip objects), validated by a
pydantic schema, and returns the tool's JSON-ready dict. The catalogue is bound when the
tools are built, not read from a global. Bad input becomes a `ToolException`, which with
`handle_tool_error=True` reaches the model as a message naming the input to fix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from langchain_core.tools import StructuredTool, ToolException
from pydantic import BaseModel, Field

from ..prompts import load as load_prompt
from .catalogue import Catalogue, Chip
from .compare import compare
from .errors import ToolInputError
from .export import classify_export
from .fleet import equivalent_count, fleet_compute
from .power import DEFAULT_OVERHEAD_W, DEFAULT_STORAGE_NETWORK_FRACTION, power_estimate
from .quantities import format_quantity, parse_quantities
from .results import ToolResult
from .screen import screen_chips
from .tpp import compute_tpp
from .training import implied_mfu, training_flops, training_time

Precision = Literal["bf16", "fp16", "fp8", "fp4", "int8"]


class ChipFiguresArgs(BaseModel):
    """A catalogue chip name, or figures for a chip not in the catalogue (or to fill its gaps)."""

    chip: str | None = Field(None, description="Catalogue chip name or alias, e.g. 'H100', 'Ascend 910C'")
    bf16_tflops: float | None = Field(None, gt=0, description="Dense BF16/FP16 TFLOPS")
    fp8_tflops: float | None = Field(None, gt=0, description="Dense FP8 TFLOPS")
    fp4_tflops: float | None = Field(None, gt=0, description="Dense FP4 TFLOPS")
    int8_tops: float | None = Field(None, gt=0, description="Dense INT8 TOPS")
    die_area_mm2: float | None = Field(None, gt=0, description="Applicable logic die area in mm²")


class ExportArgs(ChipFiguresArgs):
    tpp: float | None = Field(None, gt=0, description="Total processing performance, if known directly")
    performance_density: float | None = Field(None, gt=0, description="TPP ÷ die area, if known directly")
    interconnect_gbps: float | None = Field(None, gt=0, description="Aggregate bidirectional chip-to-chip GB/s")
    memory_bw_gbps: float | None = Field(None, gt=0, description="Total DRAM bandwidth in GB/s")
    data_center: bool | None = Field(None, description="Designed or marketed for data centers (Note 2)")


class FleetArgs(BaseModel):
    chip: str = Field(..., description="Catalogue chip name or alias")
    count: int = Field(..., description="Number of accelerators")
    precision: Precision | None = Field(None, description="Precision of the peak figure; default BF16/FP16")


class EquivalentArgs(BaseModel):
    chip: str = Field(..., description="Chip to count, e.g. 'H100'")
    reference_chip: str = Field(..., description="Chip of the reference fleet, e.g. 'GB200'")
    reference_count: int = Field(..., description="Accelerators in the reference fleet")


class PowerArgs(BaseModel):
    chip: str | None = Field(None, description="Catalogue chip name or alias")
    count: int = Field(..., description="Number of accelerators")
    tdp_w: float | None = Field(None, description="Watts per accelerator if not from the catalogue")
    overhead_w: float = Field(DEFAULT_OVERHEAD_W, description="Host overhead per accelerator (CPUs, NICs, PSUs), W")
    storage_network_fraction: float = Field(DEFAULT_STORAGE_NETWORK_FRACTION, description="Storage/network share")
    pue: float | None = Field(None, description="Power usage effectiveness (≥ 1)")
    utilisation: float = Field(1.0, description="Share of the year at load, in (0, 1]")
    usd_per_kwh: float | None = Field(None, description="Electricity price, US$ per kWh")


class CompareArgs(BaseModel):
    chip_a: str = Field(..., description="Chip of fleet A (the numerator)")
    count_a: int = Field(..., description="Accelerators in fleet A")
    chip_b: str = Field(..., description="Chip of fleet B (the base)")
    count_b: int = Field(..., description="Accelerators in fleet B")


class ScreenArgs(BaseModel):
    attribute: Literal["tpp", "performance_density", "tdp_w", "memory_gb", "memory_bw_tbps", "die_area_mm2",
                       "launch_year", "process_nm", "fp4_tflops", "fp8_tflops", "bf16_tflops", "int8_tops",
                       "transistors_b", "interconnect_gbps"] = Field(..., description="Catalogue attribute to test")
    op: Literal["ge", "gt", "le", "lt", "eq", "present", "max", "min"] = Field(
        ..., description="ge ≥, gt >, le ≤, lt <, eq = the threshold; present: a figure is recorded; "
                         "max / min: the highest / lowest figure (no threshold)")
    threshold: float | None = Field(None, description="Threshold in the attribute's unit (W, GB, TB/s, mm², year, "
                                                      "nm, TFLOPS; TPP and PD unitless); none for present/max/min")
    country: Literal["CN", "US"] | None = Field(None, description="Only chips of vendors based in this country")
    vendor: str | None = Field(None, description="Only this vendor's chips, e.g. 'Huawei'")
    exclude_vendor: str | None = Field(None, description="Every vendor's chips but this one's, e.g. 'Nvidia'")


class TrainingFlopsArgs(BaseModel):
    parameters: float = Field(..., description="Parameters (active parameters for MoE)")
    tokens: float = Field(..., description="Training tokens")


class TrainingTimeArgs(TrainingFlopsArgs):
    chip: str = Field(..., description="Catalogue chip name or alias")
    count: int = Field(..., description="Number of accelerators")
    mfu: float = Field(..., description="Model FLOPs utilisation in (0, 1]")
    precision: Precision | None = Field(None, description="Peak precision; default BF16/FP16")


class ImpliedMfuArgs(TrainingFlopsArgs):
    chip: str = Field(..., description="Catalogue chip name or alias")
    gpu_hours: float | None = Field(None, description="Reported GPU-hours")
    count: int | None = Field(None, description="Accelerators (with days, instead of gpu_hours)")
    days: float | None = Field(None, description="Days of training (with count)")
    precision: Precision | None = Field(None, description="Peak precision; default BF16/FP16")
    usd_per_gpu_hour: float | None = Field(None, description="Rental price per GPU-hour, US$")


class QuantityArgs(BaseModel):
    text: str = Field(..., description="Text containing quantities, e.g. '115k H100s at a PUE of 1.3'")


def _guard(func: Callable[..., ToolResult]) -> Callable[..., dict[str, Any]]:
    """Return the JSON dict; turn bad input into a ToolException the agent can read."""

    def wrapped(**kwargs: Any) -> dict[str, Any]:
        try:
            return func(**kwargs).to_dict()
        except ToolInputError as exc:
            raise ToolException(str(exc)) from exc

    return wrapped


def build_tools(catalogue: Catalogue, *, handle_errors: bool = True) -> list[StructuredTool]:
    """All tools bound to `catalogue`. With handle_errors, bad input returns its message instead of raising."""

    def chip_or_none(name: str | None) -> Chip | None:
        return catalogue.get(name) if name else None

    def tpp_fn(chip: str | None = None, **figures: Any) -> ToolResult:
        return compute_tpp(chip_or_none(chip), **figures)

    def export_fn(chip: str | None = None, **figures: Any) -> ToolResult:
        return classify_export(chip_or_none(chip), **figures)

    def fleet_fn(chip: str, count: int, precision: str | None = None) -> ToolResult:
        return fleet_compute(catalogue.get(chip), count, precision=precision)

    def equivalent_fn(chip: str, reference_chip: str, reference_count: int) -> ToolResult:
        return equivalent_count(catalogue.get(chip), catalogue.get(reference_chip), reference_count)

    def power_fn(count: int, chip: str | None = None, **kwargs: Any) -> ToolResult:
        return power_estimate(chip_or_none(chip), count, **kwargs)

    def compare_fn(chip_a: str, count_a: int, chip_b: str, count_b: int) -> ToolResult:
        return compare(catalogue.get(chip_a), count_a, catalogue.get(chip_b), count_b)

    def flops_fn(parameters: float, tokens: float) -> ToolResult:
        return training_flops(parameters, tokens)

    def time_fn(
        parameters: float, tokens: float, chip: str, count: int, mfu: float, precision: str | None = None
    ) -> ToolResult:
        return training_time(parameters, tokens, count, catalogue.get(chip), mfu=mfu, precision=precision)

    def mfu_fn(parameters: float, tokens: float, chip: str, **kwargs: Any) -> ToolResult:
        return implied_mfu(parameters, tokens, catalogue.get(chip), **kwargs)

    def screen_fn(attribute: str, op: str, threshold: float | None = None, country: str | None = None,
                  vendor: str | None = None, exclude_vendor: str | None = None) -> ToolResult:
        countries = dict(load_prompt("screening.yaml")["vendor_countries"])
        return screen_chips(catalogue, attribute, op, threshold, countries=countries, country=country, vendor=vendor,
                            exclude_vendor=exclude_vendor)

    def quantities_fn(text: str) -> dict[str, Any]:
        found = parse_quantities(text)
        return {
            "inputs": {"text": text},
            "formula": "parsed units to canonical units",
            "result": {
                "quantities": [
                    {
                        "kind": q.kind,
                        "value": q.value,
                        "unit": q.unit,
                        "role": q.role,
                        "text": q.text,
                        "canonical": format_quantity(q),
                    }
                    for q in found
                ]
            },
            "assumptions": [],
            "sources": [],
        }

    specs: list[tuple[str, str, type[BaseModel], Callable[..., Any]]] = [
        (
            "tpp",
            "Total processing performance (TPP = 2 × MacTOPS × bit length, max over precisions) and "
            "performance density (TPP ÷ die area) of a chip.",
            ChipFiguresArgs,
            _guard(tpp_fn),
        ),
        (
            "export_classification",
            "Classify a chip under the US 3A090 thresholds: October 2022, October 2023 "
            "(3A090.a/.b, Note 2) and the January 2026 case-by-case band.",
            ExportArgs,
            _guard(export_fn),
        ),
        (
            "fleet_compute",
            "Peak compute of a fleet (count × dense peak, EFLOPS) and H100-equivalents by TPP.",
            FleetArgs,
            _guard(fleet_fn),
        ),
        (
            "equivalent_count",
            "How many of one chip match the TPP of a fleet of another chip.",
            EquivalentArgs,
            _guard(equivalent_fn),
        ),
        (
            "power",
            "Power of a fleet: accelerators only, IT load, facility load at a PUE, annual energy.",
            PowerArgs,
            _guard(power_fn),
        ),
        (
            "compare_fleets",
            "Compare two fleets by count, compute (TPP) and power (TDP), with chart data.",
            CompareArgs,
            _guard(compare_fn),
        ),
        (
            "screen_chips",
            "Which catalogue chips meet a threshold on TPP, performance density, TDP, memory, bandwidth, die "
            "area, launch year, process node or a throughput, have that figure recorded at all, or rank highest "
            "or lowest on it, optionally one vendor's or one country's; chips without the figure are listed as "
            "untested.",
            ScreenArgs,
            _guard(screen_fn),
        ),
        ("training_compute", "Training compute by 6·N·D.", TrainingFlopsArgs, _guard(flops_fn)),
        ("training_time", "Days to train 6·N·D FLOPs on a fleet at an MFU.", TrainingTimeArgs, _guard(time_fn)),
        ("implied_mfu", "MFU implied by reported GPU-hours for a 6·N·D training run.", ImpliedMfuArgs, _guard(mfu_fn)),
        (
            "parse_quantities",
            "Parse quantities with units (counts, W, GW, tokens, GPU-hours, PUE, MFU, US$) from text.",
            QuantityArgs,
            quantities_fn,
        ),
    ]
    tools = []
    for name, description, schema, func in specs:

        def call(_func: Callable[..., Any] = func, **kwargs: Any) -> Any:
            return _func(**{k: v for k, v in kwargs.items() if v is not None})

        tools.append(
            StructuredTool.from_function(
                func=call, name=name, description=description, args_schema=schema, handle_tool_error=handle_errors
            )
        )
    return tools
