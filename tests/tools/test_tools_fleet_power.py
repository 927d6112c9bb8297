"""Fleet compute (EFLOPS, H100-equivalents) and power (accelerators, IT, facility, energy)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.tools.errors import ToolInputError
from assistant.tools.fleet import H100_SXM_TPP, fleet_compute
from assistant.tools.power import accelerators_for_capacity, energy_cost, power_estimate

counts = st.integers(min_value=1, max_value=5_000_000)
pues = st.floats(min_value=1.0, max_value=3.0)


# ---- fleet compute ----


def test_h100_equivalents_of_h100s_are_the_count(catalogue):
    r = fleet_compute(catalogue.get("H100"), 115_000).result
    assert r["h100_equivalents"] == pytest.approx(115_000)
    assert H100_SXM_TPP == 15832


def test_fleet_peak_at_a_precision(catalogue):
    r = fleet_compute(catalogue.get("H100"), 115_000, precision="FP8").result
    assert r["precision"] == "fp8"
    assert r["total_eflops"] == pytest.approx(115_000 * 1979e12 / 1e18)
    assert r["total_flops"] == pytest.approx(115_000 * 1979e12)


def test_gb200_h100_equivalents_by_tpp(catalogue):
    r = fleet_compute(catalogue.get("GB200"), 400_000).result
    assert r["h100_equivalents"] == pytest.approx(400_000 * 40_000 / 15832)


def test_default_precision_is_stated(catalogue):
    out = fleet_compute(catalogue.get("H100"), 10).to_dict()
    assert out["result"]["precision"] == "bf16"
    assert any("No precision was given" in a for a in out["assumptions"])


def test_unknown_or_missing_precision_is_refused(catalogue):
    with pytest.raises(ToolInputError, match="precision"):
        fleet_compute(catalogue.get("H100"), 10, precision="fp6")
    with pytest.raises(ToolInputError, match="precision"):
        fleet_compute(catalogue.get("A100"), 10, precision="fp4")


@given(counts, counts)
def test_fleet_compute_is_monotonic_in_count(catalogue, a, b):
    low, high = sorted((a, b))
    chip = catalogue.get("H100")
    assert fleet_compute(chip, low).result["total_flops"] <= fleet_compute(chip, high).result["total_flops"]


# ---- power ----


def test_115000_h100_accelerators_alone_draw_80_5_mw(catalogue):
    r = power_estimate(catalogue.get("H100"), 115_000).result
    assert r["accelerators_mw"] == pytest.approx(80.5)


def test_it_load_uses_575_w_overhead_plus_10_percent(catalogue):
    out = power_estimate(catalogue.get("H100"), 115_000, pue=1.3).to_dict()
    r = out["result"]
    assert r["per_accelerator_it_w"] == pytest.approx((700 + 575) * 1.1)
    assert r["it_load_mw"] == pytest.approx(115_000 * 1402.5 / 1e6)
    assert r["facility_mw"] == pytest.approx(115_000 * 1402.5 * 1.3 / 1e6)
    assert r["annual_energy_twh"] == pytest.approx(r["facility_mw"] * 8760 / 1e6)
    assert "115,000 × 700 W = 80.5 MW" in out["formula"]
    assert {"datacenter-power-pue", "xinjiang-power-estimates"} <= set(out["sources"])


def test_every_assumption_is_returned(catalogue):
    out = power_estimate(catalogue.get("H100"), 1000, pue=1.2, utilisation=0.6).to_dict()
    text = " ".join(out["assumptions"])
    for needle in ("700 W", "575 W", "10%", "60%", "PUE 1.2"):
        assert needle in text


def test_a_pue_is_also_applied_to_the_accelerators_alone(catalogue):
    # "counting the GPUs only": 4,096 × 400 W × 1.25 = 2.048 MW, next to the estimate with hosts
    out = power_estimate(None, 4096, label="accelerators", tdp_w=400, pue=1.25).to_dict()
    assert out["result"]["accelerators_facility_mw"] == pytest.approx(2.048)
    assert out["result"]["facility_mw"] > out["result"]["accelerators_facility_mw"]
    assert "1.638 MW × PUE 1.25 = 2.048 MW" in out["formula"]


def test_no_pue_means_no_facility_figure(catalogue):
    r = power_estimate(catalogue.get("H100"), 1000).to_dict()
    assert r["result"]["facility_mw"] is None
    assert r["result"]["accelerators_facility_mw"] is None
    assert r["result"]["annual_energy_basis"] == "IT load"
    assert any("No PUE" in a for a in r["assumptions"])


def test_dossier_range_for_10000_h100_at_pue_1_3(catalogue):
    # Dossier item 154 gives 16.6–19.5 MW at PUE 1.3 for 10,000 H100s; the default sits inside.
    assert 16.6 <= power_estimate(catalogue.get("H100"), 10_000, pue=1.3).result["facility_mw"] <= 19.5


def test_overheads_are_configurable(catalogue):
    r = power_estimate(catalogue.get("H100"), 100, overhead_w=0, storage_network_fraction=0).result
    assert r["it_load_mw"] == pytest.approx(r["accelerators_mw"])


def test_electricity_cost(catalogue):
    r = power_estimate(catalogue.get("H100"), 100_000, pue=1.0, usd_per_kwh=0.078).result
    assert r["annual_electricity_usd"] == pytest.approx(r["annual_energy_gwh"] * 1e6 * 0.078)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"count": 0}, "count"),
        ({"count": -5}, "count"),
        ({"count": 2.5}, "count"),
        ({"count": 10**9}, "count"),
        ({"count": 10, "pue": 0.9}, "pue"),
        ({"count": 10, "pue": 12}, "pue"),
        ({"count": 10, "utilisation": 0}, "utilisation"),
        ({"count": 10, "utilisation": 1.2}, "utilisation"),
        ({"count": 10, "utilisation": 40}, "utilisation"),
        ({"count": 10, "overhead_w": -1}, "overhead_w"),
        ({"count": 10, "tdp_w": 500}, "tdp_w"),  # contradicts the catalogue's 700 W
    ],
)
def test_bad_power_inputs_name_the_input(catalogue, kwargs, name):
    with pytest.raises(ToolInputError) as info:
        power_estimate(catalogue.get("H100"), **kwargs)
    assert info.value.input_name == name


def test_a_chip_without_tdp_needs_one():
    with pytest.raises(ToolInputError, match="tdp_w"):
        power_estimate(None, 10, label="mystery")
    assert power_estimate(None, 10, label="mystery", tdp_w=300).result["accelerators_mw"] == pytest.approx(0.003)


@given(counts, counts, pues)
def test_power_is_monotonic_in_count(catalogue, a, b, pue):
    low, high = sorted((a, b))
    chip = catalogue.get("H100")
    for key in ("accelerators_mw", "it_load_mw", "facility_mw", "annual_energy_gwh"):
        assert power_estimate(chip, low, pue=pue).result[key] <= power_estimate(chip, high, pue=pue).result[key]


@given(counts, pues, pues)
def test_power_is_monotonic_in_pue(catalogue, n, p1, p2):
    low, high = sorted((p1, p2))
    chip = catalogue.get("H100")
    a, b = power_estimate(chip, n, pue=low).result, power_estimate(chip, n, pue=high).result
    assert a["facility_mw"] <= b["facility_mw"]
    assert a["accelerators_mw"] == b["accelerators_mw"]


@given(counts, pues)
def test_capacity_is_the_inverse_of_power(catalogue, n, pue):
    chip = catalogue.get("H100")
    facility_w = power_estimate(chip, n, pue=pue).result["facility_mw"] * 1e6
    assert accelerators_for_capacity(chip, facility_w, pue=pue).result["accelerators"] == pytest.approx(n)


def test_equivalent_count_by_tpp(catalogue):
    from assistant.tools.fleet import equivalent_count

    out = equivalent_count(catalogue.get("H100"), catalogue.get("GB200"), 400_000).to_dict()
    assert out["result"]["count"] == pytest.approx(400_000 * 40_000 / 15832)
    assert "400,000 × TPP 40,000 ÷ TPP 15,832" in out["formula"]


def test_a_stated_it_load_at_a_pue_gives_the_facility_energy():
    # 40 MW × 1.3 × 8,760 h = 455.52 GWh; without the PUE it is the IT energy, 350.4 GWh
    assert energy_cost(40e6, pue=1.3).result["annual_energy_gwh"] == pytest.approx(455.52)
    assert energy_cost(40e6).result["annual_energy_gwh"] == pytest.approx(350.4)
    with pytest.raises(ToolInputError) as err:
        energy_cost(40e6, pue=0.8)
    assert err.value.input_name == "pue"
