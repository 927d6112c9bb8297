"""The deterministic router: given the tool family the plan chose, what each tool computes from the
question's slots (chips, counts, quantities, named fleets), and the errors that name a missing input.
Which family a question asks for is the plan stage's decision: see tests/pipeline/test_plan.py."""

from __future__ import annotations

import json
import re

import pytest

from assistant.tools.router import ToolOutcome, find_chip_mentions, route
from assistant.types import ToolCall


# the family each tool belongs to
FAMILY_OF = {"export_classification": "export", "tpp": "tpp", "compare_fleets": "compare", "equivalent_count": "compare",
             "fleet_compute": "fleet", "power": "power", "accelerators_for_capacity": "power",
             "implied_mfu": "training", "training_time": "training", "training_compute": "training",
             "training_cost": "training", "gpu_time": "training", "purchase_count": "training", "share_of": "compare", "convert_currency": "compare", "figure_ratio": "compare", "screen_chips": "screen", "energy_cost": "power"}


def one(question, catalogue, name=None, family=None):
    families = {family or FAMILY_OF[name]}
    outcomes = route(question, catalogue, families)
    assert outcomes, f"no tool ran for {question!r}"
    if name:
        outcomes = [o for o in outcomes if o.name == name]
        assert outcomes, f"{name} did not run for {question!r}: {route(question, catalogue, families)}"
    return outcomes[0]


def computed(question, catalogue, name=None, family=None) -> ToolOutcome:
    outcome = one(question, catalogue, name, family)
    assert outcome.error is None, outcome.error
    return outcome


# ---- the four example questions ----


def test_is_the_h20_controlled(catalogue):
    o = one("Is the H20 controlled?", catalogue, "export_classification")
    r = o.result["result"]
    assert r["tpp"] == pytest.approx(2368)
    assert r["oct_2022"]["verdict"] == "not 3A090"
    if catalogue.get("H20").die_area_mm2:
        assert o.error is None
        assert r["oct_2023"]["verdict"] == "not 3A090"
        assert o.summary.startswith("Under the October 2023 rule, the H20")
        assert "not caught by 3A090" in o.summary
    else:  # never guessed: the outcome names the missing input
        assert "die_area_mm2" in o.error
    assert "export-controls-oct-2023-rule" in o.sources


def test_is_the_h20_controlled_with_the_die_area_supplied(catalogue):
    o = computed("Is the H20 controlled if its die is 814 mm²?", catalogue, "export_classification")
    assert o.result["result"]["oct_2023"]["verdict"] == "not 3A090"
    assert o.result["result"]["performance_density"] == pytest.approx(2.91, abs=0.01)


def test_what_is_the_tpp_of_an_ascend_910c(catalogue):
    o = computed("What is the TPP of an Ascend 910C?", catalogue, "tpp")
    tpp = o.result["result"]["tpp"]
    assert 12032 <= tpp <= 12800
    assert o.summary.startswith(f"The {catalogue.get('910C').name} has a TPP of {tpp:,.0f}")
    assert "chip-" + catalogue.get("910C").id in o.sources


def test_megawatts_for_115000_h100_at_pue_1_3(catalogue):
    o = computed("How many megawatts would 115,000 H100s draw at a PUE of 1.3?", catalogue, "power")
    r = o.result["result"]
    assert o.arguments["count"] == 115_000 and o.arguments["pue"] == 1.3
    assert r["accelerators_mw"] == pytest.approx(80.5)
    assert r["facility_mw"] == pytest.approx(115_000 * (700 + 575) * 1.1 * 1.3 / 1e6)
    assert o.summary.startswith("115,000 H100")
    assert "209.7 MW" in o.summary and "80.5 MW" in o.summary and "PUE of 1.3" in o.summary
    assert {"datacenter-power-pue", "xinjiang-power-estimates"} <= set(o.sources)


def test_share_of_stargates_compute_for_the_xinjiang_chips(catalogue):
    o = computed("What share of Stargate's compute would the Xinjiang chips be?", catalogue, "compare_fleets")
    r = o.result["result"]
    assert r["a"]["count"] == 115_000 and r["b"]["count"] == 400_000  # Xinjiang is the part, Stargate the whole
    assert r["percent_by_count"] == pytest.approx(28.75)
    assert r["ratio_by_compute"] == pytest.approx(115_000 * 15832 / (400_000 * 40_000))
    assert re.match(r"The Xinjiang.* is 11\.38% of Stargate", o.summary)
    assert "28.75%" in o.summary
    for doc in ("xinjiang-vs-stargate-comparison", "xinjiang-qinghai-39-projects", "stargate-abilene"):
        assert doc in o.sources
    assert o.result["chart"]["categories"] == ["by count", "by compute (TPP)", "by power (TDP)"]


@pytest.mark.parametrize("question, difference", [
    ("Which draws more power, the H100 or the H20, and by how much?", "a difference of 300 W"),
    ("How much more TPP does the H100 have than the H20?", "a difference of 13,464 TPP"),
])
def test_a_comparison_asked_by_how_much_states_the_difference_too(catalogue, question, difference):
    o = computed(question, catalogue, "compare_fleets")
    assert difference in o.summary


def test_a_comparison_asked_without_a_margin_states_no_difference(catalogue):
    assert "difference" not in computed("Which draws more power, the H100 or the H20?", catalogue,
                                        "compare_fleets").summary


# ---- more phrasings that must route and compute ----

ROUTED = [
    (
        "Was the A800 legal to export to China in 2022?",
        "export_classification",
        lambda r: r["oct_2022"]["verdict"] == "not 3A090" and r["oct_2023"]["verdict"] == "3A090.a",
    ),
    (
        "Does the H200 qualify for case-by-case licensing under the January 2026 rule?",
        "export_classification",
        lambda r: r["jan_2026"]["in_band"] is True,
    ),
    (
        "Can Nvidia sell the B200 to China under the 2026 policy?",
        "export_classification",
        lambda r: r["jan_2026"]["in_band"] is False,
    ),
    ("Is the A100 covered by 3A090?", "export_classification", lambda r: r["oct_2023"]["verdict"] == "3A090.a"),
    ("Calculate the performance density of the A100.", "tpp", lambda r: abs(r["performance_density"] - 6.04) < 0.01),
    ("H100 TPP?", "tpp", lambda r: r["tpp"] == 15832),
    ("what's the total processing performance of the gb200", "tpp", lambda r: r["tpp"] == 40000),
    (
        "Is the Ascend 910B more powerful than the H20?",
        "compare_fleets",
        lambda r: r["ratio_by_compute"] > 2 and r["a"]["count"] == 1,
    ),
    (
        "115k H100 vs 400k GB200 — what's the ratio?",
        "compare_fleets",
        lambda r: abs(r["ratio_by_count"] - 0.2875) < 1e-9,
    ),
    (
        "What fraction of 400,000 GB200s is 115,000 H100s?",
        "compare_fleets",
        lambda r: abs(r["ratio_by_count"] - 0.2875) < 1e-9,
    ),
    (
        "How many times more compute does Stargate have than the Xinjiang chips?",
        "compare_fleets",
        lambda r: r["ratio_by_compute"] > 8,
    ),
    (
        "How many exaflops of FP8 would 115,000 H100s provide?",
        "fleet_compute",
        lambda r: r["precision"] == "fp8" and abs(r["total_eflops"] - 227.585) < 0.01,
    ),
    (
        "How many H100-equivalents are 400,000 GB200s?",
        "fleet_compute",
        lambda r: abs(r["h100_equivalents"] - 400_000 * 40_000 / 15832) < 1,
    ),
    ("What is the facility power of 10,000 H100s at PUE 1.2?", "power", lambda r: r["facility_mw"] is not None),
    (
        "How much electricity would 115,000 H100 GPUs use in a year at 70% utilisation?",
        "power",
        lambda r: r["annual_energy_gwh"] > 0,
    ),
    ("How much power would Stargate's chips draw at a PUE of 1.2?", "power", lambda r: r["count"] == 400_000),
    ("How much power would the Yiwu compound's GPUs draw?", "power", lambda r: r["count"] == 80_500),
    ("How much power does a single H100 draw?", "power", lambda r: r["count"] == 1),
    (
        "How many GB200s can a 1.2 GW site power at a PUE of 1.2?",
        "accelerators_for_capacity",
        lambda r: 100_000 < r["accelerators"] < 1_000_000,
    ),
    ("What MFU did DeepSeek-V3 achieve on its H800s?", "implied_mfu", lambda r: abs(r["mfu"] - 0.331) < 0.001),
    (
        "How much did DeepSeek V3 cost to train at $2 per GPU-hour?",
        "implied_mfu",
        lambda r: abs(r["cost_usd"] - 5.576e6) < 1,
    ),
    (
        "How many days would 2,048 H800s need to train a 37B-parameter model on 14.8T tokens at 33% MFU?",
        "training_time",
        lambda r: 50 < r["days"] < 60,
    ),
    (
        "How many FLOPs does it take to train a 70B model on 15T tokens?",
        "training_compute",
        lambda r: r["training_flops"] == pytest.approx(6.3e24),
    ),
    ("What would 2.788M GPU-hours cost at $2 per GPU-hour?", "training_cost", lambda r: r["cost_usd"] == 5.576e6),
    (
        "Would a data-center chip with a TPP of 4,000 and a performance density of 4 need a licence?",
        "export_classification",
        lambda r: r["oct_2023"]["verdict"] == "3A090.b",
    ),
    (
        "Is a gaming GPU with a TPP of 4,000 and PD of 6 covered by 3A090?",
        "export_classification",
        lambda r: r["oct_2023"]["verdict"] == "not 3A090" and "Note 2" in r["oct_2023"]["decided_by"],
    ),
    ("What is the TPP of a chip with 1,000 dense FP8 TFLOPS?", "tpp", lambda r: r["tpp"] == 8000),
    (
        "Does a chip with 1,000 dense FP8 TFLOPS and 800 mm² of die need a licence?",
        "export_classification",
        lambda r: r["oct_2023"]["verdict"] == "3A090.a" and r["performance_density"] == 10,
    ),
    (
        "How many H100s would it take to match Stargate's compute?",
        "equivalent_count",
        lambda r: round(r["count"]) == round(400_000 * 40_000 / 15832),
    ),
    ("How many Ascend 910Cs would equal 115,000 H100s?", "equivalent_count", lambda r: 140_000 < r["count"] < 152_000),
    (
        "How long did DeepSeek-V3 take to train on 2,048 H800s?",
        "implied_mfu",
        lambda r: abs(r["wall_clock_days"] - 2.788e6 / 2048 / 24) < 0.01,
    ),
    ("How much compute did DeepSeek-V3 use?", "implied_mfu", lambda r: r["training_flops"] == pytest.approx(3.2856e24)),
    ("What is the energy use of Colossus at a PUE of 1.3?", "power", lambda r: r["count"] == 100_000),
]


@pytest.mark.parametrize("question, name, check", ROUTED, ids=[q for q, _, _ in ROUTED])
def test_phrasings_route_and_compute(catalogue, question, name, check):
    o = computed(question, catalogue, name)
    assert check(o.result["result"]), o.result["result"]


# ---- missing or bad input: an error that says what to supply, never a guess ----

ERRORS = [
    ("Is the H300 controlled?", "export_classification", "unknown chip 'H300'"),
    ("How much power would the H100s draw?", "power", "count"),
    ("How much power would 115,000 H100s draw at a PUE of 0.8?", "power", "pue"),
    ("How long would 10,000 H100s take to train a 70B model on 15T tokens?", "training_time", "mfu"),
    ("How many megawatts would 0 H100s draw?", "power", "count"),
    ("How many megawatts would -20 H100s draw?", "power", "count"),
    ("How many megawatts would 900 billion H100s draw?", "power", "count"),
    ("How much power would 115,000 H100s draw at a PUE of 1.2 and a PUE of 1.5?", "power", "contradictory"),
    ("How much energy would 1,000 H100s use at 140% utilisation?", "power", "utilisation"),
    ("How much compute is 115,000 H100s at FP6?", "fleet_compute", "precision"),
    ("What is the performance density of the Ascend 910C?", "tpp", "die_area_mm2"),
    ("What percentage of Stargate's 400,000 GB200s is 115,000?", "compare_fleets", "no accelerator is named"),
]


@pytest.mark.parametrize("question, name, needle", ERRORS, ids=[q for q, _, _ in ERRORS])
def test_missing_or_bad_inputs_become_error_outcomes(catalogue, question, name, needle):
    if "910C" in question and catalogue.get("910C").die_area_mm2:
        pytest.fail("fixture assumption: the catalogue has no 910C die area (dossier: not published)")
    o = one(question, catalogue, name)
    assert o.error and needle in o.error
    assert o.summary.startswith("Not computed") or o.result


def test_unknown_chip_error_suggests_catalogue_names(catalogue):
    o = one("Is the H300 controlled?", catalogue, family="export")
    assert "Closest catalogue names" in o.error


# ---- the router runs only what it is given ----


def test_no_family_runs_no_tool(catalogue):
    assert route("How much power would 115,000 H100s draw?", catalogue, ()) == []


def test_unknown_family_is_refused(catalogue):
    with pytest.raises(ValueError, match="unknown tool families"):
        route("Is the H20 controlled?", catalogue, {"weather"})


# ---- shape of outcomes ----


def test_outcome_fields_and_json(catalogue):
    o = computed("How many megawatts would 115,000 H100s draw at a PUE of 1.3?", catalogue, family="power")
    assert set(vars(o)) == {"name", "arguments", "result", "summary", "sources", "error"}
    json.dumps({"arguments": o.arguments, "result": o.result}, allow_nan=False)
    call = o.to_tool_call()
    assert isinstance(call, ToolCall) and call.result["formula"] == o.result["formula"]
    assert {"inputs", "formula", "result", "assumptions", "sources"} <= set(o.result)


@pytest.mark.parametrize("question, name", [(q, n) for q, n, _ in ROUTED[:12]])
def test_summaries_are_plain_sentences_without_citation_markers(catalogue, question, name):
    summary = computed(question, catalogue, name).summary
    assert (summary[0].isupper() or summary[0].isdigit()) and summary.endswith(".")
    assert not re.search(r"\[\d+\]", summary)
    assert len(re.findall(r"[.!?](?:\s|$)", summary)) <= 3


def test_chip_mentions_do_not_fire_on_ordinary_words(catalogue):
    assert find_chip_mentions("a 100 MW plant in Yiwu", catalogue) == []
    names = [m.chip.id for m in find_chip_mentions("H100s, h20's and the Ascend 910C", catalogue)]
    assert names == [catalogue.get("H100").id, catalogue.get("H20").id, catalogue.get("910C").id]


def test_named_fleets_are_only_used_when_named(catalogue):
    o = computed("How much power would 10,000 H100s draw at a PUE of 1.2?", catalogue, family="power")
    assert o.result["result"]["count"] == 10_000
    assert "xinjiang-qinghai-39-projects" not in o.sources


def test_named_defaults_each_carry_a_source(named_defaults, catalogue):
    assert named_defaults.fleets and named_defaults.runs
    for fleet in named_defaults.fleets:
        assert fleet.doc_id and fleet.count > 0
        catalogue.get(fleet.chip)  # every default chip exists in the real catalogue
    for run in named_defaults.runs:
        assert run.doc_id == "deepseek-v3-training"
        catalogue.get(run.chip)


def test_bare_numbers_are_counts_not_numeric_chip_aliases(catalogue):
    o = computed("How much power would 970 H100s draw?", catalogue, "power")
    assert o.result["result"]["count"] == 970
    o = computed(
        "Is a data-center chip with a TPP of 4,000, memory bandwidth of 960 GB/s and PD 4 controlled?",
        catalogue,
        "export_classification",
    )
    assert o.result["result"]["oct_2023"]["verdict"] == "3A090.b"
    assert o.result["result"]["memory_bw_gbps"] == 960


def test_gaming_cards_from_the_catalogue(catalogue):
    # The RTX 4090D sits under 4,800 and is not a data-center part (Note 2); the RTX 4090 is above 4,800.
    d = computed("Is the RTX 4090D controlled?", catalogue, family="export").result["result"]
    assert d["oct_2023"]["verdict"] == "not 3A090" and "Note 2" in d["oct_2023"]["decided_by"]
    full = computed("Is the RTX 4090 controlled?", catalogue, family="export").result["result"]
    assert full["oct_2023"]["verdict"] == "3A090.a"


def test_one_chip_against_one_states_watts_not_rounded_megawatts(catalogue):
    outcome = computed("Which draws more power, the Biren BR100 or the Moore Threads MTT S4000?", catalogue,
                       "compare_fleets")
    assert "550 W vs 450 W" in outcome.summary and "0 vs 0 MW" not in outcome.summary


def test_a_draw_the_question_gives_for_the_hosts_is_the_overhead_not_a_second_tdp(catalogue):
    outcome = computed("A hall of 4,096 accelerators at 700 W each, another 575 W per accelerator for the host "
                       "servers, 10% on top for storage and networking, and a PUE of 1.3: what is the facility load?",
                       catalogue, "power")
    assert outcome.arguments["tdp_w"] == 700 and outcome.arguments["overhead_w"] == 575
    assert outcome.arguments["storage_network_fraction"] == pytest.approx(0.10)
    assert outcome.result["result"]["facility_mw"] == pytest.approx(4096 * 1275 * 1.1 * 1.3 / 1e6)


def test_a_stated_load_gives_its_yearly_energy_and_bill(catalogue):
    outcome = computed("A cluster pulls a steady 150 MW for a year and pays 7.8 US cents per kWh: what is the bill?",
                       catalogue, "energy_cost", family="power")
    assert outcome.result["result"]["annual_electricity_usd"] == pytest.approx(150e3 * 8760 * 0.078)
    assert "US$102.5 million" in outcome.summary


@pytest.mark.parametrize("question, args", [
    ("Which Chinese-designed AI chips clear the 4,800 TPP line of 3A090.a?",
     {"attribute": "tpp", "op": "ge", "threshold": 4800, "country": "CN"}),
    ("Which Nvidia GPUs draw under 500 W?", {"attribute": "tdp_w", "op": "lt", "threshold": 500, "vendor": "Nvidia"}),
    ("Which chips have a performance density above 5.92?",
     {"attribute": "performance_density", "op": "gt", "threshold": 5.92}),
])
def test_a_screening_question_gives_attribute_direction_threshold_and_scope(catalogue, question, args):
    outcome = computed(question, catalogue, "screen_chips", family="screen")
    assert {k: outcome.arguments.get(k) for k in args} == args


def test_gpus_rented_for_days_give_the_gpu_hours_a_cost_is_computed_on(catalogue):
    outcome = computed("A lab rents 2,048 H800s for 60 days at $2 per GPU-hour. What does that cost?", catalogue,
                       "training_cost")
    assert outcome.arguments["gpu_hours"] == 2048 * 60 * 24
    assert outcome.result["result"]["cost_usd"] == pytest.approx(2048 * 60 * 24 * 2)
    assert "(2,048 GPUs × 60 days × 24 h)" in outcome.summary


def test_two_stated_figures_of_one_kind_give_their_ratio(catalogue):
    outcome = computed("If one chip does 990 TFLOPS and another 296 TFLOPS, by what factor is the first faster?",
                       catalogue, "figure_ratio", family="compare")
    assert outcome.result["result"]["ratio"] == pytest.approx(990 / 296)
    assert outcome.summary.startswith("990 TFLOPS is 3.34 times 296 TFLOPS")
    # units are read: 1.2 GW against 300 MW is 4, not 0.004
    outcome = computed("Site A is 1.2 GW and site B 300 MW. How many times bigger is A?", catalogue,
                       "figure_ratio", family="compare")
    assert outcome.result["result"]["ratio"] == pytest.approx(4)


def test_a_compound_count_names_the_fleet_a_rental_is_costed_on(catalogue):
    outcome = computed("Say Meta ran one of its 24,576-GPU H100 training clusters flat out for 30 days at US$2 "
                       "per GPU-hour. What would that cost?", catalogue, "training_cost")
    assert outcome.arguments["gpu_hours"] == 24_576 * 30 * 24  # the stated cluster, not Meta's named fleet


def test_a_bare_second_figure_takes_the_unit_of_the_first(catalogue):
    outcome = computed("A start-up says its new accelerator does 1,250 dense FP8 TFLOPS, against 296 for the part "
                       "it replaces. By what factor is the new one faster?", catalogue, "figure_ratio", family="compare")
    assert outcome.result["result"]["ratio"] == pytest.approx(1250 / 296)


def test_a_budget_and_a_stated_draw_give_how_many_generic_accelerators_fit(catalogue):
    outcome = computed("How many 700 W accelerators fit in a 20 MW IT budget?", catalogue,
                       "accelerators_for_capacity", family="power")
    assert outcome.result["result"]["accelerators"] == pytest.approx(20e6 / ((700 + 575) * 1.1))


def test_the_draw_stated_after_the_devices_own_is_what_the_hosts_add(catalogue):
    outcome = computed("A site has 20 MW available for IT. If every accelerator takes 700 W and its share of the "
                       "servers and network adds another 575 W, how many accelerators can it hold?", catalogue,
                       "accelerators_for_capacity", family="power")
    assert (outcome.arguments["tdp_w"], outcome.arguments["overhead_w"]) == (700, 575)


def test_of_them_counts_the_device_a_supposition_described(catalogue):
    outcome = computed("Suppose an accelerator is rated at 1,000 W. How much power would 10,000 of them draw?",
                       catalogue, "power")
    assert outcome.arguments["count"] == 10_000 and outcome.result["result"]["accelerators_mw"] == pytest.approx(10)


def test_a_stated_draw_with_no_host_figure_leads_with_what_the_user_gave(catalogue):
    outcome = computed("A hall of 2,000 accelerators at 700 W each with a PUE of 1.3: what is the facility load?",
                       catalogue, "power")
    assert outcome.summary.startswith("2,000 accelerators at the 700 W each that was given would draw about 1.82 MW")
    assert "With the usual host overhead" in outcome.summary  # the default estimate follows, named as such


# ---- scenario forms: counts written as products, time from GPU-hours, energy at a PUE ----

def test_servers_with_gpus_each_are_counted_as_their_product(catalogue):
    o = computed("256 servers with eight GPUs each, every GPU rated at 1,200 W, at a PUE of 1.25: facility power?",
                 catalogue, "power")
    assert o.arguments["count"] == 2048 and o.arguments["tdp_w"] == 1200
    assert "256 × 8" in o.summary


def test_gpu_hours_on_a_stated_number_of_gpus_give_the_days(catalogue):
    o = computed("A job needs 1.5 million GPU-hours on 1,024 GPUs. How many days will it take?", catalogue, "gpu_time")
    assert o.result["result"]["days"] == pytest.approx(61.0, abs=0.1)


def test_a_named_run_with_its_parameters_is_still_an_mfu_check(catalogue):
    # GPU-hours with parameters and tokens are checked against the chip's peak, not merely divided
    assert one("How many GPU-hours did DeepSeek-V3 take?", catalogue, family="training").name == "implied_mfu"


def test_a_stated_it_load_and_pue_give_the_facility_energy(catalogue):
    o = computed("A 40 MW IT load runs all year at a PUE of 1.3. How much energy does the facility use?",
                 catalogue, "energy_cost")
    assert o.result["result"]["annual_energy_gwh"] == pytest.approx(455.5, abs=0.1)


def test_a_budget_and_a_unit_price_give_the_units_bought(catalogue):
    o = computed("A lab has US$50 million to spend on GPUs that cost US$31,500 apiece. How many can it buy?",
                 catalogue, "purchase_count", family="training")
    assert o.result["result"]["units"] == 1587 and "1,587 GPUs" in o.summary


def test_renting_a_stated_number_of_gpus_for_days_is_priced_by_the_gpu_hour(catalogue):
    o = computed("What would it cost to rent 512 GPUs for 14 days at US$2.40 per GPU-hour?", catalogue, "training_cost")
    assert o.result["result"]["cost_usd"] == pytest.approx(512 * 14 * 24 * 2.4)


def test_a_bandwidth_threshold_in_tb_per_second_screens_the_catalogue_in_tb_per_second(catalogue):
    o = computed("Which Nvidia chips have a memory bandwidth above 4 TB/s?", catalogue, "screen_chips")
    assert o.arguments["threshold"] == 4.0
    assert {m["chip"] for m in o.result["result"]["matches"]} >= {"H200 SXM", "B200"}


def test_servers_that_held_chips_are_a_fleet_of_their_product(catalogue):
    o = computed("If every one of 625 servers held eight H100s, how much power would they draw?", catalogue, "power")
    assert o.arguments["count"] == 5000 and "625 × 8" in o.summary


def test_a_year_before_a_chip_is_not_a_count(catalogue):
    o = computed("On TPP, which is stronger: the MLU290-M5 or the 2019 Ascend 910?", catalogue, "compare_fleets")
    assert "same compute" in o.summary and "2,019" not in o.summary


@pytest.mark.parametrize("question", [
    "If the US takes 15% of Nvidia's US$4.6 billion of H20 sales, how much does it get?",
    "Nvidia sold US$4.6 billion of H20s that quarter. If the US took 15% of that, how much would it get?",
])
def test_a_stated_share_of_a_stated_amount_is_their_product(catalogue, question):
    o = computed(question, catalogue, "share_of")
    assert o.result["result"]["value"] == pytest.approx(690e6)


def test_a_tpp_is_stated_as_a_whole_number_with_its_exact_value_beside_it(catalogue):
    o = computed("What is the TPP of the RTX 4090?", catalogue, "tpp")
    assert "TPP of 5,285 (5,284.8 before rounding)" in o.summary


def test_an_all_in_draw_per_accelerator_adds_no_default_host_overhead(catalogue):
    o = computed("A site has a 40 MW grid connection at a PUE of 1.25 and each accelerator needs 2 kW of IT power "
                 "once its share of host and network is counted. How many accelerators can it support?",
                 catalogue, "accelerators_for_capacity")
    assert o.arguments["overhead_w"] == 0 and o.result["result"]["accelerators"] == pytest.approx(16_000, abs=1)


@pytest.mark.parametrize("question, attribute, excluded", [
    ("Which accelerators in the chip catalogue are rated at 1,000 W or more?", "tdp_w", None),
    ("Which chips not made by Nvidia have at least 4 TB/s of memory bandwidth?", "memory_bw_tbps", "Nvidia"),
])
def test_a_screen_reads_its_attribute_from_the_thresholds_unit_and_may_exclude_a_vendor(
        catalogue, question, attribute, excluded):
    o = computed(question, catalogue, "screen_chips")
    assert o.arguments["attribute"] == attribute and o.arguments.get("exclude_vendor") == excluded
    if excluded:
        assert all(not m["chip"].startswith(("H", "B", "GB", "A1")) for m in o.result["result"]["matches"])


@pytest.mark.parametrize("question, args", [
    # the direction written after the threshold's noun phrase, up to the end of its clause
    ("Which chips in the catalogue come with 32 GB of memory or less?",
     {"attribute": "memory_gb", "op": "le", "threshold": 32}),
    # a year is a launch's threshold and no other attribute's
    ("Which accelerators in the chip catalogue came out before 2021?",
     {"attribute": "launch_year", "op": "lt", "threshold": 2021}),
    ("Which Nvidia chips released for China have a TPP under 4,800?",
     {"attribute": "tpp", "op": "lt", "threshold": 4800, "vendor": "Nvidia"}),
    # a node with no comparison word is that node
    ("Which accelerators in the chip catalogue are built on a 7 nm-class process?",
     {"attribute": "process_nm", "op": "eq", "threshold": 7}),
    # a throughput in TFLOPS against the catalogue's TFLOPS column
    ("Which Nvidia chips have more than 1,000 TFLOPS of FP8?",
     {"attribute": "fp8_tflops", "op": "gt", "threshold": 1000}),
    # no threshold: a superlative ranks, a question of the catalogue asks what is recorded
    ("Which Huawei chip has the most memory?", {"attribute": "memory_gb", "op": "max", "vendor": "Huawei"}),
    ("Which is the newest Huawei chip in the catalogue?", {"attribute": "launch_year", "op": "max"}),
    # ("4-bit" names the attribute: its 4 is no threshold)
    ("Which accelerators in the chip catalogue have a 4-bit (FP4) throughput figure filled in?",
     {"attribute": "fp4_tflops", "op": "present", "threshold": None}),
    # the longest comparison word wins ("no more than" holds "more than"; "most frugal" holds "most")
    ("Which chips draw no more than 700 W?", {"attribute": "tdp_w", "op": "le", "threshold": 700}),
    ("Which is the most frugal Nvidia chip?", {"attribute": "tdp_w", "op": "min", "vendor": "Nvidia"}),
    # a year-like figure is a threshold of another attribute when no launch is named
    ("Which chips have a TPP above 2000?", {"attribute": "tpp", "op": "gt", "threshold": 2000}),
    # a comparison word of another condition is not this threshold's ("after 2022" is the launch's)
    ("Which chips released after 2022 have a TDP of 700 W?", {"attribute": "tdp_w", "op": "ge", "threshold": 700}),
    # a count in billions against the catalogue's column in billions
    ("Which accelerators in the chip catalogue carry more than 100 billion transistors?",
     {"attribute": "transistors_b", "op": "gt", "threshold": 100}),
    # both ends of a ranking asked: every recorded figure, in order
    ("Rank the chips in the catalogue that have a die area recorded, from the largest die to the smallest.",
     {"attribute": "die_area_mm2", "op": "present"}),
])
def test_a_screen_reads_thresholds_dates_nodes_ranks_and_presence(catalogue, question, args):
    o = computed(question, catalogue, "screen_chips", family="screen")
    assert {k: o.arguments.get(k) for k in args} == args


def test_an_attribute_without_threshold_rank_or_catalogue_is_no_screen(catalogue):
    outcomes = route("Which chips have more memory bandwidth?", catalogue, {"screen"})
    assert outcomes and all(o.error for o in outcomes)


@pytest.mark.parametrize("question, value, to_dollars", [
    ("A fund is capitalised at 500 billion yuan and the rate is 7.1 yuan to the dollar. What is that in dollars?",
     500e9 / 7.1, True),
    ("How many yuan is US$47.5 billion at 7.24 yuan per dollar?", 47.5e9 * 7.24, False),
])
def test_an_amount_is_converted_at_a_stated_exchange_rate(catalogue, question, value, to_dollars):
    o = computed(question, catalogue, "convert_currency")
    assert o.result["result"]["value"] == pytest.approx(value) and o.arguments["to_dollars"] is to_dollars


@pytest.mark.parametrize("question, key, value", [
    ("A country's computing capacity stood at 130 EFLOPS at the start of 2022. If it reached 300 EFLOPS four years "
     "later, what compound annual growth rate does that imply?", "rate", (300 / 130) ** 0.25 - 1),
    ("If installed capacity is 300 EFLOPS today and grows by 25% every year, what will it be in four years?",
     "end", 300e18 * 1.25 ** 4),
])
def test_growth_over_stated_years_is_compounded(catalogue, question, key, value):
    o = computed(question, catalogue, "compound_growth", family="compare")
    assert o.result["result"][key] == pytest.approx(value)


def test_a_change_by_a_share_is_that_share_of_the_amount_stated_before_it(catalogue):
    o = computed("A chipmaker is worth US$3.5 trillion and its shares fall 17% in one session. How much value is "
                 "wiped out?", catalogue, "share_of", family="compare")
    assert o.result["result"]["value"] == pytest.approx(0.17 * 3.5e12)


@pytest.mark.parametrize("question, tool", [
    # a rate written as a unit poses no growth; a ratio is asked
    ("A lab spends US$2 billion a year and another US$5 billion a year. Over 3 years, by what factor does the "
     "second outspend the first?", "figure_ratio"),
])
def test_growth_is_not_read_into_amounts_per_year(catalogue, question, tool):
    assert computed(question, catalogue, family="compare").name == tool


def test_a_start_written_after_up_from_is_the_start(catalogue):
    o = computed("China targets 300 EFLOPS, up from 100 EFLOPS, after three years of growth. What compound annual "
                 "growth rate is that?", catalogue, "compound_growth", family="compare")
    assert o.result["result"]["rate"] == pytest.approx(3 ** (1 / 3) - 1)


def test_a_fall_by_a_share_also_gives_what_remains(catalogue):
    o = computed("A chipmaker is worth US$3.5 trillion. If its shares fall 17%, what is it then worth?", catalogue,
                 "share_of", family="compare")
    assert "US$2,905,000,000,000 remains" in o.summary


def test_two_attributes_ranked_from_both_ends_are_no_full_ranking(catalogue):
    o = computed("Which chip has the most memory and the lowest TDP?", catalogue, "screen_chips", family="screen")
    assert o.arguments["op"] == "max"


@pytest.mark.parametrize("question, family", [
    # a day of a month is no figure to compare ("January 27" is not 27 %)
    ("Nvidia's market value fell 17% on January 27, 2025. How many times bigger was that than 5%?", "compare"),
    # a unit's definition is no figure to compare ("1 USD = 7.1 CNY" is not a ratio of US$500 billion to 1 USD)
    ("If 1 USD = 7.1 CNY, how many yuan is US$500 billion?", "compare"),
])
def test_no_ratio_is_taken_of_a_date_or_a_unit_definition(catalogue, question, family):
    for outcome in route(question, catalogue, {family}):
        if outcome.name == "figure_ratio" and outcome.result:
            assert "27" not in outcome.arguments.get("b", "") and "1 USD" not in str(outcome.arguments)


def test_a_purchase_that_a_stated_share_would_change_is_not_computed(catalogue):
    # which amount "40% goes to GPUs" scales is not read here: no count that ignores it
    outcomes = route("A hyperscaler spends US$80 billion a year on capex and 40% goes to GPUs at US$35,000 apiece. "
                     "How many GPUs a year?", catalogue, {"power", "training"})
    assert not any(o.name == "purchase_count" and o.result for o in outcomes)
