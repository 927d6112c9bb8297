"""The Gradio chat UI: streamed cited answers, a sources panel, tool cards with charts,
filters, uploads and index status. It calls only the public `assistant` API.

    from ui.app import main; main()              # or: assistant ui
    build_app(Assistant(settings))               # a gr.Blocks, for tests and embedding

Programmatic endpoint (gradio_client): api_name "ask" taking (question, history) where
history is a list of {"role", "content"} messages; it returns `Answer.to_dict()`.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import gradio as gr  # noqa: E402
import yaml  # noqa: E402

from assistant import Assistant, AssistantError, DocumentError, load_settings  # noqa: E402
from assistant.errors import SettingsError  # noqa: E402
from assistant.owners import session_owner, user_owner  # noqa: E402
from ui import render  # noqa: E402

log = logging.getLogger(__name__)

EXAMPLES_FILE = Path(__file__).with_name("examples.yaml")
MAX_TOOL_SLOTS = 3  # tool cards (each with an optional chart) shown for one answer
STREAM_DELAY_S = 0.03  # pause between streamed sentences so the answer visibly streams in
TITLE = "AI compute geopolitics — cited answers"
COLLECTIONS = [("All sources", "all"), ("Corpus only", "corpus"), ("My documents only", "user")]
PURGE_EVERY_S = 600  # abandoned session uploads are looked for at most this often


def owner_of(request: gr.Request | None) -> str:
    """Whose uploads a request may see, add and remove: the authenticated user (ASSISTANT_UI_AUTH),
    else the browser session. Never taken from anything the client sends in the request body."""
    username = getattr(request, "username", None) if request is not None else None
    if username:
        return user_owner(str(username))
    session = getattr(request, "session_hash", None) if request is not None else None
    if not session:
        raise AssistantError("this request carries no session; reload the page")
    return session_owner(str(session))


class _Purger:
    """Removes abandoned session uploads at start and then at most every PURGE_EVERY_S seconds."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.last = 0.0
        self._lock = threading.Lock()

    def maybe(self) -> None:
        if time.monotonic() - self.last < PURGE_EVERY_S or not self._lock.acquire(blocking=False):
            return
        try:
            self.last = time.monotonic()
            removed = self.assistant.purge_uploads()
            if removed:
                log.info("purged %d abandoned uploads", len(removed))
        except AssistantError as exc:
            log.warning("could not purge abandoned uploads: %s", exc)
        finally:
            self._lock.release()


def load_examples(path: Path = EXAMPLES_FILE) -> list[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [str(q) for q in data.get("examples", []) if str(q).strip()]


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """`user:password` → ("user", "password"); None/empty → no auth."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise SettingsError("ASSISTANT_UI_AUTH must look like user:password")
    return user, password


def _topics(assistant: Assistant) -> list[str]:
    try:
        return sorted({str(s.get("topic")) for s in assistant.sources() if s.get("topic")})
    except AssistantError as exc:
        log.warning("could not list topics: %s", exc)
        return []


def build_app(assistant: Assistant) -> gr.Blocks:
    """The whole UI around one shared Assistant; conversations live in per-session gr.State."""
    examples = load_examples()
    topics = _topics(assistant)
    max_chars = assistant.settings.max_question_chars
    purger = _Purger(assistant)
    purger.maybe()

    # ------------------------------------------------------------------ panel rendering
    def panel_updates(turns: Sequence[dict[str, Any]], index: int | None) -> list[Any]:
        """Outputs for: sources HTML, tools column, then per slot (row, card, chart)."""
        answer = None
        if index is not None and 0 <= index < len(turns):
            answer = turns[index].get("answer")
        calls = list((answer or {}).get("tool_calls") or [])
        out: list[Any] = [render.sources_panel(answer, index or 0), gr.update(visible=bool(calls))]
        for slot in range(MAX_TOOL_SLOTS):
            if slot < len(calls):
                shown = calls[slot:] if slot == MAX_TOOL_SLOTS - 1 else [calls[slot]]  # overflow in last slot
                chart = render.tool_chart(calls[slot])
                out += [gr.update(visible=True),
                        "".join(render.tool_card(c, slot + k + 1) for k, c in enumerate(shown)),
                        gr.update(value=render.chart_figure(chart), visible=True) if chart
                        else gr.update(value=None, visible=False)]
            else:
                out += [gr.update(visible=False), "", gr.update(value=None, visible=False)]
        return out

    def latest(turns: Sequence[dict[str, Any]]) -> int | None:
        for i in range(len(turns) - 1, -1, -1):
            if turns[i].get("answer") is not None:
                return i
        return None

    # ------------------------------------------------------------------ handlers
    def respond(question: str, turns: list[dict[str, Any]], topic: Any, date_from: Any, date_to: Any,
                collection: Any, request: gr.Request) -> Iterator[list[Any]]:
        question = (question or "").strip()
        n_panel = 2 + 3 * MAX_TOOL_SLOTS
        if not question:
            gr.Warning("Type a question first, or pick an example.")
            yield [gr.skip(), gr.skip(), gr.skip()] + [gr.skip()] * n_panel
            return
        history = render.history_for_api(turns)
        turns = [dict(t) for t in turns] + [{"question": question, "partial": ""}]
        current = turns[-1]
        yield [render.chat_messages(turns), turns, ""] + [gr.skip()] * n_panel
        try:
            filters = render.build_filters(topic, date_from, date_to, collection)
            answer = None
            for piece in assistant.stream(question, history, filters, owner=owner_of(request)):
                if isinstance(piece, str):
                    for chunk in render.stream_chunks(piece):
                        current["partial"] += chunk
                        yield [render.chat_messages(turns), turns, gr.skip()] + [gr.skip()] * n_panel
                        time.sleep(STREAM_DELAY_S)
                else:
                    answer = piece
            if answer is None:
                raise AssistantError("the assistant returned no answer")
            current["answer"] = answer.to_dict()
            current.pop("partial", None)
        except AssistantError as exc:
            current["error"] = str(exc)
            current.pop("partial", None)
            yield [render.chat_messages(turns), turns, gr.skip()] + [gr.skip()] * n_panel
            return
        except Exception:  # a bug must not leave the chat hanging on a half answer
            log.exception("answering %r failed", question)
            current["error"] = "Something went wrong while answering; the error is in the server log."
            current.pop("partial", None)
            yield [render.chat_messages(turns), turns, gr.skip()] + [gr.skip()] * n_panel
            return
        yield [render.chat_messages(turns), turns, gr.skip()] + panel_updates(turns, len(turns) - 1)

    def select_answer(turns: list[dict[str, Any]], evt: gr.SelectData) -> list[Any]:
        index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        try:
            turn = int(index) // 2
        except (TypeError, ValueError):
            turn = latest(turns)
        if turn is None or turn >= len(turns) or turns[turn].get("answer") is None:
            return [gr.skip()] * (2 + 3 * MAX_TOOL_SLOTS)
        return panel_updates(turns, turn)

    def new_conversation() -> list[Any]:
        return [[], [], ""] + panel_updates([], None)

    def docs_outputs(owner: str, message: str | None = None) -> list[Any]:
        """Outputs for: upload report, user docs HTML, remove dropdown, index status (all `owner`'s)."""
        try:
            docs = assistant.sources("user", owner=owner)
            status, error = assistant.index_status(owner=owner), None
        except AssistantError as exc:
            docs, status, error = [], None, str(exc)
        choices = render.user_doc_choices(docs)
        return [gr.skip() if message is None else message, render.user_docs_html(docs),
                gr.update(choices=choices, value=choices[0][1] if choices else None),
                render.index_status_html(status, error)]

    def upload(files: Any, request: gr.Request) -> list[Any]:
        owner = owner_of(request)
        purger.maybe()
        paths = [files] if isinstance(files, (str, Path)) else list(files or [])
        added, rejected = [], []
        for p in paths:
            path = Path(getattr(p, "name", p))
            try:
                added.append(assistant.add_document(path, filename=path.name, owner=owner))
            except DocumentError as exc:
                rejected.append((path.name, str(exc)))
            except AssistantError as exc:
                rejected.append((path.name, str(exc)))
            except Exception as exc:  # keep what is indexed; say what failed
                log.exception("indexing %s failed", path)
                rejected.append((path.name, f"could not be indexed ({exc.__class__.__name__})"))
        return [None] + docs_outputs(owner, render.upload_report(added, rejected))

    def remove(doc_id: str | None, request: gr.Request) -> list[Any]:
        owner = owner_of(request)
        if not doc_id:
            return docs_outputs(owner, '<div class="upload-error">Choose a document to remove.</div>')
        try:
            removed = assistant.remove_document(str(doc_id), owner=owner)
        except AssistantError as exc:
            return docs_outputs(owner, f'<div class="upload-error">{render.esc(exc)}</div>')
        msg = (f'<div class="upload-ok">Removed <b>{render.esc(doc_id)}</b>; it is no longer searched.</div>'
               if removed else f'<div class="upload-error">{render.esc(doc_id)} is not one of your documents.</div>')
        return docs_outputs(owner, msg)

    def on_load(request: gr.Request) -> list[Any]:
        purger.maybe()
        return docs_outputs(owner_of(request), None)

    def on_unload(request: gr.Request) -> None:
        """A closed or reloaded tab ends its session: an anonymous session's uploads go with it."""
        owner = owner_of(request)
        if not owner.startswith("session:"):
            return
        try:
            for doc in assistant.sources("user", owner=owner):
                assistant.remove_document(doc["doc_id"], owner=owner)
        except AssistantError as exc:
            log.warning("could not remove a closed session's uploads: %s", exc)

    def ask_api(question: str, history: list | None = None, filters: dict | None = None,
                request: gr.Request = None) -> dict:  # type: ignore[assignment]
        """Answer `question` given earlier {"role", "content"} messages; returns Answer.to_dict()."""
        try:
            return assistant.ask(question, history or None, filters or None, owner=owner_of(request)).to_dict()
        except AssistantError as exc:
            raise gr.Error(str(exc)) from None

    # ------------------------------------------------------------------ layout
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        turns_state = gr.State([])
        gr.Markdown(f"## {TITLE}\nAsk about AI chips, export controls, data centres and compute. "
                    "Every sentence cites its source; figures are computed by tools you can check.",
                    elem_id="intro")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=420):
                chatbot = gr.Chatbot(elem_id="chat", label="Conversation", height=640, sanitize_html=True,
                                     render_markdown=True, latex_delimiters=[], feedback_options=None,
                                     group_consecutive_messages=False, buttons=["copy"],
                                     placeholder="Ask a question, or pick an example below.")
                with gr.Row():
                    question = gr.Textbox(elem_id="question", show_label=False, scale=8, lines=1, max_lines=4,
                                          max_length=max_chars, autofocus=True,
                                          placeholder="e.g. Is the H20 controlled?")
                    ask_btn = gr.Button("Ask", variant="primary", elem_id="ask-btn", scale=1, min_width=80)
                    new_btn = gr.Button("New conversation", elem_id="new-conversation", scale=1, min_width=120)
                with gr.Accordion("Filters", open=False, elem_id="filters"):
                    with gr.Row():
                        topic = gr.Dropdown(choices=topics, value=[], multiselect=True, label="Topic",
                                            elem_id="filter-topic", scale=2)
                        collection = gr.Radio(choices=COLLECTIONS, value="all", label="Sources",
                                              elem_id="filter-collection", scale=2)
                    with gr.Row():
                        date_from = gr.DateTime(include_time=False, type="string", label="Published from",
                                                elem_id="filter-from")
                        date_to = gr.DateTime(include_time=False, type="string", label="Published until",
                                              elem_id="filter-to")
                gr.Examples(examples=[[q] for q in examples], inputs=[question], label="Example questions",
                            elem_id="examples", examples_per_page=len(examples) or 10)
            with gr.Column(scale=2, min_width=320):
                gr.Markdown("### Sources", elem_id="sources-title")
                sources = gr.HTML(render.sources_panel(None, 0), elem_id="sources-panel", js_on_load=None)
        with gr.Column(visible=False, elem_id="tools") as tools_col:
            gr.Markdown("### Calculations")
            slots: list[Any] = []
            for i in range(MAX_TOOL_SLOTS):
                with gr.Row(visible=False, elem_id=f"tool-row-{i}", equal_height=False) as row:
                    with gr.Column(scale=4, min_width=420):
                        card = gr.HTML(elem_id=f"tool-card-{i}", js_on_load=None)
                    with gr.Column(scale=3, min_width=360):
                        chart = gr.Plot(elem_id=f"tool-chart-{i}", show_label=False, visible=False, format="png")
                slots += [row, card, chart]
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                kept = ("to your account" if assistant.settings.ui_auth else
                        "to this browser tab and removed when you close or reload it")
                gr.Markdown("### Your documents\nUpload PDF, Markdown, text or HTML (up to "
                            f"{assistant.settings.upload_max_mb:g} MB each). They are indexed into your "
                            f"private collection and cited like the corpus; nobody else can search them. They are "
                            f"kept {kept}. What a file says about itself (publisher, link) is shown as its claim.",
                            elem_id="upload-help")
                files = gr.File(label="Upload documents", file_count="multiple", elem_id="upload", height=120)
                upload_msg = gr.HTML("", elem_id="upload-status", js_on_load=None)
                user_docs = gr.HTML(render.user_docs_html([]), elem_id="user-docs", js_on_load=None)
                with gr.Row():
                    doc_pick = gr.Dropdown(choices=[], label="Uploaded document", elem_id="doc-pick", scale=3)
                    remove_btn = gr.Button("Remove", elem_id="remove-doc", variant="stop", scale=1, min_width=90)
            with gr.Column(scale=2):
                gr.Markdown("### Index status")
                status_html = gr.HTML(render.index_status_html(None), elem_id="index-status", js_on_load=None)
                refresh_btn = gr.Button("Refresh", elem_id="refresh-status", size="sm")

        # ------------------------------------------------------------------ events
        panel_outputs = [sources, tools_col] + slots
        chat_inputs = [question, turns_state, topic, date_from, date_to, collection]
        chat_outputs = [chatbot, turns_state, question] + panel_outputs
        ask_btn.click(respond, chat_inputs, chat_outputs, api_name="chat", api_visibility="undocumented")
        question.submit(respond, chat_inputs, chat_outputs, api_name=False)
        chatbot.select(select_answer, [turns_state], panel_outputs, api_name=False, queue=False)
        new_btn.click(new_conversation, None, [chatbot, turns_state, question] + panel_outputs, api_name=False,
                      queue=False)
        docs_out = [upload_msg, user_docs, doc_pick, status_html]
        files.upload(upload, [files], [files] + docs_out, api_name=False)
        remove_btn.click(remove, [doc_pick], docs_out, api_name=False)
        refresh_btn.click(on_load, None, docs_out, api_name=False)
        demo.load(on_load, None, docs_out, api_name=False)
        demo.unload(on_unload)
        gr.api(ask_api, api_name="ask")
    return demo


def launch(demo: gr.Blocks, settings: Any, **overrides: Any) -> Any:
    """Queue and launch with the settings' host, port, auth and concurrency; overrides win."""
    demo.queue(default_concurrency_limit=settings.concurrency_limit)
    auth = parse_auth(settings.ui_auth)
    if auth is None and settings.ui_host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("the UI listens on %s without ASSISTANT_UI_AUTH: anyone who can reach it can use it",
                    settings.ui_host)
    kwargs: dict[str, Any] = dict(
        server_name=settings.ui_host, server_port=settings.ui_port, auth=auth, css=render.CSS,
        theme=gr.themes.Default(font=["ui-sans-serif", "system-ui", "sans-serif"],
                                font_mono=["ui-monospace", "monospace"]),
        max_file_size=f"{int(settings.upload_max_mb * 2 + 1)}mb", show_error=True, footer_links=["api"], run_history=False,
        ssr_mode=False)
    kwargs.update(overrides)
    return demo.launch(**kwargs)


def main(settings: Any = None) -> None:
    """Build the Assistant from settings (env ASSISTANT_*) and serve the UI until interrupted."""
    settings = settings or load_settings()
    parse_auth(settings.ui_auth)  # fail fast on a malformed value
    demo = build_app(Assistant(settings))
    launch(demo, settings)


if __name__ == "__main__":
    main()
