"""Input checks shared by the tools, each raising `ToolInputError` that names the input.

The bounds are deliberately wide: they exist to catch typos and unit slips (a count of
-5, a PUE of 0.8, a utilisation of 40 meaning 40%), not to second-guess plausible plans.
"""

from __future__ import annotations

import math

from .errors import ToolInputError

# The world ships a few million AI accelerators a year; a fleet beyond this is a unit slip.
MAX_COUNT = 50_000_000
# Today's hottest accelerator packages draw a few kW; 20 kW per chip is surely a unit slip.
MAX_TDP_W = 20_000.0
# The worst data centres measured run near PUE 2.5-3; above 5 means the input is wrong.
MAX_PUE = 5.0

PRECISION_BITS: dict[str, int] = {"bf16": 16, "fp8": 8, "fp4": 4, "int8": 8}
"""Bit length per precision for TPP = 2 × MacTOPS × bit length (BF16/FP16 share 16 bits)."""

PRECISION_ALIASES: dict[str, str] = {
    "bf16": "bf16",
    "fp16": "bf16",
    "bfloat16": "bf16",
    "float16": "bf16",
    "half": "bf16",
    "16bit": "bf16",
    "fp8": "fp8",
    "float8": "fp8",
    "mxfp8": "fp8",
    "hif8": "fp8",
    "8bit": "fp8",
    "fp4": "fp4",
    "float4": "fp4",
    "mxfp4": "fp4",
    "nvfp4": "fp4",
    "4bit": "fp4",
    "int8": "int8",
    "i8": "int8",
}


def _finite(name: str, value: float | int) -> float:
    """Reject non-numbers, NaN and infinities before any range check."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ToolInputError(name, f"must be a number, got {value!r}")
    if not math.isfinite(float(value)):
        raise ToolInputError(name, f"must be finite, got {value!r}")
    return float(value)


def check_count(value: float | int, name: str = "count", max_count: int = MAX_COUNT) -> int:
    """A count of accelerators: a whole number from 1 to `max_count`."""
    number = _finite(name, value)
    if number <= 0:
        raise ToolInputError(name, f"must be at least 1, got {value!r}")
    if number != int(number):
        raise ToolInputError(name, f"must be a whole number of accelerators, got {value!r}")
    if number > max_count:
        raise ToolInputError(name, f"{int(number):,} is implausibly large (more than {max_count:,}); check the units")
    return int(number)


def check_positive(value: float | int, name: str, maximum: float | None = None) -> float:
    """A strictly positive quantity, optionally with an upper bound that flags unit slips."""
    number = _finite(name, value)
    if number <= 0:
        raise ToolInputError(name, f"must be greater than 0, got {value!r}")
    if maximum is not None and number > maximum:
        raise ToolInputError(name, f"{value!r} is implausibly large (more than {maximum:g}); check the units")
    return number


def check_non_negative(value: float | int, name: str, maximum: float | None = None) -> float:
    """Zero or more (overheads may legitimately be zero)."""
    number = _finite(name, value)
    if number < 0:
        raise ToolInputError(name, f"must not be negative, got {value!r}")
    if maximum is not None and number > maximum:
        raise ToolInputError(name, f"{value!r} is implausibly large (more than {maximum:g}); check the units")
    return number


def check_fraction(value: float | int, name: str) -> float:
    """A share in (0, 1]: utilisation, MFU. 40 (meaning 40%) is rejected rather than reinterpreted."""
    number = _finite(name, value)
    if not 0 < number <= 1:
        hint = " (write 40% as 0.4)" if 1 < number <= 100 else ""
        raise ToolInputError(name, f"must be in (0, 1], got {value!r}{hint}")
    return number


def check_pue(value: float | int, name: str = "pue", maximum: float = MAX_PUE) -> float:
    """Power usage effectiveness: total facility energy ÷ IT energy, so never below 1."""
    number = _finite(name, value)
    if number < 1:
        raise ToolInputError(name, f"PUE is facility energy ÷ IT energy and cannot be below 1, got {value!r}")
    if number > maximum:
        raise ToolInputError(name, f"PUE {value!r} is implausibly high (more than {maximum:g})")
    return number


def check_precision(value: str, name: str = "precision") -> str:
    """Normalise a precision name ('FP16', 'bfloat16', 'FP8') to one of bf16/fp8/fp4/int8."""
    if not isinstance(value, str):
        raise ToolInputError(name, f"must be a string, got {value!r}")
    key = value.strip().lower().replace("-", "").replace("_", "").replace(" ", "")
    if key not in PRECISION_ALIASES:
        raise ToolInputError(name, f"unknown precision {value!r}; use one of {', '.join(PRECISION_BITS)}")
    return PRECISION_ALIASES[key]
