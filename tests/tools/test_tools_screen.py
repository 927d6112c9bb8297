"""Screening the catalogue: every chip in scope is tested against the threshold, none is guessed."""

from __future__ import annotations

import pytest

from assistant.tools.errors import ToolInputError
from assistant.tools.screen import screen_chips

COUNTRIES = {"Nvidia": "US", "Huawei": "CN", "Biren": "CN", "Cambricon": "CN", "Moore Threads": "CN"}


def names(result):
    return [m["chip"] for m in result.result["matches"]]


def test_chinese_chips_at_or_above_the_4800_tpp_line(catalogue):
    result = screen_chips(catalogue, "tpp", "ge", 4800, countries=COUNTRIES, country="CN")
    assert {"Ascend 910B", "Ascend 910C", "Biren BR100"} <= set(names(result))
    # 280.8 dense BF16 TFLOPS × 16 = 4,493 and 4,096 fall short; no Nvidia chip is in scope
    assert not {"Cambricon Siyuan 590", "Ascend 910", "Cambricon MLU290-M5"} & set(names(result))
    assert not any(m["chip"].startswith(("H100", "A100")) for m in result.result["matches"])
    values = [m["value"] for m in result.result["matches"]]
    assert values == sorted(values, reverse=True)


def test_a_chip_without_the_figure_is_reported_untested_not_dropped(catalogue):
    result = screen_chips(catalogue, "tdp_w", "lt", 500, vendor="Nvidia")
    assert "H20" in names(result) and "H100 SXM5" not in names(result)
    assert result.result["untested"]  # rows whose TDP the catalogue leaves blank
    assert result.result["screened"] == len([c for c in catalogue if c.vendor == "Nvidia"])


def test_unknown_attributes_and_empty_scopes_are_refused(catalogue):
    with pytest.raises(ToolInputError, match="cannot screen on"):
        screen_chips(catalogue, "colour", "ge", 1)
    with pytest.raises(ToolInputError, match="no catalogue chip is by Intel"):
        screen_chips(catalogue, "tpp", "ge", 1, vendor="Intel")


def test_a_launch_is_screened_by_the_first_year_the_catalogue_dates_it(catalogue):
    result = screen_chips(catalogue, "launch_year", "lt", 2021)
    assert set(names(result)) == {"Ascend 910", "A100 SXM4 80GB", "A100 PCIe"}
    assert "before 2021" in result.formula
    assert all(m["shown"].startswith(("2019", "2020")) for m in result.result["matches"])  # dated, never "2,020"


def test_a_process_node_is_read_in_nanometres_and_a_product_name_gives_none(catalogue):
    result = screen_chips(catalogue, "process_nm", "eq", 7)
    assert {"Ascend 910", "Ascend 910B", "Ascend 910C", "Biren BR100"} <= set(names(result))
    assert "Ascend 920" not in names(result)  # 6 nm
    assert "H100 SXM5" in result.result["untested"]  # "TSMC 4N" names a process, not a size


def test_presence_lists_every_chip_with_the_figure_recorded(catalogue):
    result = screen_chips(catalogue, "fp4_tflops", "present")
    recorded = {c.name for c in catalogue if c.fp4_tflops is not None}
    assert recorded and set(names(result)) == recorded


def test_a_rank_keeps_every_chip_tied_for_first_within_the_scope(catalogue):
    result = screen_chips(catalogue, "memory_gb", "max", vendor="Huawei")
    best = max(c.memory_gb for c in catalogue if c.vendor == "Huawei" and c.memory_gb)
    assert set(names(result)) == {c.name for c in catalogue if c.vendor == "Huawei" and c.memory_gb == best}
    tied = screen_chips(catalogue, "memory_gb", "max")  # B300, GB300 and Ascend 960 all carry 288 GB
    assert len(names(tied)) >= 2 and len({m["value"] for m in tied.result["matches"]}) == 1
    assert not any(m["chip"].startswith(("B3", "GB3")) for m in result.result["matches"])  # Nvidia out of scope
    low = screen_chips(catalogue, "tdp_w", "min", vendor="Nvidia")
    assert low.result["matches"][0]["value"] == min(c.tdp_w for c in catalogue if c.vendor == "Nvidia" and c.tdp_w)


def test_a_threshold_test_without_a_threshold_and_a_rank_with_one_are_refused(catalogue):
    with pytest.raises(ToolInputError, match="give the threshold"):
        screen_chips(catalogue, "tdp_w", "ge")
    with pytest.raises(ToolInputError, match="takes no threshold"):
        screen_chips(catalogue, "tdp_w", "max", 5)
