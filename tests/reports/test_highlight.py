"""The grader's evidence in the answer: spans cut at every boundary, marked by kind,
escaped, and nothing marked for evidence that does not fit (or for no evidence at all)."""

import io

from pypdf import PdfReader

from quizsvc.reports import render_html, render_pdf
from quizsvc.reports.highlight import highlight, pieces, spans
from tests.reports.sample import graded_report

ANSWER = "自注意力讓每個詞關注所有詞，\n以 <query> 和 key 計算權重。"


def _item(kind, start, end, label="L", index=0):
    return {"kind": kind, "index": index, "label": label, "start": start, "end": end}


def test_spans_keep_what_fits_in_answer_order_numbered():
    found = spans(
        ANSWER,
        [
            _item("keyword", 1, 4, "注意力"),
            _item("key_point", 0, 13),
            _item("keyword", 5, 5),  # empty
            _item("misconception", 10, 999),  # past the end
            {"kind": "flag", "start": 0, "end": 1},  # not a kind of evidence
            {"kind": "keyword", "start": "x", "end": 2},  # not an offset
            {"label": "no kind"},
        ],
    )
    assert [(s["number"], s["kind"], s["quote"]) for s in found] == [
        (1, "key_point", "自注意力讓每個詞關注所有詞"),
        (2, "keyword", "注意力"),
    ]


def test_overlapping_spans_mark_each_piece_with_every_kind_covering_it():
    marked = spans(ANSWER, [_item("key_point", 0, 6), _item("keyword", 3, 9)])
    assert [(text, [s["number"] for s in covering]) for text, covering in pieces(ANSWER, marked)] == [
        ("自注意", [1]),
        ("力讓每", [1, 2]),
        ("個詞關", [2]),
        (ANSWER[9:], []),
    ]


def test_highlight_escapes_the_answer_and_its_labels():
    html = highlight(ANSWER, [_item("keyword", 17, 24, label='"<b>q</b>"')])
    assert html == (
        "自注意力讓每個詞關注所有詞，\n以 "
        '<mark class="ev keyword" data-ev="ev1" title="1. &#34;&lt;b&gt;q&lt;/b&gt;&#34;">&lt;query&gt;</mark>'
        " 和 key 計算權重。"
    )


def test_offsets_count_code_points_not_utf16_units():
    answer = "😀 self-attention"
    html = highlight(answer, [_item("keyword", 2, 16, "self-attention")])
    assert html.endswith(">self-attention</mark>") and html.startswith("😀 ")


def test_no_evidence_is_the_answer_as_it_is():
    assert highlight(ANSWER, None) == highlight(ANSWER, []) == str(highlight(ANSWER, [])) != ""
    assert "<mark" not in highlight(ANSWER, None) and highlight(None, None) == ""


def _with_evidence() -> dict:
    report = graded_report()
    answer = report["questions"][0]["answer"]
    report["questions"][0]["evidence"] = [
        _item("key_point", 0, answer.index("，"), "每個詞關注所有其他詞"),
        _item("keyword", 0, 4, "自注意力"),
    ]
    return report


def test_the_html_report_highlights_the_evidence_and_lists_it():
    html = render_html(_with_evidence())
    assert '<mark class="ev key_point keyword" data-ev="ev1 ev2"' in html
    assert "<li><span class=\"ev key_point\">key point</span> 每個詞關注所有其他詞 ← “" in html
    assert "<mark" not in render_html(graded_report())  # stored without evidence: nothing marked


def test_the_pdf_report_carries_the_evidence_too():
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(_with_evidence()))).pages)
    text = " ".join(text.split())
    assert "key point 每個詞關注所有其他詞 ← “自注意力讓每個詞關注序列中所有其他詞”" in text
    assert "keyword 自注意力 ← “自注意力”" in text
