"""Fixtures shared by the suite: a real model, real Chroma stores, a small fixture corpus."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parent.parent
FIXTURE_CORPUS = REPO / "tests" / "fixtures" / "corpus"


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """An editable copy of the fixture corpus."""
    dest = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, dest)
    return dest


@pytest.fixture(scope="session")
def embedder():
    from index import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def fixture_settings(tmp_path_factory: pytest.TempPathFactory):
    from assistant import load_settings

    return load_settings(corpus_dir=FIXTURE_CORPUS, data_dir=tmp_path_factory.mktemp("fixture-data"), progress=False)


@pytest.fixture(scope="session")
def fixture_assistant(fixture_settings):
    """One Assistant over the fixture corpus, index built on first use."""
    from assistant import Assistant

    return Assistant(fixture_settings)


@pytest.fixture(scope="session")
def corpus_assistant(tmp_path_factory: pytest.TempPathFactory):
    """One Assistant over the real corpus, shared by every test that needs it (built once, ~35 s)."""
    from assistant import Assistant, load_settings

    return Assistant(load_settings(data_dir=tmp_path_factory.mktemp("corpus-data"), progress=False))
