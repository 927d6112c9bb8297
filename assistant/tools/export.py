"""Classify a chip under the US advanced-computing thresholds (ECCN 3A090) as they changed.

Three tests are applied side by side because questions are about history as much as the
present ("was the A800 legal in 2022?"): the October 2022 rule, the October 2023 rule
(TPP + performance density, with Note 2) and the January 2026 case-by-case review band.
Each verdict names the test that decided it, with the numbers, and a verdict that needs a
figure the catalogue lacks says "undetermined" and names that figure instead of guessing.
"""

from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass, field

from .catalogue import Chip
from .errors import ToolInputError
from .formatting import fmt_num
from .results import ToolResult, merge_sources
from .specs import SAME_FIGURE_RTOL, resolve_specs
from .tpp import TPP_SOURCES, tpp_formula, tpp_from_throughput
from .validation import check_positive

logger = logging.getLogger(__name__)

# October 2022 rule (87 FR 62186), original 3A090.a: both prongs required.
OCT2022_IO_GBPS = 600.0
OCT2022_TPP = 4800.0
# October 2023 rule (88 FR 73458): 3A090.a / 3A090.b / Note 2.
OCT2023_A_TPP = 4800.0
OCT2023_MIN_TPP = 1600.0
OCT2023_A_PD = 5.92
OCT2023_B_TPP = 2400.0
OCT2023_B_PD_LOW = 1.6
OCT2023_B_PD_HIGH_BAND = 3.2
# January 2026 licence review policy (91 FR 1684): case-by-case below both figures.
JAN2026_TPP = 21000.0
JAN2026_DRAM_GBPS = 6500.0

RULE_DOCS: dict[str, str] = {
    "oct_2022": "export-controls-oct-2022-rule",
    "oct_2023": "export-controls-oct-2023-rule",
    "jan_2026": "bis-jan-2026-case-by-case-rule",
}
RULE_TITLES: dict[str, str] = {
    "oct_2022": "October 2022 rule (original 3A090: I/O ≥ 600 GB/s AND TPP ≥ 4,800)",
    "oct_2023": "October 2023 rule (3A090.a/.b on TPP and performance density; in force from Nov 17, 2023)",
    "jan_2026": "January 2026 licence review policy (case-by-case if TPP < 21,000 and DRAM bandwidth < 6,500 GB/s)",
}
ALL_RULES: tuple[str, ...] = ("oct_2022", "oct_2023", "jan_2026")

NOT_CONTROLLED = "not 3A090"
UNDETERMINED = "undetermined"


@dataclass(frozen=True)
class Verdict:
    """The outcome of one rule: what it says, whether that means a licence, and why."""

    rule: str
    title: str
    verdict: str
    controlled: bool | None
    decided_by: str
    missing_inputs: list[str] = field(default_factory=list)
    doc_id: str = ""
    in_band: bool | None = None  # only for the January 2026 band

    def to_dict(self) -> dict[str, object]:
        """JSON-ready; `in_band` only for the band."""
        out = asdict(self)
        if self.rule != "jan_2026":
            out.pop("in_band")
        return out


def _n(value: float) -> str:
    return fmt_num(value, 2)


def classify_oct_2022(tpp: float, interconnect_gbps: float | None) -> Verdict:
    """Original 3A090.a: aggregate bidirectional I/O ≥ 600 GB/s AND TPP ≥ 4,800."""

    def make(v: str, c: bool | None, why: str, missing: tuple[str, ...] | list[str] = ()) -> Verdict:
        return Verdict("oct_2022", RULE_TITLES["oct_2022"], v, c, why, list(missing), RULE_DOCS["oct_2022"])

    if tpp < OCT2022_TPP:
        return make(
            NOT_CONTROLLED,
            False,
            f"TPP {_n(tpp)} < 4,800, so the performance prong fails and both prongs were required",
        )
    if interconnect_gbps is None:
        return make(
            UNDETERMINED,
            None,
            f"TPP {_n(tpp)} ≥ 4,800, but the chip-to-chip I/O bandwidth is unknown; "
            "supply interconnect_gbps (aggregate bidirectional GB/s)",
            ["interconnect_gbps"],
        )
    if interconnect_gbps >= OCT2022_IO_GBPS:
        return make("3A090.a", True, f"I/O {_n(interconnect_gbps)} GB/s ≥ 600 GB/s AND TPP {_n(tpp)} ≥ 4,800")
    return make(
        NOT_CONTROLLED,
        False,
        f"I/O {_n(interconnect_gbps)} GB/s < 600 GB/s, so the interconnect prong fails although TPP {_n(tpp)} ≥ 4,800",
    )


def _oct_2023_thresholds(tpp: float, pd: float | None) -> tuple[str, str, list[str]]:
    """3A090.a/.b tests before Note 2: (verdict, reason, missing inputs)."""
    if tpp >= OCT2023_A_TPP:
        return "3A090.a", f"TPP {_n(tpp)} ≥ 4,800, the first 3A090.a test", []
    if tpp < OCT2023_MIN_TPP:
        return NOT_CONTROLLED, f"TPP {_n(tpp)} < 1,600, below every 3A090.a and 3A090.b test", []
    if pd is None:
        return (
            UNDETERMINED,
            f"TPP {_n(tpp)} is between 1,600 and 4,800, so the verdict turns on performance "
            "density, which cannot be computed without the die area; supply die_area_mm2 "
            "(or performance_density)",
            ["die_area_mm2"],
        )
    if pd >= OCT2023_A_PD:
        return "3A090.a", f"TPP {_n(tpp)} ≥ 1,600 and PD {_n(pd)} ≥ 5.92, the second 3A090.a test", []
    if tpp >= OCT2023_B_TPP and pd >= OCT2023_B_PD_LOW:
        return (
            "3A090.b",
            f"TPP {_n(tpp)} is ≥ 2,400 and < 4,800 with PD {_n(pd)} ≥ 1.6 and < 5.92, the first 3A090.b test",
            [],
        )
    if pd >= OCT2023_B_PD_HIGH_BAND:
        return ("3A090.b", f"TPP {_n(tpp)} ≥ 1,600 with PD {_n(pd)} ≥ 3.2 and < 5.92, the second 3A090.b test", [])
    first = f"TPP {_n(tpp)} < 2,400" if tpp < OCT2023_B_TPP else f"PD {_n(pd)} < 1.6"
    return (
        NOT_CONTROLLED,
        f"TPP {_n(tpp)} < 4,800 and PD {_n(pd)} < 5.92, so not 3A090.a; {first} and PD {_n(pd)} < 3.2, so not 3A090.b",
        [],
    )


def classify_oct_2023(tpp: float, pd: float | None, data_center: bool | None) -> Verdict:
    """3A090.a: TPP ≥ 4,800, or TPP ≥ 1,600 and PD ≥ 5.92. 3A090.b: TPP 2,400–4,800 with PD 1.6–5.92,
    or TPP ≥ 1,600 with PD 3.2–5.92. Note 2: not data-center and TPP < 4,800 → not 3A090."""

    def make(v: str, c: bool | None, why: str, missing: list[str]) -> Verdict:
        return Verdict("oct_2023", RULE_TITLES["oct_2023"], v, c, why, missing, RULE_DOCS["oct_2023"])

    verdict, reason, missing = _oct_2023_thresholds(tpp, pd)
    note2_possible = tpp < OCT2023_A_TPP and verdict != NOT_CONTROLLED
    if note2_possible and data_center is False:
        return make(
            NOT_CONTROLLED, False, f"Note 2: not designed or marketed for data centers and TPP {_n(tpp)} < 4,800", []
        )
    if note2_possible and data_center is None:
        lead = reason if verdict == UNDETERMINED else f"{reason}, unless Note 2 applies"
        return make(
            UNDETERMINED,
            None,
            f"{lead}; whether the chip is designed or marketed for data centers is "
            "unknown (Note 2); supply data_center",
            [*missing, "data_center"],
        )
    if verdict == UNDETERMINED:
        return make(verdict, None, reason, missing)
    controlled = verdict != NOT_CONTROLLED
    if verdict == "3A090.b":
        reason += "; licence required, with a License Exception NAC notification path for data-center items"
    return make(verdict, controlled, reason, missing)


def classify_jan_2026(tpp: float, memory_bw_gbps: float | None, oct_2023: Verdict) -> Verdict:
    """Case-by-case review (China/Macau) if TPP < 21,000 AND total DRAM bandwidth < 6,500 GB/s."""

    def make(v: str, c: bool | None, why: str, missing: list[str], in_band: bool | None) -> Verdict:
        return Verdict("jan_2026", RULE_TITLES["jan_2026"], v, c, why, missing, RULE_DOCS["jan_2026"], in_band)

    if tpp >= JAN2026_TPP:
        verdict = make(
            "outside the case-by-case band (presumption of denial)", True, f"TPP {_n(tpp)} ≥ 21,000", [], False
        )
    elif memory_bw_gbps is None:
        verdict = make(
            UNDETERMINED,
            None,
            f"TPP {_n(tpp)} < 21,000, but the DRAM bandwidth is unknown; supply memory_bw_gbps",
            ["memory_bw_gbps"],
            None,
        )
    elif memory_bw_gbps >= JAN2026_DRAM_GBPS:
        verdict = make(
            "outside the case-by-case band (presumption of denial)",
            True,
            f"DRAM bandwidth {_n(memory_bw_gbps)} GB/s ≥ 6,500 GB/s (TPP {_n(tpp)} < 21,000)",
            [],
            False,
        )
    else:
        verdict = make(
            "inside the case-by-case band",
            True,
            f"TPP {_n(tpp)} < 21,000 AND DRAM bandwidth {_n(memory_bw_gbps)} GB/s < 6,500 GB/s",
            [],
            True,
        )
    if oct_2023.verdict == NOT_CONTROLLED:
        return Verdict(
            verdict.rule,
            verdict.title,
            "not applicable",
            False,
            f"the band only matters for 3A090 items, and the chip is {NOT_CONTROLLED} under the October 2023 rule",
            [],
            verdict.doc_id,
            verdict.in_band,
        )
    return verdict


def _check_same(name: str, given: float, computed: float, how: str) -> None:
    if not math.isclose(given, computed, rel_tol=SAME_FIGURE_RTOL):
        raise ToolInputError(
            name, f"contradictory inputs: {name} {fmt_num(given)} was supplied but {how} gives {fmt_num(computed)}"
        )


def classify_export(
    chip: Chip | None = None,
    *,
    label: str | None = None,
    tpp: float | None = None,
    performance_density: float | None = None,
    bf16_tflops: float | None = None,
    fp8_tflops: float | None = None,
    fp4_tflops: float | None = None,
    int8_tops: float | None = None,
    die_area_mm2: float | None = None,
    interconnect_gbps: float | None = None,
    memory_bw_gbps: float | None = None,
    data_center: bool | None = None,
    rules: list[str] | tuple[str, ...] | None = None,
) -> ToolResult:
    """Verdicts under the 2022, 2023 and 2026 tests for a catalogue chip or user-given specs."""
    wanted = tuple(rules) if rules else ALL_RULES
    for rule in wanted:
        if rule not in ALL_RULES:
            raise ToolInputError("rules", f"unknown rule {rule!r}; use {', '.join(ALL_RULES)}")
    specs = resolve_specs(
        chip,
        label=label,
        bf16_tflops=bf16_tflops,
        fp8_tflops=fp8_tflops,
        fp4_tflops=fp4_tflops,
        int8_tops=int8_tops,
        die_area_mm2=die_area_mm2,
        memory_bw_gbps=memory_bw_gbps,
        interconnect_gbps=interconnect_gbps,
        data_center=data_center,
    )
    formula_parts: list[str] = []
    tpp_precision: str | None = None
    if specs.throughput:
        breakdown = tpp_from_throughput(specs.throughput, specs.label)
        if tpp is not None:
            _check_same("tpp", check_positive(tpp, "tpp"), breakdown.tpp, "the dense throughput")
        tpp_value = breakdown.tpp
        tpp_precision = breakdown.precision
        formula_parts.append(tpp_formula(breakdown))
    elif tpp is not None:
        tpp_value = check_positive(tpp, "tpp")
        formula_parts.append(f"TPP = {fmt_num(tpp_value)} (given)")
    else:
        raise ToolInputError(
            "tpp",
            f"the TPP of {specs.label} is unknown; supply tpp or a dense throughput "
            "(bf16_tflops, fp8_tflops, fp4_tflops or int8_tops)",
        )
    pd: float | None = None
    if specs.die_area_mm2 is not None:
        pd = tpp_value / specs.die_area_mm2
        if performance_density is not None:
            _check_same(
                "performance_density", check_positive(performance_density, "performance_density"), pd, "TPP ÷ die area"
            )
        formula_parts.append(f"PD = {fmt_num(tpp_value)} ÷ {fmt_num(specs.die_area_mm2)} mm² = {fmt_num(pd)}")
    elif performance_density is not None:
        pd = check_positive(performance_density, "performance_density")
        formula_parts.append(f"PD = {fmt_num(pd)} (given)")

    v2022 = classify_oct_2022(tpp_value, specs.interconnect_gbps)
    v2023 = classify_oct_2023(tpp_value, pd, specs.data_center)
    v2026 = classify_jan_2026(tpp_value, specs.memory_bw_gbps, v2023)
    verdicts = {"oct_2022": v2022, "oct_2023": v2023, "jan_2026": v2026}
    for rule in wanted:
        formula_parts.append(f"{rule}: {verdicts[rule].decided_by} → {verdicts[rule].verdict}")

    result: dict[str, object] = {
        "chip": specs.label,
        "tpp": tpp_value,
        "tpp_precision": tpp_precision,
        "performance_density": pd,
        "interconnect_gbps": specs.interconnect_gbps,
        "memory_bw_gbps": specs.memory_bw_gbps,
        "data_center": specs.data_center,
    }
    for rule in wanted:
        result[rule] = verdicts[rule].to_dict()
    if chip is not None and chip.china_status:
        result["catalogue_status"] = chip.china_status
    missing = sorted({m for rule in wanted for m in verdicts[rule].missing_inputs})
    result["missing_inputs"] = missing

    assumptions = [
        "Only the 3A090 parameter tests are applied; entity-list rules, end-use controls and company-specific "
        "licence letters (such as the April 2025 H20 requirement) are not modelled.",
        "TPP is dense throughput × bit length, maximum over precisions; PD is TPP ÷ applicable logic-die area.",
    ]
    if "oct_2022" in wanted:
        assumptions.append(
            "For the October 2022 test, the chip's aggregate bidirectional chip-to-chip bandwidth "
            "(NVLink or equivalent) stands for the rule's I/O transfer rate."
        )
    if "jan_2026" in wanted:
        assumptions.append(
            "The January 2026 band covers exports from the US to China/Macau with exporter "
            "certifications and US third-party testing; re-exports stay presumption of denial."
        )
    inputs: dict[str, object] = {
        "chip": specs.label,
        "tpp": tpp,
        "performance_density": performance_density,
        "die_area_mm2": specs.die_area_mm2,
        "interconnect_gbps": specs.interconnect_gbps,
        "memory_bw_gbps": specs.memory_bw_gbps,
        "data_center": specs.data_center,
        "rules": list(wanted),
        "figures_from": dict(specs.provenance),
    }
    if specs.chip_id:
        inputs["chip_id"] = specs.chip_id
    sources = merge_sources(list(specs.sources), [RULE_DOCS[r] for r in wanted], list(TPP_SOURCES))
    return ToolResult(
        inputs=inputs, formula="; ".join(formula_parts), result=result, assumptions=assumptions, sources=sources
    )
