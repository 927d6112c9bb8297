"""Deterministic question → tool routing for the embedded default, which has no language model.

A question is read for three things: which chips it names (catalogue names and aliases),
which quantities it gives (counts, PUE, MFU, GPU-hours ...), and what it asks (TPP, export
classification, power, comparison, training, fleet compute). Tools run only when the
question asks for a calculation; a factual question ("Who runs the Yiwu compound?")
yields no outcome. When an input is missing or contradictory the outcome carries an
`error` that says what to supply, and nothing is guessed. Named fleets ("the Xinjiang
chips", "Stargate") come from named_defaults.json, each with its source document.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

from ..prompts import load as load_prompt
from ..types import ToolCall
from . import summaries
from .catalogue import Catalogue, Chip
from .compare import compare_fleets, compound_growth, convert_currency, figure_ratio, make_side, share_of
from .errors import ToolInputError, UnknownChipError
from .export import classify_export
from .fleet import equivalent_count, fleet_compute
from .formatting import fmt_num, sentence_case
from .mentions import ChipMention, FleetRef, find_chip_mentions
from .named import NamedDefaults, NamedFleet, NamedRun
from .power import accelerators_for_capacity, energy_cost, power_estimate
from .purchase import purchase_count
from .quantities import Quantity, container_products, format_quantity, numerals, parse_quantities, with_value
from .results import ToolResult, merge_sources
from .scenario import solve as solve_scenario
from .screen import screen_chips
from .tpp import compute_tpp
from .training import gpu_time, implied_mfu, training_cost, training_flops, training_time
from .validation import MAX_TDP_W, check_precision

logger = logging.getLogger(__name__)


@dataclass
class ToolOutcome:
    """One tool run (or the reason it could not run) for the answer composer.

    `summary` leads with the computed result and states inputs and formula in one or two
    plain sentences, without citation markers; `error` is set instead of a result when an
    input is missing or invalid, and says what the user can supply.
    """

    name: str
    arguments: dict[str, Any]
    result: dict[str, Any]
    summary: str
    sources: list[str]
    error: str | None = None

    def to_tool_call(self) -> ToolCall:
        """The public `ToolCall` shape of assistant.types."""
        return ToolCall(name=self.name, arguments=dict(self.arguments), result=dict(self.result), error=self.error)


# ---------------------------------------------------------------- slots

FAMILIES = ("compare", "export", "tpp", "training", "power", "fleet", "screen", "scenario")
"""Tool families, in the order they run; the plan stage decides which a question asks for."""

_DENOMINATOR_CUE = re.compile(
    r"(?:share|fraction|percent(?:age)?|proportion|portion|multiple)\s+of|relative to|compared?\s+(?:with|to)|than"
    r"|\bvs\.?|versus|against|\bof\b",
    re.I,
)
_PRECISION_IN_TEXT = re.compile(
    r"\b(bf16|fp16|bfloat16|fp8|fp4|int8|mxfp8|mxfp4|nvfp4|fp6|fp32|fp64|tf32|int4)\b", re.I
)
_NOT_DATACENTER = re.compile(
    r"\bgaming\b|\bconsumer\b|\bnot (?:designed|marketed|meant|intended) for data ?cent(?:er|re)s?"
    r"|\bdesktop\b|\bworkstation\b",
    re.I,
)
_DATACENTER = re.compile(
    r"\b(?:designed|marketed|meant|intended|built) for data ?cent(?:er|re)s?|data[- ]?cent(?:er|re) "
    r"(?:chip|gpu|accelerator|part)",
    re.I,
)
_RULE_FOCUS: list[tuple[str, re.Pattern[str]]] = [
    ("jan_2026", re.compile(r"\b2026\b|case[- ]by[- ]case|\bjanuary\b|\bjan\.?\b", re.I)),
    ("oct_2022", re.compile(r"\b2022\b|original rule|first rule", re.I)),
    ("oct_2023", re.compile(r"\b2023\b|\bnovember\b|current rule|\btoday\b|\bnow\b", re.I)),
]
_COUNT_FILLER = {
    "of",
    "the",
    "nvidia",
    "nvidias",
    "nvidia's",
    "nvidia’s",
    "huawei",
    "huawei's",
    "huaweis",
    "huawei’s",
    "amd",
    "x",
    "×",
    "*",
    "additional",
    "more",
    "new",
    "extra",
    "planned",
    "banned",
    "smuggled",
    "advanced",
    "such",
    "its",
    "their",
    "those",
    "these",
    "all",
    # "a 24,576-GPU H100 cluster": the generic device word of a compound count
    "gpu",
    "gpus",
    "accelerator",
    "chip",
}
_HOST_DRAW = re.compile(r"^\W*(?:[\w-]+\W+){0,5}?(?:hosts?|servers?|overhead|cpus?)\b", re.I)
_HOST_BEFORE = re.compile(r"\b(?:hosts?|servers?|overhead|cpus?)\b(?:\W+[\w-]+){0,5}?\W*$", re.I)
_ALL_IN = re.compile(r"^\W*(?:[\w-]+\W+){0,3}?(?:IT (?:power|load)\b|all[- ]in\b|including\b[^.]{0,30}\bhosts?\b)",
                     re.I)
_STORAGE_SHARE = re.compile(r"^\W*(?:[\w-]+\W+){0,4}?(?:storage|network\w*)\b", re.I)
_GENERIC_DEVICE = re.compile(
    r"^[\s-]*(?:(?:nvidia|huawei|ai|advanced|banned|smuggled|additional|more|of|the|data[- ]?center)"
    r"\s+)*(?:gpus?|chips?|accelerators?|processors?|cards?|npus?|units?|devices?|them|those)\b",
    re.I,
)
_SINGLE_BEFORE = re.compile(
    r"(?:\b(?:an?|one|single|each|per|every|individual)\s+(?:(?:single|nvidia|huawei)\s+)?)$", re.I
)
_CHIP_LIKE = re.compile(r"(?<![\w-])(?:[A-Z]{1,4}\d{2,4}[A-Z]{0,3}|\d{3,4}[A-Z]{1,2})(?![\w-])")
_NOT_CHIP_LIKE = re.compile(r"^(?:FY|Q|EO|ISO|ISCA|GPT|S|COVID|FR|RIN|CY|H1|H2|AI)\d", re.I)


# ---------------------------------------------------------------- parsing


@dataclass
class _Parsed:
    question: str
    text: str
    lower: str
    chips: list[ChipMention]
    quantities: list[Quantity]
    named_fleets: list[tuple[NamedFleet, int]]
    named_runs: list[NamedRun]
    unknown_tokens: list[str]


def _normalise_text(question: str) -> str:
    text = unicodedata.normalize("NFKC", question)
    return text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"').replace("–", "-")


def _parse(question: str, catalogue: Catalogue, defaults: NamedDefaults) -> _Parsed:
    # "eight GPUs" is a count too; spelled numbers become digits before anything is read
    text = numerals(_normalise_text(question))
    chips = find_chip_mentions(text, catalogue)
    masked = list(text)
    for m in chips:
        masked[m.start : m.end] = " " * (m.end - m.start)
    masked_text = "".join(masked)
    quantities = container_products(masked_text, parse_quantities(masked_text))
    lower = text.lower()
    named_fleets: list[tuple[NamedFleet, int]] = []
    for fleet in defaults.fleets:
        hits = [m.start() for p in fleet.patterns for m in [p.search(text)] if m]
        if hits:
            named_fleets.append((fleet, min(hits)))
    present = {f.key for f, _ in named_fleets}
    superseded = {s for f, _ in named_fleets for s in f.supersedes if s in present}
    named_fleets = [(f, pos) for f, pos in named_fleets if f.key not in superseded]
    named_runs = [run for run in defaults.runs if any(p.search(text) for p in run.patterns)]
    unknown = [m.group(0) for m in _CHIP_LIKE.finditer(masked_text) if not _NOT_CHIP_LIKE.match(m.group(0))]
    return _Parsed(question, text, lower, chips, quantities, named_fleets, named_runs, unknown)


def _fleets(parsed: _Parsed, catalogue: Catalogue) -> tuple[list[FleetRef], list[ChipMention]]:
    """Explicit fleets (count + chip) and named fleets, in order; plus chips named without a count."""
    numbers = [q for q in parsed.quantities if q.kind == "number"]
    used: set[int] = set()
    fleets: list[FleetRef] = []
    no_count: list[ChipMention] = []
    for mention in parsed.chips:
        count: float | None = None
        start = mention.start
        basis = ""
        for idx, q in enumerate(numbers):
            if idx in used or q.end > mention.start or mention.start - q.end > 40:
                continue
            if 1990 <= q.value <= 2035 and float(q.value).is_integer() and q.text.strip().isdigit():
                continue  # "the 2019 Ascend 910": a year, not a count (counts of that size carry a separator)
            between = re.findall(r"[\w'×*]+", parsed.text[q.end : mention.start])
            if all(w.lower() in _COUNT_FILLER for w in between):
                count = q.value
                start = q.start
                basis = q.text if "×" in q.text else ""  # "625 × 8": machines × accelerators each
                used.add(idx)
        if count is None and _SINGLE_BEFORE.search(parsed.text[max(0, mention.start - 30) : mention.start]):
            count = 1
        if count is None:
            no_count.append(mention)
            continue
        label = _fleet_label(count, mention.chip) + (f" ({basis})" if basis else "")
        fleets.append(FleetRef(label, mention.chip, count, start, list(mention.chip.citation_ids)))
    # "115,000 GPUs ... if they were H100s": one generic count pairs with one chip named without a count.
    generic = [q for idx, q in enumerate(numbers) if idx not in used and _GENERIC_DEVICE.match(parsed.text[q.end :])]
    if len(generic) == 1 and len(no_count) == 1:
        mention = no_count.pop()
        fleets.append(
            FleetRef(
                _fleet_label(generic[0].value, mention.chip),
                mention.chip,
                generic[0].value,
                min(generic[0].start, mention.start),
                list(mention.chip.citation_ids),
            )
        )
    for named, pos in parsed.named_fleets:
        chip = catalogue.find(named.chip)
        ref = FleetRef(
            named.label, chip, named.count, pos, [named.doc_id, *(chip.citation_ids if chip else [])], named=named.key
        )
        if chip is None:
            ref.error = (
                f"the catalogue has no chip {named.chip!r} for {named.label}; supply the chip and count explicitly"
            )
        # An explicit "115,000 H100s" that restates the named fleet is the same fleet, not a second one.
        fleets = [f for f in fleets if not (chip and f.chip and f.chip.id == chip.id and f.count == named.count)]
        no_count = [m for m in no_count if not (chip and m.chip.id == chip.id)]
        fleets.append(ref)
    fleets.sort(key=lambda f: f.start)
    return fleets, no_count


def _fleet_label(count: float, chip: Chip) -> str:
    return f"{fmt_num(count)} {chip.name}"


def _one(
    parsed: _Parsed, kind: str, role: str | None = None, roles: tuple[str | None, ...] | None = None
) -> Quantity | None:
    """The single quantity of a kind (and role); two different values are contradictory inputs."""
    found = [
        q
        for q in parsed.quantities
        if q.kind == kind and (roles is None or q.role in roles) and (role is None or q.role == role)
    ]
    values = {q.value for q in found}
    if len(values) > 1:
        name = role or kind
        raise ToolInputError(
            name, f"contradictory inputs: {', '.join(q.text.strip() for q in found)} were all given; give one {name}"
        )
    return found[0] if found else None


# ---------------------------------------------------------------- outcomes


def _ok(
    name: str, arguments: dict[str, Any], result: ToolResult, summary: str, extra_sources: list[str] | None = None
) -> ToolOutcome:
    data = result.to_dict()
    sources = merge_sources(data["sources"], extra_sources or [])
    data["sources"] = sources
    return ToolOutcome(
        name=name, arguments=_plain_args(arguments), result=data, summary=sentence_case(summary), sources=sources
    )


def _fail(name: str, arguments: dict[str, Any], message: str) -> ToolOutcome:
    return ToolOutcome(
        name=name,
        arguments=_plain_args(arguments),
        result={},
        summary=f"Not computed: {message}",
        sources=[],
        error=message,
    )


def _plain_args(arguments: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.name if isinstance(v, Chip) else v) for k, v in arguments.items() if v is not None}


def _run(
    name: str,
    arguments: dict[str, Any],
    call: Callable[[], ToolResult],
    summarise: Callable[[ToolResult], str],
    extra_sources: list[str] | None = None,
) -> ToolOutcome:
    """Run a tool; a ToolInputError becomes an outcome whose error says what to supply."""
    try:
        result = call()
    except ToolInputError as exc:
        logger.info("tool %s not computed: %s", name, exc)
        return _fail(name, arguments, str(exc))
    return _ok(name, arguments, result, summarise(result), extra_sources)


# ---------------------------------------------------------------- per-intent handlers


def _spec_arguments(parsed: _Parsed) -> dict[str, Any]:
    """User-given chip figures in the question (TPP, PD, die area, bandwidths, throughput, data-center use)."""
    args: dict[str, Any] = {}
    tpp = _one(parsed, "tpp")
    pd = _one(parsed, "performance_density")
    area = _one(parsed, "area")
    mem = _one(parsed, "bandwidth", "memory")
    link = _one(parsed, "bandwidth", "interconnect")
    if tpp:
        args["tpp"] = tpp.value
    if pd:
        args["performance_density"] = pd.value
    if area:
        args["die_area_mm2"] = area.value
    if mem:
        args["memory_bw_gbps"] = mem.value
    if link:
        args["interconnect_gbps"] = link.value
    for q in parsed.quantities:
        if q.kind == "flops_rate" and q.role and q.value < 1e17:  # per-chip figures, not fleet totals
            key = "int8_tops" if q.role == "int8" else f"{q.role}_tflops"
            args[key] = q.value / 1e12
    if _NOT_DATACENTER.search(parsed.text):
        args["data_center"] = False
    elif _DATACENTER.search(parsed.text):
        args["data_center"] = True
    return args


def _unknown_chip_outcome(name: str, parsed: _Parsed, catalogue: Catalogue) -> list[ToolOutcome]:
    if not parsed.unknown_tokens:
        return []
    token = parsed.unknown_tokens[0]
    err = UnknownChipError(token, catalogue.suggest(token))
    return [
        _fail(
            name,
            {"chip": token},
            f"{err} Supply a catalogue chip name, or the chip's figures "
            "(dense TFLOPS at a precision, or TPP, and die area).",
        )
    ]


def _export_outcomes(parsed: _Parsed, catalogue: Catalogue) -> list[ToolOutcome]:
    specs = _spec_arguments(parsed)
    chips = _unique_chips(parsed)
    focus = next((rule for rule, pattern in _RULE_FOCUS if pattern.search(parsed.text)), "oct_2023")
    outcomes = []
    if chips:
        for chip in chips:
            args = {
                "chip": chip,
                **{k: v for k, v in specs.items() if k not in {"tpp", "performance_density"} or len(chips) == 1},
            }
            outcomes.append(
                _run(
                    "export_classification",
                    args,
                    partial(classify_export, **args),
                    partial(summaries.export_summary, focus=focus),
                )
            )
    elif "tpp" in specs or any(k.endswith(("_tflops", "_tops")) for k in specs):
        args = {"label": "chip described", **specs}
        outcomes.append(
            _run(
                "export_classification",
                args,
                lambda: classify_export(**args),
                lambda r: summaries.export_summary(r, focus),
            )
        )
    else:
        return _unknown_chip_outcome("export_classification", parsed, catalogue)
    for outcome in outcomes:
        if isinstance(outcome.result.get("result"), dict):
            outcome.result["result"]["rule_focus"] = focus  # the rule the question names (a slot)
        lead = outcome.result.get("result", {}).get(focus) if outcome.error is None else None
        if lead and lead["verdict"] == "undetermined":
            # The verdict asked about needs a figure we do not have: say which, keep what was computed.
            outcome.error = f"{', '.join(lead['missing_inputs'])}: {lead['decided_by']}"
    return outcomes


def _tpp_outcomes(parsed: _Parsed, catalogue: Catalogue) -> list[ToolOutcome]:
    specs = {
        k: v
        for k, v in _spec_arguments(parsed).items()
        if k in {"bf16_tflops", "fp8_tflops", "fp4_tflops", "int8_tops", "die_area_mm2"}
    }
    chips = _unique_chips(parsed)
    outcomes = []
    if chips:
        for chip in chips:
            args = {"chip": chip, **(specs if len(chips) == 1 else {})}
            outcomes.append(_run("tpp", args, partial(compute_tpp, **args), summaries.tpp_summary))
    elif any(k.endswith(("_tflops", "_tops")) for k in specs):
        args = {"label": "chip described", **specs}
        outcomes.append(_run("tpp", args, lambda: compute_tpp(**args), summaries.tpp_summary))
    else:
        return _unknown_chip_outcome("tpp", parsed, catalogue)
    if re.search(r"performance density|\bpd\b|\bdensity\b", parsed.lower):
        for outcome in outcomes:
            result = outcome.result.get("result", {})
            if outcome.error is None and result.get("performance_density") is None:
                outcome.error = f"die_area_mm2: {result['pd_status']}"
    return outcomes


def _unique_chips(parsed: _Parsed) -> list[Chip]:
    seen: dict[str, Chip] = {}
    for m in parsed.chips:
        seen.setdefault(m.chip.id, m.chip)
    return list(seen.values())


def _needs_count(name: str, mention: ChipMention) -> ToolOutcome:
    return _fail(
        name,
        {"chip": mention.chip},
        f"count: no number of {mention.chip.name} accelerators was given; "
        f"supply a count (for example '10,000 {mention.chip.name}')",
    )


def _fleet_error(name: str, fleet: FleetRef) -> ToolOutcome | None:
    if fleet.error:
        return _fail(name, {"fleet": fleet.label}, fleet.error)
    return None


def _power_outcomes(
    parsed: _Parsed, fleets: list[FleetRef], no_count: list[ChipMention], catalogue: Catalogue
) -> list[ToolOutcome]:
    pue = _one(parsed, "pue")
    util = _one(parsed, "fraction", roles=("utilisation",))
    price = _one(parsed, "usd_per_kwh")
    powers = [q for q in parsed.quantities if q.kind == "power"]
    # "another 575 W per accelerator for the host servers": a draw the question gives for the hosts
    overheads = [q for q in powers if _HOST_DRAW.match(parsed.text[q.end:])
                 or _HOST_BEFORE.search(parsed.text[max(0, q.start - 60): q.start])]
    if len(overheads) >= 2 and len(overheads) == len([q for q in powers if 0 < q.value <= MAX_TDP_W]):
        # "every accelerator takes 700 W and its share of the servers … adds another 575 W": both sit
        # near a host word; the device's own draw is stated first, what the hosts add after it
        overheads = [max(overheads, key=lambda q: q.start)]
    powers = [q for q in powers if q not in overheads]
    shares = [q for q in parsed.quantities if q.kind == "fraction" and q.role is None
              and _STORAGE_SHARE.match(parsed.text[q.end:])]
    tdps = [q for q in powers if 0 < q.value <= MAX_TDP_W]
    capacities = [q for q in powers if q.value > MAX_TDP_W]
    if len({q.value for q in tdps}) > 1:
        raise ToolInputError("tdp_w", f"contradictory inputs: {', '.join(q.text for q in tdps)}; give one TDP")
    if len({q.value for q in capacities}) > 1:
        raise ToolInputError(
            "capacity_w", f"several power budgets given: {', '.join(q.text for q in capacities)}; give one"
        )
    # "1.5 kW of IT power once its share of host and network is counted": a per-accelerator figure that
    # already includes the hosts and the network adds no default overhead on top
    all_in = bool(tdps) and not overheads and not shares and _ALL_IN.match(parsed.text[tdps[0].end:]) is not None
    common: dict[str, Any] = {
        "pue": pue.value if pue else None,
        "utilisation": util.value if util else None,
        "usd_per_kwh": price.value if price else None,
        "tdp_w": tdps[0].value if tdps else None,
        "overhead_w": overheads[0].value if len(overheads) == 1 else (0.0 if all_in else None),
        "storage_network_fraction": shares[0].value if len(shares) == 1 else (0.0 if all_in else None),
    }
    explicit = [f for f in fleets if f.named is None]
    targets = explicit or fleets
    outcomes: list[ToolOutcome] = []
    if not targets and capacities and not parsed.chips and not tdps:
        # a load the user states ("a cluster pulls a steady 150 MW"): its energy over a year, and the bill
        args = {"power_w": capacities[0].value, "usd_per_kwh": common["usd_per_kwh"], "utilisation": common["utilisation"],
                "pue": common["pue"]}
        return [_run("energy_cost", args, lambda: energy_cost(**{k: v for k, v in args.items() if v is not None}),
                     summaries.energy_summary)]
    if not targets and capacities and not parsed.chips and tdps:
        # "how many 700 W accelerators fit in 20 MW": a generic accelerator of the stated draw
        args = {"label": "accelerators", "capacity_w": capacities[0].value, "pue": common["pue"],
                "tdp_w": common["tdp_w"], "overhead_w": common["overhead_w"],
                "storage_network_fraction": common["storage_network_fraction"]}
        return [_run("accelerators_for_capacity", args,
                     lambda: accelerators_for_capacity(**{k: v for k, v in args.items() if v is not None}),
                     summaries.capacity_summary)]
    if not targets and capacities:
        chips = _unique_chips(parsed)
        if len(chips) == 1:
            args = {"chip": chips[0], "capacity_w": capacities[0].value, "pue": common["pue"], "tdp_w": common["tdp_w"]}
            return [
                _run(
                    "accelerators_for_capacity",
                    args,
                    lambda: accelerators_for_capacity(**{k: v for k, v in args.items() if v is not None}),
                    summaries.capacity_summary,
                )
            ]
    if not targets and tdps and not parsed.chips:
        generic = [q for q in parsed.quantities if q.kind == "number" and _GENERIC_DEVICE.match(parsed.text[q.end :])]
        if len(generic) == 1:
            # "256 servers with 8 GPUs each": the count says how it was formed
            label = f"accelerators ({generic[0].text})" if "×" in generic[0].text else "accelerators"
            args = {"label": label, "count": generic[0].value, **common}
            # each accelerator's draw given and nothing for hosts: the stated inputs' figure leads
            stated = common["overhead_w"] is None and common["storage_network_fraction"] is None
            return [
                _run(
                    "power",
                    args,
                    lambda: power_estimate(**{k: v for k, v in args.items() if v is not None}),
                    partial(summaries.power_summary, stated_draw=stated),
                )
            ]
    for fleet in targets[:4]:
        error = _fleet_error("power", fleet)
        if error:
            outcomes.append(error)
            continue
        args = {"chip": fleet.chip, "count": fleet.count, **common}
        extra = [s for s in fleet.sources]
        outcomes.append(
            _run(
                "power",
                args,
                partial(power_estimate, **{k: v for k, v in args.items() if v is not None}),
                partial(summaries.power_summary, fleet=fleet),
                extra,
            )
        )
    if not targets:
        outcomes.extend(_needs_count("power", m) for m in no_count[:2])
    return outcomes


@lru_cache(maxsize=1)
def _screening() -> dict[str, Any]:
    data = load_prompt("screening.yaml")

    def words(values: list[str]) -> re.Pattern[str]:
        return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(v) for v in sorted(values, key=len, reverse=True))
                          + r")(?![\w-])", re.I)

    # a superlative may name its attribute ("newest:launch_year"): rank → [(pattern, attribute or "")]
    ranks = {rank: [(words([w.split(":")[0]]), w.split(":")[1] if ":" in w else "") for w in values]
             for rank, values in data["ranks"].items()}
    return {"attributes": {k: words(v) for k, v in data["attributes"].items()},
            "operators": {k: words(v) for k, v in data["operators"].items()},
            "defaults": dict(data["default_operators"]), "ranks": ranks,
            "catalogue": words(data["catalogue_words"]),
            "demonyms": {k: words(v) for k, v in data["demonyms"].items()},
            "vendor_countries": dict(data["vendor_countries"])}


def _longest(matches: list[tuple[int, int, str]]) -> list[tuple[int, str]]:
    """(start, label) of word matches (start, end, label), a match inside a longer one dropped ("more
    than" inside "no more than", "memory" inside "memory bandwidth", "most" inside "most frugal")."""
    kept: list[tuple[int, str]] = []
    covered = -1
    for start, end, label in sorted(matches, key=lambda m: (m[0], m[0] - m[1])):
        if start >= covered:
            kept.append((start, label))
            covered = end
    return kept


# the quantity kind a threshold is written in (tools.quantities) → the catalogue attribute it screens
_UNIT_ATTRIBUTES = {"power": "tdp_w", "bandwidth": "memory_bw_tbps", "area": "die_area_mm2", "tpp": "tpp",
                    "performance_density": "performance_density", "flops_rate": "bf16_tflops"}
_YEAR_ATTRIBUTES = {"launch_year"}  # attributes whose threshold is a year, which other attributes never take


def _is_year(q: Quantity) -> bool:
    return q.kind == "number" and 1900 <= q.value <= 2100 and q.value == int(q.value)


def _screen_outcomes(parsed: _Parsed, catalogue: Catalogue) -> list[ToolOutcome]:
    """Which catalogue chips meet a threshold: the attribute named and the threshold nearest it (a
    year only for a launch, never for a figure), the direction the words around the threshold give;
    with no threshold, the chips ranking highest or lowest on a superlative ("the most memory"), or, in
    a question that names the catalogue, those with the figure recorded at all; and a vendor or country
    when one is named."""
    data = _screening()
    text = parsed.text
    # every naming of an attribute, longest first where two start together ("memory bandwidth", not "memory")
    spans = [(m.start(), m.end(), attr) for attr, p in data["attributes"].items() for m in p.finditer(text)]
    named = _longest(spans)
    # a figure inside an attribute's own name ("4-bit", "FP8") is no threshold
    quantities = [q for q in parsed.quantities if not any(a <= q.start < b for a, b, _ in spans)]
    if not named:
        # "rated at 1,000 W or more": the threshold's unit says what is screened
        by_unit = [(q.start, _UNIT_ATTRIBUTES[q.kind]) for q in quantities if q.kind in _UNIT_ATTRIBUTES
                   and (q.kind != "bandwidth" or q.role != "interconnect")]
        by_unit += [(q.start, "memory_gb") for q in quantities if q.kind == "number"
                    and re.match(r"\s*GB\b(?!/)", text[q.end:])]
        named = by_unit[:1]
    ranked = [(at, *label.split(":")) for at, label in
              _longest([(m.start(), m.end(), f"{rank}:{implied}") for rank, patterns in data["ranks"].items()
                        for p, implied in patterns for m in p.finditer(text)])]
    if not named and any(implied for _, _, implied in ranked):
        named = [(at, implied) for at, _, implied in ranked if implied][:1]  # "the newest Huawei chip"
    if not named:
        raise ToolInputError("attribute", "name what to screen on (TPP, performance density, TDP, memory, "
                                          "memory bandwidth, die area, launch year, process node or a throughput)")
    # each attribute with the threshold nearest it that it can take; the closest pair is the test
    # (a launch takes a year; another attribute takes a figure, or a year-like one when no launch is named:
    # "a TPP above 2000")
    launch = any(attr in _YEAR_ATTRIBUTES for _, attr in named)
    pairs = [(abs(q.start - at), at, attr, q) for at, attr in named for q in quantities
             if (_is_year(q) if attr in _YEAR_ATTRIBUTES else not (launch and _is_year(q)))]
    scope = _screen_scope(text, catalogue, data)
    if not pairs:
        at, attribute = min(named)
        near = [(abs(a - at), rank) for a, rank, implied in ranked if not implied or implied == attribute]
        if {rank for _, rank in near} >= {"max", "min"} and len({attr for _, attr in named}) == 1:
            op = "present"  # "from the largest die to the smallest": every recorded figure, in order
        elif near:
            op = min(near)[1]  # "which Huawei chip has the most memory"
        elif data["catalogue"].search(text):
            op = "present"  # "which chips in the catalogue have an FP4 figure"
        else:
            raise ToolInputError("threshold", f"give the threshold the chips' {attribute} is tested against")
        args = {"attribute": attribute, "op": op, "threshold": None, **scope}
    else:
        _, at, attribute, threshold = min(pairs, key=lambda p: p[0])
        if attribute == "memory_bw_tbps" and threshold.kind == "bandwidth":
            threshold = with_value(threshold, threshold.value / 1000)  # quantities read GB/s; the catalogue has TB/s
        if attribute == "transistors_b" and threshold.value >= 1e6:
            threshold = with_value(threshold, threshold.value / 1e9)  # "100 billion transistors": the column is in billions
        if threshold.kind == "flops_rate":
            threshold = with_value(threshold, threshold.value / 1e12)  # quantities read FLOP/s; the catalogue TFLOPS
        # the comparison words around the threshold, within its own clause and condition: back to the
        # previous punctuation or figure, on to the end of its clause ("32 GB of memory or less")
        begin = max([threshold.start - 40, *[m.end() for m in re.finditer(r"[,;:?.!]", text[:threshold.start])],
                     *[q.end for q in quantities if q.end <= threshold.start]])
        clause_end = re.search(r"[,;:?.!]|$", text[threshold.end:]).start()
        window = text[max(0, begin): threshold.end + min(clause_end, 40)]
        found = _longest([(m.start(), m.end(), op) for op, p in data["operators"].items() for m in p.finditer(window)])
        here = threshold.start - max(0, begin)
        op = min(found, key=lambda f: abs(f[0] - here))[1] if found else data["defaults"].get(attribute, "ge")
        args = {"attribute": attribute, "op": op, "threshold": threshold.value, **scope}
    return [_run("screen_chips", args,
                 lambda: screen_chips(catalogue, countries=data["vendor_countries"], **args),
                 summaries.screen_summary)]


def _screen_scope(text: str, catalogue: Catalogue, data: dict[str, Any]) -> dict[str, Any]:
    """Whose chips a screen tests: one vendor, every vendor but one ("not made by Nvidia"), or one
    country's vendors."""
    country = next((code for code, p in data["demonyms"].items() if p.search(text)), None)
    vendors = sorted({c.vendor for c in catalogue})
    vendor = next((v for v in vendors if re.search(rf"\b{re.escape(v)}\b", text, re.I)), None)
    excluded = None
    if vendor and re.search(rf"\b(?:not (?:made|designed|built|sold) by|other than|except|excluding|besides|non-)\s*"
                            rf"{re.escape(vendor)}\b", text, re.I):
        vendor, excluded = None, vendor  # "not made by Nvidia": every vendor but that one
    return {"country": None if vendor else country, "vendor": vendor, "exclude_vendor": excluded}


def _fleet_outcomes(parsed: _Parsed, fleets: list[FleetRef], no_count: list[ChipMention]) -> list[ToolOutcome]:
    precision_word = _PRECISION_IN_TEXT.search(parsed.text)
    precision = precision_word.group(1) if precision_word else None
    if precision:
        check_precision(precision)
    explicit = [f for f in fleets if f.named is None]
    targets = explicit or fleets
    outcomes = []
    for fleet in targets[:4]:
        error = _fleet_error("fleet_compute", fleet)
        if error:
            outcomes.append(error)
            continue
        args = {"chip": fleet.chip, "count": fleet.count, "precision": precision}
        outcomes.append(
            _run(
                "fleet_compute",
                args,
                partial(fleet_compute, fleet.chip, fleet.count or 0, precision=precision),
                partial(summaries.fleet_summary, fleet=fleet),
                list(fleet.sources),
            )
        )
    if not targets:
        outcomes.extend(_needs_count("fleet_compute", m) for m in no_count[:2])
    return outcomes


def _compare_outcome(parsed: _Parsed, fleets: list[FleetRef], no_count: list[ChipMention]) -> list[ToolOutcome]:
    sides = list(fleets)
    if len(sides) < 2 and not fleets:
        chips = _unique_chips(parsed)
        if len(chips) == 2:  # per-chip comparison: "How does the 910C compare with the H100?"
            sides = [
                FleetRef(m.chip.name, m.chip, 1, m.start, list(m.chip.citation_ids))
                for m in parsed.chips
                if m.chip.id in {c.id for c in chips}
            ]
            sides = list({s.chip.id: s for s in reversed(sides) if s.chip}.values())[::-1]
    if len(sides) == 1 and len(no_count) == 1 and re.search(r"\bhow many\b", parsed.lower) and sides[0].chip:
        # "How many H100s would match Stargate's compute?" — the count is the unknown.
        ref, target = sides[0], no_count[0]
        eq_args: dict[str, Any] = {"chip": target.chip, "reference_chip": ref.chip, "reference_count": ref.count}
        return [
            _run(
                "equivalent_count",
                eq_args,
                lambda: equivalent_count(target.chip, ref.chip, ref.count or 0),  # type: ignore[arg-type]
                lambda r: summaries.equivalent_summary(r, ref),
                list(ref.sources),
            )
        ]
    conversion = _conversion_outcome(parsed) if not sides else None
    if conversion is not None:
        return [conversion]  # "500 billion yuan at 7.1 yuan to the dollar: what is that in dollars?"
    growth = _growth_outcome(parsed) if not sides else None
    if growth is not None:
        return [growth]  # "from 130 to 300 EFLOPS in four years: what annual growth?", "300 EFLOPS growing 25% a year"
    share = _share_outcome(parsed) if not sides else None
    if share is not None:
        return [share]  # "15% of Nvidia's US$4.6 billion of H20 sales": a share of an amount
    if not sides and not parsed.chips:
        # "one chip does 990 TFLOPS and another 296 TFLOPS: by what factor…": two figures of one kind
        # never a unit's definition ("1 USD = 7.1 CNY") nor a day of a month ("January 27"): neither is a
        # figure to compare
        measured = [q for q in parsed.quantities if q.kind != "number" and q.value > 0
                    and not re.match(r"\s*=", parsed.text[q.end:])]
        bare = [q for q in parsed.quantities if q.kind == "number" and q.value > 0 and not 1900 <= q.value <= 2100
                and not _DAY_OF_MONTH.search(parsed.text[max(0, q.start - 12): q.end + 12])]
        pair: tuple[float, float, str, str] | None = None
        if len(measured) == 2 and measured[0].kind == measured[1].kind:
            pair = (measured[0].value, measured[1].value, measured[0].text.strip(), measured[1].text.strip())
        elif len(measured) == 1 and len(bare) == 1:
            # "1,250 dense FP8 TFLOPS, against 296": the bare figure is in the unit the other was given in
            written = re.match(r"[\d,.]+", measured[0].text.strip())
            scale = measured[0].value / float(written.group(0).replace(",", "")) if written else 0.0
            if scale > 0:
                unit = measured[0].text.strip()[written.end():].strip() if written else ""
                pair = (measured[0].value, bare[0].value * scale, measured[0].text.strip(),
                        f"{bare[0].text.strip()} {unit}".strip())
                if bare[0].start < measured[0].start:
                    pair = (pair[1], pair[0], pair[3], pair[2])
        if pair is not None:
            a_value, b_value, a_text, b_text = pair
            args_r = {"a": a_text, "b": b_text, "kind": measured[0].kind}
            return [_run("figure_ratio", args_r, lambda: figure_ratio(a_value, b_value, a_text, b_text),
                         summaries.ratio_summary)]
    if len(sides) < 2:
        if len(sides) == 1 and no_count:
            return [_needs_count("compare_fleets", no_count[0])]
        counts = {s.count for s in sides}
        loose = [
            q
            for q in parsed.quantities
            if q.kind == "number" and q.value not in counts and not (1900 <= q.value <= 2100 and "," not in q.text)
        ]
        if len(sides) == 1 and loose:
            return [
                _fail(
                    "compare_fleets",
                    {"a": loose[0].text, "b": sides[0].label},
                    f"chip: no accelerator is named for {loose[0].text}; say which chip "
                    f"(for example '{loose[0].text} H100s')",
                )
            ]
        return []
    if len(sides) > 2:
        names = ", ".join(s.label for s in sides)
        return [
            _fail(
                "compare_fleets",
                {"fleets": names},
                f"fleets: several fleets were named ({names}); compare two at a time",
            )
        ]
    a, b = _order_sides(parsed, sides)
    for side in (a, b):
        if side.error:
            return [_fail("compare_fleets", {"fleet": side.label}, side.error)]
    args: dict[str, Any] = {
        "a": f"{fmt_num(a.count or 0)} × {a.chip.name if a.chip else '?'}",
        "b": f"{fmt_num(b.count or 0)} × {b.chip.name if b.chip else '?'}",
    }

    def call() -> ToolResult:
        side_a = make_side(a.chip, a.count or 0, label=a.label, name="a")
        side_b = make_side(b.chip, b.count or 0, label=b.label, name="b")
        return compare_fleets(side_a, side_b, extra_sources=[*a.sources, *b.sources])

    return [_run("compare_fleets", args, call, lambda r: summaries.compare_summary(r, parsed.lower, a, b))]


_CURRENCY = r"(?:yuan|rmb|renminbi|euros?|yen)"
_RATE = re.compile(rf"(\d[\d.,]*)\s*({_CURRENCY})\s*(?:to|per|for|against)\s*(?:the|a|one|each|every|1)?\s*"
                   rf"(?:us\s*)?(?:dollars?|\$|usd)\b", re.I)


def _conversion_outcome(parsed: _Parsed) -> ToolOutcome | None:
    """"500 billion yuan … 7.1 yuan to the dollar": an amount in a currency and a stated rate to the dollar
    (or a dollar amount and the rate, to that currency)."""
    rate = _RATE.search(parsed.text)
    if rate is None:
        return None
    currency = rate.group(2).lower()
    per_dollar = float(rate.group(1).replace(",", ""))
    foreign = [q for q in parsed.quantities if q.kind == "number" and not rate.start() <= q.start < rate.end()
               and (re.match(rf"\s*{_CURRENCY}\b", parsed.text[q.end:], re.I)
                    or re.search(rf"\b{_CURRENCY}\s*$", parsed.text[max(0, q.start - 8): q.start], re.I))]
    dollars = [q for q in parsed.quantities if q.kind == "usd"]
    if len(foreign) == 1 and not dollars:
        amount, to_dollars = foreign[0], True
    elif len(dollars) == 1 and not foreign:
        amount, to_dollars = dollars[0], False
    else:
        return None
    args = {"amount": amount.value, "per_dollar": per_dollar, "currency": currency, "to_dollars": to_dollars}

    def summary(result: ToolResult) -> str:
        value = result.result["value"]
        shown = f"US${fmt_num(value / 1e9, 4)} billion" if to_dollars and value >= 1e9 else \
            (f"US${fmt_num(value, 4)}" if to_dollars else f"{fmt_num(value / 1e9, 4)} billion {currency}"
             if value >= 1e9 else f"{fmt_num(value, 4)} {currency}")
        written = f"{amount.text.strip()} {currency}" if to_dollars else amount.text.strip()
        return f"{written} at {rate.group(0).strip()} is about {shown}."
    return _run("convert_currency", args, lambda: convert_currency(amount.value, per_dollar, currency, to_dollars),
                summary)


def _growth_outcome(parsed: _Parsed) -> ToolOutcome | None:
    """Compound growth over a span of years the question states: two figures of one kind (a start and
    an end) give the annual rate, one figure and an annual rate give the end value. None without a
    word of growth, a span in years, or figures of that shape."""
    data = _arithmetic_words()
    if not data["growth"].search(parsed.text) or data["ratio"].search(parsed.text):
        return None  # ("by what factor did it grow": a ratio of the two figures, not a rate)
    span = data["years"].search(numerals(parsed.text))
    if span is None:
        return None
    years = float({"one": "1", "two": "2", "three": "3"}.get(span.group(1).lower(), span.group(1)))
    measured = [q for q in parsed.quantities if q.kind not in ("number", "fraction", "pue")]
    rates = [q for q in parsed.quantities if q.kind == "fraction"]
    if len(measured) == 2 and measured[0].kind == measured[1].kind and not rates:
        a, b = measured
        if data["from"].search(parsed.text[a.end: b.start]):
            a, b = b, a  # "300 EFLOPS, up from 100 EFLOPS": the start is written second
        args: dict[str, Any] = {"start": a.value, "years": years, "end": b.value}

        def cagr(result: ToolResult) -> str:
            return (f"From {a.text.strip()} to {b.text.strip()} over {fmt_num(years)} years is a compound annual "
                    f"growth rate of about {fmt_num(result.result['rate'] * 100, 1)}% (({b.text.strip()} ÷ "
                    f"{a.text.strip()})^(1/{fmt_num(years)}) − 1).")
        return _run("compound_growth", args, lambda: compound_growth(a.value, years, end=b.value), cagr)
    if len(measured) == 1 and len(rates) == 1:
        a, r = measured[0], rates[0]
        args = {"start": a.value, "years": years, "rate": r.value}

        def projection(result: ToolResult) -> str:
            value = format_quantity(with_value(a, float(f"{result.result['end']:.4g}")))
            return (f"{a.text.strip()} growing {r.text.strip()} a year for {fmt_num(years)} years reaches about "
                    f"{value} ({a.text.strip()} × (1 + {r.text.strip()})^{fmt_num(years)}).")
        return _run("compound_growth", args, lambda: compound_growth(a.value, years, rate=r.value), projection)
    return None


@lru_cache(maxsize=1)
def _arithmetic_words() -> dict[str, re.Pattern[str]]:
    data = load_prompt("arithmetic.yaml")

    def words(values: list[str]) -> str:
        return "|".join(re.escape(w) for w in sorted(values, key=len, reverse=True))

    return {"growth": re.compile(rf"\b(?:{words(data['growth'])})\b", re.I),
            "ratio": re.compile(rf"\b(?:{words(data['ratio_cues'])})\b", re.I),
            "falls": re.compile(rf"\b(?:{words(data['falls'])})\b(?:\s+by)?\s*(?:about|roughly|some)?\s*$", re.I),
            "rises": re.compile(rf"\b(?:{words(data['rises'])})\b(?:\s+by)?\s*(?:about|roughly|some)?\s*$", re.I),
            "from": re.compile(rf"\b(?:{words(data['from_cues'])})\s*$", re.I),
            # a span of years, never a modifier ("a five-year plan"); text2num leaves a lone one/two/three
            "years": re.compile(r"\b(\d+(?:\.\d+)?|one|two|three)\s+years?\b", re.I)}


def _share_outcome(parsed: _Parsed) -> ToolOutcome | None:
    """"15% of Nvidia's US$4.6 billion of H20 sales": one share, then "of", then one measured amount."""
    fractions = [q for q in parsed.quantities if q.kind == "fraction" and q.role is None]
    amounts = [q for q in parsed.quantities if q.kind not in ("number", "fraction", "pue")]
    if len(fractions) != 1 or len(amounts) != 1:
        return None
    f, a = fractions[0], amounts[0]
    # the amount follows "of" ("15% of US$4.6 billion"), or was stated before and is referred to ("15% of that")
    after = a.start > f.end and re.match(r"^\s*of\b", parsed.text[f.end: a.start]) and a.start - f.end <= 40
    before = a.end <= f.start and re.match(r"^\s*of\s+(?:that|this|it|those|them)\b", parsed.text[f.end:])
    # "worth US$3.5 trillion … its shares fall 17%": a change by a share of the amount stated before it
    lead = parsed.text[max(a.end, f.start - 25): f.start] if a.end <= f.start else ""
    direction = next((d for d in ("falls", "rises") if lead and _arithmetic_words()[d].search(lead)), "")
    if not (after or before or direction):
        return None
    args = {"fraction": f.value, "amount": a.value, "unit": a.unit}

    def summary(result: ToolResult) -> str:
        value = format_quantity(with_value(a, result.result["value"]))
        said = f"{f.text.strip()} of {a.text.strip()} is {value} ({f.text.strip()} × {a.text.strip()})"
        share_value = result.result["value"]
        if direction:
            # (rounded to six significant figures: the difference of two floats is no figure to print whole)
            changed = float(f"{a.value - share_value if direction == 'falls' else a.value + share_value:.6g}")
            shown = format_quantity(with_value(a, changed))
            said += f"; after the fall, {shown} remains" if direction == "falls" else f"; after the rise, it is {shown}"
        return f"{said}."
    return _run("share_of", args, lambda: share_of(f.value, a.value, f.text.strip(), a.text.strip()), summary)


def _order_sides(parsed: _Parsed, sides: list[FleetRef]) -> tuple[FleetRef, FleetRef]:
    """The side right after 'share of', 'than', 'compared with' ... is the base (denominator)."""
    first, second = sides
    cue_ends = [m.end() for m in _DENOMINATOR_CUE.finditer(parsed.text)]

    def preceded(side: FleetRef) -> bool:
        return any(
            0 <= side.start - end <= 16
            and re.fullmatch(r"[\s\w'’]*", parsed.text[end : side.start])
            and len(re.findall(r"\w+", parsed.text[end : side.start])) <= 2
            for end in cue_ends
        )

    if preceded(first) and not preceded(second):
        return second, first
    return first, second


def _training_outcomes(
    parsed: _Parsed, fleets: list[FleetRef], no_count: list[ChipMention], catalogue: Catalogue
) -> list[ToolOutcome]:
    params = _one(parsed, "parameters")
    tokens = _one(parsed, "tokens")
    gpu_hours = _one(parsed, "gpu_hours")
    duration = _one(parsed, "duration")
    mfu = _one(parsed, "fraction", roles=("mfu", "utilisation"))
    price = _one(parsed, "usd_per_gpu_hour")
    run = parsed.named_runs[0] if parsed.named_runs else None
    explicit = [f for f in fleets if f.named is None]
    fleet = explicit[0] if explicit else (fleets[0] if fleets else None)
    chip = fleet.chip if fleet else (parsed.chips[0].chip if parsed.chips else None)
    extra: list[str] = []
    if run:
        extra.append(run.doc_id)
        chip = chip or catalogue.find(run.chip)
    n = params.value if params else (run.parameters if run else None)
    d = tokens.value if tokens else (run.tokens if run else None)
    hours = gpu_hours.value if gpu_hours else None
    if hours is None and run and not (fleet and duration):
        hours = run.gpu_hours
    usd = price.value if price else (run.usd_per_gpu_hour if run and not gpu_hours else None)
    label = run.label if run and not params and not tokens else None

    if n and d and (hours or (fleet and duration)):
        if chip is None:
            return [
                _fail(
                    "implied_mfu",
                    {"parameters": n, "tokens": d, "gpu_hours": hours},
                    "chip: no accelerator was named; supply the chip the GPU-hours ran on",
                )
            ]
        args: dict[str, Any] = {
            "parameters": n,
            "tokens": d,
            "chip": chip,
            "gpu_hours": hours,
            "count": fleet.count if fleet and duration else None,
            "days": duration.value if fleet and duration else None,
            "precision": _precision_arg(parsed),
            "usd_per_gpu_hour": usd,
            "fleet_size": fleet.count if fleet and not duration else None,
        }
        return [
            _run(
                "implied_mfu",
                args,
                lambda: implied_mfu(**{k: v for k, v in args.items() if v is not None and k != "chip"}, chip=chip),
                lambda r: summaries.mfu_summary(r, parsed.lower, label),
                extra,
            )
        ]
    if n and d and fleet:
        if mfu is None:
            return [
                _fail(
                    "training_time",
                    {"parameters": n, "tokens": d, "chip": fleet.chip, "count": fleet.count},
                    "mfu: no model-FLOPs utilisation was given; supply one (for example 'at 40% MFU')",
                )
            ]
        args = {
            "parameters": n,
            "tokens": d,
            "count": fleet.count,
            "chip": fleet.chip,
            "mfu": mfu.value,
            "precision": _precision_arg(parsed),
        }
        return [
            _run(
                "training_time",
                args,
                lambda: training_time(n, d, fleet.count or 0, fleet.chip, mfu=mfu.value, precision=args["precision"]),
                summaries.time_summary,
                extra + list(fleet.sources),
            )
        ]
    if n and d:
        args = {"parameters": n, "tokens": d}
        return [
            _run(
                "training_compute",
                args,
                lambda: training_flops(n, d),
                lambda r: summaries.flops_summary(r, label),
                extra,
            )
        ]
    stated_hours = hours
    generic = [q for q in parsed.quantities if q.kind == "number" and _GENERIC_DEVICE.match(parsed.text[q.end:])]
    count = explicit[0].count if explicit else (generic[0].value if len(generic) == 1 else None)
    days = duration.value if duration else None
    basis = ""
    if hours is None and count and duration:
        hours = count * duration.value * 24  # "2,048 H800s for 60 days": GPUs × days × 24 h
        basis = f" ({fmt_num(count)} GPUs × {fmt_num(duration.value)} days × 24 h)"
    if hours and usd:
        args = {"gpu_hours": hours, "usd_per_gpu_hour": usd}
        return [_run("training_cost", args, lambda: training_cost(hours, usd),
                     lambda r: summaries.cost_summary(r, basis), extra)]
    if not params and not tokens and usd is None and sum(x is not None for x in (stated_hours, count, days)) == 2:
        # "1.5 million GPU-hours on 1,024 GPUs: how many days?": any two of hours, GPUs and days give the third
        args = {"gpu_hours": stated_hours, "count": count, "days": days,
                "utilisation": util.value if (util := _one(parsed, "fraction", roles=("utilisation",))) else None}
        return [_run("gpu_time", args, lambda: gpu_time(**{k: v for k, v in args.items() if v is not None}),
                     summaries.gpu_time_summary, extra)]
    purchase = _purchase_outcome(parsed)
    if purchase is not None and not params and not tokens and not stated_hours:
        return [purchase]
    if params or tokens or gpu_hours:
        missing = "tokens" if params and not tokens else "parameters" if tokens and not params else "parameters"
        return [
            _fail(
                "training_compute",
                {},
                f"{missing}: give both the parameter count (for example '70B "
                "parameters') and the training tokens (for example '15T tokens')",
            )
        ]
    return []


_MONTH_NAMES = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|" \
               r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
# "January 27", "27 January": a day of a month, never a figure
_DAY_OF_MONTH = re.compile(rf"\b{_MONTH_NAMES}\s+\d{{1,2}}\b|\b\d{{1,2}}\s+{_MONTH_NAMES}")
_PER_UNIT = re.compile(r"^\s*(?:apiece|each|a piece|a unit|per (?:unit|piece|card|chip|gpu|accelerator|server)|"
                       r"an? (?:card|chip|gpu|accelerator|server))\b", re.I)
_UNIT_BEFORE = re.compile(r"\b(?:cost|costs|costing|priced at|sell for|sells for|at)\s*$", re.I)


def _purchase_outcome(parsed: _Parsed) -> ToolOutcome | None:
    """"US$50 million for GPUs that cost US$31,500 apiece": a budget and a unit price, each stated once.
    None when the question also states a share ("40% goes to GPUs"): which amount it scales is not read
    here, and a purchase that ignored it would be wrong."""
    if any(q.kind == "fraction" for q in parsed.quantities) or re.search(r"\d\s*(?:%|per ?cent)", parsed.text):
        return None
    amounts = [q for q in parsed.quantities if q.kind == "usd"]
    prices = [q for q in amounts if _PER_UNIT.match(parsed.text[q.end:])
              or (_UNIT_BEFORE.search(parsed.text[max(0, q.start - 12): q.start]) and q is not amounts[0])]
    budgets = [q for q in amounts if q not in prices]
    if len(prices) != 1 or len(budgets) != 1 or budgets[0].value < prices[0].value:
        return None
    # what is bought: the chip named, else the device word as the question writes it ("GPUs")
    noun = re.search(r"\b(GPU|chip|accelerator|processor|card|NPU|server)s?\b", parsed.text, re.I)
    label = parsed.chips[0].chip.name if parsed.chips else (f"{noun.group(1)}s" if noun else "units")
    args = {"budget_usd": budgets[0].value, "unit_price_usd": prices[0].value}
    return _run("purchase_count", args, lambda: purchase_count(**args), partial(summaries.purchase_summary, device=label))


def _precision_arg(parsed: _Parsed) -> str | None:
    word = _PRECISION_IN_TEXT.search(parsed.text)
    return word.group(1) if word else None


# ---------------------------------------------------------------- entry point


def route(question: str, catalogue: Catalogue, families: set[str] | frozenset[str] | tuple[str, ...] = (), *,
          defaults: NamedDefaults | None = None) -> list[ToolOutcome]:
    """Run the tool `families` (see FAMILIES) on the slots of `question`; [] when none is given.

    Which families a question asks for is the plan stage's decision (assistant/pipeline/plan.py),
    not this module's: here only the chips, counts, quantities and named fleets are read.
    `defaults` are the named fleets and runs (loaded from named_defaults.json when None).
    Never raises on bad or missing input: such cases come back as outcomes with `error`.
    """
    if not question or not question.strip() or not families:
        return []
    unknown_families = set(families) - set(FAMILIES)
    if unknown_families:
        raise ValueError(f"unknown tool families {sorted(unknown_families)}; use any of {list(FAMILIES)}")
    named = defaults if defaults is not None else NamedDefaults.load()
    parsed = _parse(question, catalogue, named)
    outcomes: list[ToolOutcome] = []

    def attempt(name: str, handler: Callable[[], list[ToolOutcome]]) -> list[ToolOutcome]:
        """Contradictory or invalid inputs found while reading the question become error outcomes."""
        try:
            return handler()
        except ToolInputError as exc:
            logger.info("route: %s not computed: %s", name, exc)
            return [_fail(name, {}, str(exc))]

    fleets, no_count = _fleets(parsed, catalogue)
    handlers: dict[str, Callable[[], list[ToolOutcome]]] = {
        "compare": lambda: _compare_outcome(parsed, fleets, no_count),
        "export": lambda: _export_outcomes(parsed, catalogue),
        "tpp": lambda: _tpp_outcomes(parsed, catalogue),
        "training": lambda: _training_outcomes(parsed, fleets, no_count, catalogue),
        "power": lambda: _power_outcomes(parsed, fleets, no_count, catalogue),
        "fleet": lambda: _fleet_outcomes(parsed, fleets, no_count),
        "screen": lambda: _screen_outcomes(parsed, catalogue),
        # any calculation whose every figure the user states, combined by the figures' units
        "scenario": lambda: [_run("scenario", {"question": parsed.question}, lambda: solve_scenario(parsed.question),
                                  summaries.scenario_summary)],
    }
    error_names = {"compare": "compare_fleets", "export": "export_classification", "fleet": "fleet_compute",
                   "screen": "screen_chips"}
    for family in FAMILIES:
        if family in families:
            outcomes += attempt(error_names.get(family, family), handlers[family])
    return outcomes
