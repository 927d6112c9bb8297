"""Settings: typed, env-prefixed, and an invalid value names its variable."""

import pytest

from assistant import SettingsError, load_settings


def test_defaults_run_embedded():
    s = load_settings()
    assert s.chroma_url is None and s.chroma_mode.startswith("embedded") and s.retrieval_mode == "hybrid"


def test_environment_overrides(monkeypatch):
    monkeypatch.setenv("ASSISTANT_K", "9")
    monkeypatch.setenv("ASSISTANT_RETRIEVAL_MODE", "keyword")
    s = load_settings()
    assert s.k == 9 and s.retrieval_mode == "keyword"


@pytest.mark.parametrize("var,value", [("ASSISTANT_K", "zero"), ("ASSISTANT_CHUNK_TOKENS", "5000"),
                                       ("ASSISTANT_RETRIEVAL_MODE", "magic"), ("ASSISTANT_CHROMA_URL", "localhost:8000")])
def test_invalid_value_names_the_variable(monkeypatch, var, value):
    monkeypatch.setenv(var, value)
    with pytest.raises(SettingsError, match=var):
        load_settings()


def test_upload_and_history_limits(monkeypatch):
    monkeypatch.setenv("ASSISTANT_MAX_HISTORY_CHARS", "2000")
    monkeypatch.setenv("ASSISTANT_UPLOAD_MAX_CHUNKS", "50")
    monkeypatch.setenv("ASSISTANT_UPLOAD_TTL_HOURS", "0.5")
    s = load_settings()
    assert (s.max_history_chars, s.upload_max_chunks, s.upload_ttl_hours) == (2000, 50, 0.5)


@pytest.mark.parametrize("var,value", [("ASSISTANT_MAX_HISTORY_CHARS", "ten"), ("ASSISTANT_UPLOAD_MAX_CHUNKS", "0"),
                                       ("ASSISTANT_UPLOAD_TTL_HOURS", "-1")])
def test_invalid_limits_name_the_variable(monkeypatch, var, value):
    monkeypatch.setenv(var, value)
    with pytest.raises(SettingsError, match=var):
        load_settings()
