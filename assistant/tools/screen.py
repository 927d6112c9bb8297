"""Screen the chip catalogue: which chips meet a threshold on one attribute ("Which Chinese-designed
chips clear the 4,800 TPP line?", "Which Nvidia accelerators draw under 500 W?"), which have a figure
recorded at all ("Which chips in the catalogue have an FP4 figure?"), and which rank first on one
("Which Huawei chip has the most memory?").

A list question over the catalogue is a filter, not a search: every row is tested, so the answer
names all the catalogue's chips that qualify and says which could not be tested (a figure the
catalogue lacks). TPP and performance density are computed as the tpp tool does (highest-precision
dense figure × bit length; ÷ die area); the other attributes are catalogue columns. Vendors'
countries come from `assistant/prompts/vendors.yaml`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from .catalogue import Chip
from .errors import ToolInputError
from .formatting import fmt_num
from .results import ToolResult
from .specs import resolve_specs
from .tpp import performance_density, tpp_from_throughput

# attribute -> (label, unit, how to read it from a chip; None when the catalogue lacks a figure)
ATTRIBUTES: dict[str, tuple[str, str, Callable[[Chip], float | None]]] = {}


def _tpp(chip: Chip) -> float | None:
    specs = resolve_specs(chip)
    return tpp_from_throughput(specs.throughput, specs.label).tpp if specs.throughput else None


def _density(chip: Chip) -> float | None:
    tpp = _tpp(chip)
    return performance_density(tpp, chip.die_area_mm2) if tpp and chip.die_area_mm2 else None


def _launch_year(chip: Chip) -> float | None:
    # "2020-11 (80 GB; …)", "2026-Q1 (roadmap)", "reported 2025-08-19": the first year written
    found = re.search(r"\b((?:19|20)\d\d)\b", chip.launch)
    return float(found.group(1)) if found else None


def _process_nm(chip: Chip) -> float | None:
    # "TSMC 7nm+ (N7+)", "SMIC N+2 (7nm class)": the first node written in nanometres ("TSMC 4N" is a
    # product name, not a size in nm, so it gives none)
    found = re.search(r"(\d+(?:\.\d+)?)\s*nm\b", chip.process, re.I)
    return float(found.group(1)) if found else None


ATTRIBUTES.update({
    "tpp": ("TPP", "", _tpp),
    "performance_density": ("performance density", "", _density),
    "tdp_w": ("TDP", " W", lambda c: c.tdp_w),
    "memory_gb": ("memory", " GB", lambda c: c.memory_gb),
    "memory_bw_tbps": ("memory bandwidth", " TB/s", lambda c: c.memory_bw_tbps),
    "die_area_mm2": ("die area", " mm²", lambda c: c.die_area_mm2),
    "launch_year": ("launch year", "", _launch_year),
    "process_nm": ("process node", " nm", _process_nm),
    "fp4_tflops": ("dense FP4 throughput", " TFLOPS", lambda c: c.fp4_tflops),
    "fp8_tflops": ("dense FP8 throughput", " TFLOPS", lambda c: c.fp8_tflops),
    "bf16_tflops": ("dense BF16/FP16 throughput", " TFLOPS", lambda c: c.bf16_tflops),
    "int8_tops": ("dense INT8 throughput", " TOPS", lambda c: c.int8_tops),
    "transistors_b": ("transistor count", " billion", lambda c: c.transistors_b),
    "interconnect_gbps": ("interconnect bandwidth", " GB/s", lambda c: c.interconnect_gbps),
})
OPERATORS: dict[str, tuple[str, Callable[[float, float], bool]]] = {
    "ge": ("at or above", lambda v, t: v >= t),
    "gt": ("above", lambda v, t: v > t),
    "le": ("at or below", lambda v, t: v <= t),
    "lt": ("below", lambda v, t: v < t),
    "eq": ("of", lambda v, t: v == t),
}
# tests with no threshold: a figure recorded at all, or the highest / lowest figure in scope
RANKS = {"present": "recorded", "max": "highest", "min": "lowest"}
# a launch is dated, not measured: its tests read as dates ("launched before 2021", "the latest launch")
_DATED_WORDS = {"ge": "in or after", "gt": "after", "le": "in or before", "lt": "before", "eq": "in",
                "max": "latest", "min": "earliest", "present": "recorded"}


def screen_chips(chips: Iterable[Chip], attribute: str, op: str, threshold: float | None = None, *,
                 countries: dict[str, str] | None = None, country: str | None = None,
                 vendor: str | None = None, exclude_vendor: str | None = None) -> ToolResult:
    """The catalogue chips whose `attribute` is `op` `threshold` (op one of OPERATORS), or, with op
    "present" / "max" / "min" and no threshold, those with a figure recorded / the highest / the
    lowest figure (ties all kept); optionally only one vendor's or one country's (vendor → country in
    `countries`), or every vendor's but one (`exclude_vendor`: "chips not made by Nvidia"). Result:
    `matches` [{chip, value}], best first, `untested` (chips the catalogue gives no figure for),
    `screened` (how many were in scope). Raises ToolInputError for an unknown attribute or operator,
    a threshold test without a threshold, or a scope that selects no chip."""
    if attribute not in ATTRIBUTES:
        raise ToolInputError("attribute", f"cannot screen on {attribute!r}; use one of {', '.join(ATTRIBUTES)}")
    if op not in OPERATORS and op not in RANKS:
        raise ToolInputError("op", f"unknown comparison {op!r}; use one of {', '.join([*OPERATORS, *RANKS])}")
    if op in OPERATORS and threshold is None:
        raise ToolInputError("threshold", f"give the threshold the chips' {attribute} is tested against")
    if op in RANKS and threshold is not None:
        raise ToolInputError("threshold", f"{op!r} takes no threshold; use ge, gt, le, lt or eq to test one")
    label, unit, read = ATTRIBUTES[attribute]
    words, test = OPERATORS[op] if op in OPERATORS else (RANKS[op], lambda v, t: True)
    dated = attribute == "launch_year"
    words = _DATED_WORDS[op] if dated else words
    scope = [c for c in chips
             if (vendor is None or c.vendor.lower() == vendor.lower())
             and (exclude_vendor is None or c.vendor.lower() != exclude_vendor.lower())
             and (country is None or (countries or {}).get(c.vendor) == country)]
    if not scope:
        raise ToolInputError("scope", f"no catalogue chip is by {vendor or country}; the vendors are "
                                      f"{', '.join(sorted({c.vendor for c in chips}))}")
    matches: list[dict[str, Any]] = []
    untested: list[str] = []
    for chip in scope:
        value = read(chip)
        if value is None:
            untested.append(chip.name)
        elif test(value, threshold):
            matches.append({"chip": chip.name, "chip_id": chip.id, "value": value, "doc_id": chip.citation_id,
                            "shown": _shown(chip, attribute, value, unit)})
    matches.sort(key=lambda m: -m["value"] if op in ("ge", "gt", "max", "present") else m["value"])
    if op in ("max", "min") and matches:
        matches = [m for m in matches if m["value"] == matches[0]["value"]]
    who = " ".join(x for x in (country_label(country), vendor or "", f"non-{exclude_vendor}" if exclude_vendor else "")
                   if x)
    return ToolResult(
        inputs={"attribute": attribute, "op": op, "threshold": threshold, "country": country, "vendor": vendor,
                "exclude_vendor": exclude_vendor},
        formula=f"{label} of each of {len(scope)} {who + ' ' if who else ''}chips {words}"
                + (f" {_threshold(threshold, dated)}{unit}" if threshold is not None else "") + ": "
                + (", ".join(f"{m['chip']} {m['shown']}" for m in matches) or "none"),
        result={"matches": matches, "untested": untested, "screened": len(scope), "label": label, "unit": unit,
                "words": words, "who": who, "dated": dated,
                "threshold_shown": _threshold(threshold, dated) if threshold is not None else ""},
        assumptions=["Every chip of the catalogue (corpus/data/chips.csv) in scope is tested; a chip whose "
                     f"{label} the catalogue does not give is listed as untested.",
                     *(["TPP is the highest dense figure × its bit length, as the tpp tool computes it."]
                       if attribute in ("tpp", "performance_density") else [])],
        sources=sorted({m["doc_id"] for m in matches}),
    )


def _threshold(value: float, dated: bool) -> str:
    return str(int(value)) if dated else fmt_num(value)


def _shown(chip: Chip, attribute: str, value: float, unit: str) -> str:
    """A figure as the answer writes it: a launch as the catalogue dates it ("2020-11", not "2,020")."""
    if attribute == "launch_year":
        return chip.launch.split(" (")[0].split(";")[0].strip()
    return f"{fmt_num(value)}{unit}"


def country_label(country: str | None) -> str:
    return {"CN": "Chinese-designed", "US": "US-designed"}.get(country or "", country or "")
