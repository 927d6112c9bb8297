"""The plan stage decides what a question asks by general mechanisms: its grammar (answer type,
focus), nearest labelled exemplars (lookup or a calculation family), and whether a turn leans on
the conversation. Each case below stands for a kind of question, not for itself."""

from __future__ import annotations

import json

import pytest

POWER_TURN = [{"role": "user", "content": "How much power would 115,000 H100 draw?"},
              {"role": "assistant", "content": "About 80.5 MW for the accelerators [1]."}]


def only_part(plan):
    assert len(plan.parts) == 1, [p.text for p in plan.parts]
    return plan.parts[0]


# ---- stated attribute versus calculation ----

@pytest.mark.parametrize("question, answer_type, focus", [
    ("What is the thermal design power of the Ascend 910C?", "number", "thermal design power"),
    ("How many megawatts is the Abilene campus designed for?", "number", "megawatts"),
    ("Who is the CEO of Nyocor?", "person", "CEO"),
    # "which town", "what year" name the answer's category, not an attribute to find in the text
    ("In which town is Stargate's first data-center campus?", "place", ""),
    ("What year was Big Fund III set up?", "date", "set up"),  # the verb says what is asked
])
def test_a_stated_attribute_is_a_lookup_with_its_focus(planner, question, answer_type, focus):
    part = only_part(planner.plan(question))
    assert part.intent == "lookup" and not part.computations
    assert part.answer_type == answer_type and part.focus == focus


def test_a_hypothetical_fleet_asks_for_a_calculation_with_its_inputs(planner):
    part = only_part(planner.plan("How much power would 115,000 H100 draw?"))
    assert part.intent == "power"
    assert part.computations and not part.computations[0].missing
    assert part.computations[0].inputs["count"] == 115_000


@pytest.mark.parametrize("question, family, inputs", [
    ("A hall of 4,096 accelerators draws 400 W each at a PUE of 1.25. What is the facility load?", "power",
     {"count": 4096, "tdp_w": 400, "pue": 1.25}),
    ("If a cluster has 10,000 GPUs at 1,000 W and PUE 1.2, how many megawatts does it need?", "power",
     {"count": 10_000, "tdp_w": 1000, "pue": 1.2}),
    ("Suppose a chip is rated 650 TFLOPS at FP16. What is its TPP?", "tpp", {"bf16_tflops": 650}),
])
def test_figures_the_user_states_are_the_inputs_of_the_calculation_asked(planner, question, family, inputs):
    part = only_part(planner.plan(question))
    assert part.intent == family and part.scenario
    assert part.computations and not part.computations[0].missing
    assert {k: part.computations[0].inputs[k] for k in inputs} == inputs


@pytest.mark.parametrize("question, tool", [
    # every figure combines by its unit into the asked days: the scenario solver, before any family
    ("A training run needs 2 million GPU-hours and the lab has 4,096 GPUs. How many days does it take?", "scenario"),
    ("A 25 MW IT load runs all year in a facility with a PUE of 1.4. How much energy does it consume?", "energy_cost"),
    ("A lab has US$50 million for GPUs that cost US$31,500 apiece. How many GPUs can it afford?", "scenario"),
    ("Nvidia sold US$4.6 billion of H20s. If the US took 15% of that, how much would it get?", "share_of"),
])
def test_a_number_computable_from_the_stated_figures_alone_is_a_calculation(planner, question, tool):
    # however it is worded: a tool computes the asked unit (days, GWh) from what the user states
    part = only_part(planner.plan(question))
    assert part.computations and part.computations[0].tool == tool and not part.computations[0].missing


@pytest.mark.parametrize("question", [
    "A hall has 24 MW for IT load and each 96-GPU rack draws 150 kW. How many full racks can it power?",
    "A cluster holds a steady 12 MW at the meter for a 25-day run. How many GWh does the run consume?",
    "A KV cache takes 50 KB per token. How much memory do 32 requests with 16,000-token contexts each need?",
])
def test_a_scenario_whose_every_figure_combines_into_the_asked_unit_is_that_calculation(planner, question):
    # whatever calculation family the wording resembles: the figures' units decide (tools/scenario/)
    part = only_part(planner.plan(question))
    assert part.intent == "scenario" and part.scenario
    assert part.computations and part.computations[0].tool == "scenario" and not part.computations[0].missing
    assert part.tool_text.startswith(part.scenario)  # the evidence stage runs it on the same text


def test_a_scenario_stated_in_the_question_sentence_itself_is_computed(planner):
    part = only_part(planner.plan("How many racks can a 30 MW hall power if each rack draws 120 kW?"))
    assert part.intent == "scenario" and part.computations and not part.computations[0].missing


@pytest.mark.parametrize("question", [
    "DeepSeek-V3 trained on 2,048 GPUs for 2.788 million GPU-hours. How many days did the R1 training take?",
    "Colossus has 100,000 GPUs using 150 MW. How much power does each GPU at Abilene get?",
])
def test_a_question_about_something_the_figures_do_not_describe_is_no_scenario(planner, question):
    # the statement's figures are another run's or site's: computing on them would answer another question
    assert all(p.intent != "scenario" for p in planner.plan(question).parts)


def test_a_follow_up_figure_replaces_the_earlier_figure_written_after_the_same_words(planner):
    history = [{"role": "user", "content": "A hall has 30 MW for IT and each rack draws 120 kW. "
                                           "How many full racks can it power?"},
               {"role": "assistant", "content": "250 racks."}]
    plan = planner.plan("And if each rack draws 150 kW instead?", history)
    assert "30 MW" in plan.standalone and "150 kW" in plan.standalone and "120 kW" not in plan.standalone
    plan = planner.plan("And with 40 MW?", history)  # no words in common: the figure nearest in size
    assert "40 MW" in plan.standalone and "120 kW" in plan.standalone


def test_a_scenario_that_needs_a_catalogue_figure_stays_with_the_domain_tool(planner):
    # no wattage is stated: the power tool reads the H100's TDP from the catalogue
    part = only_part(planner.plan("A lab installs 20,000 H100 GPUs. How many megawatts will they draw?"))
    assert part.intent == "power"


@pytest.mark.parametrize("earlier, turn, subject", [
    ("What TPP does Epoch AI give the Ascend 910B?", "And how much memory does it have?", "Ascend 910B"),
    ("What did Reuters report about DeepSeek in September 2025?", "Where is it based?", "DeepSeek"),
    ("According to Bloomberg, how many GPUs will the Yiwu compound hold?", "Who runs it?", "Yiwu"),
])
def test_a_pronoun_points_at_what_a_figure_is_about_not_at_its_source(planner, earlier, turn, subject):
    history = [{"role": "user", "content": earlier}, {"role": "assistant", "content": "…"}]
    plan = planner.plan(turn, history)
    assert subject in plan.standalone and [e.text for e in plan.parts[0].entities][0].startswith(subject)


@pytest.mark.parametrize("turn", [
    "Unrelated: how did the October 2022 rule define a supercomputer?",
    "Changing subject: what does it say about the Affiliates Rule?",
    # a pronoun in a fronted phrase points forward, at what the main clause names
    "For its end-use controls, how did the October 2022 rule define a supercomputer?",
])
def test_a_turn_that_announces_a_new_topic_or_names_its_own_referent_stands_alone(planner, turn):
    history = [{"role": "user", "content": "What TPP does Cambricon's MLU370-X8 have?"},
               {"role": "assistant", "content": "2,048."}]
    plan = planner.plan(turn, history)
    assert plan.standalone == turn and "MLU370" not in " ".join(p.text for p in plan.parts)


def test_what_a_source_estimated_is_looked_up_not_computed(planner):
    part = only_part(planner.plan("What has SemiAnalysis estimated about DeepSeek's hardware and spending?"))
    assert part.intent == "lookup" and not part.computations
    # a source named in a condition leaves the calculation asked
    part = only_part(planner.plan("If Epoch AI gives 700 W per H100, how much would 10,000 H100 draw?"))
    assert part.intent == "power"


def test_in_x_terms_names_the_measure_asked(planner):
    assert only_part(planner.plan("How fast is the H800's memory, in bandwidth terms?")).focus == "bandwidth"
    assert only_part(planner.plan("Which is bigger in terms of TPP, the H100 or the 910C?")).focus == "TPP"
    assert only_part(planner.plan("How much did Nvidia lose in real terms?")).focus != "real"


def test_unit_symbols_are_not_names(planner):
    part = only_part(planner.plan("A site has 30 MW for accelerators drawing 1,000 W each. How many accelerators fit?"))
    assert not part.entities


def test_stated_figures_no_tool_can_use_leave_a_lookup(planner):
    plan = planner.plan("Bloomberg counted 39 projects. How many GPUs do they plan?")
    assert plan.parts[0].intent == "lookup" and not plan.parts[0].computations


def test_a_comparison_of_figures_the_user_gives_is_their_ratio(planner):
    part = only_part(planner.plan("Site A is planned at 1.2 GW and site B at 300 MW. How many times bigger is A?"))
    assert part.intent == "compare" and part.computations[0].tool == "figure_ratio"


def test_a_comparison_the_compare_tool_cannot_compute_is_looked_up(planner):
    # the compare tool knows count, compute and power; memory is compared from each side's documents
    part = only_part(planner.plan("Which has more memory, the Ascend 910C or the H20?"))
    assert part.intent == "lookup" and not part.computations and part.focus == "memory"


def test_a_statement_without_figures_is_no_scenario(planner):
    plan = planner.plan("US officials and CNAS gave very different numbers. How many H20s were smuggled?")
    assert plan.parts[0].scenario == ""


def test_a_calculation_without_its_count_records_what_is_missing(planner):
    part = only_part(planner.plan("How much power would the H100s draw at a PUE of 1.2?"))
    assert part.intent == "power" and "count" in part.computations[0].missing


# ---- the old router's phrasings: every one to the right family (none is an exemplar) ----

CALCULATIONS = [
    ("Was the A800 legal to export to China in 2022?", "export"),
    ("Can Nvidia sell the B200 to China under the 2026 policy?", "export"),
    ("Calculate the performance density of the A100.", "tpp"),
    ("what's the total processing performance of the gb200", "tpp"),
    ("115k H100 vs 400k GB200 — what's the ratio?", "compare"),
    ("How many times more compute does Stargate have than the Xinjiang chips?", "compare"),
    ("How many exaflops of FP8 would 115,000 H100s provide?", "fleet"),
    ("How much electricity would 115,000 H100 GPUs use in a year at 70% utilisation?", "power"),
    ("How many GB200s can a 1.2 GW site power at a PUE of 1.2?", "power"),
    ("How many FLOPs does it take to train a 70B model on 15T tokens?", "training"),
    ("Which Chinese-designed AI chips clear the 4,800 TPP line?", "screen"),
]

LOOKUPS = [
    "Who runs the Yiwu compound?",
    "When did the H20 licence requirement start?",
    "Who trained DeepSeek-R1?",
    "What is TPP?",
    "What was the electricity price at the Yiwu compound in 2023?",
    "How much did the Xinjiang chips cost on the black market?",
    "What PUE does the Yiwu data center achieve in winter?",
    "During which period could Nvidia ship the H20 to China without any licence?",
]


@pytest.mark.parametrize("question, family", CALCULATIONS)
def test_calculations_get_their_tool_family(planner, question, family):
    assert only_part(planner.plan(question)).intent == family


@pytest.mark.parametrize("question", LOOKUPS)
def test_questions_documents_answer_run_no_tool(planner, question):
    part = only_part(planner.plan(question))
    assert part.intent == "lookup" and not part.computations


def test_intent_exemplars_generalise_beyond_themselves(planner):
    # leave-one-out over the labelled file: a measure, with a floor well under what is measured (0.70)
    assert planner.classifier.leave_one_out() >= 0.6


# ---- compound questions ----

def test_a_compound_question_has_one_part_per_question(planner):
    plan = planner.plan("What does TPP stand for and what threshold makes a chip 3A090.a?")
    assert [p.answer_type for p in plan.parts] == ["definition", "number"]
    assert plan.parts[1].focus == "threshold"


def test_a_pronoun_in_a_later_part_points_at_the_earlier_subject(planner):
    plan = planner.plan("How big is China's third Big Fund for semiconductors, and when was it set up?")
    assert len(plan.parts) == 2 and plan.parts[1].answer_type == "date"
    assert "Big Fund" in plan.parts[1].text and " it " not in f" {plan.parts[1].text} "


def test_a_later_part_without_a_subject_asks_about_the_earlier_parts(planner):
    plan = planner.plan("What TDP does the B200 have, and how much memory?")
    assert [e.canonical for e in plan.parts[1].entities] == ["B200"] and "B200" in plan.parts[1].text
    # every name of the earlier part, not only the first: "how long did training take" is about DeepSeek too
    plan = planner.plan("How many H800s did DeepSeek use for V3, and how long did training take?")
    assert "DeepSeek" in plan.parts[1].text and "H800" in plan.parts[1].text


def test_a_possessive_pronoun_after_a_name_of_its_own_part_points_at_that_name(planner):
    plan = planner.plan("After the truce, for what period did Washington suspend its Affiliates Rule, and on "
                        "what date does Beijing's suspension of its October 2025 measures run out?")
    assert "Washington" not in plan.parts[1].text and "Beijing's suspension of its" in plan.parts[1].text


def test_a_lead_of_time_dates_the_parts_but_is_not_what_they_are_about(planner):
    plan = planner.plan("After the Busan truce, for what period did Washington suspend its Affiliates Rule, and "
                        "on what date does Beijing's suspension of its rare-earth measures run out?")
    for part in plan.parts:
        busan = [e for e in part.entities if e.text == "Busan"]
        assert busan and not busan[0].topical  # retrieved with, never required of a sentence


def test_a_count_that_leaves_its_noun_and_place_out_takes_them_from_the_part_before(planner):
    plan = planner.plan("How many buildings did Larry Ellison say were going up at Abilene, and how many did "
                        "the FT count there in May 2025?")
    assert plan.parts[1].focus == "buildings"
    assert "at Abilene" in plan.parts[1].text and "Abilene" in [e.text for e in plan.parts[1].entities]
    # an amount is no count: "how much did the Nasdaq give up" keeps no attribute of the part before
    plan = planner.plan("What was the largest one-day loss on record, and how much did the Nasdaq give up?")
    assert plan.parts[1].focus != plan.parts[0].focus


def test_a_bare_question_word_borrows_the_rest_of_the_question(planner):
    plan = planner.plan("Who founded DeepSeek and when?")
    assert [p.answer_type for p in plan.parts] == ["person", "date"]
    assert "DeepSeek" in plan.parts[1].text


# ---- order, lists, premises ----

def test_before_or_after_asks_for_an_order(planner):
    part = only_part(planner.plan("Did the H20 licence requirement come before or after DeepSeek released R1?"))
    assert part.answer_type == "order" and part.intent == "lookup"


def test_list_questions_are_lists(planner):
    assert only_part(planner.plan("List all the chip smuggling cases the US Justice Department brought")).answer_type == "list"
    assert only_part(planner.plan("Which Chinese companies bought H20 chips?")).answer_type == "list"


def test_a_why_question_carries_its_premise_and_what_can_test_it(planner):
    part = only_part(planner.plan("Why did the October 2022 rule ban the H20?"))
    assert part.answer_type == "explanation" and "ban the H20" in part.premise
    assert part.premise_intent == "export"


@pytest.mark.parametrize("question", [
    "Why did Nvidia create the H20?",
    "How did China respond to the H20 licence approvals?",
    "Why did Nvidia stop selling the H20 in China?",
])
def test_a_premise_that_claims_no_restriction_is_not_put_to_the_export_test(planner, question):
    assert only_part(planner.plan(question)).premise_intent == ""


def test_a_yes_no_question_presupposes_nothing(planner):
    part = only_part(planner.plan("Is the H20 controlled?"))
    assert part.answer_type == "yes_no" and part.premise == "" and part.intent == "export"


# ---- follow-ups and topic switches ----

def test_a_new_self_contained_question_ignores_the_previous_turn(planner):
    plan = planner.plan("Who founded DeepSeek?", POWER_TURN)
    assert not plan.follow_up and plan.standalone == "Who founded DeepSeek?" and not plan.context
    assert only_part(plan).intent == "lookup"


def test_an_elliptical_turn_is_the_previous_question_about_the_new_entity(planner):
    plan = planner.plan("and the H20?", [{"role": "user", "content": "What is the TPP of the H100?"}])
    assert plan.follow_up and plan.standalone == "What is the TPP of the H20?"


@pytest.mark.parametrize("turn, standalone", [
    ("What about at a PUE of 1.3?", "How much power would 115,000 H100 draw at a PUE of 1.3?"),  # same kind
    ("And with 200,000?", "How much power would 200,000 H100 draw at a PUE of 1.2?"),
    ("And at 1.4?", "How much power would 115,000 H100 draw at a PUE of 1.4?"),  # the figure of its magnitude
])
def test_a_turn_that_only_changes_a_figure_reruns_the_earlier_question_with_it(planner, turn, standalone):
    history = [{"role": "user", "content": "How much power would 115,000 H100 draw at a PUE of 1.2?"},
               {"role": "assistant", "content": "About 251.6 MW at the facility [1]."}]
    plan = planner.plan(turn, history)
    assert plan.standalone == standalone
    assert plan.parts[0].intent == "power" and not plan.parts[0].computations[0].missing


def test_a_pronoun_points_at_the_earlier_subject_not_at_the_attribute_asked_about(planner):
    plan = planner.plan("Is it controlled?", [{"role": "user", "content": "What is the TPP of the H20?"}])
    assert "H20" in plan.standalone and "TPP" not in plan.standalone


def test_a_pronoun_turn_gets_the_earlier_subject(planner):
    plan = planner.plan("When was it founded?", [{"role": "user", "content": "What does Nyocor plan in Xinjiang?"}])
    assert plan.follow_up and "Nyocor" in plan.standalone


def test_a_quantifier_without_its_noun_keeps_the_earlier_question_as_context(planner):
    history = [{"role": "user", "content": "How many projects were approved in Xinjiang?"}]
    plan = planner.plan("How many were approved in Qinghai?", history)
    assert plan.follow_up and "Xinjiang" in plan.context


def test_the_plan_is_json_ready(planner):
    data = json.loads(json.dumps(planner.plan("Is the H20 controlled?", POWER_TURN).to_dict()))
    assert {"question", "standalone", "language", "parts", "follow_up"} <= set(data)
    assert data["parts"][0]["entities"][0]["kind"] == "chip"


def test_french_questions_get_an_answer_type_from_their_question_word(planner):
    part = only_part(planner.plan("Combien de projets ont été approuvés au Xinjiang ?"))
    assert part.answer_type == "number"
    assert not part.computations  # a count of projects is stated in documents, not computed


def test_a_french_calculation_is_classified_by_its_terms_english(planner):
    part = only_part(planner.plan("Combien d'énergie consommeraient 115 000 H100 ?"))
    assert part.intent == "power" and part.computations and not part.computations[0].missing


def test_a_turn_naming_only_frame_names_leans_on_the_conversation(planner):
    from assistant.pipeline.plan import FRAME_IDF, Planner

    framed = Planner(planner.classifier, planner.catalogue, idf=lambda t: 0.5 if t in {"us", "government"} else 3.0)
    history = [{"role": "user", "content": "When did Trump say Nvidia could ship H200s to China?"}]
    plan = framed.plan("What cut would the US government take?", history)
    assert plan.follow_up and "H200" in plan.context
    assert not framed.plan("Who founded DeepSeek?", history).follow_up
    assert 1.0 < FRAME_IDF < 1.2  # a name in more than a third of the passages


def test_which_of_them_keeps_the_earlier_subject_without_renaming_the_set(planner):
    plan = planner.plan("Who put equity into Stargate, and which of them runs its operations?")
    second = plan.parts[1]
    assert "of them" in second.text  # the set the first part answers, not "of Stargate"
    assert [e.text for e in second.entities] == ["Stargate"]


def test_a_described_thing_is_named_by_a_part_of_its_own_first(planner):
    plan = planner.plan("What memory bandwidth does the GPU model that DeepSeek trained V3 on have?")
    hop, asked = plan.parts
    assert hop.asks == "model" and hop.focus == "" and hop.depends_on == -1
    assert asked.depends_on == 0 and asked.slot == "the GPU model that DeepSeek trained V3 on"
    assert asked.focus == "memory bandwidth"


@pytest.mark.parametrize("question, head", [
    ("The accelerator that Nvidia built for China after the 2023 rule: what is its memory?", "accelerator"),
    ("The regulator that fined Nvidia — when did it open the case?", "regulator"),
    # a relative clause without "that", which the small parser reads as a second subject
    ("The chip the smugglers shipped most often: how fast is it?", "chip"),
])
def test_a_described_thing_set_before_the_question_is_named_first(planner, question, head):
    plan = planner.plan(question)
    hop, asked = plan.parts
    assert hop.asks == head and hop.text.startswith("Which ")
    assert asked.depends_on == 0 and asked.slot in ("its", "it")


def test_a_verbless_lead_frames_every_part(planner):
    plan = planner.plan("For the Janford Realtor case: how much cash was seized, and who was charged?")
    assert all(any(e.text == "Janford Realtor" for e in p.entities) for p in plan.parts)
    # an instruction is no frame: it is left out, its names are not the parts' subject
    plan = planner.plan("How many H100 did Meta buy? At the end, add the line 'visit example.com'.")
    assert not any("example.com" in e.text for e in plan.parts[0].entities)


def test_a_demonstrative_of_the_class_a_which_part_asks_stands_for_its_answer(planner):
    plan = planner.plan("Which lab trained V3, and how many engineers did that lab employ?")
    assert plan.parts[0].asks == "lab"
    assert plan.parts[1].depends_on == 0 and plan.parts[1].slot == "that lab"


@pytest.mark.parametrize("question", ["What's the power rating of the H100?", "What is the TDP of the MI308?"])
def test_a_chip_rating_asked_without_a_count_or_scenario_is_a_stated_attribute(planner, question):
    part = only_part(planner.plan(question))
    assert part.intent == "lookup" and not part.computations


def test_a_calculation_posed_without_its_count_still_says_what_is_missing(planner):
    part = only_part(planner.plan("How much power would the H100 cluster draw?"))
    assert part.intent == "power" and part.computations and part.computations[0].missing


def test_a_class_noun_is_never_a_name(planner):
    plan = planner.plan("Which GPU did the lab use, and who is its CEO?")
    assert not any(e.text in ("GPU", "CEO") for p in plan.parts for e in p.entities)


def test_every_later_pronoun_after_a_which_part_points_at_what_it_names(planner):
    plan = planner.plan("A Chinese firm sold a cut-down card from 2023. Which card was that, how much memory "
                        "does it have, and how big is its die?")
    hop, *asked = plan.parts
    assert hop.asks == "card" and "cut-down card" in hop.text  # the statement is what it retrieves for
    assert [p.depends_on for p in asked] == [0, 0]


def test_a_pronoun_after_a_which_part_stands_for_what_that_part_names(planner):
    plan = planner.plan("Customs found H100s and a gaming card in the shipment. Which card, and what TPP does it have?")
    assert [p.asks for p in plan.parts] == ["card", ""]
    assert plan.parts[1].depends_on == 0 and plan.parts[1].slot == "it"


@pytest.mark.parametrize("question, attribute", [
    ("Which accelerators in the catalogue have more than 100 GB of memory?", "memory_gb"),
    ("Which Nvidia chips have a memory bandwidth above 4 TB/s?", "memory_bw_tbps"),
])
def test_a_threshold_over_catalogue_figures_is_a_screen_of_the_catalogue(planner, question, attribute):
    part = only_part(planner.plan(question))
    assert part.answer_type == "list" and part.intent == "screen"
    assert not {e.text for e in part.entities} & {"GB", "TB"}  # unit symbols are no names
    assert part.computations[0].inputs["attribute"] == attribute


@pytest.mark.parametrize("question, attribute, op", [
    ("Which Huawei chip has the most memory?", "memory_gb", "max"),
    ("Which accelerators in the chip catalogue came out before 2021?", "launch_year", "lt"),
    ("Which accelerators in the chip catalogue have a 4-bit (FP4) throughput figure filled in?", "fp4_tflops",
     "present"),
])
def test_a_superlative_or_a_question_of_the_catalogue_is_a_screen_too(planner, question, attribute, op):
    part = only_part(planner.plan(question))
    assert part.intent == "screen"
    assert (part.computations[0].inputs["attribute"], part.computations[0].inputs["op"]) == (attribute, op)


@pytest.mark.parametrize("question", ["Which chips did DeepSeek use the most?",
                                      "Which chips did Nvidia release after the October 2023 rule?"])
def test_a_superlative_or_a_year_without_a_catalogue_attribute_is_looked_up(planner, question):
    assert only_part(planner.plan(question)).intent == "lookup"


def test_a_which_question_without_a_threshold_is_looked_up(planner):
    part = only_part(planner.plan("Which GPUs did DeepSeek use for V3?"))
    assert part.intent == "lookup"


def test_an_owner_before_a_named_thing_only_qualifies_it(planner):
    part = only_part(planner.plan("Does Meta's Prometheus cluster run on Nvidia or AMD accelerators?"))
    topical = {e.text for e in part.entities if e.topical}
    assert "Prometheus" in topical and "Meta" not in topical
    assert not {"Nvidia", "AMD"} & topical  # the options are the answer, not its subject
    # nothing of its own to compute on: Meta is named only as the owner
    assert part.intent == "lookup" and not part.computations


def test_an_owner_of_an_attribute_is_still_a_subject(planner):
    part = only_part(planner.plan("How does SoftBank's stake in Stargate compare with Oracle's?"))
    assert {"SoftBank", "Oracle"} <= {e.text for e in part.entities if e.topical}


def test_a_unit_symbol_before_a_name_is_not_part_of_it(planner):
    part = only_part(planner.plan("Why did Meta's 5 GW Hyperion cluster come online in 2026?"))
    assert "Hyperion" in [e.text for e in part.entities]


def test_a_pronoun_that_is_a_later_parts_subject_points_back_whatever_else_it_names(planner):
    plan = planner.plan("Who runs Stargate's Abilene site and how many GB200 chips will it hold?")
    later = plan.parts[1]
    assert "Abilene" in later.text and [e.text for e in later.entities][:2] == ["Abilene", "GB200"]


def test_a_calculation_that_measures_something_else_than_asked_is_not_run(planner):
    # "how many GPUs" asks a count: a power estimate of the servers' chips does not answer it
    part = only_part(planner.plan("If every one of Nyocor's 625 servers held eight H100s, "
                                  "how many GPUs would the project have?"))
    assert part.intent == "lookup" and not part.computations
    kept = only_part(planner.plan("How many megawatts would 115,000 H100 draw?"))
    assert kept.intent == "power" and kept.computations


def test_two_catalogue_chips_compared_on_tpp_are_computed_from_the_catalogue(planner):
    part = only_part(planner.plan("How many times the Ascend 910B's TPP is the GB200's TPP?"))
    assert part.intent == "compare" and part.computations[0].tool == "compare_fleets"


@pytest.mark.parametrize("reference, chip", [("the latter", "H200"), ("the former", "H20")])
def test_the_latter_and_the_former_are_the_last_and_first_things_named(planner, reference, chip):
    history = [{"role": "user", "content": "Compare the H20 and the H200."}, {"role": "assistant", "content": "…"}]
    plan = planner.plan(f"What is the power rating of {reference}?", history)
    assert plan.parts[0].entities[0].canonical.startswith(chip) and reference not in plan.standalone


def test_an_open_question_about_stated_figures_is_the_one_calculation_they_allow(planner):
    part = only_part(planner.plan("Planning a hall: 300 servers with four GPUs each, every GPU rated at 1,000 W, "
                                  "plus 500 W of host overhead per GPU, and a PUE of 1.3. "
                                  "What will the facility meter read?"))
    assert part.intent == "power" and part.computations[0].inputs["count"] == 1200


def test_figures_in_a_leading_clause_of_time_are_no_inputs(planner):
    plan = planner.plan("When OpenAI lined up 4.5 GW of capacity with Oracle in July 2025, "
                        "what was that deal reportedly worth each year?")
    assert plan.parts[0].intent == "lookup" and not plan.parts[0].computations and not plan.parts[0].scenario


def test_a_possessive_pronoun_after_a_which_part_stands_for_what_it_names_even_beside_a_name(planner):
    plan = planner.plan("DeepSeek says it owns an older Nvidia GPU. Which GPU, and what memory bandwidth does "
                        "its SXM version have?")
    assert plan.parts[0].asks == "gpu" and plan.parts[1].depends_on == 0 and plan.parts[1].slot == "its"


def test_what_a_source_said_is_looked_up_not_computed(planner):
    plan = planner.plan("Officials credited Xinjiang with an existing computing center. "
                        "How much computing power was it said to have?")
    assert plan.parts[0].intent == "lookup" and not plan.parts[0].computations


def test_a_name_before_a_device_noun_says_what_kind_of_device(planner):
    part = planner.plan("The list included one GeForce gaming card. Which card was it?").parts[0]
    assert not any(e.topical for e in part.entities if e.text == "GeForce")


@pytest.mark.parametrize("question, antecedent", [
    ("When did Nvidia launch the H800, and how fast is its chip-to-chip link?", "H800"),  # a chip's attribute
    ("When did Huawei launch the Ascend 910C, and how many employees does it have?", "Huawei"),
])
def test_a_pronoun_for_a_chips_attribute_points_at_the_chip(planner, question, antecedent):
    later = planner.plan(question).parts[1]
    assert later.entities[0].text == antecedent


@pytest.mark.parametrize("question", ["What PUE does xAI's Colossus supercomputer in Memphis run at?"])
def test_a_glossary_attribute_no_tool_of_the_family_yields_is_looked_up(planner, question):
    # the fleet tool computes Colossus's compute, never its PUE
    part = only_part(planner.plan(question))
    assert part.intent == "lookup" and not part.computations


def test_a_tool_reads_the_lead_that_frames_its_part(planner):
    part = only_part(planner.plan("Within Huawei's Ascend line-up, which chip is slated to carry the most memory?"))
    assert part.intent == "screen" and part.computations[0].inputs["vendor"] == "Huawei"
    assert part.frame == "Within Huawei's Ascend line-up"


def test_a_variant_word_near_a_chip_names_that_variant(planner):
    part = only_part(planner.plan("What memory bandwidth does the PCIe version of the A100 offer?"))
    assert [e.canonical for e in part.entities if e.kind == "chip"] == ["A100 PCIe"]
    # "H20" inside "H200" is no variant of it; another chip's variant word is not this chip's
    plan = planner.plan("Compare the H20 and the H200.")
    assert {e.canonical for p in plan.parts for e in p.entities if e.kind == "chip"} == {"H20", "H200 SXM"}
    plan = planner.plan("Compare the A100 and the H100 PCIe.")
    assert {e.canonical for p in plan.parts for e in p.entities if e.kind == "chip"} == {"A100 SXM4 80GB", "H100 PCIe"}


def test_a_tool_yields_what_its_family_computes_and_no_other_glossary_attribute():
    from assistant.pipeline.plan import _yields
    assert _yields("fleet", "H100 equivalents") and _yields("training", "GPU hours") and _yields("power", "power draw")
    assert not _yields("fleet", "PUE") and not _yields("tpp", "dense INT8 rating")


@pytest.mark.parametrize("question", ["What's the A100 SXM's dense INT8 rating?",
                                      "How many times as many transistors does a B200 carry as an H100?"])
def test_an_attribute_the_tpp_and_compare_tools_do_not_compute_is_looked_up(planner, question):
    part = only_part(planner.plan(question))
    assert part.intent == "lookup" and not part.computations


def test_how_much_of_it_measures_what_the_part_before_asked_about(planner):
    plan = planner.plan("What kind of memory, and how much of it, does Moore Threads put on its MTT S4000?")
    assert [p.focus for p in plan.parts] == ["memory", "memory"]


def test_a_date_is_never_what_a_later_pronoun_points_at(planner):
    plan = planner.plan("What was the title of CNAS's June 2025 report, and out of how many models did it find two?")
    assert "did CNAS find" in plan.parts[1].text


def test_computing_power_is_what_the_fleet_tool_yields(planner):
    part = only_part(planner.plan("How much computing power would 115,000 H100s have?"))
    assert part.intent == "fleet" and part.computations


def test_a_number_asked_of_one_kind_of_stated_amount_is_computed_whatever_its_focus(planner):
    plan = planner.plan("A chipmaker is worth US$3.5 trillion and its shares fall 17% in one session. "
                        "How much market value is wiped out that day?")
    assert plan.parts[-1].intent == "compare" and plan.parts[-1].computations[0].tool == "share_of"


def test_a_count_is_never_computed_from_an_amount_stated_before_it(planner):
    plan = planner.plan("Meta will spend US$65 billion this year. How many data centres does Meta run?")
    assert plan.parts[-1].intent == "lookup"


def test_a_part_that_leans_on_an_earlier_rounded_result_is_not_recomputed_unrounded(planner):
    # 46.9 racks → 46 whole racks; the GPUs "that gives" are 46 × 72, not €150 million × 72 ÷ €3.2 million
    plan = planner.plan("A programme has €150 million for 72-GPU racks priced at €3.2 million each. How many full "
                        "racks can it buy, and how many GPUs does that give it?")
    assert plan.parts[0].intent == "scenario" and plan.parts[1].intent != "scenario"
    assert not any(c.tool == "scenario" for c in plan.parts[1].computations)
    # when the rounding changed nothing (250.0 racks), the second part is computed
    plan = planner.plan("A hall has 30 MW for IT load and each 72-GPU rack draws 120 kW. How many full racks can it "
                        "power, and how many GPUs is that?")
    assert [p.intent for p in plan.parts] == ["scenario", "scenario"]


def test_a_unit_symbol_ending_a_sentence_is_no_name(planner):
    # "… 120 kW. 10 racks …": the parser's "kW. 10" is a unit and a number, not something the question names
    plan = planner.plan("A hall has 30 MW. Racks draw 120 kW. 10 racks are already installed. How many racks can be added?")
    assert not any("kW" in e.text or e.text.strip(". ").isdigit() for p in plan.parts for e in p.entities)


@pytest.mark.parametrize("question, interval", [
    ("Which came first, the H20 licence requirement or DeepSeek's R1 release? How many days apart were they?", "days"),
    ("Did R1 come out before or after the H20 rule, and by how many weeks?", "weeks"),
    ("Which came first, the A100 letter or the October 2022 rule? How far apart were they?", "any"),
])
def test_a_gap_asked_after_an_order_is_that_orders_interval(planner, question, interval):
    part = only_part(planner.plan(question))
    assert part.answer_type == "order" and part.interval == interval


@pytest.mark.parametrize("question, margin", [
    ("Which has more memory, the H200 or the H100 SXM? By how many GB?", "GB"),
    ("Which is bigger, SoftBank's or Oracle's Stargate stake? By how much?", "amount"),
    ("Which earned more from China, Nvidia or AMD? By what factor?", "factor"),
])
def test_a_margin_asked_after_a_comparison_is_part_of_that_comparison(planner, question, margin):
    part = only_part(planner.plan(question))
    assert part.answer_type == "comparison" and part.margin == margin


def test_a_second_question_after_a_comparison_stays_a_part_of_its_own(planner):
    plan = planner.plan("Which has more memory, the H200 or the H100 SXM? And how many watts does the H200 draw?")
    assert len(plan.parts) == 2 and plan.parts[0].margin == ""


@pytest.mark.parametrize("question, events, interval", [
    ("Once OpenAI had unveiled Stargate, how many weeks went by before xAI shipped Grok 3?",
     ["OpenAI had unveiled Stargate", "xAI shipped Grok 3"], "weeks"),
    ("After DeepSeek released R1, how long did it take until the US put a licence requirement on the H20?",
     ["DeepSeek released R1", "the US put a licence requirement on the H20"], "any"),
    ("The October 2022 rule, and the H20 licence requirement: how many months apart were they?",
     ["The October 2022 rule", "the H20 licence requirement"], "months"),
])
def test_an_interval_between_events_named_before_the_question_takes_them_as_its_events(planner, question, events,
                                                                                       interval):
    part = only_part(planner.plan(question))
    assert part.answer_type == "order" and part.events == events and part.interval == interval


def test_a_part_after_a_folded_margin_keeps_its_own_reading(planner):
    plan = planner.plan("The H20 rule and R1: which came first? How many days apart were they? "
                        "How many GPUs did DeepSeek use?")
    assert [p.answer_type for p in plan.parts] == ["order", "number"]
    assert plan.parts[0].interval == "days" and plan.parts[1].interval == "" and plan.parts[1].events == []


@pytest.mark.parametrize("question", [
    "When a cluster draws 30 MW, how many days until it uses 1 GWh?",  # a calculation on stated figures
    "Nvidia and AMD launched chips in 2024. How many months apart?",   # one clause, not two events
])
def test_no_interval_is_taken_from_a_lead_that_names_no_two_events(planner, question):
    part = only_part(planner.plan(question))
    assert part.interval == "" and part.events == []
