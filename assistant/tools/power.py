"""Power and energy of an accelerator fleet, from chips alone up to the facility meter.

Answers differ by a factor of two or more depending on what is counted, so each layer is
given separately, with every assumption named: accelerators only (count × TDP); IT load
(adding per-accelerator host overhead for CPUs, NICs and power supplies, default 575 W,
plus 10% for storage and network, after SemiAnalysis's 100,000-H100 model); facility load
(IT × PUE); and annual energy at a utilisation.
"""

from __future__ import annotations

import logging

from .catalogue import Chip
from .errors import ToolInputError
from .formatting import fmt_num, fmt_pct
from .results import ToolResult, merge_sources
from .specs import resolve_specs
from .validation import check_count, check_fraction, check_non_negative, check_positive, check_pue

logger = logging.getLogger(__name__)

DEFAULT_OVERHEAD_W = 575.0
"""CPUs, NICs and power supplies per accelerator (SemiAnalysis, 100,000-H100 cluster)."""
DEFAULT_STORAGE_NETWORK_FRACTION = 0.10
"""Storage and network on top of servers (same source)."""
HOURS_PER_YEAR = 8760.0
POWER_SOURCES: tuple[str, ...] = ("datacenter-power-pue", "xinjiang-power-estimates")


def power_estimate(
    chip: Chip | None = None,
    count: int | float = 0,
    *,
    label: str | None = None,
    tdp_w: float | None = None,
    overhead_w: float = DEFAULT_OVERHEAD_W,
    storage_network_fraction: float = DEFAULT_STORAGE_NETWORK_FRACTION,
    pue: float | None = None,
    utilisation: float = 1.0,
    hours_per_year: float = HOURS_PER_YEAR,
    usd_per_kwh: float | None = None,
) -> ToolResult:
    """Accelerator, IT and facility power (MW) and annual energy for `count` accelerators."""
    n = check_count(count)
    specs = resolve_specs(chip, label=label, tdp_w=tdp_w)
    if specs.tdp_w is None:
        raise ToolInputError("tdp_w", f"the TDP of {specs.label} is unknown; supply tdp_w (watts per accelerator)")
    tdp = specs.tdp_w
    overhead = check_non_negative(overhead_w, "overhead_w", maximum=20_000)
    fraction = check_non_negative(storage_network_fraction, "storage_network_fraction", maximum=1.0)
    util = check_fraction(utilisation, "utilisation")
    hours = check_positive(hours_per_year, "hours_per_year", maximum=8784)
    pue_value = None if pue is None else check_pue(pue)
    price = None if usd_per_kwh is None else check_positive(usd_per_kwh, "usd_per_kwh", maximum=10)

    accel_w = n * tdp
    per_accel_it_w = (tdp + overhead) * (1 + fraction)
    it_w = n * per_accel_it_w
    facility_w = None if pue_value is None else it_w * pue_value
    basis_w = facility_w if facility_w is not None else it_w
    energy_wh = basis_w * hours * util

    parts = [
        f"accelerators = {fmt_num(n)} × {fmt_num(tdp)} W = {fmt_num(accel_w / 1e6, 3)} MW",
        f"IT load = {fmt_num(n)} × ({fmt_num(tdp)} W + {fmt_num(overhead)} W) × (1 + {fmt_num(fraction)}) = "
        f"{fmt_num(it_w / 1e6, 3)} MW",
    ]
    # a user who states each accelerator's draw as the whole load ("counting the GPUs only") wants
    # the PUE applied to the accelerators alone: given next to the full estimate, never instead of it
    accel_facility_w = None if pue_value is None else accel_w * pue_value
    if facility_w is not None:
        parts.append(
            f"facility = {fmt_num(it_w / 1e6, 3)} MW × PUE {fmt_num(pue_value or 0, 3)} = "
            f"{fmt_num(facility_w / 1e6, 3)} MW"
        )
        parts.append(
            f"accelerators only at the facility = {fmt_num(accel_w / 1e6, 3)} MW × PUE {fmt_num(pue_value or 0, 3)}"
            f" = {fmt_num((accel_facility_w or 0) / 1e6, 3)} MW"
        )
    basis = "facility" if facility_w is not None else "IT load"
    parts.append(
        f"annual energy ({basis}) = {fmt_num(basis_w / 1e6, 3)} MW × {fmt_num(hours)} h × {fmt_num(util, 3)}"
        f" = {fmt_num(energy_wh / 1e9, 1)} GWh"
    )
    assumptions = [
        f"TDP {fmt_num(tdp)} W per accelerator "
        f"({'catalogue' if specs.provenance.get('tdp_w') == 'catalogue' else 'given'}), "
        "taken as each accelerator's draw under load.",
        f"Host overhead {fmt_num(overhead)} W per accelerator for CPUs, NICs and power supplies"
        f"{' (default, SemiAnalysis)' if overhead_w == DEFAULT_OVERHEAD_W else ' (given)'}.",
        f"Storage and network add {fmt_pct(fraction, 1)} on top"
        + (" (default, SemiAnalysis)." if fraction == DEFAULT_STORAGE_NETWORK_FRACTION else " (given)."),
        f"Utilisation {fmt_pct(util, 1)} of the year{' (default: full load)' if utilisation == 1.0 else ''}.",
    ]
    if pue_value is None:
        assumptions.append(
            "No PUE was given, so the facility load is not computed and annual energy is at the IT "
            "load; Uptime's industry average is about 1.56 (2024), new large sites about 1.3."
        )
    else:
        assumptions.append(f"PUE {fmt_num(pue_value, 3)} (facility energy ÷ IT energy).")
    result: dict[str, object] = {
        "chip": specs.label,
        "count": n,
        "accelerators_mw": accel_w / 1e6,
        "per_accelerator_it_w": per_accel_it_w,
        "it_load_mw": it_w / 1e6,
        "facility_mw": None if facility_w is None else facility_w / 1e6,
        "accelerators_facility_mw": None if accel_facility_w is None else accel_facility_w / 1e6,
        "annual_energy_basis": basis,
        "annual_energy_gwh": energy_wh / 1e9,
        "annual_energy_twh": energy_wh / 1e12,
    }
    if price is not None:
        cost = energy_wh / 1e3 * price
        result["annual_electricity_usd"] = cost
        parts.append(
            f"electricity cost = {fmt_num(energy_wh / 1e6, 0)} MWh × 1,000 × US${fmt_num(price, 4)}/kWh = "
            f"US${fmt_num(cost / 1e6, 1)}M"
        )
    inputs: dict[str, object] = {
        "chip": specs.label,
        "count": n,
        "tdp_w": tdp,
        "overhead_w": overhead,
        "storage_network_fraction": fraction,
        "pue": pue_value,
        "utilisation": util,
        "hours_per_year": hours,
        "usd_per_kwh": price,
    }
    if specs.chip_id:
        inputs["chip_id"] = specs.chip_id
    return ToolResult(
        inputs=inputs,
        formula="; ".join(parts),
        result=result,
        assumptions=assumptions,
        sources=merge_sources(list(specs.sources), list(POWER_SOURCES)),
    )


def accelerators_for_capacity(
    chip: Chip | None = None,
    capacity_w: float = 0.0,
    *,
    label: str | None = None,
    tdp_w: float | None = None,
    overhead_w: float = DEFAULT_OVERHEAD_W,
    storage_network_fraction: float = DEFAULT_STORAGE_NETWORK_FRACTION,
    pue: float | None = None,
) -> ToolResult:
    """How many accelerators a power budget supports: capacity ÷ per-accelerator draw.

    With a PUE the budget is read as facility power; without one, as IT power (said so in
    the assumptions), because a site's grid connection and its IT capacity differ by the PUE.
    """
    capacity = check_positive(capacity_w, "capacity_w", maximum=1e12)
    specs = resolve_specs(chip, label=label, tdp_w=tdp_w)
    if specs.tdp_w is None:
        raise ToolInputError("tdp_w", f"the TDP of {specs.label} is unknown; supply tdp_w (watts per accelerator)")
    overhead = check_non_negative(overhead_w, "overhead_w", maximum=20_000)
    fraction = check_non_negative(storage_network_fraction, "storage_network_fraction", maximum=1.0)
    pue_value = None if pue is None else check_pue(pue)
    per_it_w = (specs.tdp_w + overhead) * (1 + fraction)
    per_w = per_it_w * (pue_value or 1.0)
    count = capacity / per_w
    basis = "facility" if pue_value is not None else "IT"
    formula = (
        f"per accelerator = ({fmt_num(specs.tdp_w)} W + {fmt_num(overhead)} W) × (1 + {fmt_num(fraction)})"
        + (f" × PUE {fmt_num(pue_value, 3)}" if pue_value is not None else "")
        + f" = {fmt_num(per_w, 1)} W; count = {fmt_num(capacity / 1e6, 3)} MW ÷ {fmt_num(per_w, 1)} W = "
        f"{fmt_num(count, 0)}"
    )
    assumptions = [
        f"TDP {fmt_num(specs.tdp_w)} W per accelerator; host overhead {fmt_num(overhead)} W; storage and network "
        f"{fmt_pct(fraction, 1)} (SemiAnalysis defaults unless given).",
        (
            f"The {fmt_num(capacity / 1e6, 3)} MW budget is read as facility power at PUE {fmt_num(pue_value, 3)}."
            if pue_value is not None
            else f"No PUE was given, so the {fmt_num(capacity / 1e6, 3)} MW budget is read as IT power."
        ),
    ]
    return ToolResult(
        inputs={
            "chip": specs.label,
            "capacity_w": capacity,
            "tdp_w": specs.tdp_w,
            "overhead_w": overhead,
            "storage_network_fraction": fraction,
            "pue": pue_value,
        },
        formula=formula,
        result={
            "chip": specs.label,
            "accelerators": count,
            "accelerators_whole": int(count),
            "per_accelerator_w": per_w,
            "capacity_mw": capacity / 1e6,
            "capacity_basis": basis,
        },
        assumptions=assumptions,
        sources=merge_sources(list(specs.sources), list(POWER_SOURCES)),
    )


def energy_cost(
    power_w: float,
    *,
    usd_per_kwh: float | None = None,
    utilisation: float = 1.0,
    hours_per_year: float = HOURS_PER_YEAR,
    pue: float | None = None,
) -> ToolResult:
    """Annual energy (GWh) of a steady power draw, and its electricity cost (US$) when a price is
    given: power × PUE × hours × utilisation; cost = energy in kWh × price. For a load the user
    states directly ("a cluster pulls 150 MW"), where no chip count is involved. With a PUE the
    stated load is the IT load and the energy is the facility's (PUE = facility ÷ IT energy)."""
    it_power = check_positive(power_w, "power_w", maximum=1e12)
    factor = 1.0 if pue is None else check_pue(pue)
    power = it_power * factor
    util = check_fraction(utilisation, "utilisation")
    hours = check_positive(hours_per_year, "hours_per_year", maximum=8784)
    price = None if usd_per_kwh is None else check_positive(usd_per_kwh, "usd_per_kwh", maximum=10)
    energy_wh = power * hours * util
    at_pue = f" × PUE {fmt_num(factor, 3)}" if pue is not None else ""
    parts = [f"annual energy = {fmt_num(it_power / 1e6, 3)} MW{at_pue} × {fmt_num(hours)} h × {fmt_num(util, 3)} = "
             f"{fmt_num(energy_wh / 1e9, 1)} GWh"]
    result: dict[str, object] = {"power_mw": power / 1e6, "it_power_mw": it_power / 1e6,
                                 "annual_energy_gwh": energy_wh / 1e9, "annual_energy_twh": energy_wh / 1e12}
    if price is not None:
        cost = energy_wh / 1e3 * price
        result["annual_electricity_usd"] = cost
        parts.append(f"electricity cost = {fmt_num(energy_wh / 1e6, 0)} MWh × 1,000 × US${fmt_num(price, 4)}/kWh = "
                     f"US${fmt_num(cost / 1e6, 1)}M")
    return ToolResult(
        inputs={"power_w": it_power, "utilisation": util, "hours_per_year": hours, "usd_per_kwh": price, "pue": pue},
        formula="; ".join(parts),
        result=result,
        assumptions=[f"A steady {fmt_num(power / 1e6, 3)} MW, at {fmt_pct(util, 1)} of the year"
                     f"{' (default: full load)' if utilisation == 1.0 else ''}."],
        sources=list(POWER_SOURCES),
    )
