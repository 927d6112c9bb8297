"""The CLI: JSON answers, one-line errors with non-zero exits."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run(args, env_extra, **kw):
    env = {**os.environ, **env_extra, "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300, **kw)


def test_ask_json_and_sources(fixture_settings, fixture_assistant):
    fixture_assistant.sources()  # index built
    env = {"ASSISTANT_DATA_DIR": str(fixture_settings.data_dir), "ASSISTANT_CORPUS_DIR": str(fixture_settings.corpus_dir)}
    out = run(["ask", "--json", "How many Nvidia chips did the approved Xinjiang and Qinghai projects plan to use?"], env)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert "115,000" in data["text"] and data["citations"][0]["doc_id"]
    listing = run(["sources"], env)
    assert listing.returncode == 0 and "big-fund-iii" in listing.stdout


def test_bad_setting_exits_non_zero_with_one_line(tmp_path):
    out = run(["ask", "anything"], {"ASSISTANT_K": "-3"})
    assert out.returncode == 2 and out.stderr.strip().count("\n") == 0 and "ASSISTANT_K" in out.stderr


def test_empty_question_exits_non_zero(fixture_settings):
    out = run(["ask", " "], {"ASSISTANT_DATA_DIR": str(fixture_settings.data_dir),
                             "ASSISTANT_CORPUS_DIR": str(fixture_settings.corpus_dir)})
    assert out.returncode == 2 and "question is empty" in out.stderr


def test_server_down_exits_non_zero_naming_the_fix():
    out = run(["ask", "How many chips?"], {"ASSISTANT_CHROMA_URL": "http://127.0.0.1:9"})
    assert out.returncode == 2 and "chroma run" in out.stderr


def test_doctor_reports_each_part(fixture_settings, fixture_assistant):
    fixture_assistant.sources()
    out = run(["doctor"], {"ASSISTANT_DATA_DIR": str(fixture_settings.data_dir),
                           "ASSISTANT_CORPUS_DIR": str(fixture_settings.corpus_dir)})
    assert out.returncode == 0, out.stdout
    assert "embedding model" in out.stdout and "store" in out.stdout
