"""A sentence answers a part only with the asked answer type, focus and entities."""

from __future__ import annotations

from assistant.pipeline.support import (about, defines, focus_forms, has_focus, has_type, mentions, names_agent,
                                        names_event)
from assistant.pipeline.types import Entity, Part


def test_the_focus_may_be_written_as_a_glossary_synonym():
    assert has_focus("The Ascend 910C has a power (TDP) of 700 W.", "thermal design power")
    assert not has_focus("Nyocor was founded in 2023 by an energy group.", "CEO")
    # a chip's process node is written "made on the 7 nm process"
    assert has_focus("The Cambricon MLU370-X8 is made on the 7nm process.", "process node")
    assert not has_focus("The Cambricon MLU370-X8 is rated at 250 W.", "process node")


def test_a_predicate_focus_may_be_written_in_another_form_of_the_same_attribute():
    # "founded" ~ "spun out of", "sell for" ~ "priced at", "worth" ~ "valuation": the glossary's groups
    assert has_focus("DeepSeek was spun out of the hedge fund High-Flyer in May 2023.", "founded")
    assert has_focus("The 910B was priced at about 120,000 yuan.", "sell for")
    assert has_focus("The round put the company's valuation at US$3 billion.", "worth")
    assert not has_focus("Nyocor's project had started installing servers by July 2025.", "founded")


def test_who_was_charged_is_answered_by_a_plea_but_not_by_an_arrest():
    assert has_focus("Alan Hao Hsu and Hao Global LLC pleaded guilty on October 10, 2025.", "charged")
    assert not has_focus("Benlin Yuan had been arrested on November 28, 2025.", "charged")


def test_an_event_is_named_by_its_verb_or_another_form_of_it():
    assert names_event("DeepSeek-R1 was released on January 20, 2025.", "put out")
    # "put" alone says nothing: a paper that "put the cost" at a figure did not put out a model
    assert not names_event("A paper published on September 17, 2025 put the cost of R1 at US$294,000.", "put out")
    assert names_event("xAI launched Grok 3 on February 17, 2025.", "launch")


def test_a_two_word_focus_needs_both_words():
    assert not has_focus("Housing was offered at about 80% of usual prices.", "electricity price")


def test_generic_focus_words_are_not_required():
    assert has_focus("Anything at all.", "share")


def test_a_unit_question_needs_a_number_in_that_dimension():
    part = Part(text="How many megawatts", answer_type="number", focus="megawatts")
    assert has_type("The site is designed for up to 1.2 GW.", part)
    assert not has_type("The site holds 400,000 GB200 chips.", part)
    # watts without a prefix are power too
    assert has_type("The H20 is rated at 400 W.", Part(text="How many watts", answer_type="number", focus="watts"))
    # a currency is written before its number
    money = Part(text="How much money", answer_type="number", focus="money")
    assert has_type("Buyers wired more than US$50 million from China.", money)
    assert has_type("The fund holds RMB 344 billion.", money)
    assert not has_type("Buyers wired money from China on 12 occasions.", money)


def test_a_date_question_needs_a_date_and_a_person_question_a_name():
    assert has_type("It was released on January 20, 2025.", Part(text="q", answer_type="date"))
    assert not has_type("It was released recently.", Part(text="q", answer_type="date"))
    assert has_type("Nyocor runs it.", Part(text="q", answer_type="person"))


def test_a_person_question_is_not_answered_by_a_name_it_gives_itself_nor_by_a_model_or_its_brand():
    part = Part(text="Who placed the order for 2,400 H100s that CNAS pointed to?", answer_type="person")
    assert not has_type("CNAS reported one order for 2,400 Nvidia H100 chips.", part)
    assert has_type("CNAS said the order was placed by Tianjin Ruixin.", part)


def test_a_verb_focus_is_found_in_a_noun_derived_from_it():
    sentence = "Compliance for most provisions was due by December 31, 2024."
    assert has_focus(sentence, "comply", derived=True)
    assert not has_focus(sentence, "comply")  # only a verb's focus reads derived nouns
    # a stem under five letters is never read as a prefix ("ship" is not "shipment", nor "pay" "payload")
    assert not has_focus("Shipments began in 2024.", "ship", derived=True)


def test_a_place_question_needs_a_place_other_than_the_thing_asked_about():
    part = Part(text="Where is Colossus located", answer_type="place", entities=[Entity("Colossus", "fleet", "Colossus")])
    assert has_type("xAI built Colossus in a former Electrolux factory in Memphis, Tennessee.", part)
    assert not has_type("Colossus reached 100,000 H100 in May 2025, according to the Financial Times.", part)
    assert not has_type("More GPUs were added in Colossus.", part)  # the thing itself is not its place
    abilene = Part(text="Where is the Abilene campus", answer_type="place", entities=[Entity("Abilene", "fleet", "x")])
    assert has_type("The flagship data center in Abilene, Texas, is planned for 1.2 GW.", abilene)


def test_a_by_phrase_after_the_questions_own_word_names_who_did_it():
    assert names_agent("A CNAS report by Grunewald and Fist estimated 140,000 chips.", "Who wrote the CNAS report")
    assert names_agent("The episode was hosted by K. Oanh Ha.", "Who hosted the podcast episode")
    assert not names_agent("The compound is backed by the Xinjiang regional government.", "Who runs the compound")
    assert not names_agent("The report was published by May 2025.", "Who published the report")


def test_a_name_is_defined_by_a_sentence_that_describes_it():
    assert defines("Big Fund III, the third phase of the China Integrated Circuit Industry Investment Fund, was "
                   "established on May 24, 2024.", "Big Fund III")
    assert defines("Nyocor Co. (金开新能), a Tianjin-based solar and wind power company, controls a project.", "Nyocor")
    assert not defines("Analysts compared Big Fund III with Stargate.", "Big Fund III")


def test_definitions_spell_the_term_out():
    assert defines("Total Processing Performance (TPP) is the compute score …", "TPP")
    assert not defines("The bit length in the TPP formula is the largest input bit length.", "TPP")


def test_most_entities_must_be_in_the_passage_and_a_named_year_too():
    entities = [Entity("Nyocor", "name", "Nyocor"), Entity("Yiwu", "name", "Yiwu")]
    assert about("Nyocor plans a data center.", entities)
    assert not about("A data center in Hami.", entities)
    assert not about("Nvidia's price in January 2025.", [Entity("Nvidia", "name", "Nvidia")], "Nvidia's price at the end of 2027")


def test_long_names_match_by_most_of_their_words():
    assert mentions("the US Department of Justice charged two men", Entity("US Justice Department", "name", ""))


def test_the_polarity_of_a_statement_is_its_main_clause():
    from assistant.pipeline.support import negated
    assert negated("the H20 was not controlled")
    assert not negated("the H200 get case by case review under the January 2026 rule while the B200 can not")


def test_the_focus_written_only_as_the_modifier_of_another_attribute_does_not_count():
    # "memory bandwidth" is another attribute than "memory"; "HBM memory" is still memory
    assert not has_focus("The Ascend 920 has 4 TB/s of memory bandwidth.", "memory")
    assert has_focus("It has 64 GB of HBM memory and 1.6 TB/s of memory bandwidth.", "memory")


def test_a_focus_that_is_a_glossary_term_is_replaced_whole():
    # "power rating" is the TDP in other words; never "rating" alone, never a form repeating a word
    forms = focus_forms("power rating")
    assert "tdp" in forms and all(len(set(f.split())) == len(f.split()) for f in forms)
    assert not has_focus("The variant is rated at 1,000 TFLOPS of FP8.", "power rating")
    assert has_focus("The GB300 has a power (TDP) of 1,400 W.", "heat")


def test_a_citation_is_answered_only_by_a_sentence_that_writes_one():
    part = Part(text="What is the Federal Register citation of the AI Diffusion Rule?", answer_type="other",
                focus="Federal Register citation")
    assert has_type("The rule was published on January 15, 2025 at 90 FR 4544.", part)
    assert not has_type("The rule was published in the Federal Register in January 2025.", part)


def test_a_sentence_saying_a_fact_is_not_known_documents_an_absence():
    from assistant.pipeline.support import documents_absence, gives_value
    assert documents_absence("The investor that pledged 5 billion yuan was also not named in the sources reviewed.")
    assert documents_absence("The sources reviewed do not list which companies Big Fund III has invested in.")
    assert not documents_absence("The H20 did not need a licence under the October 2023 rule.")  # a fact
    # a hedge that still gives the asked figure answers the question
    part = Part(text="How fast did xAI get 100,000 H100s running?", answer_type="number")
    assert gives_value("The exact day is not given, only that it came online after about 122 days.", part)


def test_a_place_may_be_written_as_a_based_compound():
    part = Part(text="In which province is China Bester Group based?", answer_type="place",
                entities=[Entity("China Bester Group", "name", "China Bester Group")])
    assert has_type("China Bester Group, a Hubei-based IT company, supplies the hardware.", part)


def test_an_actor_is_mentioned_by_another_of_its_names():
    washington = Entity("Washington", "name", "Washington")
    assert mentions("On December 2, 2024, the Bureau of Industry and Security announced a package.", washington)
    assert not mentions("Huawei announced the Ascend 910C.", washington)


def test_a_light_verb_in_any_form_names_no_event():
    # "putting" is "put": it says nothing about which event is meant
    assert not names_event("The package also put 140 entities on the Entity List.", "putting")


def test_a_model_number_is_not_a_half_year_a_quarter_or_a_figure_with_its_unit():
    from assistant.pipeline.support import MODEL_NUMBER
    assert all(MODEL_NUMBER.fullmatch(t) for t in ("H20", "H100", "MI308", "910B", "S4000"))
    assert not any(MODEL_NUMBER.fullmatch(t) for t in ("H1", "Q4", "700W", "141GB"))


def test_a_synonym_made_of_small_words_is_matched_as_written():
    # "up to", "at least": the stemmer drops these words, so they are matched as the glossary writes them
    assert has_focus("Nvidia warned of charges of up to US$5.5 billion.", "ceiling")
    assert has_focus("At least 75% of its AI compute had to sit in Tier 1 countries.", "minimum share")
    assert not has_focus("Nvidia booked a US$4.5 billion charge.", "ceiling")


def test_a_count_is_a_plain_number_of_things():
    part = Part(text="How many H800s did Nvidia ship?", answer_type="number")
    assert has_type("Nvidia shipped about 2,048 H800 to the lab.", part)
    assert not has_type("From March 21, 2023 the H800 had a 400 GB/s link and cost US$30,000.", part)
    assert not has_type("The H800 took 15% of sales in 2023.", part)


def test_a_source_that_found_nothing_documents_an_absence():
    from assistant.pipeline.support import documents_absence
    assert documents_absence("Memory size and TDP not found in any datasheet: left blank.")
    assert not documents_absence("The analysts found 2,000 chips in the shipment.")


def test_general_synonyms_of_a_law_and_of_a_meeting_are_one_attribute():
    assert has_focus("They were charged under the Export Control Reform Act.", "law")
    assert has_focus("Trump and Xi met in Busan on October 30, 2025.", "sit down with")
    assert not has_focus("Trump threatened a 100% tariff.", "sit down with")


def test_a_precisions_rating_is_its_throughput_and_a_generic_word_is_judged_by_its_stem():
    assert has_focus("The A100 SXM4 80GB has a dense INT8 throughput of 624 TOPS.", "dense INT8 rating")
    # "rate" of "adoption rate" is no generic word: "adopted in March 2026" does not give an adoption rate
    assert not has_focus("The plan was adopted in March 2026.", "adoption rate")


def test_a_qualifier_of_the_focus_is_not_required_of_the_sentence():
    assert has_focus('The CNAS report titled "Countering AI Chip Smuggling" was released in June 2025.', "exact title")
