"""Fleet comparison (count, TPP, TDP, chart) and training compute (6·N·D, days, implied MFU)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.tools.compare import compare
from assistant.tools.errors import ToolInputError
from assistant.tools.training import gpu_time, implied_mfu, training_cost, training_flops, training_time

# ---- comparison ----


def test_115000_h100_vs_400000_gb200(catalogue):
    out = compare(catalogue.get("H100"), 115_000, catalogue.get("GB200"), 400_000).to_dict()
    r = out["result"]
    assert r["ratio_by_count"] == pytest.approx(0.2875)
    assert r["percent_by_count"] == pytest.approx(28.75)
    assert r["ratio_by_compute"] == pytest.approx(115_000 * 15832 / (400_000 * 40_000))  # ≈ 11.4%
    gb200_tdp = catalogue.get("GB200").tdp_w
    assert r["ratio_by_power"] == pytest.approx(115_000 * 700 / (400_000 * gb200_tdp))
    assert "xinjiang-vs-stargate-comparison" in out["sources"]
    assert "115,000 ÷ 400,000 = 28.75%" in out["formula"]


def test_comparison_chart_data(catalogue):
    chart = compare(
        catalogue.get("H100"), 115_000, catalogue.get("GB200"), 400_000, label_a="Xinjiang", label_b="Abilene"
    ).to_dict()["chart"]
    assert set(chart) == {"title", "categories", "series"}
    assert chart["categories"] == ["by count", "by compute (TPP)", "by power (TDP)"]
    assert chart["series"]["Xinjiang"][0] == pytest.approx(28.75)
    assert chart["series"]["Abilene"] == [100, 100, 100]
    assert all(len(v) == len(chart["categories"]) for v in chart["series"].values())


def test_unknown_tdp_leaves_only_that_ratio_empty(catalogue):
    r = compare(catalogue.get("H100"), 10, None, 10, label_b="mystery").to_dict()
    assert r["result"]["ratio_by_count"] == 1
    assert r["result"]["ratio_by_power"] is None and r["result"]["ratio_by_compute"] is None
    assert "b.tdp_w" in r["result"]["missing_inputs"]


@given(st.integers(1, 10**6), st.integers(1, 10**6))
def test_ratios_are_reciprocal(catalogue, a, b):
    h100, gb200 = catalogue.get("H100"), catalogue.get("GB200")
    ab = compare(h100, a, gb200, b).result
    ba = compare(gb200, b, h100, a).result
    for key in ("ratio_by_count", "ratio_by_compute", "ratio_by_power"):
        assert ab[key] * ba[key] == pytest.approx(1.0)


def test_bad_counts_name_the_side(catalogue):
    with pytest.raises(ToolInputError) as info:
        compare(catalogue.get("H100"), 0, catalogue.get("GB200"), 400_000)
    assert info.value.input_name == "a.count"


# ---- training ----


def test_deepseek_v3_training_flops():
    out = training_flops(37e9, 14.8e12).to_dict()
    assert out["result"]["training_flops"] == pytest.approx(6 * 37e9 * 14.8e12)  # 3.29e24
    assert "deepseek-v3-training" in out["sources"]


def test_deepseek_v3_implied_mfu_bf16_and_fp8(catalogue):
    out = implied_mfu(37e9, 14.8e12, catalogue.get("H800"), gpu_hours=2.788e6, usd_per_gpu_hour=2).to_dict()
    r = out["result"]
    achieved = 6 * 37e9 * 14.8e12 / (2.788e6 * 3600)
    assert r["achieved_tflops_per_gpu"] == pytest.approx(achieved / 1e12)  # ≈ 327 TFLOPS
    assert r["mfu_precision"] == "bf16"
    assert r["mfu"] == pytest.approx(achieved / 989e12)  # ≈ 33.1%
    assert r["mfu"] == pytest.approx(0.331, abs=0.001)
    assert r["mfu_by_precision"]["fp8"] == pytest.approx(achieved / 1979e12)  # ≈ 16.5%
    assert r["cost_usd"] == pytest.approx(5.576e6)
    assert "33.1%" in out["formula"] and "16.5%" in out["formula"]


def test_gpu_hours_from_count_and_days(catalogue):
    r = implied_mfu(37e9, 14.8e12, catalogue.get("H800"), count=2048, days=2.788e6 / 2048 / 24).result
    assert r["mfu"] == pytest.approx(0.331, abs=0.001)


def test_contradictory_gpu_hours_are_refused(catalogue):
    with pytest.raises(ToolInputError, match="contradictory"):
        implied_mfu(37e9, 14.8e12, catalogue.get("H800"), gpu_hours=2.788e6, count=2048, days=10)


def test_impossible_mfu_is_refused(catalogue):
    with pytest.raises(ToolInputError, match="gpu_hours"):
        implied_mfu(37e9, 14.8e12, catalogue.get("H800"), gpu_hours=1000)


def test_training_time(catalogue):
    r = training_time(70e9, 15e12, 10_000, catalogue.get("H100"), mfu=0.4).result
    assert r["days"] == pytest.approx(6 * 70e9 * 15e12 / (10_000 * 989e12 * 0.4) / 86400)


@given(st.floats(1e8, 1e13), st.floats(1e9, 1e14), st.integers(1, 100_000), st.floats(0.05, 0.99))  # an MFU of 100% is refused as implausible
def test_implied_mfu_inverts_training_time(catalogue, n, d, count, mfu):
    chip = catalogue.get("H100")
    hours = training_time(n, d, count, chip, mfu=mfu).result["gpu_hours"]
    if hours > 1e10:
        return
    assert implied_mfu(n, d, chip, gpu_hours=hours).result["mfu"] == pytest.approx(mfu)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"mfu": 0}, "mfu"),
        ({"mfu": 1.5}, "mfu"),
        ({"mfu": 40}, "mfu"),
        ({"mfu": 0.4, "count": 0}, "count"),
        ({"mfu": 0.4, "precision": "fp6"}, "precision"),
        ({"mfu": 0.4, "parameters": -1}, "parameters"),
    ],
)
def test_bad_training_inputs_name_the_input(catalogue, kwargs, name):
    args = {"parameters": 70e9, "tokens": 15e12, "count": 1000, **kwargs}
    with pytest.raises(ToolInputError) as info:
        training_time(args.pop("parameters"), args.pop("tokens"), args.pop("count"), catalogue.get("H100"), **args)
    assert info.value.input_name == name


def test_training_cost():
    assert training_cost(2.788e6, 2).result["cost_usd"] == pytest.approx(5.576e6)


@pytest.mark.parametrize("given_, key, expected", [
    ({"gpu_hours": 1.5e6, "count": 1024}, "days", 1.5e6 / 1024 / 24),  # ≈ 61.0 days
    ({"count": 2048, "days": 60}, "gpu_hours", 2048 * 60 * 24),
    ({"gpu_hours": 2.788e6, "days": 57}, "count", 2.788e6 / 57 / 24),
])
def test_gpu_time_gives_the_third_of_hours_gpus_and_days(given_, key, expected):
    result = gpu_time(**given_)
    assert result.result[key] == pytest.approx(expected)
    assert "24 h" in result.formula


@pytest.mark.parametrize("given_", [{"gpu_hours": 1e6}, {"gpu_hours": 1e6, "count": 8, "days": 2}, {}])
def test_gpu_time_needs_exactly_two_inputs(given_):
    with pytest.raises(ToolInputError):
        gpu_time(**given_)


def test_compound_growth_gives_the_annual_rate_or_the_end_value():
    from assistant.tools.compare import compound_growth
    assert compound_growth(130, 4, end=300).result["rate"] == pytest.approx((300 / 130) ** 0.25 - 1)
    assert compound_growth(300, 4, rate=0.25).result["end"] == pytest.approx(300 * 1.25 ** 4)
    with pytest.raises(ToolInputError):
        compound_growth(300, 4, end=400, rate=0.1)
    with pytest.raises(ToolInputError):
        compound_growth(0, 4, end=400)
