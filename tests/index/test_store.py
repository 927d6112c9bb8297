"""The store in both modes: embedded by default, a real `chroma run` server when a URL is set."""

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index import StoreError, index_corpus, open_store


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    proc = subprocess.Popen([exe, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import urllib.request

    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("chroma server did not start")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


def test_server_mode_indexes_and_answers(chroma_server, corpus_copy, embedder, tmp_path):
    from assistant import Assistant, load_settings

    store = open_store(tmp_path / "unused", chroma_server, embedder)
    assert store.mode.startswith("server")
    report = index_corpus(store, corpus_copy, 200, progress=False)
    assert report.chunks_written > 0
    again = index_corpus(store, corpus_copy, 200, progress=False)
    assert again.chunks_written == 0
    assistant = Assistant(load_settings(corpus_dir=corpus_copy, chroma_url=chroma_server, progress=False))
    answer = assistant.ask("How many Nvidia chips did the Xinjiang and Qinghai projects plan to use?")
    assert "115,000" in answer.text and answer.citations


def test_server_down_is_a_clear_error(embedder, tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(StoreError, match="not reachable.*chroma run"):
        open_store(tmp_path, url, embedder)


def test_data_dir_that_is_a_file_is_rejected(embedder, tmp_path):
    bad = tmp_path / "file"
    bad.write_text("x")
    with pytest.raises(StoreError, match="is a file"):
        open_store(bad, None, embedder)


def test_corrupt_data_dir_is_reported_and_left_in_place(embedder, tmp_path):
    chroma_dir = tmp_path / "data" / "chroma"
    chroma_dir.mkdir(parents=True)
    (chroma_dir / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot be opened.*move"):
        open_store(tmp_path / "data", None, embedder)
    assert (chroma_dir / "chroma.sqlite3").exists()
