"""Fixtures for the writer tests: a scripted OpenAI-compatible server and real llama.cpp servers.

The real servers need `bash scripts/setup.sh --llm` (llama-cpp-python[server] and the cached GGUF
files). Without them the real-model tests are skipped — unless ASSISTANT_TEST_LLM=1 (set by the
test command once the set-up is part of it), which turns a missing prerequisite into a failure.
"""

from __future__ import annotations

import os

import pytest

import llm_server  # noqa: E402  (loaded by the suite's conftest)

REQUIRE_REAL = os.environ.get("ASSISTANT_TEST_LLM", "") in ("1", "true", "yes", "require")


@pytest.fixture(scope="session")
def scripted_server():
    server = llm_server.ScriptedServer().start()
    yield server
    server.stop()


@pytest.fixture
def scripted(scripted_server):
    """The scripted server, reset to its default reply for each test."""
    scripted_server.models = ["scripted-model"]
    return scripted_server.script()


def _real_server(name: str, tmp_path_factory: pytest.TempPathFactory, **kwargs):
    problems = []
    if not llm_server.llama_cpp_available():
        problems.append("llama-cpp-python[server] is not installed")
    path = llm_server.model_file(name)
    if not path.exists():
        problems.append(f"{path} is missing")
    if problems:
        message = "; ".join(problems) + " — run `bash scripts/setup.sh --llm`"
        if REQUIRE_REAL:
            pytest.fail(message)
        pytest.skip(message)
    log = tmp_path_factory.mktemp(f"llm-{name}") / "server.log"
    return llm_server.LlamaServer(path, log_path=log, **kwargs).start()


@pytest.fixture(scope="session")
def qwen_server(tmp_path_factory):
    """Qwen2.5-Coder-1.5B-Instruct Q4_K_M behind llama_cpp.server (chatml-function-calling)."""
    server = _real_server("qwen", tmp_path_factory)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def smollm2_server(tmp_path_factory):
    """SmolLM2-135M-Instruct behind llama_cpp.server: fast, for plumbing only."""
    server = _real_server("smollm2", tmp_path_factory)
    yield server
    server.stop()
