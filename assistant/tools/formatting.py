"""Number formatting shared by the tools' formula strings and router summaries.

Formulas are read by people checking the arithmetic, so numbers carry thousands
separators and no spurious float noise (15,832 rather than 15832.000000000002).
"""

from __future__ import annotations

import math


def fmt_num(value: float | int, decimals: int = 2) -> str:
    """Format with thousands separators and at most `decimals` decimals, trailing zeros trimmed."""
    if isinstance(value, bool):  # bool is an int; never meant as a number here
        return str(value)
    if not math.isfinite(float(value)):
        return str(value)
    rounded = round(float(value), decimals)
    if rounded == int(rounded):
        return f"{int(rounded):,}"
    text = f"{rounded:,.{decimals}f}".rstrip("0").rstrip(".")
    return text


def fmt_sig(value: float, significant: int = 4) -> str:
    """Format to `significant` significant figures (for values spanning many magnitudes)."""
    if value == 0 or not math.isfinite(value):
        return fmt_num(value)
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(0, significant - 1 - magnitude)
    return fmt_num(value, decimals)


def fmt_pct(fraction: float, decimals: int = 2) -> str:
    """Format a fraction (0.2875) as a percentage string ('28.75%')."""
    return f"{fmt_num(fraction * 100.0, decimals)}%"


def fmt_sci(value: float, significant: int = 4) -> str:
    """Scientific notation with a × 10^n form that reads well in a formula (3.286 × 10^24)."""
    if value == 0 or not math.isfinite(value):
        return fmt_num(value)
    exponent = math.floor(math.log10(abs(value)))
    mantissa = value / 10**exponent
    return f"{fmt_num(mantissa, significant - 1)} × 10^{exponent}"


def clean_float(value: float, significant: int = 12) -> float | int:
    """Round away binary noise for JSON output; integers stay integers so 15832.0 prints as 15832."""
    rounded = float(f"{float(value):.{significant}g}")
    if math.isfinite(rounded) and rounded == int(rounded) and abs(rounded) < 2**53:
        return int(rounded)
    return rounded


def fmt_power(watts: float) -> str:
    """Watts in the unit that keeps the number readable: 700 W, 1.4 kW, 80.5 MW, 1.2 GW."""
    for scale, unit in ((1e9, "GW"), (1e6, "MW"), (1e3, "kW")):
        if abs(watts) >= scale:
            return f"{fmt_sig(watts / scale, 4)} {unit}"
    return f"{fmt_sig(watts, 4)} W"


def fmt_energy(watt_hours: float) -> str:
    """Watt-hours in a readable unit: 12.3 MWh, 1,837 GWh → 1.837 TWh."""
    for scale, unit in ((1e12, "TWh"), (1e9, "GWh"), (1e6, "MWh"), (1e3, "kWh")):
        if abs(watt_hours) >= scale:
            return f"{fmt_sig(watt_hours / scale, 4)} {unit}"
    return f"{fmt_sig(watt_hours, 4)} Wh"


def sentence_case(text: str) -> str:
    """Capitalise a leading lower-case word ('the Xinjiang plan' → 'The ...'), leaving brands such as 'xAI' alone."""
    first = text.split(" ", 1)[0] if text else ""
    if first.isalpha() and first.islower():
        return text[:1].upper() + text[1:]
    return text
