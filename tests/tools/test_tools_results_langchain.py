"""Every tool returns the same JSON-ready shape; each is also a LangChain StructuredTool."""

from __future__ import annotations

import json

import pytest
from langchain_core.tools import StructuredTool

from assistant.tools import (
    classify_export,
    compare,
    compute_tpp,
    fleet_compute,
    implied_mfu,
    power_estimate,
    training_flops,
    training_time,
)
from assistant.tools.langchain import build_tools

REQUIRED_KEYS = {"inputs", "formula", "result", "assumptions", "sources"}


def all_results(catalogue):
    h100, gb200, h800 = catalogue.get("H100"), catalogue.get("GB200"), catalogue.get("H800")
    return {
        "tpp": compute_tpp(h100),
        "export": classify_export(h100),
        "fleet": fleet_compute(h100, 1000),
        "power": power_estimate(h100, 1000, pue=1.3),
        "compare": compare(h100, 115_000, gb200, 400_000),
        "flops": training_flops(37e9, 14.8e12),
        "time": training_time(70e9, 15e12, 1000, h100, mfu=0.4),
        "mfu": implied_mfu(37e9, 14.8e12, h800, gpu_hours=2.788e6),
    }


def test_every_tool_returns_the_shared_json_shape(catalogue):
    for name, result in all_results(catalogue).items():
        data = result.to_dict()
        assert REQUIRED_KEYS <= set(data), name
        assert isinstance(data["formula"], str) and "=" in data["formula"], name
        assert isinstance(data["assumptions"], list) and data["assumptions"], name
        assert data["sources"] and all(isinstance(s, str) for s in data["sources"]), name
        json.dumps(data, allow_nan=False)  # strict JSON: no NaN, no objects


def test_only_comparisons_carry_a_chart(catalogue):
    for name, result in all_results(catalogue).items():
        assert ("chart" in result.to_dict()) is (name == "compare")


def test_formulas_show_the_numbers_substituted(catalogue):
    data = power_estimate(catalogue.get("H100"), 115_000, pue=1.3).to_dict()
    assert "115,000 × 700 W = 80.5 MW" in data["formula"]
    assert "PUE 1.3" in data["formula"]


@pytest.fixture(scope="module")
def tools(catalogue):
    return {t.name: t for t in build_tools(catalogue)}


def test_each_tool_is_a_structured_tool_with_a_pydantic_schema(tools):
    assert {
        "tpp",
        "export_classification",
        "fleet_compute",
        "power",
        "compare_fleets",
        "training_compute",
        "training_time",
        "implied_mfu",
        "parse_quantities",
        "screen_chips",
    } <= set(tools)
    for tool in tools.values():
        assert isinstance(tool, StructuredTool)
        assert tool.args_schema is not None and tool.description


def test_invoke_returns_the_tool_dict(tools):
    assert tools["tpp"].invoke({"chip": "h100 sxm"})["result"]["tpp"] == pytest.approx(15832)
    power = tools["power"].invoke({"chip": "H100", "count": 115_000})
    assert power["result"]["accelerators_mw"] == pytest.approx(80.5)
    cmp = tools["compare_fleets"].invoke({"chip_a": "H100", "count_a": 115_000, "chip_b": "GB200", "count_b": 400_000})
    assert cmp["result"]["percent_by_count"] == pytest.approx(28.75)
    assert set(cmp["chart"]) == {"title", "categories", "series"}
    screened = tools["screen_chips"].invoke({"attribute": "tpp", "op": "ge", "threshold": 4800, "country": "CN"})
    assert "Biren BR100" in [m["chip"] for m in screened["result"]["matches"]]
    verdict = tools["export_classification"].invoke({"chip": "B200"})
    assert verdict["result"]["jan_2026"]["in_band"] is False
    mfu = tools["implied_mfu"].invoke({"parameters": 37e9, "tokens": 14.8e12, "chip": "H800", "gpu_hours": 2.788e6})
    assert mfu["result"]["mfu"] == pytest.approx(0.331, abs=0.001)
    parsed = tools["parse_quantities"].invoke({"text": "1.2 GW at a PUE of 1.3"})
    assert [q["kind"] for q in parsed["result"]["quantities"]] == ["power", "pue"]


def test_bad_input_comes_back_as_a_message_naming_the_input(tools):
    assert "count" in tools["power"].invoke({"chip": "H100", "count": -3})
    assert "pue" in tools["power"].invoke({"chip": "H100", "count": 3, "pue": 0.5})
    message = tools["tpp"].invoke({"chip": "H999"})
    assert isinstance(message, str) and "unknown chip" in message


def test_errors_can_raise_instead(catalogue):
    from langchain_core.tools import ToolException

    strict = {t.name: t for t in build_tools(catalogue, handle_errors=False)}
    with pytest.raises(ToolException):
        strict["power"].invoke({"chip": "H100", "count": 0})
