"""One- or two-sentence summaries of tool results, leading with the computed number.

The answer composer quotes these sentences and adds the citation markers itself, so they
state inputs, formula and result in plain words, without markers, and say "not known"
rather than guessing.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from assistant.prompts import load

from .formatting import fmt_energy, fmt_num, fmt_pct, fmt_power, fmt_sci, fmt_sig, sentence_case
from .mentions import FleetRef
from .results import ToolResult
from .tpp import PRECISION_LABELS


def tpp_summary(result: ToolResult) -> str:
    r = result.result
    p = r["tpp_precision"]
    unit = "TOPS" if p == "int8" else "TFLOPS"
    # TPP is compared with whole-number thresholds and published as whole numbers ("5,285")
    tpp = fmt_num(round(r["tpp"])) + (f" ({fmt_num(r['tpp'])} before rounding)" if r["tpp"] != round(r["tpp"]) else "")
    head = (
        f"The {r['chip']} has a TPP of {tpp}, from {fmt_num(r['tpp_throughput'])} dense "
        f"{PRECISION_LABELS[p]} {unit} × {r['tpp_bit_length']} bits (TPP = 2 × MacTOPS × bit length, highest "
        "precision result)"
    )
    if r["performance_density"] is not None:
        return (
            f"{head}, and a performance density of {fmt_num(r['performance_density'])} "
            f"({fmt_num(r['tpp'])} ÷ {fmt_num(result.inputs['die_area_mm2'])} mm² of die)."
        )
    return f"{head}. Its performance density cannot be computed because its die area is not known."


VERDICT_WORDS = {
    "3A090.a": "controlled as 3A090.a",
    "3A090.b": "controlled as 3A090.b",
    "not 3A090": "not caught by 3A090",
    "undetermined": "not classifiable from the figures at hand",
}
RULE_NAMES = {
    "oct_2022": "the October 2022 rule",
    "oct_2023": "the October 2023 rule",
    "jan_2026": "the January 2026 licence policy",
}


def verdict_phrase(verdict: dict[str, Any]) -> str:
    v = verdict["verdict"]
    return VERDICT_WORDS.get(v, v)


def export_summary(result: ToolResult, focus: str) -> str:
    r = result.result
    order = [focus] + [rule for rule in ("oct_2023", "oct_2022", "jan_2026") if rule != focus]
    lead = r[order[0]]
    figures = f"TPP {fmt_num(r['tpp'])}" + (
        f", performance density {fmt_num(r['performance_density'])}" if r["performance_density"] is not None else ""
    )
    first = (
        f"Under {RULE_NAMES[order[0]]}, the {r['chip']} ({figures}) is {rule_phrase(order[0], lead)}: "
        f"{lead['decided_by']}."
    )
    rest = [
        f"under {RULE_NAMES[rule]} it is {rule_phrase(rule, r[rule])}: {r[rule]['decided_by']}" for rule in order[1:]
    ]
    return first + " " + sentence_case("; ".join(rest)) + "."


def rule_phrase(rule: str, verdict: dict[str, Any]) -> str:
    if rule == "jan_2026":
        if verdict["verdict"] == "not applicable":
            return "outside the scope of the case-by-case band"
        return verdict["verdict"]
    return verdict_phrase(verdict)


def power_summary(result: ToolResult, fleet: FleetRef | None = None, stated_draw: bool = False) -> str:
    """`stated_draw`: the user gave each accelerator's draw and nothing for hosts, so the figure from
    the stated inputs leads and the estimate with the default host overhead follows it."""
    r, i = result.result, result.inputs
    who = fleet.label if fleet and (fleet.named or "×" in fleet.label) else f"{fmt_num(r['count'])} {r['chip']}"
    per_host = f"{fmt_num(i['overhead_w'])} W per accelerator"
    shares = f"{fmt_pct(i['storage_network_fraction'], 0)} for storage and network"
    if stated_draw:
        if r["facility_mw"] is not None:
            head = (
                f"{who} at the {fmt_num(i['tdp_w'])} W each that was given would draw about "
                f"{fmt_power(r['accelerators_facility_mw'] * 1e6)} at the facility at a PUE of {fmt_num(i['pue'], 2)} "
                f"({fmt_num(r['count'])} × {fmt_num(i['tdp_w'])} W × {fmt_num(i['pue'], 2)}). With the usual host "
                f"overhead of {per_host} plus {shares}, it would be about {fmt_power(r['facility_mw'] * 1e6)}."
            )
        else:
            head = (
                f"{who} at the {fmt_num(i['tdp_w'])} W each that was given draw {fmt_power(r['accelerators_mw'] * 1e6)} "
                f"({fmt_num(r['count'])} × {fmt_num(i['tdp_w'])} W); with the usual host overhead of {per_host} plus "
                f"{shares}, {fmt_power(r['it_load_mw'] * 1e6)} of IT load. No PUE was given, so the facility load is "
                "not computed."
            )
        return head
    it = f"{fmt_power(r['it_load_mw'] * 1e6)} of IT load with {per_host} for hosts plus {shares}"
    accel = (
        f"{fmt_power(r['accelerators_mw'] * 1e6)} for the accelerators alone ({fmt_num(r['count'])} × "
        f"{fmt_num(i['tdp_w'])} W)"
    )
    if r["facility_mw"] is not None:
        head = (
            f"{who} would draw about {fmt_power(r['facility_mw'] * 1e6)} at the facility at a PUE of "
            f"{fmt_num(i['pue'], 2)}: {accel}, {it}, times the PUE. Counting the accelerators only, the "
            f"PUE gives {fmt_power(r['accelerators_facility_mw'] * 1e6)}."
        )
    else:
        head = f"{who} would draw {accel}, or {it}; no PUE was given, so the facility load is not computed."
    energy = (
        f"Over a year at {fmt_pct(i['utilisation'], 0)} utilisation that is about "
        f"{fmt_energy(r['annual_energy_gwh'] * 1e9)} ({r['annual_energy_basis']})"
    )
    if r.get("annual_electricity_usd") is not None:
        energy += (
            f", costing about US${fmt_sig(r['annual_electricity_usd'] / 1e6, 4)} million at "
            f"US${fmt_num(i['usd_per_kwh'], 4)} per kWh"
        )
    return f"{head} {energy}."


def energy_summary(result: ToolResult) -> str:
    r, i = result.result, result.inputs
    load = f"A steady {fmt_power(r['power_mw'] * 1e6)}"
    if i.get("pue") is not None:
        load = (f"A steady {fmt_power(r['it_power_mw'] * 1e6)} IT load at a PUE of {fmt_num(i['pue'], 3)} "
                f"({fmt_power(r['power_mw'] * 1e6)} at the facility)")
    text = (f"{load} at {fmt_pct(i['utilisation'], 0)} utilisation for a year is "
            f"about {fmt_energy(r['annual_energy_gwh'] * 1e9)}")
    if r.get("annual_electricity_usd") is not None:
        text += (f", costing about US${fmt_sig(r['annual_electricity_usd'] / 1e6, 4)} million at "
                 f"US${fmt_num(i['usd_per_kwh'], 4)} per kWh")
    return text + "."


def screen_summary(result: ToolResult) -> str:
    r, i = result.result, result.inputs
    names = ", ".join(f"{m['chip']} ({m.get('shown') or fmt_num(m['value']) + r['unit']})" for m in r["matches"])
    who = f"{r['who']} " if r["who"] else ""
    threshold = r.get("threshold_shown") or (fmt_num(i["threshold"]) if i.get("threshold") is not None else "")
    if i["op"] in ("max", "min"):
        what = f"{r['words']} launch" if r.get("dated") else f"{r['words']} {r['label']}"
        head = (f"Of the {r['screened']} {who}chips in the catalogue, the {what} is "
                + (f"{names}." if names else "not known: the catalogue gives none."))
    elif i["op"] == "present":
        head = (f"{len(r['matches'])} of the {r['screened']} {who}chips in the catalogue have a {r['label']} "
                "figure recorded" + (f": {names}." if names else "."))
    elif r.get("dated"):
        head = (f"{len(r['matches'])} of the {r['screened']} {who}chips in the catalogue were launched "
                f"{r['words']} {threshold}" + (f": {names}." if names else "."))
    else:
        head = (f"{len(r['matches'])} of the {r['screened']} {who}chips in the catalogue have a {r['label']} "
                f"{r['words']} {threshold}{r['unit']}" + (f": {names}." if names else "."))
    if r["untested"] and i["op"] != "present":
        head += f" The catalogue gives no {r['label']} for {', '.join(r['untested'])}."
    return head


def ratio_summary(result: ToolResult) -> str:
    i, r = result.inputs, result.result
    if r["ratio"] >= 1:
        return f"{i['a_text']} is {fmt_num(r['ratio'], 2)} times {i['b_text']} ({i['a_text']} ÷ {i['b_text']})."
    return (f"{i['a_text']} is {fmt_pct(r['ratio'])} of {i['b_text']}; {i['b_text']} is "
            f"{fmt_num(1 / r['ratio'], 2)} times {i['a_text']}.")


def capacity_summary(result: ToolResult) -> str:
    r = result.result
    return (
        f"A {fmt_power(r['capacity_mw'] * 1e6)} {r['capacity_basis']} power budget supports about "
        f"{fmt_num(r['accelerators'], 0)} {r['chip']}, at {fmt_num(r['per_accelerator_w'], 1)} W per accelerator "
        "including host, storage and network overhead" + (" and PUE." if r["capacity_basis"] == "facility" else ".")
    )


def fleet_summary(result: ToolResult, fleet: FleetRef) -> str:
    r = result.result
    who = fleet.label if fleet.named else f"{fmt_num(r['count'])} {r['chip']}"
    unit = "EOPS" if r["precision"] == "int8" else "EFLOPS"
    return (
        f"{who} add up to {fmt_sig(r['total_eflops'], 4)} {unit} of dense {PRECISION_LABELS[r['precision']]} peak "
        f"({fmt_num(r['count'])} × {fmt_num(r['per_chip_tflops'])} TFLOPS), or {fmt_num(r['h100_equivalents'], 0)} "
        f"H100-equivalents by TPP ({fmt_num(r['count'])} × {fmt_num(r['tpp_per_chip'])} ÷ 15,832)."
    )


def equivalent_summary(result: ToolResult, ref: FleetRef) -> str:
    r = result.result
    who = ref.label if ref.named else f"{fmt_num(ref.count or 0)} {result.inputs['reference_chip']}"
    return (
        f"About {fmt_num(r['count'], 0)} {r['chip']} would match the TPP of {who}: {fmt_num(ref.count or 0)} × "
        f"{fmt_num(r['reference_tpp_per_chip'])} ÷ {fmt_num(r['tpp_per_chip'])}."
    )


@lru_cache(maxsize=1)
def _asks_difference() -> re.Pattern[str]:
    """What a question says when it asks how large a difference is: the same cues the plan reads
    (`difference_cues` in prompts/answer_types.yaml)."""
    cues = load("answer_types.yaml")["difference_cues"]
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(c) for c in cues) + ")", re.I)


def compare_summary(result: ToolResult, question: str, a: FleetRef, b: FleetRef) -> str:
    """Lead with the dimension the question asks about (compute, power or count)."""
    r = result.result
    lower = question.lower()
    per_chip = a.count == 1 and b.count == 1
    dims = {
        "compute": (
            "by compute (TPP)",
            r["ratio_by_compute"],
            f"{fmt_num(r['a']['total_tpp'] or 0)} vs {fmt_num(r['b']['total_tpp'] or 0)}"
            f"{' TPP' if per_chip else ' total TPP'}",
        ),
        "power": (
            "by accelerator power (TDP)",
            r["ratio_by_power"],
            # one chip against one: watts per chip, not megawatts rounded to nothing
            f"{fmt_num(r['a']['tdp_w'] or 0)} W vs {fmt_num(r['b']['tdp_w'] or 0)} W" if per_chip else
            f"{fmt_num(r['a']['accelerators_mw'] or 0, 2)} vs {fmt_num(r['b']['accelerators_mw'] or 0, 2)} MW",
        ),
        "count": ("by chip count", r["ratio_by_count"], f"{fmt_num(a.count or 0)} vs {fmt_num(b.count or 0)}"),
    }
    if re.search(r"\bpower\b|\benergy\b|\belectric|\bwatt|\bmw\b|\btdp\b", lower):
        lead = "power"
    elif re.search(r"\bcomput|\btpp\b|\bflop|\bperformance\b|\bpowerful\b|\bfaster\b|\bstronger\b", lower) or per_chip:
        lead = "compute"
    elif re.search(r"\bchips?\b|\bgpus?\b|\bcount\b|\bnumber\b|\bhow many\b|\bunits\b", lower):
        lead = "count"
    else:
        lead = "compute"
    if dims[lead][1] is None:
        lead = "count"
    a_name = a.label if a.named else (a.chip.name if per_chip and a.chip else a.label)
    b_name = b.label if b.named else (b.chip.name if per_chip and b.chip else b.label)
    label, ratio, detail = dims[lead]
    noun = {"compute": "the compute (TPP)", "power": "the accelerator power (TDP)", "count": "the chip count"}[lead]
    if abs(ratio - 1) < 5e-4:
        head = f"{a_name} has the same {noun.removeprefix('the ')} as {b_name} ({detail})."
    elif ratio < 1:
        head = f"{a_name} is {fmt_pct(ratio)} of {b_name} {label} ({detail})."
    else:
        head = f"{a_name} has {fmt_num(ratio, 2)} times {noun} of {b_name} ({detail})."
    if abs(ratio - 1) >= 5e-4 and _asks_difference().search(lower):
        # "… and by how much?": the difference too, in the lead dimension's own unit
        values = {"compute": (r["a"]["total_tpp"], r["b"]["total_tpp"], " TPP", 1),
                  "power": ((r["a"]["tdp_w"], r["b"]["tdp_w"], " W", 0) if per_chip else
                            (r["a"]["accelerators_mw"], r["b"]["accelerators_mw"], " MW", 2)),
                  "count": (a.count, b.count, " chips", 0)}[lead]
        if values[0] is not None and values[1] is not None:
            head = head[:-1] + f", a difference of {fmt_num(abs(values[0] - values[1]), values[3])}{values[2]}."
    if per_chip:
        head = "Per chip, " + head
    others = [
        f"{dims[k][0]} {pct_or_times(dims[k][1])}"
        for k in ("count", "compute", "power")
        if k != lead and dims[k][1] is not None and not (per_chip and k == "count")
    ]
    if others:
        head += " " + sentence_case(", and ".join(others)) + "."
    return head


def pct_or_times(ratio: float) -> str:
    if abs(ratio - 1) < 5e-4:
        return "it is the same"
    return f"it is {fmt_pct(ratio)}" if ratio <= 1 else f"it is {fmt_num(ratio, 2)} times as much"


def mfu_summary(result: ToolResult, question: str, label: str | None) -> str:
    """Lead with cost, wall-clock days or FLOPs when the question asks for them, else with the MFU."""
    r, i = result.result, result.inputs
    who = f"{label}'s training" if label else "The training run"
    by_p = r["mfu_by_precision"]
    other = [f"{fmt_pct(v, 1)} of the {PRECISION_LABELS[p]} peak" for p, v in by_p.items() if p != r["mfu_precision"]]
    mfu_text = (
        f"an MFU of {fmt_pct(r['mfu'], 1)} against the dense {PRECISION_LABELS[r['mfu_precision']]} peak of "
        f"{fmt_num(i['peak_tflops'])} TFLOPS" + (f" ({', '.join(other)})" if other else "")
    )
    compute = (
        f"6 × {fmt_sci(i['parameters'], 3)} parameters × {fmt_sci(i['tokens'], 3)} tokens = "
        f"{fmt_sci(r['training_flops'], 4)} FLOPs over {fmt_num(r['gpu_hours'])} {i['chip']} GPU-hours, "
        f"i.e. {fmt_num(r['achieved_tflops_per_gpu'], 1)} TFLOPS achieved per GPU"
    )
    if "cost_usd" in r and re.search(r"\bcost|\bprice|\$|\bdollar|\bspend|\bexpensive|\bcheap", question.lower()):
        return (
            f"{who} cost about US${fmt_num(r['cost_usd'] / 1e6, 3)} million ({fmt_num(r['gpu_hours'])} GPU-hours × "
            f"US${fmt_num(i['usd_per_gpu_hour'], 2)}). It used {compute}, {mfu_text}."
        )
    if "wall_clock_days" in r and re.search(r"\bhow long\b|\bdays?\b|\bweeks?\b|\btime\b", question.lower()):
        return (
            f"{who} took about {fmt_num(r['wall_clock_days'], 1)} days on {fmt_num(i['fleet_size'])} {i['chip']} "
            f"({fmt_num(r['gpu_hours'])} GPU-hours ÷ {fmt_num(i['fleet_size'])} GPUs ÷ 24). It used {compute}, "
            f"{mfu_text}."
        )
    if re.search(r"\bcompute\b|\bflops?\b", question.lower()) and not re.search(r"\bmfu\b|utili[sz]", question.lower()):
        return (
            f"{who} used about {fmt_sci(r['training_flops'], 4)} FLOPs by the 6·N·D rule "
            f"(6 × {fmt_sci(i['parameters'], 3)} parameters × {fmt_sci(i['tokens'], 3)} tokens). Over "
            f"{fmt_num(r['gpu_hours'])} {i['chip']} GPU-hours that is {mfu_text}."
        )
    return f"{who} implies {mfu_text}: {compute}."


def time_summary(result: ToolResult) -> str:
    r, i = result.result, result.inputs
    return (
        f"Training would take about {fmt_num(r['days'], 1)} days on {fmt_num(i['count'])} {i['chip']} at "
        f"{fmt_pct(i['mfu'], 0)} MFU: 6 × {fmt_sci(i['parameters'], 3)} parameters × {fmt_sci(i['tokens'], 3)} "
        f"tokens = {fmt_sci(r['training_flops'], 4)} FLOPs, divided by {fmt_num(i['count'])} × "
        f"{fmt_num(i['peak_tflops'])} dense {PRECISION_LABELS[i['precision']]} TFLOPS × {fmt_num(i['mfu'], 2)}."
    )


def flops_summary(result: ToolResult, label: str | None) -> str:
    i = result.inputs
    who = f"{label}'s training" if label else "Training"
    return (
        f"{who} takes about {fmt_sci(result.result['training_flops'], 4)} FLOPs by the 6·N·D rule "
        f"(6 × {fmt_sci(i['parameters'], 3)} parameters × {fmt_sci(i['tokens'], 3)} tokens)."
    )


def gpu_time_summary(result: ToolResult) -> str:
    """The third of GPU-hours, GPUs and days, in words, from the two the question gave."""
    i, r = result.inputs, result.result
    if i["days"] is None:
        return (f"{fmt_num(r['gpu_hours'])} GPU-hours on {fmt_num(r['count'])} GPUs take about "
                f"{fmt_num(r['hours'], 0)} hours, or about {fmt_num(r['days'], 1)} days of continuous running.")
    if i["count"] is None:
        return (f"{fmt_num(r['gpu_hours'])} GPU-hours in {fmt_num(r['days'])} days need about "
                f"{fmt_num(r['count'], 0)} GPUs running continuously.")
    return f"{fmt_num(r['count'])} GPUs running for {fmt_num(r['days'])} days are about {fmt_num(r['gpu_hours'])} GPU-hours."


def purchase_summary(result: ToolResult, device: str = "units") -> str:
    """How many `device` a budget buys at a unit price, with what is left over."""
    i, r = result.inputs, result.result
    return (f"US${fmt_num(i['budget_usd'])} buys {fmt_num(r['units'])} {device} at US${fmt_num(i['unit_price_usd'])} each "
            f"(US${fmt_num(i['budget_usd'])} ÷ US${fmt_num(i['unit_price_usd'])} ≈ {fmt_num(r['exact_ratio'], 1)}), "
            f"with about US${fmt_num(r['left_over_usd'])} left over.")


def cost_summary(result: ToolResult, basis: str = "") -> str:
    i = result.inputs
    return (
        f"{fmt_num(i['gpu_hours'])} GPU-hours{basis} at US${fmt_num(i['usd_per_gpu_hour'], 2)} each cost about "
        f"US${fmt_num(result.result['cost_usd'])}."
    )


def scenario_summary(result: ToolResult) -> str:
    """A stated scenario's answer with its working ("From the figures given, US$50 million ÷ US$16,900 ≈
    2,958.58 cards, so 2,958 cards in whole units.")."""
    r = result.result
    if r["rounding"]:
        return f"From the figures given, {result.formula}, so {r['text']} in whole units."
    return f"From the figures given, {result.formula}."
