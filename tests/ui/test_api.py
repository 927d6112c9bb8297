"""The programmatic endpoint "ask" through gradio_client, concurrency, launch settings."""

from __future__ import annotations

import concurrent.futures as cf
import urllib.error
import urllib.request
from typing import Any

import pytest

pytestmark = [pytest.mark.filterwarnings("ignore:.*no_silent_downcasting"),
              pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")]

XINJIANG = "How many data-center projects were approved in Xinjiang and Qinghai?"
QUESTIONS = [
    XINJIANG,
    "Is the H20 controlled?",
    "What share of Stargate's compute would the Xinjiang chips be?",
    "Which chips did DeepSeek use to train V3?",
    "How does the Huawei Ascend 910C compare with the Nvidia H100?",
    "How are Nvidia chips smuggled into China?",
    "What is the TPP of the H100?",
    "Is the H800 controlled?",
    "What did the October 2022 export rule restrict?",
    "How did Nvidia's share price react to DeepSeek R1 in January 2025?",
    "What is on Huawei's Ascend roadmap?",
    "Which accelerators does Cambricon make?",
    "What is the Nyocor project in Yiwu?",
    "How much power would the Xinjiang data centers need?",
    "What is the Stargate site in Abilene?",
    "Is the A800 controlled?",
    "What is the January 2026 case-by-case licence review policy?",
    "What chips do Biren and Moore Threads make?",
    "Has construction of the Xinjiang data centers started?",
    "What does the Nvidia GB200 offer?",
]


def test_ask_endpoint_returns_the_answer_dict_and_uses_history(client: Any) -> None:
    first = client.predict(XINJIANG, [], api_name="/ask")
    assert first["question"] == XINJIANG
    assert "[1]" in first["text"] and first["citations"][0]["number"] == 1
    assert set(first) >= {"text", "citations", "tool_calls", "abstained", "timings"}

    history = [{"role": "user", "content": XINJIANG}, {"role": "assistant", "content": first["text"]}]
    follow = client.predict("Which company controls one of the largest ones?", history, api_name="/ask")
    assert "Xinjiang" in follow["resolved_question"]  # read with the conversation
    assert follow["citations"]


def test_ask_endpoint_reports_bad_input(client: Any) -> None:
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="empty"):
        client.predict("   ", [], api_name="/ask")
    with pytest.raises(AppError, match="ISO date"):
        client.predict(XINJIANG, [], {"date_from": "last spring"}, api_name="/ask")


def test_only_ask_is_documented(client: Any) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert list(endpoints) == ["/ask"]


def test_twenty_concurrent_clients_each_get_their_own_answer(ui_assistant: Any, app_url: str) -> None:
    from gradio_client import Client

    assert len(set(QUESTIONS)) == 20
    expected = {q: ui_assistant.ask(q).to_dict() for q in QUESTIONS}

    def call(question: str) -> dict[str, Any]:
        c = Client(app_url, verbose=False, analytics_enabled=False, download_files=False)
        return c.predict(question, [], api_name="/ask")

    with cf.ThreadPoolExecutor(max_workers=20) as pool:
        results = dict(zip(QUESTIONS, pool.map(call, QUESTIONS)))
    for q, got in results.items():
        want = expected[q]
        assert got["question"] == q
        assert got["text"] == want["text"], q
        assert [c["doc_id"] for c in got["citations"]] == [c["doc_id"] for c in want["citations"]], q
        assert [t["name"] for t in got["tool_calls"]] == [t["name"] for t in want["tool_calls"]], q
    cited = {q: {c["doc_id"] for c in r["citations"]} for q, r in results.items()}
    assert len({frozenset(v) for v in cited.values()}) > 10  # different questions, different sources


def test_launch_uses_host_port_and_basic_auth_from_settings(ui_assistant: Any, free_port: int) -> None:
    from gradio_client import Client

    from ui.app import build_app, launch

    settings = ui_assistant.settings.model_copy(update={"ui_auth": "alice:s3cret", "ui_port": free_port})
    demo = build_app(ui_assistant)
    launch(demo, settings, prevent_thread_lock=True, quiet=True)
    try:
        url = f"http://127.0.0.1:{free_port}"
        assert demo.local_url.rstrip("/") == url
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(url + "/config", timeout=10)
        assert err.value.code == 401
        client = Client(url, auth=("alice", "s3cret"), verbose=False, analytics_enabled=False, download_files=False)
        assert client.predict(XINJIANG, [], api_name="/ask")["citations"]
    finally:
        demo.close()


def test_parse_auth() -> None:
    from assistant import AssistantError
    from ui.app import parse_auth

    assert parse_auth(None) is None and parse_auth("") is None
    assert parse_auth("bob:pa:ss") == ("bob", "pa:ss")
    for bad in ("bob", ":x", "bob:"):
        with pytest.raises(AssistantError, match="user:password"):
            parse_auth(bad)


def test_main_launches_with_the_settings(monkeypatch: pytest.MonkeyPatch, ui_assistant: Any) -> None:
    import gradio as gr

    import ui.app

    seen: dict[str, Any] = {}
    monkeypatch.setattr(ui.app, "Assistant", lambda settings: ui_assistant)
    monkeypatch.setattr(gr.Blocks, "queue", lambda self, **kw: seen.update(queue=kw) or self)
    monkeypatch.setattr(gr.Blocks, "launch", lambda self, **kw: seen.update(launch=kw))
    settings = ui_assistant.settings.model_copy(update={"ui_host": "127.0.0.1", "ui_port": 7999,
                                                         "ui_auth": "ann:pw", "concurrency_limit": 3})
    ui.app.main(settings)
    assert seen["queue"] == {"default_concurrency_limit": 3}
    kw = seen["launch"]
    assert (kw["server_name"], kw["server_port"], kw["auth"]) == ("127.0.0.1", 7999, ("ann", "pw"))
    assert kw["css"] and kw["run_history"] is False

    with pytest.raises(Exception, match="user:password"):
        ui.app.main(settings.model_copy(update={"ui_auth": "nocolon"}))
