"""Export classification under the October 2022 rule, the October 2023 rule and the January 2026 band."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.tools.errors import ToolInputError
from assistant.tools.export import classify_export, classify_jan_2026, classify_oct_2022, classify_oct_2023

CONTROL_LEVEL = {"not 3A090": 0, "3A090.b": 1, "3A090.a": 2}


# ---- reference chips (real catalogue) ----


def test_h100_sxm_is_3a090a_on_tpp_alone(catalogue):
    r = classify_export(catalogue.get("H100")).result
    assert r["tpp"] == pytest.approx(15832)
    assert r["performance_density"] == pytest.approx(19.4, abs=0.06)
    assert r["oct_2023"]["verdict"] == "3A090.a"
    assert r["oct_2023"]["controlled"] is True
    assert "15,832 ≥ 4,800" in r["oct_2023"]["decided_by"]


def test_a100_is_3a090a_under_the_2023_rule(catalogue):
    r = classify_export(catalogue.get("A100")).result
    assert r["tpp"] == pytest.approx(4992)
    assert r["performance_density"] == pytest.approx(6.04, abs=0.01)
    assert r["oct_2023"]["verdict"] == "3A090.a"


def test_a800_escaped_the_2022_rule_on_interconnect_but_is_controlled_from_november_2023(catalogue):
    a800 = catalogue.get("A800")
    assert a800.interconnect_gbps == pytest.approx(400)
    r = classify_export(a800).result
    assert r["oct_2022"]["verdict"] == "not 3A090"
    assert r["oct_2022"]["controlled"] is False
    assert "400 GB/s < 600 GB/s" in r["oct_2022"]["decided_by"]
    assert r["oct_2023"]["verdict"] == "3A090.a"
    assert "Nov 17, 2023" in r["oct_2023"]["title"]


def test_h20_is_outside_both_3a090a_and_3a090b(catalogue):
    h20 = catalogue.get("H20")
    # The dossier gives the GH100 die (814 mm²) for the H20; supply it if the catalogue leaves it blank.
    area = None if h20.die_area_mm2 else 814
    r = classify_export(h20, die_area_mm2=area).result
    assert r["tpp"] == pytest.approx(2368)
    assert r["performance_density"] == pytest.approx(2.9, abs=0.05)
    assert r["oct_2023"]["verdict"] == "not 3A090"
    assert "not 3A090.a" in r["oct_2023"]["decided_by"] and "not 3A090.b" in r["oct_2023"]["decided_by"]


def test_h20_without_a_die_area_is_undetermined_and_names_the_input(fixture_catalogue):
    r = classify_export(fixture_catalogue.get("H20")).result
    assert r["oct_2023"]["verdict"] == "undetermined"
    assert r["oct_2023"]["controlled"] is None
    assert "die_area_mm2" in r["missing_inputs"]


def test_h200_is_inside_the_january_2026_band(catalogue):
    r = classify_export(catalogue.get("H200")).result
    assert r["jan_2026"]["in_band"] is True
    assert r["jan_2026"]["verdict"] == "inside the case-by-case band"
    assert "15,832 < 21,000" in r["jan_2026"]["decided_by"]


def test_b200_is_outside_the_january_2026_band(catalogue):
    r = classify_export(catalogue.get("B200")).result
    assert r["jan_2026"]["in_band"] is False
    assert "36,000 ≥ 21,000" in r["jan_2026"]["decided_by"]


def test_rule_documents_are_cited(catalogue):
    out = classify_export(catalogue.get("H100")).to_dict()
    for doc in (
        "export-controls-oct-2022-rule",
        "export-controls-oct-2023-rule",
        "bis-jan-2026-case-by-case-rule",
        "tpp-performance-density-explained",
        f"chip-{catalogue.get('H100').id}",
        catalogue.get("H100").doc_id,
    ):
        assert doc in out["sources"]


def test_one_rule_can_be_asked_for(catalogue):
    r = classify_export(catalogue.get("A800"), rules=["oct_2022"]).to_dict()
    assert "oct_2022" in r["result"] and "oct_2023" not in r["result"]
    assert "export-controls-oct-2023-rule" not in r["sources"]
    with pytest.raises(ToolInputError, match="rules"):
        classify_export(catalogue.get("A800"), rules=["oct_2019"])


# ---- thresholds exact at the boundaries ----


@pytest.mark.parametrize(
    "tpp, io, verdict",
    [
        (4800, 600, "3A090.a"),
        (4799.999, 600, "not 3A090"),
        (4800, 599.999, "not 3A090"),
        (100_000, 400, "not 3A090"),
    ],
)
def test_oct_2022_both_prongs_at_the_boundary(tpp, io, verdict):
    assert classify_oct_2022(tpp, io).verdict == verdict


@pytest.mark.parametrize(
    "tpp, pd, verdict",
    [
        (4800, 0.1, "3A090.a"),  # TPP ≥ 4,800 alone
        (4799.999, 0.1, "not 3A090"),
        (1600, 5.92, "3A090.a"),  # TPP ≥ 1,600 and PD ≥ 5.92
        (1600, 5.9199, "3A090.b"),  # falls to the second .b test (PD ≥ 3.2)
        (1599.999, 5.92, "not 3A090"),  # below 1,600 nothing applies
        (2400, 1.6, "3A090.b"),  # first .b test at its floor
        (2399.999, 1.6, "not 3A090"),
        (2400, 1.5999, "not 3A090"),
        (1600, 3.2, "3A090.b"),  # second .b test at its floor
        (1600, 3.1999, "not 3A090"),
    ],
)
def test_oct_2023_thresholds_at_the_boundary(tpp, pd, verdict):
    assert classify_oct_2023(tpp, pd, data_center=True).verdict == verdict


@pytest.mark.parametrize(
    "tpp, pd, verdict", [(4799.999, 10, "not 3A090"), (4800, 10, "3A090.a"), (3000, 4, "not 3A090")]
)
def test_note_2_exempts_non_data_center_chips_below_4800(tpp, pd, verdict):
    v = classify_oct_2023(tpp, pd, data_center=False)
    assert v.verdict == verdict
    if tpp < 4800:
        assert "Note 2" in v.decided_by or "3.2" in v.decided_by


def test_unknown_data_center_use_makes_a_note_2_case_undetermined():
    v = classify_oct_2023(3000, 4, data_center=None)
    assert v.verdict == "undetermined" and "data_center" in v.missing_inputs


@pytest.mark.parametrize(
    "tpp, bw, in_band",
    [
        (20999.999, 6499.999, True),
        (21000, 100, False),
        (100, 6500, False),
        (20999.999, 6500, False),
    ],
)
def test_jan_2026_band_at_the_boundary(tpp, bw, in_band):
    controlled = classify_oct_2023(tpp, 10, data_center=True)
    assert classify_jan_2026(tpp, bw, controlled).in_band is in_band


def test_band_needs_memory_bandwidth_unless_tpp_decides():
    controlled = classify_oct_2023(10_000, 10, True)
    assert classify_jan_2026(10_000, None, controlled).verdict == "undetermined"
    assert classify_jan_2026(30_000, None, controlled).in_band is False


# ---- user-given specs ----


def test_user_specs_with_tpp_and_pd():
    r = classify_export(label="a chip", tpp=4000, performance_density=4, data_center=True).result
    assert r["oct_2023"]["verdict"] == "3A090.b"


def test_contradictory_tpp_is_refused(catalogue):
    with pytest.raises(ToolInputError, match="contradictory"):
        classify_export(catalogue.get("H100"), tpp=4000)


def test_contradictory_pd_is_refused():
    with pytest.raises(ToolInputError, match="performance_density"):
        classify_export(tpp=4000, die_area_mm2=500, performance_density=20)


def test_no_tpp_at_all_is_refused():
    with pytest.raises(ToolInputError, match="tpp"):
        classify_export(label="x", die_area_mm2=500)


# ---- properties ----


def oracle_2023(tpp: float, pd: float) -> str:
    """The rule text, written independently of the implementation (data-center chip)."""
    if tpp >= 4800 or (tpp >= 1600 and pd >= 5.92):
        return "3A090.a"
    if (2400 <= tpp < 4800 and 1.6 <= pd < 5.92) or (tpp >= 1600 and 3.2 <= pd < 5.92):
        return "3A090.b"
    return "not 3A090"


tpps = st.floats(min_value=1, max_value=60_000, allow_nan=False)
pds = st.floats(min_value=0.01, max_value=40, allow_nan=False)


@given(tpps, pds)
def test_oct_2023_matches_the_rule_text(tpp, pd):
    assert classify_oct_2023(tpp, pd, True).verdict == oracle_2023(tpp, pd)


@given(tpps, tpps, pds)
def test_more_tpp_never_loosens_control(t1, t2, pd):
    low, high = sorted((t1, t2))
    assert (
        CONTROL_LEVEL[classify_oct_2023(low, pd, True).verdict]
        <= CONTROL_LEVEL[classify_oct_2023(high, pd, True).verdict]
    )


@given(tpps, pds, pds)
def test_more_density_never_loosens_control(tpp, p1, p2):
    low, high = sorted((p1, p2))
    assert (
        CONTROL_LEVEL[classify_oct_2023(tpp, low, True).verdict]
        <= CONTROL_LEVEL[classify_oct_2023(tpp, high, True).verdict]
    )


@given(tpps, st.floats(min_value=1, max_value=20_000))
def test_jan_2026_band_matches_the_rule_text(tpp, bw):
    controlled = classify_oct_2023(tpp, 10, True)
    v = classify_jan_2026(tpp, bw, controlled)
    assert v.in_band is (tpp < 21_000 and bw < 6_500)
