"""Shared fixtures for the tools tests.

`catalogue` is the real corpus/data/chips.csv: reference values are checked against the
data the assistant actually ships. `fixture_catalogue` is a small CSV with the same header,
used only by the unit tests of CSV parsing and lookup mechanics.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from assistant.tools.catalogue import Catalogue, default_catalogue_path, load_catalogue  # noqa: E402
from assistant.tools.named import DEFAULT_NAMED_PATH, NamedDefaults  # noqa: E402

FIXTURE_CSV = Path(__file__).with_name("data") / "chips_fixture.csv"


def real_catalogue_path() -> Path:
    """The shipped catalogue; ASSISTANT_CHIPS_CSV may point elsewhere (e.g. while it is being written)."""
    override = os.environ.get("ASSISTANT_CHIPS_CSV")
    return Path(override) if override else default_catalogue_path(REPO_ROOT)


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    path = real_catalogue_path()
    if not path.exists():
        pytest.fail(f"the chip catalogue {path} does not exist; the reference tests run against the real file")
    return load_catalogue(path)


@pytest.fixture(scope="session")
def fixture_catalogue() -> Catalogue:
    return load_catalogue(FIXTURE_CSV)


@pytest.fixture(scope="session")
def named_defaults() -> NamedDefaults:
    return NamedDefaults.load(DEFAULT_NAMED_PATH)


@pytest.fixture(scope="session")
def fixture_csv() -> Path:
    return FIXTURE_CSV


# Property tests run the same examples every time and write no example database into the repository.
settings.register_profile("assistant-tools", database=None, derandomize=True, deadline=None)
settings.load_profile("assistant-tools")
