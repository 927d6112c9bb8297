"""A calculation the user states in full is solved by the units of its figures: every figure is used
once, multiplied or divided as its unit requires, and the product must have the asked unit. When the
figures do not say how they combine, nothing is computed. The questions below are new phrasings of
each kind, not cases of the evaluation sets."""

from __future__ import annotations

import pytest

from assistant.tools.errors import ToolInputError
from assistant.tools.scenario import figures, solve, target


def value(question: str) -> float:
    return solve(question).result["value"]


@pytest.mark.parametrize("question, expected, unit", [
    # a power budget over a rack's draw, with the rack's size written as a compound ("a 64-GPU rack")
    ("A data hall has 12 MW for IT and each 64-GPU rack draws 100 kW. How many full racks fit?", 120, "racks"),
    # energy: a power held for a span written as a compound ("a 20-day job")
    ("A cluster draws 9 MW for a 20-day job. How many MWh does the job use?", 4320, "MWh"),
    # a budget over a unit price written after the thing ("cost US$25,000 apiece")
    ("A startup has US$10 million and accelerators cost US$25,000 apiece. How many whole accelerators can it buy?",
     400, "accelerators"),
    # a rate per GPU-hour, over a span in weeks the question converts
    ("Renting 128 GPUs for two weeks at US$3 per GPU-hour: what is the bill?", 129_024, "US$"),
    # a per-thing figure after "each" in a relative clause ("that each sustain")
    ("The job needs 6 x 10^23 FLOP and 500 GPUs that each sustain 300 TFLOPS. How many hours will it take?",
     1111.111, "hours"),
    # memory in bytes: a rate per token times tokens per request times requests
    ("A KV cache takes 100 KB per token. How much memory do 10 requests of 8,000-token contexts each need?",
     8.0, "GB"),
    # a currency converted by a rate written "to the dollar"
    ("A fund of 71 billion yuan at 7.1 yuan to the dollar: how much is it in US dollars?", 10e9, "US$"),
])
def test_the_product_of_the_stated_figures_with_the_asked_unit(question, expected, unit):
    result = solve(question)
    assert result.result["value"] == pytest.approx(expected, rel=1e-3)
    assert result.result["unit"].startswith(unit)
    assert "≈" in result.formula  # the working is shown, with each figure as the question writes it


def test_a_share_scales_the_figure_it_follows():
    # "two years at 50% utilisation" is one year of use: the hardware cost per used GPU-hour doubles
    used = value("A lab buys a GPU for US$17,520 and runs it for two years at 50% utilisation. "
                 "What does the hardware cost per utilised GPU-hour?")
    assert used == pytest.approx(17_520 / (2 * 8760 * 0.5), rel=1e-6)  # a year of 8,760 hours


@pytest.mark.parametrize("question, rounded", [
    ("A hall has 10 MW and each rack draws 130 kW. How many full racks can it power?", 76),  # 76.9 → 76
    ("We must place 1,000 GPUs in racks that hold 72 GPUs each. How many racks are needed?", 14),  # 13.9 → 14
])
def test_whole_things_are_rounded_the_way_the_question_asks(question, rounded):
    assert value(question) == rounded


def test_a_rate_asked_per_thing_and_per_unit_of_time():
    result = solve("A run processes 3.6 trillion tokens in 1 million GPU-hours. How many tokens does each GPU "
                   "process per second?")
    assert result.result["value"] == pytest.approx(1000.0)
    assert result.result["unit"] == "tokens per GPU per second"


def test_a_conversion_the_question_restates_is_not_a_figure():
    figs, _ = figures("A cache of 50 KB per token serves 100 tokens. How much memory? Take 1 GB as 1,000,000 KB.")
    assert len(figs) == 4
    assert value("A cache of 50 KB per token serves 100,000 tokens. How much memory is that? "
                 "Take 1 GB as 1,000,000 KB.") == pytest.approx(5.0)


@pytest.mark.parametrize("question, reason", [
    # a plain factor ("a PUE of 1.3") may multiply an IT load or divide a grid connection: not said
    ("A site has a 40 MW grid connection at a PUE of 1.3 and each GPU needs 1.4 kW. How many GPUs?", "plain number"),
    # two shares: in which order they apply is not said
    ("Chips list at US$20,000 apiece with a 10% discount and a 5% duty on 100 units. What is the cost?",
     "more than one percentage"),
    # the figures cannot make the asked unit
    ("A hall draws 20 MW for 30 days. How many GPUs does it hold?", "no product"),
    # a sum is no product: the three loads can be multiplied and divided in several ways, none of them asked
    ("Its halls draw 20 MW, 30 MW and 10 MW for 10 days. How many GWh do they use?", "more than one way"),
    # a single figure is no calculation
    ("A hall draws 20 MW. How many GWh is that?", "1 figures stated"),
    # no amount asked at all
    ("A hall draws 20 MW for 30 days. Who built it?", "no asked amount"),
])
def test_a_scenario_that_does_not_say_how_its_figures_combine_is_not_computed(question, reason):
    with pytest.raises(ToolInputError, match=reason):
        solve(question)


def test_a_year_is_no_figure():
    figs, _ = figures("In 2025 a hall drew 20 MW for 30 days. How many GWh did it use?")
    assert [f.text for f in figs] == ["20 MW", "30 days"]
    assert value("In 2025 a hall drew 20 MW for 30 days. How many GWh did it use?") == pytest.approx(14.4)


def test_the_asked_unit_is_read_from_the_question_sentence():
    asked = target("Each rack draws 120 kW and the hall has 30 MW. How many full racks can it power?")
    assert asked is not None and asked.label == "racks" and asked.rounding == "down"
    assert target("A hall draws 30 MW. Who owns it?") is None


def test_a_noun_the_question_counts_is_a_thing_of_its_own():
    # "projects" is in no word list: counted after a number, it is a thing, and "per project" its rate
    result = solve("Bloomberg counted 115,000 chips across 39 projects. How many chips per project is that?")
    assert result.result["value"] == pytest.approx(2948.72, rel=1e-4)
    assert result.result["unit"] == "chips per project"
    # a plural that counts nothing ("3 times") is no thing
    assert target("The hall holds 3 times as many GPUs. How many times?") is None


@pytest.mark.parametrize("question, expected", [
    # the phrase of a share says what it scales: the figure right before "at" ("a week at 70%"), the one
    # it is "of", the money a discount or a levy is taken from
    ("A cluster of 1,000 GPUs draws 1.2 kW per GPU at 70% utilisation. How much energy does it use over a week, "
     "in MWh?", 1000 * 1.2 * 0.7 * 168 / 1000),
    ("A run needs 3.8 x 10^25 FLOP on 16,384 GPUs with a peak of 989 TFLOPS each, and it sustains 40% of that "
     "peak. How many days will it take?", 67.857),
    ("A vendor sells 200 GPUs at US$20,000 apiece with a 10% discount. What is the order worth?", 3_600_000),
    ("An importer brings in 8,000 accelerators priced at US$30,000 each and pays a 25% tariff on their value. "
     "What is the total tariff bill?", 60_000_000),
])
def test_a_share_applies_as_its_own_phrase_says(question, expected):
    assert value(question) == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize("question", [
    # which figure a utilisation slows is not said when a verb stands between them
    "A job of 1 x 10^24 FLOP runs at 40% utilisation on a 400 PFLOPS cluster. How many days?",
    # "80% of the hall's power" names no figure of its sentence
    "A 30 MW hall powers racks of 120 kW each. 80% of the hall's power is available for IT. How many racks?",
    # a levy with the price it is added to: the levy alone or the total?
    "100 GPUs cost US$25,000 each before a 25% tariff. What do they cost after the tariff?",
    # a split ("40% … and the rest") is no product
    "A 50 MW site runs for 30 days and puts 40% into training and the rest into inference. How much energy "
    "does training use?",
])
def test_a_share_whose_phrase_does_not_say_what_it_scales_is_not_guessed(question):
    with pytest.raises(ToolInputError, match="share|percentage|levy"):
        solve(question)


def test_written_exponents_and_the_calendar_of_bills():
    assert value("A job needs 3.15e23 FLOP on 1,000 GPUs that each sustain 400 TFLOPS. How many days?") == \
        pytest.approx(9.115, rel=1e-3)
    # a year of 8,760 hours and a month of 730, as energy bills and cloud prices count them
    assert value("A campus draws 100 MW for a full year. How many MWh?") == pytest.approx(876_000)
    assert value("Renting 10 GPUs for 3 months at US$2 per GPU-hour: what is the bill?") == pytest.approx(43_800)


def test_a_model_number_is_no_figure_and_a_round_figure_is_no_year():
    figs, _ = figures("5,000 Ascend 910B chips cost US$12,000 each. What is the bill?")
    assert not any(f.text.startswith("910") for f in figs)  # "910B" is a name, not 910 bytes
    assert not any(k == "byte" for f in figs for k, _ in f.counts)
    assert value("A 2000 W server runs for 10 hours. How many kWh?") == pytest.approx(20)


def test_the_asked_unit_after_in_anywhere_in_the_question():
    result = solve("A cluster draws 90 MW. How much energy in GWh does it use in 30 days?")
    assert result.result["value"] == pytest.approx(64.8) and result.result["unit"] == "GWh"


def test_the_asked_sentence_decides_the_rounding():
    # "each GPU needs 1.4 kW" states a need, but "can it power" asks for whole GPUs it can power
    assert value("A site has 300 MW and each GPU needs 1.4 kW. How many GPUs can it power?") == 214_285


@pytest.mark.parametrize("question, expected", [
    # a unit before a counted thing is that thing's ("80 GB GPUs"); the asked thing is the GPUs, not the GB
    ("A 405 billion parameter model at two bytes per parameter needs how many 80 GB GPUs just to hold the "
     "weights?", 11),
    # what one thing costs, as the clause's subject ("A GPU rents for …"), times how many are rented
    ("A GPU rents for US$2.50 an hour. How much does renting 512 GPUs for two weeks cost?", 430_080),
    # "8,000 of them" counts the thing named before
    ("If each H100 costs US$30,000, how much do 8,000 of them cost?", 240_000_000),
    # a model name after a count counts accelerators
    ("Nvidia sells 1 million H20s at US$12,000 each. What revenue is that?", 12_000_000_000),
    # "what is the total power of …"
    ("What is the total power of 4,096 GPUs at 700 W each, in MW?", 2.8672),
    # a share "of the revenue" is of the figure before it in its sentence
    ("It sells 100,000 accelerators at US$12,000 each and pays 15% of the revenue to the US. "
     "How much does the US get?", 180_000_000),
    # a sentence's one figure and a share after it, with no figure following: the share scales that figure
    ("A 10 MW facility runs at 60% average load. How much energy does it use in a week, in MWh?", 1008),
    # an inference server's output, with the server as the clause's one thing
    ("An inference server turns out 2,400 tokens every second. Billed at US$0.60 per million tokens, what does "
     "it earn in a day?", 124.416),
])
def test_how_analysts_state_rates_and_counts(question, expected):
    assert value(question) == pytest.approx(expected, rel=1e-3)


def test_a_scale_word_hyphenated_to_its_digits_keeps_its_value(catalogue):
    # "671-billion-parameter" is 671 × 10^9 parameters, never 671 nor "671-1000000000"
    assert value("A 671-billion-parameter model is stored at one byte per parameter. What is the smallest number "
                 "of GPUs with 141 GB each that could hold it?") == 5
    # the router hands the question as written: the same answer through it
    from assistant.tools.router import route
    outcome = route("A 671-billion-parameter model is stored at one byte per parameter. How many GPUs with 141 GB "
                    "each does it need?", catalogue, {"scenario"})[0]
    assert outcome.result["result"]["value"] == 5


def test_a_bandwidth_counts_bytes_per_second():
    figs, _ = figures("The GPU reads 37 GB per token and has 4.8 TB/s of memory bandwidth. How many tokens per "
                      "second can it generate?")
    assert [k for f in figs for k, _ in f.counts].count("byte") == 2
    assert value("The GPU reads 37 GB per token and has 4.8 TB/s of memory bandwidth. How many tokens per second "
                 "can it generate?") == pytest.approx(129.73, rel=1e-3)



@pytest.mark.parametrize("question, expected", [
    ("A model has 70B parameters at 2 bytes per parameter. How much memory in GB?", 140),  # "70B": a scale
    ("A lab spends US$1.5B on 50,000 GPUs. What does each GPU cost?", 30_000),
    ("A hall draws 20MW for 30 days. How many GWh did it use?", 14.4),  # a unit written onto its digits
    ("Serving costs US$0.40 per 1K tokens. What do 2 million tokens cost?", 800),  # "per 1K"
    ("Inference costs US$0.50 per 1M tokens. A server makes 3,000 tokens per second. What does it earn in a day?",
     129.6),
])
def test_scales_and_units_written_onto_digits(question, expected):
    assert value(question) == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize("question", [
    # the same amount twice is likely a sum
    "A lab rents 1,000 GPUs for 30 days of pre-training, 30 days of fine-tuning and 30 days of evaluation at "
    "US$2 per GPU-hour. What is the bill?",
    "A lab buys 500 GPUs in March, 500 GPUs in April and 500 GPUs in May at US$20,000 each. What is the bill?",
    # another country's dollar is not the US dollar
    "TSMC charges 600,000 Taiwan dollars per wafer and ships 10,000 wafers. What is the revenue in US dollars?",
    "TSMC charges NT$600,000 per wafer and ships 10,000 wafers. What is the revenue?",
    # a rental is billed whatever the utilisation; how many GPUs a supply runs "at 80%" is not said
    "A lab rents 1,000 GPUs at US$2 per GPU-hour for 30 days at 50% utilisation. What is the bill?",
    "Each GPU draws 700 W. How many GPUs can a 1 GW campus power at 80% utilisation?",
    # a split: which part is asked?
    "A 900 MW campus loses 15% of its grid power to cooling and the rest feeds the IT load. If each GPU needs "
    "1.4 kW, how many GPUs can it run?",
    # zero, and beyond any size
    "A hall has 0 MW and each rack draws 120 kW. How many full racks can it power?",
    "A job needs 1e400 FLOP on 1,000 GPUs at 400 TFLOPS each. How many days?",
    "A job needs 10^-400 FLOP on 1,000 GPUs at 400 TFLOPS each. How many days?",
    # a number whose letters are not read
    "A hall draws 20xy for 30 days. How many GWh did it use?",
])
def test_what_would_be_a_confident_wrong_number_is_refused(question):
    with pytest.raises(ToolInputError):
        solve(question)


def test_the_registry_is_one_when_threads_ask_for_it_at_once():
    import threading

    import assistant.tools.scenario as scenario

    scenario._REGISTRY.clear()  # a cold process: every thread asks at the same moment
    answers: list[float] = []
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            answers.append(value("A hall has 30 MW and each rack draws 120 kW. How many full racks can it power?"))
        except BaseException as exc:  # noqa: BLE001 - the failure is what the test looks for
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and answers == [250] * 8
