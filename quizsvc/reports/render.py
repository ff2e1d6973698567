"""Render a score report dict as CSV, a self-contained HTML page, or a PDF printed from that page.

The report dict is built by the service layer; this module only reads it. A missing key is
a bug in that contract and raises (the template runs with StrictUndefined).
"""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from quizsvc.reports.charts import (
    category_bars,
    cohort_histogram,
    coverage_counts,
    format_score,
    key_point_coverage,
    score_timeline,
)

CSV_COLUMNS = (
    "attempt_id",
    "candidate_external_id",
    "candidate_name",
    "quiz",
    "position",
    "question_slug",
    "category",
    "prompt",
    "answer",
    "machine_score",
    "override_score",
    "score",
    "band",
    "flags",
    "key_points_covered",
    "key_points_partly",
    "key_points_missed",
    "time_spent_seconds",
)

# A spreadsheet evaluates a cell that starts with one of these (OWASP "CSV injection");
# a leading apostrophe makes it plain text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def render_csv(report: dict) -> str:
    """A header row, then one row per question; None becomes an empty cell."""
    attempt, candidate, quiz = report["attempt"], report["candidate"], report["quiz"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for q in report["questions"]:
        counts = coverage_counts(q["key_points"])
        row = (
            attempt["id"],
            candidate["external_id"],
            candidate["display_name"],
            quiz["name"],
            q["position"],
            q["slug"],
            q["category"],
            q["prompt"],
            q["answer"],
            q["machine_score"],
            q["override"]["score"] if q["override"] else None,
            q["score"],
            q["band"],
            ";".join(q["flags"]),
            counts["covered"],
            counts["partly"],
            counts["missed"],
            q["time_spent_seconds"],
        )
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def render_html(report: dict) -> str:
    """A single page with inline CSS and SVG: no scripts, nothing fetched, printable on A4."""
    charts = {
        "categories": category_bars(report["categories"], report["quiz"]["pass_mark"]),
        "cohort": cohort_histogram(report["cohort"], report["score"]),
        "coverage": key_point_coverage(report["questions"]),
    }
    # The chart builders escape every text they draw, so their markup goes in as it is.
    charts = {name: Markup(svg) for name, svg in charts.items()}
    return _environment().get_template("attempt.html").render(report=report, charts=charts)


def render_progress_html(progress: dict) -> str:
    """A candidate's attempts over time: a score line, per-category progress, the attempts."""
    points = [
        {"label": f"#{a['attempt_id']} {_when(a['submitted_at'])[5:10]}", "score": a["score"]}
        for a in progress["attempts"]
        if a["status"] == "graded"
    ]
    latest = next((a for a in reversed(progress["attempts"]) if a["score"] is not None), None)
    charts = {
        "timeline": Markup(score_timeline(points)),
        "categories": Markup(
            category_bars(
                [
                    {"category": c["category"], "score": c["latest"], "questions": c["attempts"]}
                    for c in progress["categories"]
                ],
                None,
            )
        ),
    }
    return _environment().get_template("progress.html").render(progress=progress, charts=charts, latest=latest)


def render_quiz_html(report: dict) -> str:
    """A quiz's cohort: the score distribution, each candidate, each question's statistics."""
    charts = {"cohort": Markup(cohort_histogram(report, None))}
    return _environment().get_template("quiz.html").render(report=report, charts=charts)


def render_pdf(report: dict) -> bytes:
    """The HTML page printed by WeasyPrint, with its fonts embedded."""
    # Imported here: WeasyPrint is slow to import and only the PDF needs it.
    import weasyprint

    return weasyprint.HTML(string=render_html(report)).write_pdf()


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("quizsvc.reports"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(score=_score, when=_when, duration=_duration)
    return env


def _score(value: float | None) -> str:
    return "—" if value is None else format_score(value)


def _when(value: str | datetime | None) -> str:
    """A datetime or ISO 8601 to "2026-11-29 12:00 UTC"; a string that does not parse is shown as it is."""
    if value is None:
        return "—"
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    except ValueError:
        return value
    offset = moment.utcoffset()
    zone = "" if offset is None else " UTC" if offset == timedelta(0) else moment.strftime(" %z")
    return moment.strftime("%Y-%m-%d %H:%M") + zone


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes, seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {seconds} s"
    return f"{seconds} s"


def csv_lines(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """Rows as CSV text, one line at a time (for streaming), guarded like render_csv."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
