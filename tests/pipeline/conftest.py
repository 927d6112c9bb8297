"""A Planner over the real chip catalogue and the real encoder (the intent exemplars are embedded once)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def planner(embedder):
    from assistant.pipeline.intent import IntentClassifier
    from assistant.pipeline.plan import Planner
    from assistant.settings import load_settings
    from assistant.language import Glossary
    from assistant.prompts import PROMPTS
    from assistant.tools import load_catalogue

    return Planner(IntentClassifier(embedder.embed), load_catalogue(load_settings().chips_csv),
                   english_terms=Glossary.load(PROMPTS / "glossary_fr_en.yaml").english_terms)
