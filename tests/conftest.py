"""Fixtures shared by the suite: a real model, real Chroma stores, a small fixture corpus."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parent.parent
FIXTURE_CORPUS = REPO / "tests" / "fixtures" / "corpus"

# the suite's server helpers (free ports, llama.cpp and scripted model servers), importable as `llm_server`
# from any test: tests/ is not a package and not on sys.path
_spec = importlib.util.spec_from_file_location("llm_server", REPO / "tests" / "llm_server.py")
assert _spec is not None and _spec.loader is not None
llm_server = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("llm_server", llm_server)
_spec.loader.exec_module(llm_server)


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


@pytest.fixture
def chroma_process(tmp_path: Path):
    """(url, process) of a real `chroma run` server on a free loopback port, ready (heartbeat answered) or
    the test fails after 30 s; a test may kill it, otherwise it is stopped after the test."""
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = llm_server.free_port()
    proc = subprocess.Popen([exe, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            if time.time() > deadline:
                proc.kill()
                pytest.fail("chroma server did not start")
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}", proc
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=10)
