"""Inline SVG charts for score reports, as strings: no scripts, no external files.

Each chart is one ``<svg>`` element without an ``xmlns`` attribute: the HTML parser puts it
in the SVG namespace by itself, and the report keeps no URL at all. Add
``xmlns="http://www.w3.org/2000/svg"`` before saving a chart as a standalone ``.svg`` file.

Missing data (no categories, no cohort, no key points, no score) draws a short note instead
of a chart, so an attempt that is not graded yet still gets a report.
"""

import re
from collections import Counter
from xml.sax.saxutils import escape, quoteattr

# SVG text does not inherit the page's CSS in WeasyPrint, so the CJK stack is repeated here.
FONT = "'Noto Sans CJK TC', 'Noto Sans CJK SC', 'Noto Sans CJK JP', 'Noto Sans', sans-serif"
WIDTH = 640
STATUSES = ("covered", "partly", "missed")
COLOURS = {"covered": "#1b7837", "partly": "#e0a100", "missed": "#b2182b"}
# Text drawn on each colour: white on amber is too faint to read in print.
_ON = {"covered": "#ffffff", "partly": "#222222", "missed": "#ffffff"}
BAR = "#3b6ea5"
GRID = "#d9d9d9"
INK = "#222222"
MUTED = "#666666"

# Characters XML 1.0 forbids even escaped; one in a category name would break the whole page.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# About 11 CJK characters at 12px, plus the question count, fill the 180px label column.
_LABEL_CHARS = 11


def coverage_counts(key_points: list[dict]) -> dict[str, int]:
    """Key points per status; a status outside covered/partly/missed is not counted."""
    counts = Counter(point["status"] for point in key_points)
    return {status: counts[status] for status in STATUSES}


def format_score(value: float) -> str:
    """72.5 -> "72.5", 80.0 -> "80": one decimal at most, no trailing zero."""
    return f"{value:.1f}".removesuffix(".0")


def category_bars(categories: list[dict], pass_mark: float | None) -> str:
    """Horizontal bars of the score per category on a 0-100 axis, the pass mark dashed."""
    title = "Score per category"
    if not categories:
        return _note(title, "No category scores yet.")
    left, right, top, row = 190, WIDTH - 50, 26, 26
    bottom = top + row * len(categories)
    parts = _x_axis(left, right, top, bottom)
    for i, category in enumerate(categories):
        y = top + i * row
        name, count = category["category"], category["questions"]
        label = _label(left - 8, y + 17, f"{_clip(name)} ({count})", anchor="end")
        parts.append(f"<g><title>{_text(name)}</title>{label}</g>")
        score = category["score"]
        if score is None:
            parts.append(_label(left + 4, y + 17, "not graded", fill=MUTED))
            continue
        end = _scale(score, left, right)
        parts.append(f'<rect x="{left}" y="{y + 6}" width="{end - left:.1f}" height="14" fill="{BAR}"/>')
        parts.append(_label(end + 4, y + 17, format_score(score)))
    if pass_mark is not None:
        x = _scale(pass_mark, left, right)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{bottom}" stroke="{INK}" stroke-width="1.5" '
            'stroke-dasharray="5 3"/>'
        )
        parts.append(_label(x, top - 10, f"pass mark {format_score(pass_mark)}", anchor="middle"))
    return _svg(title, bottom + 22, parts)


def cohort_histogram(cohort: dict | None, score: float | None) -> str:
    """The cohort's scores in bins of ten points, with this candidate's score as a line."""
    title = "Score distribution of graded attempts of this quiz"
    bins = (cohort or {}).get("histogram") or []
    peak = max((b["count"] for b in bins), default=0)
    if peak == 0:
        return _note(title, "No graded attempts of this quiz yet.")
    left, right, top, height = 44, WIDTH - 20, 30, 120
    bottom = top + height
    parts = _x_axis(left, right, top, bottom, step=10)
    parts.append(_label(left - 6, top + 4, str(peak), anchor="end", fill=MUTED))
    parts.append(_label(left - 6, bottom, "0", anchor="end", fill=MUTED))
    marker = None if score is None else _scale(score, left, right)
    for b in bins:
        x1, x2 = _scale(b["from"], left, right) + 1, _scale(b["to"], left, right) - 1
        h = height * b["count"] / peak
        if b["count"]:
            parts.append(
                f'<rect x="{x1:.1f}" y="{bottom - h:.1f}" width="{x2 - x1:.1f}" height="{h:.1f}" fill="{BAR}"/>'
            )
            x, anchor = (x1 + x2) / 2, "middle"
            # A count the marker would strike through moves to the side of the line.
            if marker is not None and abs(x - marker) < 8:
                x, anchor = (marker + 4, "start") if x >= marker else (marker - 4, "end")
            parts.append(_label(x, bottom - h - 3, str(b["count"]), anchor=anchor, fill=MUTED))
    if marker is not None:
        # The label runs away from the nearer edge so that it stays inside the chart.
        anchor, dx = ("end", -4) if marker > (left + right) / 2 else ("start", 4)
        parts.append(
            f'<line x1="{marker:.1f}" y1="{top - 14}" x2="{marker:.1f}" y2="{bottom}" stroke="{INK}" stroke-width="2"/>'
        )
        parts.append(_label(marker + dx, top - 18, f"this candidate: {format_score(score)}", anchor=anchor))
    parts.append(_label((left + right) / 2, bottom + 32, "score", anchor="middle", fill=MUTED))
    return _svg(title, bottom + 38, parts)


def score_timeline(points: list[dict], pass_mark: float | None = None) -> str:
    """Scores over time, oldest first: ``points`` are {"label", "score"}; a missing score is skipped."""
    title = "Score per graded attempt, oldest first"
    scored = [(i, p) for i, p in enumerate(points) if p["score"] is not None]
    if not scored:
        return _note(title, "No graded attempts yet.")
    left, right, top, height = 44, WIDTH - 30, 16, 150
    bottom = top + height
    parts = []
    for tick in range(0, 101, 20):
        y = bottom - height * tick / 100
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
        parts.append(_label(left - 6, y + 4, str(tick), anchor="end", fill=MUTED))
    if pass_mark is not None:
        y = bottom - height * min(max(pass_mark, 0), 100) / 100
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{INK}" stroke-dasharray="4 3"/>'
        )
        parts.append(_label(right, y - 4, f"pass mark {format_score(pass_mark)}", anchor="end", fill=MUTED))
    step = (right - left) / max(len(points) - 1, 1)

    def at(i: int, score: float) -> tuple[float, float]:
        x = left + step * i if len(points) > 1 else (left + right) / 2
        return x, bottom - height * min(max(score, 0), 100) / 100

    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in (at(i, p["score"]) for i, p in scored))
    parts.append(f'<polyline points="{line}" fill="none" stroke="{BAR}" stroke-width="2"/>')
    for i, point in scored:
        x, y = at(i, point["score"])
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{BAR}"><title>{_text(point["label"])}</title></circle>'
        )
        parts.append(_label(x, y - 8, format_score(point["score"]), anchor="middle"))
    for i, point in enumerate(points):
        x, _ = at(i, 0)
        parts.append(_label(x, bottom + 16, _clip(point["label"]), anchor="middle", fill=MUTED))
    return _svg(title, bottom + 24, parts)


def key_point_coverage(questions: list[dict]) -> str:
    """Per question, a stacked bar of key points covered, partly covered and missed."""
    title = "Key-point coverage per answer"
    if not questions:
        return _note(title, "No questions in this attempt.")
    counts = [coverage_counts(q["key_points"]) for q in questions]
    most = max(sum(c.values()) for c in counts)
    if most == 0:
        return _note(title, "No key points graded yet.")
    left, right, top, row = 48, WIDTH - 110, 30, 22
    parts = []
    for i, status in enumerate(STATUSES):
        x = left + i * 110
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{COLOURS[status]}"/>')
        parts.append(_label(x + 17, 16, status))
    for i, (question, count) in enumerate(zip(questions, counts)):
        y = top + i * row
        parts.append(_label(left - 8, y + 15, f"Q{question['position']}", anchor="end"))
        total = sum(count.values())
        if total == 0:
            parts.append(_label(left, y + 15, "no key points", fill=MUTED))
            continue
        x = left
        for status in STATUSES:
            w = (right - left) * count[status] / most
            if w:
                parts.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="16" fill="{COLOURS[status]}"/>')
                if w >= 16:
                    parts.append(_label(x + w / 2, y + 15, str(count[status]), anchor="middle", fill=_ON[status]))
            x += w
        parts.append(_label(right + 8, y + 15, f"{total} key point{'s' if total != 1 else ''}", fill=MUTED))
    return _svg(title, top + row * len(questions) + 6, parts)


def _x_axis(left: float, right: float, top: float, bottom: float, step: int = 20) -> list[str]:
    parts = []
    for tick in range(0, 101, step):
        x = _scale(tick, left, right)
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="{GRID}" stroke-width="1"/>')
        parts.append(_label(x, bottom + 14, str(tick), anchor="middle", fill=MUTED))
    parts.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{MUTED}" stroke-width="1"/>')
    return parts


def _note(title: str, message: str) -> str:
    return _svg(title, 30, [_label(0, 20, message, fill=MUTED)])


def _svg(title: str, height: float, parts: list[str]) -> str:
    return (
        f'<svg class="chart" width="{WIDTH}" height="{height:.0f}" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
        f'aria-label={quoteattr(title)} font-family={quoteattr(FONT)} font-size="12">'
        f"<title>{_text(title)}</title>{''.join(parts)}</svg>"
    )


def _label(x: float, y: float, text: str, anchor: str = "start", fill: str = INK) -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}">{_text(text)}</text>'


def _text(value: object) -> str:
    return escape(_NOT_XML.sub("", str(value)))


def _clip(text: str) -> str:
    return text if len(text) <= _LABEL_CHARS else text[: _LABEL_CHARS - 1] + "…"


def _scale(value: float, left: float, right: float) -> float:
    """Position of a 0-100 value; out-of-range values stay on the axis."""
    return left + (right - left) * min(max(value, 0), 100) / 100
