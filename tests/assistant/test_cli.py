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


# ---------------------------------------------------------------------------- one line, never a traceback
def fixture_env(fixture_settings):
    return {"ASSISTANT_DATA_DIR": str(fixture_settings.data_dir), "ASSISTANT_CORPUS_DIR": str(fixture_settings.corpus_dir)}


def assert_one_line_error(out, *needles):
    assert out.returncode == 2, (out.stdout, out.stderr)
    err = out.stderr.strip()
    assert err.count("\n") == 0 and "Traceback" not in err and err.startswith("error: "), err
    for needle in needles:
        assert needle in err, err


def test_undecodable_question_bytes(fixture_settings, fixture_assistant):
    fixture_assistant.sources()
    out = run(["ask", b"\xff"], fixture_env(fixture_settings))
    assert_one_line_error(out, "not valid text")


def test_bad_history_files(fixture_settings, fixture_assistant, tmp_path):
    fixture_assistant.sources()
    env = fixture_env(fixture_settings)
    assert_one_line_error(run(["ask", "--history", str(tmp_path / "missing.json"), "What is Big Fund III?"], env),
                          "missing.json: no such file")
    latin = tmp_path / "latin.json"
    latin.write_bytes('[{"role": "user", "content": "café"}]'.encode("latin-1"))
    assert_one_line_error(run(["ask", "--history", str(latin), "What is Big Fund III?"], env), "not UTF-8")
    for content, needle in [('"just a string"', "history is a str"), ('["a", "b"]', "history item 0 is a str"),
                            ('[{"content": "no role"}]', "has no role"), ("{not json", "not valid JSON")]:
        path = tmp_path / "h.json"
        path.write_text(content, encoding="utf-8")
        assert_one_line_error(run(["ask", "--history", str(path), "What is Big Fund III?"], env), needle)


def test_topics_fold_case_and_unknown_ones_are_named(fixture_settings, fixture_assistant):
    fixture_assistant.sources()
    env = fixture_env(fixture_settings)
    out = run(["ask", "--json", "--topic", "Investment", "How much did Big Fund III raise?"], env)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["citations"]
    assert_one_line_error(run(["ask", "--topic", "Chipz", "What is the H20?"], env),
                          "unknown topic 'chipz'", "known topics: chips, datacenters")


def test_empty_store_without_a_corpus_dir(tmp_path):
    out = run(["ask", "What is the H20?"], {"ASSISTANT_DATA_DIR": str(tmp_path / "data"),
                                           "ASSISTANT_CORPUS_DIR": str(tmp_path / "nowhere")})
    assert_one_line_error(out, "nowhere does not exist", "ASSISTANT_CORPUS_DIR")


def test_purge_uploads_removes_abandoned_session_uploads(fixture_settings, fixture_assistant, tmp_path):
    doc = tmp_path / "left.md"
    doc.write_text("# Left\n\nThe Plinth R7 chip was left in a closed tab.\n", encoding="utf-8")
    gone = fixture_assistant.add_document(doc, owner="session:tab")
    out = run(["purge-uploads", "--older-than", "0"], fixture_env(fixture_settings))
    assert out.returncode == 0, out.stderr
    assert "removed 1 uploads" in out.stdout and gone["doc_id"] in out.stdout
    assert fixture_assistant.sources("user", owner="session:tab") == []


def test_a_negative_purge_age_is_refused_and_nothing_is_removed(fixture_settings, fixture_assistant, tmp_path):
    doc = tmp_path / "open.md"
    doc.write_text("# Open\n\nThe Plinth R8 chip is in a tab that is still open.\n", encoding="utf-8")
    kept = fixture_assistant.add_document(doc, owner="session:open-tab")
    out = run(["purge-uploads", "--older-than", "-5"], fixture_env(fixture_settings))
    assert_one_line_error(out, "older-than must be zero or more hours")
    assert [s["doc_id"] for s in fixture_assistant.sources("user", owner="session:open-tab")] == [kept["doc_id"]]
