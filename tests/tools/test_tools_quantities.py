"""Quantities in free text become typed values in canonical units."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.tools.errors import ToolInputError
from assistant.tools.quantities import (Quantity, container_products, format_quantity, numerals, parse_quantities,
                                         parse_quantity)


@pytest.mark.parametrize(
    "text, kind, value, role",
    [
        ("115k", "number", 115_000, None),
        ("115,000", "number", 115_000, None),
        ("115 000", "number", 115_000, None),
        ("1.2 million", "number", 1_200_000, None),
        ("1.2 GW", "power", 1.2e9, None),
        ("700 W", "power", 700, None),
        ("700W", "power", 700, None),
        ("80.5 megawatts", "power", 80.5e6, None),
        ("1.59 TWh", "energy", 1.59e12, None),
        ("14.8T tokens", "tokens", 14.8e12, None),
        ("14.8 trillion tokens", "tokens", 14.8e12, None),
        ("37B parameters", "parameters", 37e9, None),
        ("a 70B model", "parameters", 70e9, None),
        ("2.788M GPU-hours", "gpu_hours", 2.788e6, None),
        ("2.788 million H800 GPU hours", "gpu_hours", 2.788e6, None),
        ("a PUE of 1.3", "pue", 1.3, None),
        ("PUE=1.25", "pue", 1.25, None),
        ("40% utilisation", "fraction", 0.4, "utilisation"),
        ("utilization of 40%", "fraction", 0.4, "utilisation"),
        ("MFU of 0.4", "fraction", 0.4, "mfu"),
        ("at 40% MFU", "fraction", 0.4, "mfu"),
        ("$2 per GPU-hour", "usd_per_gpu_hour", 2, None),
        ("US$2/GPU-hour", "usd_per_gpu_hour", 2, None),
        ("US$5.6M", "usd", 5.6e6, None),
        ("$0.078 per kWh", "usd_per_kwh", 0.078, None),
        ("7.8 US cents per kWh", "usd_per_kwh", 0.078, None),
        ("a 70-billion-parameter model", "parameters", 70e9, None),  # a hyphenated scale word
        ("9¢/kWh", "usd_per_kwh", 0.09, None),
        ("memory bandwidth of 4.8 TB/s", "bandwidth", 4800, "memory"),
        ("600 GB/s of NVLink", "bandwidth", 600, "interconnect"),
        ("1,979 TFLOPS of FP8", "flops_rate", 1.979e15, "fp8"),
        ("a die of 814 mm²", "area", 814, None),
        ("a TPP of 4,800", "tpp", 4800, None),
        ("performance density of 5.92", "performance_density", 5.92, None),
        ("57 days", "duration", 57, None),
        ("3.3e24 FLOPs", "flops", 3.3e24, None),
    ],
)
def test_parses_typed_values(text, kind, value, role):
    q = parse_quantity(text)
    assert q.kind == kind
    assert q.value == pytest.approx(value)
    assert q.role == role


def test_identifiers_are_not_numbers():
    assert parse_quantities("ECCN 3A090 covers the 910C on 7nm") == []


def test_a_sentence_yields_quantities_in_order():
    found = parse_quantities("How many megawatts would 115,000 H100s draw at a PUE of 1.3 and 60% utilisation?")
    assert [(q.kind, q.value) for q in found] == [("number", 115_000), ("pue", 1.3), ("fraction", 0.6)]


def test_negative_counts_keep_their_sign():
    assert parse_quantity("-5 GPUs").value == -5


def test_ranges_do_not_become_negative_numbers():
    assert [q.value for q in parse_quantities("PUE 1.2-1.3")] == [1.2, 1.3]


def test_parse_quantity_wants_exactly_one():
    with pytest.raises(ToolInputError):
        parse_quantity("nothing here")
    with pytest.raises(ToolInputError):
        parse_quantity("700 W and 1.2 GW")
    assert parse_quantity("700 W for 14.8T tokens", kind="power").value == 700


def test_unit_is_reported():
    assert parse_quantity("1.2 GW").unit == "W"
    assert parse_quantity("2.788M GPU-hours").unit == "GPU-hours"


# ---- round trips: formatting a quantity and parsing it back gives the same value ----

positive = st.floats(min_value=1e-3, max_value=1e15, allow_nan=False, allow_infinity=False)


@given(
    positive,
    st.sampled_from(
        [
            "power",
            "energy",
            "flops_rate",
            "tokens",
            "parameters",
            "gpu_hours",
            "usd",
            "usd_per_gpu_hour",
            "usd_per_kwh",
            "tpp",
            "area",
            "duration",
            "performance_density",
            "number",
        ]
    ),
)
def test_format_then_parse_round_trips(value, kind):
    q = Quantity(kind, value, "")
    back = parse_quantity(format_quantity(q))
    assert back.kind == kind
    assert back.value == pytest.approx(value, rel=1e-9)


@given(st.floats(min_value=1.0, max_value=5.0))
def test_pue_round_trips(value):
    assert parse_quantity(format_quantity(Quantity("pue", value, ""))).value == pytest.approx(value, rel=1e-9)


@given(st.floats(min_value=0.001, max_value=1.0), st.sampled_from(["mfu", "utilisation"]))
def test_fractions_round_trip_with_their_role(value, role):
    back = parse_quantity(format_quantity(Quantity("fraction", value, "", role=role)))
    assert back.role == role and back.value == pytest.approx(value, rel=1e-9)


@given(st.floats(min_value=1.0, max_value=20_000.0), st.sampled_from(["memory", "interconnect"]))
def test_bandwidth_round_trips_with_its_role(value, role):
    back = parse_quantity(format_quantity(Quantity("bandwidth", value, "", role=role)))
    assert back.role == role and back.value == pytest.approx(value, rel=1e-9)


@given(st.integers(min_value=1, max_value=10**9))
def test_counts_written_with_separators_or_suffixes_agree(n):
    assert parse_quantity(f"{n:,}").value == n
    assert parse_quantity(f"{n:,}".replace(",", " ")).value == n
    if n % 1000 == 0:
        assert parse_quantity(f"{n // 1000}k").value == n


def test_french_decimal_comma_is_a_decimal_point():
    from assistant.tools.quantities import parse_quantities

    values = [q.value for q in parse_quantities("115 000 H100 avec un PUE de 1,3")]
    assert 1.3 in values and 115000 in values


# ---- spelled numbers and counts written as products ----

@pytest.mark.parametrize("text, expected", [
    ("256 servers with eight GPUs each", "256 servers with 8 GPUs each"),
    ("twenty-four GPUs", "24 GPUs"),
    ("an eight-GPU server", "an 8-GPU server"),
    # a scale word after digits is the quantity parser's: never a second number
    ("1.5 million GPU-hours", "1.5 million GPU-hours"),
    ("US$2.5 billion", "US$2.5 billion"),
    # an isolated "one" or "two" names no count
    ("one of the two rules", "one of the two rules"),
])
def test_spelled_numbers_become_digits(text, expected):
    assert numerals(text) == expected


@pytest.mark.parametrize("text, value, basis", [
    ("256 servers with 8 GPUs each, every GPU at 1,200 W", 2048, "256 × 8"),
    ("72 nodes of 4 accelerators", 288, "72 × 4"),
    ("10 racks, each with 72 GPUs", 720, "10 × 72"),
    ("256 8-GPU servers", 2048, "256 × 8"),
    ("8 GPUs per server across 512 servers", 4096, "512 × 8"),
])
def test_machines_times_accelerators_per_machine_is_one_count(text, value, basis):
    counts = [q for q in container_products(text, parse_quantities(text)) if q.kind == "number"]
    assert [(q.value, q.text) for q in counts] == [(value, basis)]
    # the merged count sits where the accelerators are named, so the device word follows it
    assert text[counts[0].end:].lstrip(" -").lower().startswith(("gpu", "accelerator"))


def test_counts_of_unrelated_things_are_not_multiplied():
    text = "In 2025 300 servers were shipped and 4 GPUs were bought"
    assert [q.value for q in container_products(text, parse_quantities(text))] == [2025, 300, 4]
