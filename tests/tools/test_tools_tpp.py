"""TPP = 2 × MacTOPS × bit length (dense, max over precisions); PD = TPP ÷ die area."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.tools.errors import ToolInputError
from assistant.tools.tpp import compute_tpp


def test_h100_sxm_tpp_is_15832_from_fp8_and_pd_about_19_4(catalogue):
    out = compute_tpp(catalogue.get("H100")).to_dict()
    assert out["result"]["tpp"] == pytest.approx(15832)
    assert out["result"]["tpp_precision"] in {"fp8", "int8"}
    assert out["result"]["performance_density"] == pytest.approx(19.4, abs=0.06)
    assert "15,832" in out["formula"] and "814" in out["formula"]
    assert "tpp-performance-density-explained" in out["sources"]
    assert "chip-" + catalogue.get("H100").id in out["sources"]


def test_a100_tpp_is_4992_and_pd_about_6_04(catalogue):
    r = compute_tpp(catalogue.get("A100")).result
    assert r["tpp"] == pytest.approx(4992)
    assert r["performance_density"] == pytest.approx(6.04, abs=0.01)


@pytest.mark.parametrize(
    "chip, tpp", [("H20", 2368), ("H200", 15832), ("H800", 15832), ("B200", 36000), ("GB200", 40000)]
)
def test_reference_tpps(catalogue, chip, tpp):
    assert compute_tpp(catalogue.get(chip)).result["tpp"] == pytest.approx(tpp)


def test_ascend_910c_tpp_is_in_the_published_range(catalogue):
    # IFP gives 12,032 (752 × 16), Epoch 12,800 (800 × 16); the catalogue picks one.
    assert 12032 <= compute_tpp(catalogue.get("Ascend 910C")).result["tpp"] <= 12800


def test_ascend_910b_tpp_is_in_the_published_range(catalogue):
    # Bernstein 5,120 (320 × 16) to Epoch 6,016 (376 × 16).
    assert 5120 <= compute_tpp(catalogue.get("910B")).result["tpp"] <= 6016


def test_the_maximum_precision_decides():
    r = compute_tpp(label="test", bf16_tflops=100, fp8_tflops=300, int8_tops=250).result
    assert r["tpp"] == 2400 and r["tpp_precision"] == "fp8"
    assert r["tpp_by_precision"] == {"bf16": 1600, "fp8": 2400, "int8": 2000}


def test_bis_worked_example_600_int8_tops_or_300_bf16_tflops_is_4800():
    assert compute_tpp(int8_tops=600).result["tpp"] == 4800
    assert compute_tpp(bf16_tflops=300).result["tpp"] == 4800
    assert compute_tpp(fp4_tflops=1200).result["tpp"] == 4800


def test_missing_die_area_says_pd_cannot_be_computed_and_what_to_supply():
    r = compute_tpp(label="mystery chip", bf16_tflops=752).to_dict()
    assert r["result"]["tpp"] == 12032
    assert r["result"]["performance_density"] is None
    assert r["result"]["missing_inputs"] == ["die_area_mm2"]
    assert "die_area_mm2" in r["result"]["pd_status"] and "cannot be computed" in r["result"]["pd_status"]


def test_user_die_area_fills_a_catalogue_gap(fixture_catalogue):
    r = compute_tpp(fixture_catalogue.get("H20"), die_area_mm2=814).result
    assert r["performance_density"] == pytest.approx(2368 / 814)


def test_contradicting_the_catalogue_is_refused(catalogue):
    with pytest.raises(ToolInputError, match="contradictory"):
        compute_tpp(catalogue.get("H100"), fp8_tflops=1000)


def test_no_throughput_at_all_names_the_inputs():
    with pytest.raises(ToolInputError, match="bf16_tflops"):
        compute_tpp(label="blank", die_area_mm2=500)


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf")])
def test_bad_throughput_is_refused(bad):
    with pytest.raises(ToolInputError, match="bf16_tflops"):
        compute_tpp(bf16_tflops=bad)


@given(st.floats(1, 50_000), st.floats(1, 50_000), st.floats(50, 2_000))
def test_tpp_is_the_max_of_throughput_times_bits(bf16, fp8, area):
    r = compute_tpp(bf16_tflops=bf16, fp8_tflops=fp8, die_area_mm2=area).result
    expected = max(bf16 * 16, fp8 * 8)
    assert r["tpp"] == pytest.approx(expected)
    assert r["performance_density"] == pytest.approx(expected / area)
