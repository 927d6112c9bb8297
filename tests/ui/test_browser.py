"""The chat UI in headless Chromium: cited answers, follow-ups, tool cards, charts, uploads, safety."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.filterwarnings("ignore:.*no_silent_downcasting"),
              pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")]

XINJIANG = "How many data-center projects were approved in Xinjiang and Qinghai?"
FOLLOW_UP = "Which company controls one of the largest ones?"
H20 = "Is the H20 controlled?"
STARGATE = "What share of Stargate's compute would the Xinjiang chips be?"


def test_answer_links_each_marker_to_its_source_card(chat: Any) -> None:
    page = chat.page
    answer = chat.ask(XINJIANG)
    assert "39" in answer and "[1]" in answer

    links = page.locator("#chat .message.bot").last.locator("a.cite-link")
    assert links.count() >= 1
    assert links.first.get_attribute("href") == "#src-0-1"
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", answer)}
    for n in numbers:  # every marker has its card
        card = page.locator(f"#sources-panel #src-0-{n}")
        assert card.count() == 1
        assert card.locator(".src-title").inner_text().strip()
        assert re.search(r"\d{4}-\d{2}-\d{2}|undated", card.locator(".src-meta").inner_text())

    card = page.locator("#src-0-1")
    assert "Bloomberg" in card.inner_text()
    assert card.locator("a.src-link").get_attribute("href").startswith("http")
    assert card.locator("a.src-link").get_attribute("target") == "_blank"
    quote = card.locator("mark.quote").first.inner_text().strip()
    assert quote and quote in answer  # the highlighted sentence is the one the answer cites

    links.first.click()  # the anchor jumps to the card, in the same page
    page.wait_for_function("() => location.hash === '#src-0-1'")
    assert page.locator("#src-0-1").is_visible()
    assert page.locator("#chat .message.bot").count() == 1


def test_follow_up_uses_the_conversation(chat: Any) -> None:
    chat.ask(XINJIANG)
    answer = chat.ask(FOLLOW_UP, enter=True)
    resolved = chat.page.locator("#sources-panel .panel-resolved").inner_text()
    assert "Xinjiang" in resolved and FOLLOW_UP in resolved  # the follow-up was read with the first question
    assert chat.page.locator("#sources-panel .src-card").count() >= 1
    assert "Nyocor" in answer


def test_numeric_question_shows_a_tool_card(chat: Any) -> None:
    page = chat.page
    page.locator("#examples").get_by_text(H20, exact=True).click()  # an example fills the box
    expect(page.locator("#question textarea")).to_have_value(H20)
    page.evaluate("""() => { window.__lengths = []; new MutationObserver(() => {
        const m = document.querySelectorAll('#chat .message.bot');
        if (m.length) window.__lengths.push(m[m.length - 1].innerText.length);
    }).observe(document.querySelector('#chat'), {subtree: true, childList: true, characterData: true}); }""")
    answer = chat.ask(H20)
    assert "2,368" in answer
    lengths = [n for n in dict.fromkeys(page.evaluate("() => window.__lengths")) if n > 0]
    assert len(lengths) >= 3 and lengths == sorted(lengths), lengths  # the answer streamed in
    card = page.locator("#tool-card-0")
    card.wait_for(state="visible")
    text = card.inner_text()
    for heading in ("INPUTS", "FORMULA", "RESULT", "ASSUMPTIONS"):
        assert heading in text.upper()
    assert "TPP" in text and "2,368" in text
    assert page.locator("#tool-chart-0").is_hidden()  # a classification has no chart


def test_fleet_comparison_shows_a_chart_and_selecting_an_answer_switches_the_panel(chat: Any) -> None:
    page = chat.page
    chat.ask(XINJIANG)
    answer = chat.ask(STARGATE)
    assert "%" in answer
    assert "28.75" in page.locator("#tool-card-0").inner_text()
    chart = page.locator("#tool-chart-0")
    chart.wait_for(state="visible")
    img = chart.locator("img")
    img.wait_for(state="visible")
    assert img.evaluate("e => e.naturalWidth") > 200

    page.locator("#chat .message.bot").first.click()  # the earlier answer's sources come back
    page.wait_for_function(
        "q => document.querySelector('#sources-panel .panel-question q')?.textContent === q", arg=XINJIANG)
    assert page.locator("#src-0-1").count() == 1
    page.locator("#tools").wait_for(state="hidden")

    page.click("#new-conversation")
    page.wait_for_function("() => document.querySelectorAll('#chat .message').length === 0")
    page.locator("#sources-panel .panel-empty").wait_for()


def test_uploaded_document_is_cited_and_removable(chat: Any, tmp_path: Path, cleanup_uploads: None) -> None:
    page = chat.page
    doc = tmp_path / "zorbex-q7.md"
    doc.write_text("# Zorbex Q7 accelerator datasheet\n\nThe Zorbex Q7 accelerator delivers 777 TFLOPS of dense "
                   "BF16 compute, according to its fictional maker Quantaloom.\nThe Zorbex Q7 ships with 96 GB "
                   "of memory.\n", encoding="utf-8")
    report = chat.upload(doc)
    assert "Indexed" in report and "zorbex-q7.md" in report
    assert "Zorbex Q7 accelerator datasheet" in page.locator("#user-docs").inner_text()

    answer = chat.ask("How many TFLOPS does the Zorbex Q7 accelerator deliver?")
    assert "777" in answer and "[1]" in answer
    card = page.locator("#src-0-1")
    assert "your document" in card.inner_text()
    assert "777 TFLOPS" in card.locator("mark.quote").inner_text()

    page.click("#remove-doc")
    page.wait_for_function("() => document.querySelector('#upload-status').innerText.includes('Removed')")
    assert "No uploaded documents" in page.locator("#user-docs").inner_text()
    answer = chat.ask("How many TFLOPS does the Zorbex Q7 accelerator deliver?")
    assert "777 TFLOPS" not in answer


def test_rejected_uploads_say_why_and_keep_what_is_indexed(chat: Any, ui_assistant: Any, tmp_path: Path,
                                                          cleanup_uploads: None, session_uploads: Any) -> None:
    page = chat.page
    keep = tmp_path / "keep-me.txt"
    keep.write_text("The Plinth R2 chip is a fictional accelerator made by Vantrel.\n", encoding="utf-8")
    assert "Indexed" in chat.upload(keep)

    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ\x90\x00" * 64)
    report = chat.upload(exe)
    assert "Rejected tool.exe" in report and "unsupported type" in report

    limit_mb = ui_assistant.settings.upload_max_mb
    big = tmp_path / "huge.txt"
    big.write_bytes(b"a" * int((limit_mb + 0.5) * 1e6))
    report = chat.upload(big)
    assert "Rejected huge.txt" in report and "limit" in report

    assert "keep-me" in page.locator("#user-docs").inner_text()
    assert [d for d in session_uploads() if d.startswith("user-keep-me-")]
    status = page.locator("#index-status").inner_text()
    assert re.search(r"Your documents\s+1", status)


def test_document_markup_is_shown_as_text_and_never_runs(chat: Any, tmp_path: Path, cleanup_uploads: None) -> None:
    page = chat.page
    doc = tmp_path / "flarnco.md"
    doc.write_text(
        '# Flarnco <img src=x onerror="window.__pwned=4"> report\n\n'
        "The Quibblex K9 chip <script>window.__pwned=1</script> was designed by Flarnco in Tromsø "
        '<img src=x onerror="window.__pwned=2"> with ${window.__pwned=3} inside.\n', encoding="utf-8")
    assert "Indexed" in chat.upload(doc)
    answer = chat.ask("Who designed the Quibblex K9 chip?")
    question = "<img src=x onerror=window.__pwned=5> Who designed the Quibblex K9 chip?"
    chat.ask(question)
    page.wait_for_timeout(300)

    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert "<script>window.__pwned=1</script>" in answer  # literal in the chat
    panel = chat.panel_text()
    assert "<script>window.__pwned=1</script>" in panel  # literal in the source card
    assert 'onerror="window.__pwned=2"' in panel and "${window.__pwned=3}" in panel
    assert 'Flarnco <img src=x onerror="window.__pwned=4"> report' in panel  # the title too
    assert question in page.locator("#chat .message.user").last.inner_text()
    assert "Flarnco <img" in page.locator("#user-docs").inner_text()
    assert page.locator("img[src='x'], #sources-panel script, #chat script").count() == 0


def test_sessions_do_not_share_conversations(browser: Any, app_url: str, chat: Any, chat_page: Any) -> None:
    chat.ask(XINJIANG)
    other = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page2 = other.new_page()
        page2.goto(app_url)
        page2.wait_for_selector("#index-status table")
        assert page2.locator("#chat .message").count() == 0
        assert "Xinjiang" not in page2.locator("#sources-panel").inner_text()
        chat2 = chat_page(page2)
        chat2.ask(H20)
        assert XINJIANG not in page2.locator("#chat").inner_text()
        assert page2.locator("#chat .message.user").count() == 1
    finally:
        other.close()
    chat.page.wait_for_timeout(200)
    assert H20 not in chat.page.locator("#chat").inner_text()
    assert chat.page.locator("#chat .message.user").count() == 1


def test_filters_restrict_the_sources_and_a_bad_date_says_why(chat: Any) -> None:
    page = chat.page
    page.locator("#filters .label-wrap").first.click()
    until = page.locator("#filter-to input")
    until.fill("2020-01-01")
    until.press("Enter")
    answer = chat.ask(XINJIANG)
    assert "does not give" in answer  # the 2025 reports are filtered out
    for meta in page.locator("#sources-panel .src-meta").all_inner_texts():
        date = re.search(r"\d{4}-\d{2}-\d{2}", meta)
        assert date is None or date.group(0) <= "2020-01-01", meta
    until.fill("")
    until.press("Enter")

    page.locator("#filter-collection").get_by_text("My documents only").click()
    assert "no related source" in chat.ask(XINJIANG)  # nothing uploaded in this collection
    page.locator("#filter-collection").get_by_text("All sources").click()

    since = page.locator("#filter-from input")
    since.fill("2025-12-31")
    since.press("Enter")
    until.fill("2025-01-01")
    until.press("Enter")
    page.fill("#question textarea", XINJIANG)
    page.click("#ask-btn")
    expect(page.locator("#chat .message.bot").last).to_contain_text("date_from is after date_to")
    expect(page.locator("#question textarea")).to_have_value("")


# ---------------------------------------------------------------------------- uploads are private to a session
VEXLOR = "How many TFLOPS does the Vexlor K5 accelerator deliver?"
QUINTAR = "How much memory does the Quintar Z2 accelerator have?"


def _doc(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_two_sessions_cannot_see_or_remove_each_others_uploads(browser: Any, app_url: str, chat: Any, chat_page: Any,
                                                              tmp_path: Path, cleanup_uploads: None,
                                                              session_uploads: Any) -> None:
    page = chat.page
    assert "Indexed" in chat.upload(_doc(tmp_path / "a" / "vexlor-k5.md", (
        "# Vexlor K5 datasheet\n\nThe Vexlor K5 accelerator delivers 4,321 TFLOPS of dense BF16 compute, "
        "according to its fictional maker Ormidal.\n")))
    (a_doc, a_owner), = session_uploads().items()

    other = browser.new_context(viewport={"width": 1400, "height": 1000})
    page2 = other.new_page()
    page2.set_default_timeout(60_000)
    page2.goto(app_url)
    page2.wait_for_selector("#index-status table")
    chat2 = chat_page(page2)
    # B sees none of A's uploads: not listed, not counted, not searched, not removable
    assert "No uploaded documents" in page2.locator("#user-docs").inner_text()
    assert re.search(r"Your documents\s+0", page2.locator("#index-status").inner_text())
    answer = chat2.ask(VEXLOR)
    assert "4,321" not in answer and "Vexlor K5 datasheet" not in chat2.panel_text()
    page2.click("#remove-doc")
    expect(page2.locator("#upload-status")).to_contain_text("Choose a document to remove")
    assert a_doc in session_uploads()

    # B's own uploads are B's alone
    for name, text in [("quintar-z2.md", "The Quintar Z2 accelerator has 288 GB of memory, says its maker Velto."),
                       ("spare.md", "The Spindle S1 is a spare fictional chip made by Orvane.")]:
        assert "Indexed" in chat2.upload(_doc(tmp_path / "b" / name, f"# {name}\n\n{text}\n"))
    b_docs = {d for d, owner in session_uploads().items() if owner != a_owner}
    assert len(b_docs) == 2
    assert "288" in chat2.ask(QUINTAR)
    page.click("#refresh-status")
    expect(page.locator("#index-status")).to_contain_text("Your documents")
    assert "quintar" not in page.locator("#user-docs").inner_text().lower()
    assert "288 GB" not in chat.ask(QUINTAR)
    page2.click("#remove-doc")  # removes B's selected document, and only that
    expect(page2.locator("#upload-status")).to_contain_text("Removed")
    assert a_doc in session_uploads() and len(b_docs & set(session_uploads())) == 1
    assert "4,321" in chat.ask(VEXLOR)  # A still has its document

    other.close()  # a closed tab ends its session: its uploads go with it
    page.wait_for_timeout(500)
    for _ in range(60):
        if not b_docs & set(session_uploads()):
            break
        page.wait_for_timeout(500)
    assert not b_docs & set(session_uploads())
    assert a_doc in session_uploads()


def test_user_supplied_metadata_is_shown_as_the_uploaders_claim(chat: Any, tmp_path: Path,
                                                               cleanup_uploads: None) -> None:
    doc = _doc(tmp_path / "claims.md", (
        "---\ntitle: Brellix B3 brief\nsources:\n  - publisher: Reuters\n    url: javascript:alert(1)\n---\n\n"
        "The Brellix B3 accelerator was designed by the fictional firm Tamsec in 2026.\n"))
    assert "Indexed" in chat.upload(doc)
    chat.ask("Who designed the Brellix B3 accelerator?")
    card = chat.page.locator("#src-0-1")
    text = card.inner_text()
    assert "Reuters (as stated in the uploaded file)" in text and "your document" in text
    assert card.locator("a").count() == 0  # a javascript: URL is never a link
    link_doc = _doc(tmp_path / "linked.md", (
        "---\ntitle: Drovix D4 brief\nsources:\n  - publisher: Some Site\n    url: https://example.com/drovix\n---\n\n"
        "The Drovix D4 accelerator was designed by the fictional firm Palmora in 2026.\n"))
    assert "Indexed" in chat.upload(link_doc)
    chat.ask("Who designed the Drovix D4 accelerator?")
    link = chat.page.locator("#src-1-1 a.src-link")
    assert link.get_attribute("href") == "https://example.com/drovix"
    assert "unverified" in link.inner_text()


def test_a_store_that_dies_mid_session_is_reported_in_the_chat(browser: Any, tmp_path: Path, chroma_process: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from llm_server import free_port

    from assistant import Assistant, load_settings
    from ui.app import build_app, launch

    monkeypatch.setenv("ASSISTANT_KEYWORD_CACHE_DIR", str(tmp_path / "keyword-cache"))
    url, server = chroma_process
    demo = None
    try:
        corpus = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"
        assistant = Assistant(load_settings(corpus_dir=corpus, chroma_url=url, progress=False))
        assistant.sources()  # index built
        demo = build_app(assistant)
        launch(demo, assistant.settings, server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True,
               quiet=True)
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(demo.local_url)
        page.wait_for_selector("#index-status table")
        server.kill()
        server.wait(timeout=10)
        page.fill("#question textarea", "How much did Big Fund III raise?")
        page.click("#ask-btn")
        message = page.locator("#chat .message.bot").last
        expect(message).to_contain_text("stopped answering")
        assert "chroma run" in message.inner_text() and "Something went wrong" not in message.inner_text()
        context.close()
    finally:
        if demo is not None:
            demo.close()
