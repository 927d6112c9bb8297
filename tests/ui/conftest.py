"""One Assistant, one running app and one headless Chromium for the whole UI suite."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from llm_server import free_port as free_port_number  # loaded by the suite's conftest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

CHROMIUM = os.environ.get("UI_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"]
ANSWER_TIMEOUT_MS = 60_000


@pytest.fixture
def free_port() -> int:
    return free_port_number()


@pytest.fixture(scope="session")
def ui_assistant(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The suite-wide corpus Assistant (tests/conftest.py) when there is one, else our own.

    UI_TEST_DATA_DIR=/some/dir reuses an index kept between runs (quick local iterations).
    """
    from assistant import Assistant, load_settings

    if os.environ.get("UI_TEST_DATA_DIR"):
        return Assistant(load_settings(data_dir=os.environ["UI_TEST_DATA_DIR"], progress=False))
    try:
        return request.getfixturevalue("corpus_assistant")
    except pytest.FixtureLookupError:
        return Assistant(load_settings(data_dir=tmp_path_factory.mktemp("ui-data"), progress=False))


@pytest.fixture(scope="session")
def app_url(ui_assistant: Any) -> Iterator[str]:
    from ui.app import build_app, launch

    demo = build_app(ui_assistant)
    launch(demo, ui_assistant.settings, server_name="127.0.0.1", server_port=free_port_number(),
           prevent_thread_lock=True, quiet=True)
    try:
        yield demo.local_url.rstrip("/")
    finally:
        demo.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any, app_url: str) -> Iterator[Any]:
    """A fresh browser context (a new session) on the app, ready for input."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(ANSWER_TIMEOUT_MS)
    pg.goto(app_url)
    pg.wait_for_selector("#question textarea")
    pg.wait_for_selector("#index-status table")  # demo.load has run
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture
def client(app_url: str) -> Any:
    from gradio_client import Client

    return Client(app_url, verbose=False, analytics_enabled=False, download_files=False)


@pytest.fixture
def cleanup_uploads(ui_assistant: Any) -> Iterator[None]:
    """Remove any document a browser session uploaded, so the shared Assistant stays as it was."""
    yield
    ui_assistant.purge_uploads(older_than_s=0, owner_prefix="session:")


@pytest.fixture
def session_uploads(ui_assistant: Any) -> Any:
    """A function: doc_id → owner of every upload of a browser session, read from the store itself."""
    def read() -> dict[str, str]:
        return {str(m["doc_id"]): str(m["owner"]) for m in ui_assistant.store.metadatas("user")
                if str(m.get("owner", "")).startswith("session:")}

    return read


class ChatPage:
    """Drives the chat UI in one page: ask, read the answer and the panels, upload files."""

    def __init__(self, page: Any) -> None:
        self.page = page

    def ask(self, question: str, enter: bool = False) -> str:
        """Type and send a question (Ask button, or Enter); wait until the answer and its sources
        panel are in; return the answer text."""
        pg = self.page
        before = pg.locator("#chat .message.bot").count()
        pg.fill("#question textarea", question)
        if enter:
            pg.press("#question textarea", "Enter")
        else:
            pg.click("#ask-btn")
        pg.wait_for_function(  # turn `before` is answered once its sources are in the panel
            "([n, q]) => { const s = document.querySelector(`#sources-panel .sources[data-turn='${n}']`);"
            " return !!s && s.querySelector('.panel-question q').textContent === q; }",
            arg=[before, question.strip()], timeout=ANSWER_TIMEOUT_MS)
        return self.last_answer()

    def last_answer(self) -> str:
        return self.page.locator("#chat .message.bot").last.inner_text()

    def panel_text(self) -> str:
        return self.page.locator("#sources-panel").inner_text()

    def upload(self, *paths: Path) -> str:
        """Upload files through the file input; wait for the report and return its text."""
        pg = self.page
        pg.evaluate("() => document.querySelectorAll('#upload-status .upload-ok, #upload-status .upload-error')"
                    ".forEach(e => e.remove())")
        pg.locator("#upload input[type=file]").set_input_files([str(p) for p in paths])
        pg.wait_for_function(
            "names => { const t = Array.from(document.querySelectorAll("
            "'#upload-status .upload-ok, #upload-status .upload-error')).map(e => e.innerText).join(' ');"
            " return names.every(n => t.includes(n)); }", arg=[p.name for p in paths], timeout=ANSWER_TIMEOUT_MS)
        return " ".join(pg.locator("#upload-status .upload-ok, #upload-status .upload-error").all_inner_texts())


@pytest.fixture
def chat(page: Any) -> ChatPage:
    return ChatPage(page)


@pytest.fixture
def chat_page() -> type[ChatPage]:
    """The ChatPage class, to drive a second page (another session)."""
    return ChatPage
