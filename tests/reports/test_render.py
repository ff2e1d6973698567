"""quizsvc.reports: the CSV, HTML and PDF score reports and their SVG charts."""

import csv
import io
import logging
import re
import xml.etree.ElementTree as ET

import pytest
from jinja2.exceptions import UndefinedError
from pypdf import PdfReader

from quizsvc.reports import MEDIA_TYPES, render_csv, render_html, render_pdf
from quizsvc.reports.charts import category_bars, cohort_histogram, coverage_counts, key_point_coverage

DIGEST = "40b2d722c0ffee5e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80"
GRADER = {"grader_version": "1.0.0", "model_id": "usem3", "params_digest": DIGEST}
HISTOGRAM_COUNTS = [0, 1, 0, 1, 2, 2, 3, 3, 0, 2]


def _point(text, status, similarity, weight=1.0):
    return {"text": text, "status": status, "similarity": similarity, "weight": weight}


def _question(position, slug, prompt, category, difficulty, answer, **graded):
    question = {
        "position": position,
        "question_id": 10 + position,
        "version": 1,
        "slug": slug,
        "prompt": prompt,
        "category": category,
        "difficulty": difficulty,
        "answer": answer,
        "time_spent_seconds": 60 + position,
        "machine_score": None,
        "score": None,
        "override": None,
        "band": None,
        "confidence": None,
        "flags": [],
        "misconceptions": [],
        "key_points": [],
        "keywords_matched": [],
        "keywords_missing": [],
        "feedback": [],
        "grader": None,
        "graded_at": None,
    }
    question.update(graded)
    return question


def graded_report():
    """A graded attempt: an override on Q1, raw HTML in Q2, a flagged formula in Q3, Q4 unanswered."""
    graded = {"grader": GRADER, "graded_at": "2026-11-29T11:40:00+00:00"}
    questions = [
        _question(
            1,
            "self-attention",
            "什麼是自注意力機制（Self-Attention）？",
            "基本概念與理論",
            "medium",
            "自注意力讓每個詞關注序列中所有其他詞，\n並以縮放點積計算權重。",
            machine_score=78,
            score=85,
            override={
                "score": 85,
                "reason": "Covers the scaling factor too",
                "reviewer": "alice",
                "created_at": "2026-11-29T11:55:00+00:00",
            },
            band="strong",
            confidence=0.82,
            key_points=[
                _point("每個詞關注序列中所有其他詞", "covered", 0.81, 2.0),
                _point("以縮放點積計算注意力權重", "covered", 0.77),
                _point("由查詢、鍵、值三個投影計算", "partly", 0.52),
            ],
            keywords_matched=["自注意力機制", "縮放點積"],
            keywords_missing=["查詢"],
            feedback=["Covered: 每個詞關注序列中所有其他詞", "Partly: 由查詢、鍵、值三個投影計算"],
            **graded,
        ),
        _question(
            2,
            "positional-encoding",
            "為什麼 Transformer 需要位置編碼（Positional Encoding）？",
            "基本概念與理論",
            "easy",
            "<b>位置編碼</b>讓模型知道詞的順序",
            machine_score=75,
            score=75,
            band="adequate",
            confidence=0.7,
            key_points=[
                _point("注意力本身不考慮順序", "covered", 0.74),
                _point("把位置資訊加進詞向量", "partly", 0.5),
                _point("可用正弦函數或可學習的向量", "missed", 0.21),
            ],
            keywords_matched=["位置編碼"],
            keywords_missing=["正弦"],
            feedback=["Missed: 可用正弦函數或可學習的向量"],
            **graded,
        ),
        _question(
            3,
            "rlhf-steps",
            "請說明 RLHF（基於人類回饋的強化學習）的主要步驟。",
            "訓練與對齊",
            "hard",
            "=1+1 我不知道",
            machine_score=20,
            score=20,
            band="insufficient",
            confidence=0.4,
            flags=["off_topic", "misconception"],
            misconceptions=["RLHF 不需要獎勵模型"],
            key_points=[
                _point("先做監督式微調", "missed", 0.12),
                _point("訓練獎勵模型", "missed", 0.08),
                _point("以 PPO 最佳化策略", "missed", 0.05),
            ],
            keywords_missing=["獎勵模型", "PPO"],
            feedback=["Off topic: the answer does not address the question"],
            **graded,
        ),
        _question(
            4,
            "hallucination",
            "大型語言模型的「幻覺」（Hallucination）是什麼？如何減輕？",
            "應用與評估",
            "medium",
            "",
            machine_score=0,
            score=0,
            band="insufficient",
            confidence=1.0,
            flags=["empty"],
            feedback=["No answer was given."],
            **graded,
        ),
    ]
    return {
        "generated_at": "2026-11-29T12:00:00+00:00",
        "attempt": {
            "id": 7,
            "status": "graded",
            "created_at": "2026-11-29T10:00:00+00:00",
            "started_at": "2026-11-29T11:00:00+00:00",
            "submitted_at": "2026-11-29T11:21:00+00:00",
            "graded_at": "2026-11-29T11:40:00+00:00",
            "auto_submitted": False,
            "seed": 12345,
            "time_taken_seconds": 1260,
        },
        "candidate": {"id": 3, "external_id": "cand-42", "display_name": "王小明", "email": "x@example.com"},
        "quiz": {"id": 2, "name": "LLM basics", "pass_mark": 60, "feedback_policy": "hiring", "time_limit_minutes": 30},
        "score": 45.0,
        "passed": False,
        "band": "weak",
        "categories": [
            {"category": "基本概念與理論", "score": 80.0, "questions": 2},
            {"category": "訓練與對齊", "score": 20.0, "questions": 1},
            {"category": "應用與評估", "score": 0.0, "questions": 1},
        ],
        "cohort": {
            "attempts": 14,
            "mean": 61.2,
            "median": 63.0,
            "histogram": [{"from": 10 * i, "to": 10 * i + 10, "count": n} for i, n in enumerate(HISTOGRAM_COUNTS)],
            "percentile": 21.4,
        },
        "questions": questions,
    }


def ungraded_report():
    """Submitted but not graded: no scores, no key points, no grader, an empty cohort; Q4 never opened."""
    report = graded_report()
    report["attempt"].update(status="submitted", graded_at=None)
    report.update(score=None, passed=None, band=None, categories=[])
    report["cohort"] = {
        "attempts": 0,
        "mean": None,
        "median": None,
        "histogram": [{"from": 10 * i, "to": 10 * i + 10, "count": 0} for i in range(10)],
        "percentile": None,
    }
    report["questions"] = [
        _question(q["position"], q["slug"], q["prompt"], q["category"], q["difficulty"], q["answer"])
        for q in report["questions"]
    ]
    report["questions"][3].update(answer=None, time_spent_seconds=None)
    return report


def _rows(text):
    return list(csv.reader(io.StringIO(text, newline="")))


def _svg_texts(svg):
    return ["".join(node.itertext()) for node in ET.fromstring(svg).iter("text")]


def _widths(svg):
    return [float(rect.get("width")) for rect in ET.fromstring(svg).iter("rect")]


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

CHARTS = {
    "categories": lambda r: category_bars(r["categories"], r["quiz"]["pass_mark"]),
    "cohort": lambda r: cohort_histogram(r["cohort"], r["score"]),
    "coverage": lambda r: key_point_coverage(r["questions"]),
}


@pytest.mark.parametrize("make", [graded_report, ungraded_report])
@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_charts_are_well_formed_svg(chart, make):
    root = ET.fromstring(CHARTS[chart](make()))
    assert root.tag == "svg"
    assert "Noto Sans CJK TC" in root.get("font-family")


@pytest.mark.parametrize(
    ("svg", "note"),
    [
        (category_bars([], 60), "No category scores yet."),
        (cohort_histogram(None, 50.0), "No graded attempts of this quiz yet."),
        (cohort_histogram({"attempts": 0, "histogram": []}, None), "No graded attempts of this quiz yet."),
        (key_point_coverage([]), "No questions in this attempt."),
        (key_point_coverage(ungraded_report()["questions"]), "No key points graded yet."),
    ],
)
def test_charts_without_data_say_so(svg, note):
    assert _svg_texts(svg) == [note]


def test_category_bars_scale_to_100_and_dash_the_pass_mark():
    svg = category_bars(graded_report()["categories"], 60)
    # The plot runs from x=190 to x=590: 4 px per point.
    assert _widths(svg) == [320.0, 80.0, 0.0]
    dashed = [line for line in ET.fromstring(svg).iter("line") if line.get("stroke-dasharray")]
    assert [(line.get("x1"), line.get("x2")) for line in dashed] == [("430.0", "430.0")]
    texts = _svg_texts(svg)
    assert {"基本概念與理論 (2)", "pass mark 60", "80", "20", "0"} <= set(texts)


def test_category_bars_clip_long_names_escape_text_and_skip_missing_scores():
    categories = [
        {"category": "檢索增強生成與向量資料庫的實務應用", "score": 50.0, "questions": 1},
        {"category": 'A<B & "C"\x01', "score": None, "questions": 3},
    ]
    svg = category_bars(categories, None)
    assert _svg_texts(svg) == [str(t) for t in range(0, 101, 20)] + [
        "檢索增強生成與向量資… (1)",
        "50",
        'A<B & "C" (3)',
        "not graded",
    ]
    assert ET.fromstring(svg).find("g/title").text == "檢索增強生成與向量資料庫的實務應用"


def test_cohort_histogram_marks_this_candidate():
    report = graded_report()
    svg = cohort_histogram(report["cohort"], 45.0)
    assert len(_widths(svg)) == sum(1 for n in HISTOGRAM_COUNTS if n)
    texts = _svg_texts(svg)
    assert "this candidate: 45" in texts
    marker = [line for line in ET.fromstring(svg).iter("line") if line.get("stroke-width") == "2"]
    # The plot runs from x=44 to x=620: 5.76 px per point.
    assert [line.get("x1") for line in marker] == ["303.2"]
    # Bar counts sit above their bar (below the x axis labels) and right of the y axis labels at x=38.
    counts = [t for t in ET.fromstring(svg).iter("text") if float(t.get("y")) < 150 and t.get("x") != "38.0"]
    # The count over the 40-50 bin moves right of the marker; the others stay centred on their bar.
    assert [(t.text, t.get("x"), t.get("text-anchor")) for t in counts] == [
        ("1", "130.4", "middle"),
        ("1", "245.6", "middle"),
        ("2", "307.2", "start"),
        ("2", "360.8", "middle"),
        ("3", "418.4", "middle"),
        ("3", "476.0", "middle"),
        ("2", "591.2", "middle"),
        ("this candidate: 45", "307.2", "start"),
    ]


def test_cohort_histogram_without_a_score_has_no_marker():
    svg = cohort_histogram(graded_report()["cohort"], None)
    assert not any(text.startswith("this candidate") for text in _svg_texts(svg))


def test_key_point_coverage_stacks_counts_with_a_legend():
    svg = key_point_coverage(graded_report()["questions"])
    texts = _svg_texts(svg)
    assert texts[:3] == ["covered", "partly", "missed"]
    assert texts[3:] == [
        *["Q1", "2", "1", "3 key points"],
        *["Q2", "1", "1", "1", "3 key points"],
        *["Q3", "3", "3 key points"],
        *["Q4", "no key points"],
    ]
    # Three legend swatches, then segments on a 482 px bar shared by the longest list (3 points).
    assert _widths(svg)[3:] == [321.3, 160.7, 160.7, 160.7, 160.7, 482.0]


def test_coverage_counts_ignore_unknown_statuses():
    points = [{"status": s} for s in ("covered", "missed", "covered", "unknown")]
    assert coverage_counts(points) == {"covered": 2, "partly": 0, "missed": 1}


# -- PDF ------------------------------------------------------------------------------------


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


def test_score_timeline_is_well_formed_for_any_data():
    import xml.etree.ElementTree as ET

    from quizsvc.reports.charts import score_timeline

    for points in (
        [],
        [{"label": "#1", "score": None}],
        [{"label": "#1", "score": 40.0}],
        [{"label": "#1 <x>", "score": 40.0}, {"label": "#2", "score": None}, {"label": "#3", "score": 85.5}],
    ):
        svg = score_timeline(points, pass_mark=60)
        ET.fromstring(svg)
    assert "No graded attempts yet." in score_timeline([{"label": "#1", "score": None}])
    assert score_timeline([{"label": "#1", "score": 40.0}, {"label": "#2", "score": 85.5}]).count("<circle") == 2
