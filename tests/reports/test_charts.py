"""quizsvc.reports.charts: inline SVG charts, well formed for any data."""

import xml.etree.ElementTree as ET

import pytest

from quizsvc.reports.charts import category_bars, cohort_histogram, coverage_counts, key_point_coverage
from tests.reports.sample import HISTOGRAM_COUNTS, graded_report, ungraded_report


def _svg_texts(svg):
    return ["".join(node.itertext()) for node in ET.fromstring(svg).iter("text")]


def _widths(svg):
    return [float(rect.get("width")) for rect in ET.fromstring(svg).iter("rect")]


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
