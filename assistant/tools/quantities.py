"""Find quantities with units in free text: "115k", "1.2 GW", "14.8T tokens", "a PUE of 1.3".

The router has no language model, so numbers must be typed by their unit or by the words
around them ("MFU of 0.4" is an MFU, "40% utilisation" a utilisation). Values are stored
in one canonical unit per kind (W, Wh, GB/s, FLOP/s, mm², days, USD ...) so that tools
never see "1.2" meaning gigawatts. A number whose kind cannot be told is kept as a plain
"number" rather than guessed into a kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .errors import ToolInputError

# Kinds and their canonical units.
UNITS: dict[str, str] = {
    "number": "",
    "power": "W",
    "energy": "Wh",
    "bandwidth": "GB/s",
    "flops_rate": "FLOP/s",
    "flops": "FLOP",
    "area": "mm²",
    "gpu_hours": "GPU-hours",
    "tokens": "tokens",
    "parameters": "parameters",
    "duration": "days",
    "fraction": "",
    "pue": "",
    "tpp": "",
    "performance_density": "TPP/mm²",
    "usd": "USD",
    "usd_per_gpu_hour": "USD/GPU-hour",
    "usd_per_kwh": "USD/kWh",
}


@dataclass(frozen=True)
class Quantity:
    """A typed value found in text; `value` is in UNITS[kind]; `role` refines the kind.

    Roles: fraction → "utilisation" | "mfu" | None; bandwidth → "memory" | "interconnect" | None;
    flops_rate → a precision ("bf16", "fp8", "fp4", "int8") or None.
    """

    kind: str
    value: float
    text: str
    start: int = 0
    end: int = 0
    role: str | None = None

    @property
    def unit(self) -> str:
        return UNITS[self.kind]


_MULTIPLIERS: dict[str, float] = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "mil": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "billions": 1e9,
    "t": 1e12,
    "tn": 1e12,
    "trillion": 1e12,
    "trillions": 1e12,
}
_SI: dict[str, float] = {
    "": 1.0,
    "k": 1e3,
    "m": 1e6,
    "g": 1e9,
    "t": 1e12,
    "p": 1e15,
    "e": 1e18,
    "kilo": 1e3,
    "mega": 1e6,
    "giga": 1e9,
    "tera": 1e12,
    "peta": 1e15,
    "exa": 1e18,
}

_NUMBER = re.compile(
    r"(?<![\w.,$])(?:(?<![\w\-−])(?P<sign>[-−])(?=[\d.$]))?(?P<cur>US\$|\$|USD\s?)?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d,.\-])|\d+(?:\.\d+)?|\.\d+)"
    r"(?:[eE](?P<exp>[+-]?\d{1,3}))?"
)
_MULT = re.compile(r"(?:\s?|-(?=[a-z]{3}))(?P<mult>thousand|millions?|mil|mn|billions?|bn|trillions?|tn|[kKmMbBtT])(?![A-Za-z0-9])")
_PCT = re.compile(r"\s?(?:%|percent\b|per\s?cent\b)")

# Unit patterns anchored right after the number (and multiplier). Order matters: Wh before W.
_AFTER: list[tuple[str, re.Pattern[str]]] = [
    ("energy", re.compile(r"\s?(?P<si>[kMGT]?)Wh\b|\s?(?P<siw>kilo|mega|giga|tera)?watt[- ]?hours?\b", re.I)),
    ("power", re.compile(r"\s?(?P<si>[kMGT]?)W\b(?!/)|\s?(?P<siw>kilo|mega|giga)?watts?\b", re.I)),
    ("bandwidth", re.compile(r"\s?(?P<si>[GT])B(?:/s|ps)\b|\s?(?P<siw>giga|tera)bytes?\s+per\s+second\b", re.I)),
    (
        "flops_rate",
        re.compile(
            r"\s?(?:(?i:dense|peak)\s+)?(?:(?i:BF16|FP16|FP8|FP4|INT8|MXFP8|MXFP4|NVFP4)\s+)?"
            r"(?:(?i:dense|peak)\s+)?(?:(?P<si>[kMGTPE])(?:FLOPS|FLOPs|flops|FLOP/s|OPS|ops)\b"
            r"|(?:FLOPS|FLOP/s|OPS)\b|(?P<siw>(?i:tera|peta|exa))(?i:flops|ops)\b)"
        ),
    ),
    ("flops", re.compile(r"\s?(?:FLOPs|FLOP|flops|floating[- ]point operations)\b")),
    ("area", re.compile(r"\s?(?:mm2|mm²|mm\^2|sq\.?\s?mm|square\s+millimet(?:er|re)s?)", re.I)),
    (
        "gpu_hours",
        re.compile(r"\s?(?:[A-Za-z0-9]+[\s-]+)?(?:GPU|accelerator|chip|card|NPU)s?[\s-]?(?:hours?|hrs?|h)\b", re.I),
    ),
    ("tokens", re.compile(r"\s?(?:(?:training|text|pre-?training|input)\s+)?tokens?\b", re.I)),
    (
        "parameters",
        re.compile(
            r"\s?(?:-\s?)?(?:(?:active|activated|total|dense)\s+)?(?:parameters?|params?)\b"
            r"|(?<=[BbTtMm])[\s-]?(?:[\w-]+\s)?(?:models?|LLMs?)\b",
            re.I,
        ),
    ),
    ("duration", re.compile(r"\s?(?P<dur>days?|weeks?|hours?|hrs?)\b", re.I)),
    ("tpp", re.compile(r"\s?(?:TPP|total processing performance)\b", re.I)),
    ("pue", re.compile(r"\s?PUE\b", re.I)),
]
_LEAD = (
    r"(?:\s*(?:(?:of|is|was|at|around|about|roughly|near|between|from|with|to|be|de|du|à|environ)\b|=|:|~|≈))?"
    r"\s*(?:an?\s+|~|≈)?\s*$"
)
_BEFORE: list[tuple[str, str | None, re.Pattern[str]]] = [
    ("pue", None, re.compile(r"(?:\bPUE|power usage effectiveness)" + _LEAD, re.I)),
    ("tpp", None, re.compile(r"(?:\bTPP|total processing performance)" + _LEAD, re.I)),
    ("performance_density", None, re.compile(r"(?:performance density|\bPD)" + _LEAD, re.I)),
    ("fraction", "mfu", re.compile(r"(?:\bMFU|model flops utili[sz]ation)" + _LEAD, re.I)),
    (
        "fraction",
        "utilisation",
        re.compile(r"(?:utili[sz]ation|load factor|capacity factor|utili[sz]ed)" + _LEAD, re.I),
    ),
]
_FRACTION_AFTER = re.compile(
    r"\s*(?:\(\w+\)\s*)?(?P<role>MFU|model flops utili[sz]ation|utili[sz]ation|utili[sz]ed|load"
    r"|capacity factor)\b",
    re.I,
)
_PER_GPU_HOUR = re.compile(
    r"\s?(?:dollars?|USD)?\s?(?:per|/|an?|each)\s?(?:GPU|accelerator|chip|H\d+|card)?[\s-]?(?:hours?|hrs?|h)\b", re.I
)
# "7.8 US cents per kWh", "9¢/kWh": a price in cents, stored in dollars
_CENTS_PER_KWH = re.compile(r"\s?(?:US\s?)?(?:cents?|¢)\s?(?:per|/|a)\s?kWh\b", re.I)
_PER_KWH = re.compile(r"\s?(?:dollars?|USD)?\s?(?:per|/|a)\s?kWh\b", re.I)
_DOLLARS = re.compile(r"\s?(?:dollars?|USD)\b", re.I)
_MEMORY_WORDS = re.compile(r"\b(memory|DRAM|HBM\w*|GDDR\w*)\b", re.I)
_INTERCONNECT_WORDS = re.compile(r"\b(interconnect|I/O|NVLink|chip-to-chip|transfer rate|link|fabric)\b", re.I)
_PRECISION_WORD = re.compile(r"\b(BF16|FP16|bfloat16|FP8|FP4|INT8|MXFP8|MXFP4|NVFP4)\b", re.I)
_DURATION_DAYS: dict[str, float] = {"day": 1.0, "week": 7.0, "hour": 1 / 24, "hr": 1 / 24}


def _number(match: re.Match[str]) -> float:
    text = match.group("num").replace(",", "").replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    value = float(text)
    if match.group("exp"):
        value *= 10 ** int(match.group("exp"))
    return value


def _si(match: re.Match[str]) -> float:
    groups = match.groupdict()
    prefix = (groups.get("si") or groups.get("siw") or "").lower()
    return _SI[prefix]


def _precision_near(text: str, start: int, end: int) -> str | None:
    """A precision word within a few words after the unit or just before the number."""
    inside = _PRECISION_WORD.search(text[start:end])
    after = _PRECISION_WORD.search(text[end : end + 24])
    before = list(_PRECISION_WORD.finditer(text[max(0, start - 30) : start]))
    word = inside or after or (before[-1] if before else None)
    if not word:
        return None
    key = word.group(1).lower()
    return {
        "bf16": "bf16",
        "fp16": "bf16",
        "bfloat16": "bf16",
        "fp8": "fp8",
        "mxfp8": "fp8",
        "fp4": "fp4",
        "mxfp4": "fp4",
        "nvfp4": "fp4",
        "int8": "int8",
    }[key]


def _bandwidth_role(text: str, start: int, end: int) -> str | None:
    window = text[max(0, start - 40) : start] + " " + text[end : end + 30]
    memory = _MEMORY_WORDS.search(window)
    link = _INTERCONNECT_WORDS.search(window)
    if memory and not link:
        return "memory"
    if link and not memory:
        return "interconnect"
    return None


def _classify(text: str, match: re.Match[str]) -> Quantity | None:
    """Type one number by its currency, multiplier, unit and the words around it.

    Returns None for digits that are part of an identifier ("3A090", "910C", "7nm").
    """
    start, pos = match.start(), match.end()
    value = _number(match)
    if match.group("sign"):
        value = -value
    currency = bool(match.group("cur"))
    mult = _MULT.match(text, pos)
    if mult:
        value *= _MULTIPLIERS[mult.group("mult").lower()]
        pos = mult.end()
    if currency:
        for kind, pattern in (("usd_per_kwh", _PER_KWH), ("usd_per_gpu_hour", _PER_GPU_HOUR)):
            m = pattern.match(text, pos)
            if m:
                return Quantity(kind, value, text[start : m.end()], start, m.end())
        return Quantity("usd", value, text[start:pos], start, pos)
    pct = _PCT.match(text, pos)
    if pct:
        after = _FRACTION_AFTER.match(text, pct.end())
        role = None
        end = pct.end()
        if after:
            role = "mfu" if after.group("role").lower().startswith(("mfu", "model")) else "utilisation"
            end = after.end()
        else:
            for kind, prole, pattern in _BEFORE:
                if kind == "fraction" and pattern.search(text[max(0, start - 40) : start]):
                    role = prole
        return Quantity("fraction", value / 100.0, text[start:end], start, end, role)
    for kind, pattern in _AFTER:
        m = pattern.match(text, pos)
        if not m:
            continue
        end = m.end()
        if kind in {"power", "energy", "bandwidth", "flops_rate"}:
            scaled = value * _si(m)
            if kind == "bandwidth":
                scaled = value * (1000.0 if _si(m) == 1e12 else 1.0)
                return Quantity(kind, scaled, text[start:end], start, end, _bandwidth_role(text, start, end))
            if kind == "flops_rate":
                return Quantity(kind, scaled, text[start:end], start, end, _precision_near(text, start, end))
            return Quantity(kind, scaled, text[start:end], start, end)
        if kind == "duration":
            unit = m.group("dur").lower().rstrip("s")
            return Quantity(kind, value * _DURATION_DAYS[unit], text[start:end], start, end)
        return Quantity(kind, value, text[start:end], start, end)
    cents = _CENTS_PER_KWH.match(text, pos)
    if cents:
        return Quantity("usd_per_kwh", value / 100.0, text[start : cents.end()], start, cents.end())
    dollars = _DOLLARS.match(text, pos)
    if dollars:
        for kind, pattern in (("usd_per_kwh", _PER_KWH), ("usd_per_gpu_hour", _PER_GPU_HOUR)):
            m = pattern.match(text, pos)
            if m:
                return Quantity(kind, value, text[start : m.end()], start, m.end())
        return Quantity("usd", value, text[start : dollars.end()], start, dollars.end())
    before = text[max(0, start - 40) : start]
    for kind, role, pattern in _BEFORE:
        if pattern.search(before):
            return Quantity(kind, value, text[start:pos], start, pos, role)
    after = _FRACTION_AFTER.match(text, pos)
    if after and value <= 1:
        role = "mfu" if after.group("role").lower().startswith(("mfu", "model")) else "utilisation"
        return Quantity("fraction", value, text[start : after.end()], start, after.end(), role)
    if pos < len(text) and text[pos].isalnum():
        return None
    return Quantity("number", value, text[start:pos], start, pos)


_DECIMAL_COMMA = re.compile(r"(?<![\d,.])(\d{1,3}),(\d{1,2})(?![\d,])")


def parse_quantities(text: str) -> list[Quantity]:
    """Every quantity in `text`, in order of appearance."""
    text = _DECIMAL_COMMA.sub(r"\1.\2", text)  # French "1,3" is 1.3; "115,000" keeps its separator
    found: list[Quantity] = []
    pos = 0
    while True:
        match = _NUMBER.search(text, pos)
        if not match:
            break
        quantity = _classify(text, match)
        if quantity is None:
            pos = match.end()
            continue
        found.append(quantity)
        pos = max(quantity.end, match.end())
    return found


def parse_quantity(text: str, kind: str | None = None) -> Quantity:
    """The single quantity in `text` (of `kind` if given); raises ToolInputError if none or several."""
    found = [q for q in parse_quantities(text) if kind is None or q.kind == kind]
    if not found:
        raise ToolInputError(kind or "quantity", f"no {kind or 'quantity'} found in {text!r}")
    if len(found) > 1:
        raise ToolInputError(
            kind or "quantity", f"several quantities found in {text!r}: {', '.join(q.text for q in found)}"
        )
    return found[0]


# ---- formatting back to text (used for unit round-trips and for summaries) ----

_FORMAT_PREFIXES: dict[str, list[tuple[float, str]]] = {
    "power": [(1e9, "GW"), (1e6, "MW"), (1e3, "kW"), (1.0, "W")],
    "energy": [(1e12, "TWh"), (1e9, "GWh"), (1e6, "MWh"), (1e3, "kWh"), (1.0, "Wh")],
    "flops_rate": [(1e18, "EFLOPS"), (1e15, "PFLOPS"), (1e12, "TFLOPS"), (1.0, "FLOPS")],
    "bandwidth": [(1000.0, "TB/s"), (1.0, "GB/s")],
}


def _plain(value: float) -> str:
    """Enough digits to parse back to the same float (12 significant), with thousands separators."""
    text = f"{value:,.12g}"
    if "e" in text and 1 <= abs(value) < 1e15 and value == round(value):
        return f"{round(value):,}"  # "2,905,000,000,000", never "2.905e12"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}e{int(exponent)}"
    return text


def format_quantity(quantity: Quantity) -> str:
    """Canonical text for a quantity, which `parse_quantities` reads back to the same value."""
    kind, value = quantity.kind, quantity.value
    if kind in _FORMAT_PREFIXES:
        for scale, unit in _FORMAT_PREFIXES[kind]:
            if abs(value) >= scale or scale == _FORMAT_PREFIXES[kind][-1][0]:
                text = f"{_plain(value / scale)} {unit}"
                break
        if kind == "bandwidth" and quantity.role:
            text = f"{'memory' if quantity.role == 'memory' else 'interconnect'} bandwidth of {text}"
        if kind == "flops_rate" and quantity.role:
            text = f"{text} {quantity.role.upper()}"
        return text
    templates = {
        "number": "{v}",
        "flops": "{v} FLOPs",
        "area": "{v} mm²",
        "gpu_hours": "{v} GPU-hours",
        "tokens": "{v} tokens",
        "parameters": "{v} parameters",
        "duration": "{v} days",
        "pue": "a PUE of {v}",
        "tpp": "a TPP of {v}",
        "performance_density": "a performance density of {v}",
        "usd": "US${v}",
        "usd_per_gpu_hour": "US${v} per GPU-hour",
        "usd_per_kwh": "US${v} per kWh",
    }
    if kind == "fraction":
        label = {"mfu": " MFU", "utilisation": " utilisation"}.get(quantity.role or "", "")
        return f"{_plain(value * 100)}%{label}"
    return templates[kind].format(v=_plain(value))


def with_value(quantity: Quantity, value: float) -> Quantity:
    """A copy with another value (used by property tests)."""
    return replace(quantity, value=value)


# ---- numbers written as words, and counts written as products ----

_WORD_BEFORE_HYPHEN = re.compile(r"\b([A-Za-z]+)-(?=[A-Za-z])")
_DIGIT_SCALE = re.compile(r"(?<=\d)\s*(?:hundred|thousand|million|billion|trillion|mille|millions?|milliards?)\b", re.I)


def numerals(text: str, language: str = "en") -> str:
    """`text` with spelled-out numbers as digits ("eight GPUs" → "8 GPUs", "twenty-four" → "24",
    "an eight-GPU server" → "an 8-GPU server"), by text2num's `alpha2digit`. Isolated "one", "two"
    and "three" stay words (its default threshold): "one of the two rules" is no count."""
    from text_to_num import alpha2digit, text2num

    # a scale word after digits ("2 million", "US$2.5 billion") is read by the quantity parser itself:
    # alpha2digit would make it a second number ("2 1000000"), so it is set aside and put back
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"Zscale{len(kept) - 1}Z"

    out = alpha2digit(_DIGIT_SCALE.sub(keep, text), language)
    out = re.sub(r"Zscale(\d+)Z", lambda m: kept[int(m.group(1))], out)

    def word(match: re.Match[str]) -> str:
        try:
            return f"{text2num(match.group(1).lower(), language)}-"
        except ValueError:
            return match.group(0)

    return _WORD_BEFORE_HYPHEN.sub(word, out)


# a machine that holds accelerators ("256 servers with 8 GPUs each", "72 nodes of 4 accelerators")
_CONTAINER = r"(?:servers?|nodes?|racks?|systems?|boxes|box|machines?|hosts?|pods?|trays?|chassis|cabinets?|boards?)"
_DEVICE = r"(?:gpus?|accelerators?|chips?|cards?|npus?|processors?|devices?)"
_PER_CONTAINER = re.compile(rf"^\s*{_CONTAINER}\s*,?\s*(?:each\s+)?(?:with|of|holding|holds?|held|carrying|carries|carried|containing|contains?|contained|housing|houses?|housed)\s+"
                            rf"(?:(?:up to|about)\s+)?$", re.I)
_COMPOUND_CONTAINER = re.compile(rf"^\s*-?\s*{_DEVICE}\s+{_CONTAINER}\b", re.I)
_DEVICES_PER = re.compile(rf"^\s*{_DEVICE}\s+(?:per|in each|in every|for each|a|an|each)\s+{_CONTAINER}\b", re.I)
_CONTAINERS_AFTER = re.compile(rf"^[^.?!;]{{0,60}}?\b(\d[\d,]*)\s+{_CONTAINER}\b", re.I)


def container_products(text: str, quantities: list[Quantity]) -> list[Quantity]:
    """`quantities` with each count written as machines × accelerators per machine merged into one
    count of accelerators, placed where the accelerators are named (so "GPUs" follows it):
    "256 servers with 8 GPUs each", "256 8-GPU servers", "8 GPUs per server across 256 servers"
    → 2,048, its text "256 × 8". Other quantities are returned unchanged."""
    numbers = [q for q in quantities if q.kind == "number"]
    merged: dict[int, Quantity] = {}
    dropped: set[int] = set()
    for i, q in enumerate(numbers):
        if id(q) in dropped:
            continue
        nxt = numbers[i + 1] if i + 1 < len(numbers) else None
        between = text[q.end: nxt.start] if nxt is not None else ""
        if nxt is not None and (_PER_CONTAINER.match(between) or (not between.strip() and
                                                                   _COMPOUND_CONTAINER.match(text[nxt.end:]))):
            # "256 servers with 8 | GPUs each", "256 | 8-GPU servers": machines first, then devices per machine
            merged[id(nxt)] = Quantity("number", q.value * nxt.value, f"{q.text} × {nxt.text}", nxt.start, nxt.end)
            dropped.add(id(q))
            continue
        per = _DEVICES_PER.match(text[q.end:])
        if per and nxt is not None:
            machines = _CONTAINERS_AFTER.match(text[q.end + per.end():])
            if machines and nxt.start == q.end + per.end() + machines.start(1):
                # "8 GPUs per server across 256 servers": devices per machine first, then machines
                merged[id(q)] = Quantity("number", q.value * nxt.value, f"{nxt.text} × {q.text}", q.start, q.end)
                dropped.add(id(nxt))
    return [merged.get(id(q), q) for q in quantities if id(q) not in dropped]
