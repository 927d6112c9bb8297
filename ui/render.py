"""Pure formatting helpers for the chat UI: answer Markdown, source cards, tool cards, charts.

Everything that comes from a document (titles, snippets, quotes, publishers, URLs) or from
a user (questions, file names) is escaped here before it becomes HTML, so a document that
contains `<script>` or `onerror=` is shown as text and runs nothing. No retrieval logic:
the inputs are `Answer.to_dict()`-shaped dicts from the public API.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlparse

import matplotlib

matplotlib.use("Agg")  # headless: never try a display

from matplotlib.figure import Figure  # noqa: E402

MARKER = re.compile(r"\[(\d{1,3})\]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}~|#$])")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?;])\s+")
# also neutralise template syntax (`${...}`, backticks) that an HTML template could interpolate
_TEMPLATE_CHARS = str.maketrans({"$": "&#36;", "{": "&#123;", "}": "&#125;", "`": "&#96;"})


def esc(value: Any) -> str:
    """HTML-escape any value (quotes included), None as empty."""
    return html.escape("" if value is None else str(value), quote=True).translate(_TEMPLATE_CHARS)


def escape_markdown(text: str) -> str:
    """Text that renders literally in the chat's Markdown: HTML escaped, Markdown specials backslashed."""
    return html.escape(_MD_SPECIAL.sub(r"\\\1", text or ""), quote=False)


def anchor_id(turn: int, number: int) -> str:
    """The id of source card `number` of conversation turn `turn` (both rendered and linked)."""
    return f"src-{turn}-{number}"


def answer_markdown(text: str, turn: int, valid: Iterable[int] | None = None) -> str:
    """The answer as chat Markdown: literal text, each [n] a link to its source card.

    `valid` limits the links to known citation numbers; other brackets stay plain text.
    """
    allowed = set(valid) if valid is not None else None
    out: list[str] = []
    pos = 0
    for m in MARKER.finditer(text or ""):
        n = int(m.group(1))
        if allowed is not None and n not in allowed:
            continue
        out.append(escape_markdown(text[pos:m.start()]))
        out.append(f'<a href="#{anchor_id(turn, n)}" class="cite-link" title="source {n}">[{n}]</a>')
        pos = m.end()
    out.append(escape_markdown((text or "")[pos:]))
    return "".join(out)


_AFTER_MARKERS = re.compile(r"(?<=\])(\s+)(?=[^\[\s])")


def stream_chunks(piece: str) -> list[str]:
    """Split a streamed piece after each group of [n] markers, so a long piece still appears
    sentence by sentence; the chunks join back to the piece exactly."""
    parts = _AFTER_MARKERS.split(piece or "")
    chunks = [parts[0]]
    for i in range(1, len(parts) - 1, 2):  # (whitespace, following text) pairs
        chunks[-1] += parts[i]
        chunks.append(parts[i + 1])
    return [c for c in chunks if c]


def safe_url(url: Any) -> str:
    """The URL when it is http(s), else "" (no javascript:, data:, file paths)."""
    url = str(url or "").strip()
    try:
        parsed = urlparse(url)
    except ValueError:
        return ""
    return url if parsed.scheme in ("http", "https") and parsed.netloc else ""


def _quote_spans(snippet: str, quote: str) -> list[tuple[int, int]]:
    """Where the quoted sentence(s) sit in the snippet, as sorted, non-overlapping spans."""
    quote = (quote or "").strip()
    if not quote or not snippet:
        return []
    spans: list[tuple[int, int]] = []
    at = snippet.find(quote)
    if at >= 0:
        spans.append((at, at + len(quote)))
    else:  # several quotes joined by spaces: look for each sentence
        for part in _SENTENCE_SPLIT.split(quote):
            part = part.strip()
            if len(part) < 8:
                continue
            at = snippet.find(part)
            if at >= 0:
                spans.append((at, at + len(part)))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(snippet: str, quote: str) -> str:
    """The snippet as escaped HTML with the quoted sentence(s) in <mark>."""
    out: list[str] = []
    pos = 0
    for start, end in _quote_spans(snippet, quote):
        out.append(esc(snippet[pos:start]))
        out.append(f'<mark class="quote">{esc(snippet[start:end])}</mark>')
        pos = end
    out.append(esc(snippet[pos:]))
    return "".join(out)


def source_card(citation: Mapping[str, Any], turn: int) -> str:
    n = int(citation.get("number", 0))
    url = safe_url(citation.get("url"))
    is_user = citation.get("collection") == "user"
    meta = [esc(citation.get("publisher") or ("Your upload" if is_user else "Unknown publisher")),
            esc(citation.get("published") or "undated")]
    if citation.get("section"):
        meta.append(esc(citation["section"]))
    badge = '<span class="badge user">your document</span>' if is_user else ""
    label = "Link given in the uploaded file (unverified) ↗" if is_user else "Open the original ↗"
    link = (f'<a class="src-link" href="{esc(url)}" target="_blank" rel="noopener noreferrer nofollow">'
            f"{label}</a>") if url else ""
    return (
        f'<div class="src-card" id="{anchor_id(turn, n)}" data-number="{n}">'
        f'<div class="src-head"><span class="src-num">[{n}]</span> '
        f'<span class="src-title">{esc(citation.get("title") or citation.get("doc_id") or "Untitled")}</span>{badge}</div>'
        f'<div class="src-meta">{" · ".join(meta)}</div>'
        f'<blockquote class="src-snippet">{highlight(str(citation.get("snippet") or ""), str(citation.get("quote") or ""))}'
        f"</blockquote>{link}</div>"
    )


def sources_panel(answer: Mapping[str, Any] | None, turn: int) -> str:
    """HTML for the sources panel: which question, then one card per citation."""
    if not answer:
        return ('<div class="sources" data-turn=""><div class="panel-empty">Sources appear here: ask a question, '
                "then click an answer to see the sources it cites.</div></div>")
    head = (f'<div class="sources" data-turn="{int(turn)}">'
            f'<div class="panel-question">Sources for: <q>{esc(answer.get("question", ""))}</q></div>')
    resolved = answer.get("resolved_question") or ""
    if resolved and resolved != answer.get("question"):
        head += f'<div class="panel-resolved">Read with the conversation as: <q>{esc(resolved)}</q></div>'
    cites = answer.get("citations") or []
    if not cites:
        return head + '<div class="panel-empty">This answer cites no source.</div>' + how_made(answer) + "</div>"
    return head + '<div class="src-list">' + "".join(source_card(c, turn) for c in cites) + "</div>" + \
        how_made(answer) + "</div>"


def how_made(answer: Mapping[str, Any]) -> str:
    """A collapsed "How this answer was made": the plan's parts (answer type, focus, intent, entities),
    what the check stage removed, the writer, and the time per stage."""
    plan = answer.get("plan") or {}
    rows = []
    for i, part in enumerate(plan.get("parts") or [], start=1):
        entities = ", ".join(f'{e.get("text", "")} ({e.get("kind", "")})' for e in part.get("entities") or [])
        computations = "; ".join(f'{c.get("tool", "")}' + (f' (missing: {c["missing"]})' if c.get("missing") else "")
                                 for c in part.get("computations") or [])
        rows.append(f'<li class="plan-part"><q>{esc(part.get("text", ""))}</q>: asks for '
                    f'<b>{esc(part.get("answer_type", ""))}</b>'
                    + (f', about <i>{esc(part.get("focus"))}</i>' if part.get("focus") else "")
                    + f'; {esc("calculation: " + part["intent"] if part.get("intent") not in (None, "lookup") else "answered from documents")}'
                    + (f"; names {esc(entities)}" if entities else "")
                    + (f"; computes {esc(computations)}" if computations else "") + "</li>")
    check = answer.get("verification") or {}
    failures = "".join(f'<li>{esc(f.get("text", ""))} — {esc("; ".join(f.get("reasons") or []))}</li>'
                       for f in check.get("failures") or [])
    timings = answer.get("timings") or {}
    stages = ", ".join(f"{esc(k)} {float(v):.0f} ms" for k, v in timings.items() if "." not in k)
    return ('<details class="how-made" id="how-made"><summary>How this answer was made</summary>'
            f'<ul class="plan-parts">{"".join(rows)}</ul>'
            f'<div class="check">Checked {int(check.get("checked", 0))} sentence(s), removed {int(check.get("dropped", 0))}'
            f' ({esc(check.get("mode", "drop"))} mode); writer: {esc(answer.get("writer", "extractive"))}.</div>'
            + (f'<ul class="check-failures">{failures}</ul>' if failures else "")
            + f'<div class="stage-times">{stages}</div></details>')


# ---------------------------------------------------------------------------- tools
def fmt_number(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.4g}"
    return str(value)


def _label(key: Any) -> str:
    return str(key).replace("_", " ")


def value_html(value: Any, depth: int = 0) -> str:
    """Any JSON value as escaped HTML: dicts as key/value tables, lists inline or stacked."""
    if value is None or value == "" or value == [] or value == {}:
        return '<span class="none">—</span>'
    if isinstance(value, Mapping):
        if depth >= 4:
            return esc(value)
        rows = "".join(f"<tr><th>{esc(_label(k))}</th><td>{value_html(v, depth + 1)}</td></tr>"
                       for k, v in value.items())
        return f'<table class="kv">{rows}</table>'
    if isinstance(value, (list, tuple)):
        if all(not isinstance(v, (Mapping, list, tuple)) for v in value):
            return esc(", ".join(fmt_number(v) for v in value))
        return "".join(f'<div class="item">{value_html(v, depth + 1)}</div>' for v in value)
    return esc(fmt_number(value))


def tool_title(name: str) -> str:
    return _label(name).capitalize() if name else "Calculation"


def tool_card(call: Mapping[str, Any], index: int = 1) -> str:
    """A computation as a card: inputs, formula, result, assumptions, sources, error."""
    result = call.get("result") or {}
    error = call.get("error") or result.get("error")
    parts = [f'<div class="tool-card" id="tool-{index}"><div class="tool-head">'
             f'<span class="tool-icon">∑</span> {esc(tool_title(str(call.get("name", ""))))}</div>']
    inputs = result.get("inputs", call.get("arguments"))
    parts.append(f'<div class="tool-sec"><h4>Inputs</h4>{value_html(inputs)}</div>')
    if result.get("formula"):
        parts.append(f'<div class="tool-sec"><h4>Formula</h4><code class="formula">{esc(result["formula"])}</code></div>')
    if "result" in result:
        parts.append(f'<div class="tool-sec tool-result"><h4>Result</h4>{value_html(result["result"])}</div>')
    assumptions = result.get("assumptions") or []
    if assumptions:
        items = "".join(f"<li>{esc(a)}</li>" for a in assumptions)
        parts.append(f'<div class="tool-sec"><h4>Assumptions</h4><ul>{items}</ul></div>')
    sources = result.get("sources") or []
    if sources:
        parts.append(f'<div class="tool-sec tool-sources"><h4>Figures from</h4>{esc(", ".join(map(str, sources)))}</div>')
    if error:
        parts.append(f'<div class="tool-error">⚠ {esc(error)}</div>')
    parts.append("</div>")
    return "".join(parts)


def tool_chart(call: Mapping[str, Any]) -> dict[str, Any] | None:
    """The chart spec of a tool call, when it has a usable one."""
    chart = (call.get("result") or {}).get("chart")
    if not isinstance(chart, Mapping):
        return None
    cats = chart.get("categories") or []
    series = chart.get("series") or {}
    if not cats or not isinstance(series, Mapping) or not series:
        return None
    return dict(chart)


def chart_rows(chart: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Long-form rows (category, series, value) of a chart spec, for tables and tests."""
    rows = []
    for label, values in (chart.get("series") or {}).items():
        for cat, val in zip(chart.get("categories") or [], values or []):
            rows.append({"category": str(cat), "series": str(label), "value": val})
    return rows


def chart_figure(chart: Mapping[str, Any]) -> Figure:
    """A grouped bar chart (one group per category, one bar per series) with value labels."""
    cats = [str(c) for c in chart.get("categories") or []]
    series = {str(k): [float(v) if v is not None else 0.0 for v in vals]
              for k, vals in (chart.get("series") or {}).items()}
    fig = Figure(figsize=(6.4, 3.9), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    n = max(len(series), 1)
    width = 0.8 / n
    palette = ["#2563eb", "#f97316", "#16a34a", "#9333ea", "#dc2626", "#0891b2"]
    for i, (label, vals) in enumerate(series.items()):
        xs = [j - 0.4 + width * (i + 0.5) for j in range(len(cats))]
        bars = ax.bar(xs, vals[: len(cats)], width * 0.92, label=textwrap.shorten(label, 60),
                      color=palette[i % len(palette)])
        ax.bar_label(bars, labels=[fmt_number(round(v, 2)) for v in vals[: len(cats)]], fontsize=8, padding=2)
    ax.set_xticks(range(len(cats)), [textwrap.fill(c, 18) for c in cats], fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    ax.margins(y=0.15)
    ax.tick_params(axis="y", labelsize=8)
    if len(series) > 1:
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=1, frameon=False)
    ax.set_title(textwrap.fill(str(chart.get("title") or ""), 70), fontsize=10)
    return fig


# ---------------------------------------------------------------------------- chat and side panels
def chat_messages(turns: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The chat's message list (Gradio messages format) from the session's turns."""
    messages: list[dict[str, str]] = []
    for i, turn in enumerate(turns):
        messages.append({"role": "user", "content": escape_markdown(str(turn.get("question", "")))})
        answer = turn.get("answer")
        if answer is not None:
            valid = [int(c["number"]) for c in answer.get("citations") or []]
            body = answer_markdown(str(answer.get("text", "")), i, valid)
        elif turn.get("error"):
            body = "⚠ " + escape_markdown(str(turn["error"]))
        else:
            body = answer_markdown(str(turn.get("partial", "")), i)
        messages.append({"role": "assistant", "content": body})
    return messages


def history_for_api(turns: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Earlier turns as plain {"role", "content"} messages for `Assistant.ask(history=...)`."""
    history: list[dict[str, str]] = []
    for turn in turns:
        answer = turn.get("answer")
        if answer is None:
            continue
        history.append({"role": "user", "content": str(turn.get("question", ""))})
        history.append({"role": "assistant", "content": str(answer.get("text", ""))})
    return history


def build_filters(topics: Any = None, date_from: Any = None, date_to: Any = None,
                  collection: Any = None) -> dict[str, Any]:
    """The `filters` dict for the API from the filter widgets; empty values left out."""
    out: dict[str, Any] = {}
    if topics:
        out["topic"] = [topics] if isinstance(topics, str) else [str(t) for t in topics]
    for key, value in (("date_from", date_from), ("date_to", date_to)):
        if value not in (None, ""):
            out[key] = str(value).strip()[:10]
    if collection and collection != "all":
        out["collection"] = collection
    return out


def index_status_html(status: Mapping[str, Any] | None, error: str | None = None) -> str:
    if error:
        return f'<div class="status-error">⚠ {esc(error)}</div>'
    if not status:
        return '<div class="panel-empty">Index status not loaded yet.</div>'
    labels = [("corpus_documents", "Corpus documents"), ("corpus_chunks", "Corpus chunks"),
              ("user_documents", "Your documents"), ("user_chunks", "Your chunks"),
              ("last_update", "Last update"), ("chroma", "Store"), ("embedding_model", "Embedding model")]
    rows = []
    if status.get("warning"):
        rows.append(f'<tr><th>⚠ Index</th><td class="status-error">{esc(status["warning"])}</td></tr>')
    for key, label in labels:
        if key in status:
            value = status[key]
            if key == "embedding_model":
                value = str(value).rstrip("/").split("/")[-2:] if "/" in str(value) else value
                value = "/".join(value) if isinstance(value, list) else value
            rows.append(f"<tr><th>{esc(label)}</th><td>{value_html(value)}</td></tr>")
    return f'<table class="kv status">{"".join(rows)}</table>'


def user_docs_html(docs: Sequence[Mapping[str, Any]]) -> str:
    if not docs:
        return '<div class="panel-empty">No uploaded documents.</div>'
    items = "".join(f'<li><span class="doc-title">{esc(d.get("title") or d.get("doc_id"))}</span> '
                    f'<span class="doc-meta">({esc(d.get("chunks", "?"))} chunks)</span></li>' for d in docs)
    return f'<ul class="user-docs">{items}</ul>'


def user_doc_choices(docs: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    return [(str(d.get("title") or d.get("doc_id")), str(d.get("doc_id"))) for d in docs]


def upload_report(added: Sequence[Mapping[str, Any]], rejected: Sequence[tuple[str, str]]) -> str:
    """Escaped HTML telling what was indexed and why anything was refused."""
    lines = []
    for d in added:
        line = (f'<div class="upload-ok">✓ Indexed <b>{esc(d.get("filename") or d.get("title"))}</b> as '
                f'“{esc(d.get("title"))}”; it is searched and cited like the corpus, for you only.')
        if d.get("replaced"):
            line += " It replaced the copy you uploaded before."
        elif d.get("same_name"):
            line += (" You already had a different file of that name: both are kept (remove the old one if this "
                     "replaces it).")
        lines.append(line + "</div>")
    lines += [f'<div class="upload-error">✗ Rejected <b>{esc(name)}</b>: {esc(reason)}</div>'
              for name, reason in rejected]
    return "".join(lines)


CSS = """
#sources-panel { max-height: 860px; overflow-y: auto; }
.panel-question { font-weight: 600; margin-bottom: 4px; }
.panel-resolved { font-size: 0.85em; opacity: 0.75; margin-bottom: 6px; }
.panel-empty { opacity: 0.7; font-style: italic; padding: 6px 0; }
.src-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px;
            margin: 8px 0; background: var(--background-fill-secondary); scroll-margin-top: 12px; }
.src-card:target { outline: 2px solid #f59e0b; }
.src-head { font-weight: 600; }
.src-num { color: #2563eb; }
.src-meta { font-size: 0.85em; opacity: 0.8; margin: 2px 0 4px; }
.src-snippet { font-size: 0.9em; margin: 4px 0; padding-left: 8px; border-left: 3px solid #cbd5e1;
               white-space: pre-wrap; }
.src-snippet mark.quote { background: #fde68a; color: inherit; padding: 0 1px; }
.src-link { font-size: 0.85em; }
.badge.user { font-size: 0.7em; background: #dcfce7; color: #166534; border-radius: 4px; padding: 1px 5px;
              margin-left: 6px; vertical-align: middle; }
a.cite-link { text-decoration: none; font-weight: 600; }
.tool-card { border: 1px solid #93c5fd; border-radius: 8px; padding: 8px 10px; background: #eff6ff;
             color: #0f172a; font-size: 0.88em; }
.tool-head { font-weight: 700; font-size: 1.05em; margin-bottom: 4px; }
.tool-sec h4 { margin: 6px 0 2px; font-size: 0.85em; text-transform: uppercase; letter-spacing: 0.04em; opacity: 0.7; }
.tool-sec ul { margin: 0; padding-left: 18px; }
code.formula { display: block; white-space: pre-wrap; font-size: 0.92em; }
table.kv { border-collapse: collapse; width: 100%; margin: 0; border: none; }
table.kv, table.kv tr, table.kv th, table.kv td { border: none !important; background: transparent !important; }
table.kv th, table.kv td { border-bottom: 1px solid rgba(100, 116, 139, 0.2) !important; }
table.kv table.kv tr:last-child th, table.kv table.kv tr:last-child td { border-bottom: none !important; }
table.kv th { text-align: left; font-weight: 500; padding: 1px 6px 1px 0; vertical-align: top; white-space: nowrap;
              opacity: 0.8; width: 1%; }
table.kv td { padding: 1px 0; }
table.kv table.kv { font-size: 0.95em; }
.tool-error, .upload-error, .status-error { color: #b91c1c; }
.upload-ok { color: #15803d; }
.none { opacity: 0.5; }
"""
