"""Sentence splitting and keyword tokens: what a quotable sentence and a search term are."""

from index.text import keyword_tokens, split_sentences, strip_markdown


def test_sentences_do_not_break_on_abbreviations_or_decimals():
    text = "The U.S. rule (No. 11) set 1.2 GW. Nvidia said yes. 115,000 chips were planned!"
    assert split_sentences(text) == ["The U.S. rule (No. 11) set 1.2 GW.", "Nvidia said yes.",
                                     "115,000 chips were planned!"]


def test_markdown_emphasis_and_links_are_removed_for_quoting():
    assert strip_markdown("**Bold** and [a link](http://x) and `code`") == "Bold and a link and code"


def test_numbers_with_separators_are_one_token_and_plurals_fold():
    assert keyword_tokens("115,000 H100s; 80 500 GPUs") == ["115000", "h100", "80500", "gpu"]


def test_stopwords_and_accents_are_dropped_or_folded():
    assert keyword_tokens("What is the études des puces") == ["etude", "puce"]


def test_a_unit_after_a_number_ends_a_sentence_but_an_initial_does_not():
    assert split_sentences("The H20 has a power (TDP) of 400 W. The H20 has a die of 814 mm². Hosted by K. Oanh Ha.") == [
        "The H20 has a power (TDP) of 400 W.", "The H20 has a die of 814 mm².", "Hosted by K. Oanh Ha."]
