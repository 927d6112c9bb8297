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
