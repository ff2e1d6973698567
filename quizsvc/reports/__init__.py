"""Reports rendered from plain dicts: an attempt's score report (CSV, HTML, PDF), a
candidate's progress and a quiz's cohort (HTML pages).

A pure library: it imports neither Flask, SQLAlchemy, marshmallow nor any other quizsvc
package. The service layer builds the report dict (attempt, candidate, quiz, score, passed,
band, categories, cohort, questions); these functions only read it, and a missing key raises.

- ``render_csv(report) -> str``: one row per question, guarded against formula injection.
- ``render_html(report) -> str``: one self-contained page (inline CSS and SVG, no scripts,
  no URLs), printable on A4.
- ``render_pdf(report) -> bytes``: that page printed by WeasyPrint; needs Pango and the
  Noto CJK fonts (Debian ``fonts-noto-cjk``) on the machine.

- ``csv_lines(rows)``: rows as CSV lines one at a time, for a streamed export.
- ``render_progress_html(progress)``, ``render_quiz_html(report)``: the same kind of page for
  a candidate's progress and a quiz's cohort report.

``MEDIA_TYPES`` maps each format name, and ``json`` for the dict itself, to its media type.
"""

from quizsvc.reports.render import (
    csv_lines,
    render_csv,
    render_html,
    render_pdf,
    render_progress_html,
    render_quiz_html,
)

MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}

__all__ = [
    "MEDIA_TYPES",
    "csv_lines",
    "render_csv",
    "render_html",
    "render_pdf",
    "render_progress_html",
    "render_quiz_html",
]
