"""Score reports (JSON, CSV, HTML, PDF), cohort and item statistics, candidate progress."""

import csv
import io

import pytest
from pypdf import PdfReader


@pytest.fixture
def quiz(flow):
    return flow.quiz(pass_mark=40)


def _references(flow, quiz) -> list[str]:
    return [
        flow.client.get(f"/api/v1/questions/{qid}", headers=flow.staff("viewer")).get_json()["references"][0]
        for qid in quiz["question_ids"]
    ]


@pytest.fixture
def cohort(flow, quiz):
    """Four candidates: full marks, two partial, one blank."""
    refs = _references(flow, quiz)
    return [
        flow.graded(quiz["id"], refs, external_id="strong"),
        flow.graded(quiz["id"], [refs[0], refs[1][:40], ""], external_id="middle"),
        flow.graded(quiz["id"], [refs[0][:30], "", ""], external_id="weak"),
        flow.graded(quiz["id"], ["", "", ""], external_id="blank"),
    ]


def _report(flow, attempt_id, fmt=None):
    suffix = f"?format={fmt}" if fmt else ""
    return flow.client.get(f"/api/v1/attempts/{attempt_id}/report{suffix}", headers=flow.staff("viewer"))


def test_json_report(flow, quiz, cohort):
    strong = cohort[0]
    response = _report(flow, strong["id"])
    assert response.status_code == 200 and response.mimetype == "application/json"
    report = response.get_json()
    assert report["attempt"]["id"] == strong["id"] and report["attempt"]["status"] == "graded"
    assert report["candidate"]["external_id"] == "strong" and report["quiz"]["pass_mark"] == 40
    assert report["score"] == strong["score"] and report["passed"] is True and report["band"] == "strong"
    assert [q["position"] for q in report["questions"]] == [1, 2, 3]
    first = report["questions"][0]
    assert first["prompt"] == strong["questions"][0]["prompt"]
    assert first["key_points"] and {p["status"] for p in first["key_points"]} <= {"covered", "partly", "missed"}
    assert first["grader"]["model_id"] == "fake-bigram-256"
    assert sum(b["count"] for b in report["cohort"]["histogram"]) == report["cohort"]["attempts"] == 4
    assert report["cohort"]["percentile"] == 87.5  # the best of four: 3 below, itself counted as half
    assert sum(c["questions"] for c in report["categories"]) == 3


def test_report_of_an_ungraded_attempt(flow, quiz):
    invited = flow.invite(quiz["id"])
    for fmt in ("json", "csv", "html", "pdf"):
        assert _report(flow, invited["id"], fmt).status_code == 200, fmt
    report = _report(flow, invited["id"]).get_json()
    assert report["score"] is None and report["passed"] is None and report["cohort"]["percentile"] is None
    assert [q["machine_score"] for q in report["questions"]] == [None, None, None]


def test_csv_report(flow, cohort):
    response = _report(flow, cohort[1]["id"], "csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="attempt-{cohort[1]["id"]}.csv"'
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [int(r["position"]) for r in rows] == [1, 2, 3]
    detail = flow.attempt(cohort[1]["id"])
    assert [int(r["score"]) for r in rows] == [r["score"] for r in detail["responses"]]
    assert rows[0]["candidate_external_id"] == "middle" and rows[0]["prompt"] == detail["questions"][0]["prompt"]


def test_html_report_is_self_contained_with_charts(flow, cohort):
    response = _report(flow, cohort[0]["id"], "html")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    page = response.get_data(as_text=True)
    assert page.count("<svg") == 3
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert cohort[0]["questions"][0]["prompt"] in page and "王小明" in page


def test_pdf_report_carries_the_chinese_question(flow, cohort):
    response = _report(flow, cohort[0]["id"], "pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    squeeze = "".join(text.split())
    prompt = cohort[0]["questions"][0]["prompt"]
    assert "".join(prompt.split()) in squeeze


def test_unknown_report_format_is_a_422(flow, cohort):
    response = _report(flow, cohort[0]["id"], "docx")
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"query": {"format": ["Must be one of: json, csv, html, pdf."]}}


def test_override_shows_in_every_format(flow, cohort):
    attempt_id = cohort[3]["id"]
    flow.client.post(
        f"/api/v1/attempts/{attempt_id}/responses/1/overrides",
        json={"score": 55, "reason": "Answered orally"},
        headers=flow.staff(),
    )
    report = _report(flow, attempt_id).get_json()
    first = report["questions"][0]
    assert (first["machine_score"], first["score"], first["override"]["reason"]) == (0, 55, "Answered orally")
    rows = list(csv.DictReader(io.StringIO(_report(flow, attempt_id, "csv").get_data(as_text=True))))
    assert (rows[0]["machine_score"], rows[0]["override_score"], rows[0]["score"]) == ("0", "55", "55")
    assert "Answered orally" in _report(flow, attempt_id, "html").get_data(as_text=True)


def test_quiz_cohort_and_item_statistics(flow, quiz, cohort):
    response = flow.client.get(f"/api/v1/quizzes/{quiz['id']}/report", headers=flow.staff("viewer"))
    assert response.status_code == 200
    report = response.get_json()
    scores = sorted((a["score"] for a in cohort), reverse=True)
    assert report["attempts"] == 4 and [c["score"] for c in report["candidates"]] == scores
    assert [c["external_id"] for c in report["candidates"]] == ["strong", "middle", "weak", "blank"]
    assert [c["percentile"] for c in report["candidates"]] == [87.5, 62.5, 37.5, 12.5]
    assert report["mean"] == pytest.approx(sum(scores) / 4, abs=0.05 + 1e-9)  # to one decimal
    assert report["pass_rate"] == sum(s >= 40 for s in scores) / 4
    items = report["questions"]
    assert [i["question_id"] for i in items] == sorted(quiz["question_ids"])
    for item in items:
        assert item["answers"] == 4
        assert item["flag_rates"]["empty"] > 0  # every question was left blank by someone
    # Doing well on question 1 goes with doing well on the rest.
    first = next(i for i in items if i["question_id"] == quiz["question_ids"][0])
    assert first["discrimination"] > 0.5


def test_candidate_progress(flow, quiz, app):
    refs = _references(flow, quiz)
    first = flow.graded(quiz["id"], [refs[0][:20], "", ""], external_id="grower")
    second = flow.graded(quiz["id"], refs, external_id="grower")
    assert first["candidate"]["id"] == second["candidate"]["id"]
    open_attempt = flow.invite(quiz["id"], external_id="grower")
    response = flow.client.get(f"/api/v1/candidates/{first['candidate']['id']}/progress", headers=flow.staff("viewer"))
    assert response.status_code == 200
    progress = response.get_json()
    assert [a["attempt_id"] for a in progress["attempts"]] == [first["id"], second["id"], open_attempt["id"]]
    assert [a["status"] for a in progress["attempts"]] == ["graded", "graded", "invited"]
    overall = progress["overall"]
    assert (overall["graded_attempts"], overall["first"], overall["latest"]) == (2, first["score"], second["score"])
    assert overall["change"] == round(second["score"] - first["score"], 1) and overall["change"] > 0
    assert overall["best"] == second["score"]
    for category in progress["categories"]:
        assert [p["attempt_id"] for p in category["points"]] == [first["id"], second["id"]]
        assert category["latest"] >= category["first"]


def test_cohort_scores_in_sql_match_the_attempts(flow, quiz, cohort, app):
    from quizsvc.db import db
    from quizsvc.models import Attempt
    from quizsvc.services import scores

    flow.client.post(
        f"/api/v1/attempts/{cohort[2]['id']}/responses/2/overrides",
        json={"score": 77, "reason": "r"},
        headers=flow.staff(),
    )
    expected = sorted(flow.attempt(a["id"])["score"] for a in cohort)
    with app.app_context():
        organisation_id = db.session.get(Attempt, cohort[0]["id"]).organisation_id
        found = scores.cohort_scores(db.session, organisation_id=organisation_id, quiz_id=quiz["id"])
    assert sorted(found) == expected


def test_quiz_report_as_a_page(flow, quiz, cohort):
    report = flow.client.get(f"/api/v1/quizzes/{quiz['id']}/report", headers=flow.staff("viewer")).get_json()
    assert [b["from"] for b in report["histogram"]] == list(range(0, 100, 10))
    response = flow.client.get(f"/api/v1/quizzes/{quiz['id']}/report?format=html", headers=flow.staff("viewer"))
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    page = response.get_data(as_text=True)
    assert page.count("<svg") == 1 and "<script" not in page and "http" not in page
    for entry in report["candidates"]:
        assert entry["external_id"] in page
    assert "4 graded attempts" in page and cohort[0]["questions"][0]["prompt"] in page


def test_progress_as_a_page(flow, quiz):
    refs = _references(flow, quiz)
    first = flow.graded(quiz["id"], [refs[0][:20], "", ""], external_id="grower")
    second = flow.graded(quiz["id"], refs, external_id="grower")
    path = f"/api/v1/candidates/{first['candidate']['id']}/progress?format=html"
    response = flow.client.get(path, headers=flow.staff("viewer"))
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert page.count("<svg") == 2 and "<polyline" in page and "<script" not in page
    assert f"#{first['id']}" in page and f"#{second['id']}" in page
    assert "2 graded attempts" in page and "change since the first +" in page
    bad = flow.client.get(path.replace("html", "pdf"), headers=flow.staff("viewer"))
    assert bad.status_code == 422


def _text_of(response, fmt: str) -> str:
    """What a reader of the format sees, whitespace squeezed out (PDF text through pypdf)."""
    if fmt == "pdf":
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    else:
        import html
        import re

        text = html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
    return "".join(text.split())


@pytest.mark.parametrize("fmt", ["csv", "html", "pdf"])
def test_every_format_carries_the_report(flow, cohort, fmt):
    attempt_id = cohort[1]["id"]
    flow.client.post(
        f"/api/v1/attempts/{attempt_id}/responses/2/overrides",
        json={"score": 64, "reason": "Reviewed: the second half was right"},
        headers=flow.staff(),
    )
    report = _report(flow, attempt_id).get_json()
    response = _report(flow, attempt_id, fmt)
    assert response.status_code == 200
    if fmt == "csv":
        from quizsvc.reports.render import CSV_COLUMNS

        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
        assert tuple(rows[0]) == CSV_COLUMNS
        table = [dict(zip(rows[0], row)) for row in rows[1:]]
        expected = [
            {
                "attempt_id": str(attempt_id),
                "candidate_external_id": "middle",
                "candidate_name": "王小明",
                "quiz": report["quiz"]["name"],
                "position": str(q["position"]),
                "question_slug": q["slug"],
                "prompt": q["prompt"],
                "machine_score": str(q["machine_score"]),
                "override_score": "64" if q["position"] == 2 else "",
                "score": str(q["score"]),
                "band": q["band"],
                "flags": ";".join(q["flags"]),
            }
            for q in report["questions"]
        ]
        assert [{k: row[k] for k in expected[0]} for row in table] == expected
        return
    text = _text_of(response, fmt)
    wanted = [
        "王小明",
        "middle",
        report["quiz"]["name"],
        "Reviewed: the second half was right",
        *(q["prompt"] for q in report["questions"]),
        *(f"{q['machine_score']}" for q in report["questions"]),
        report["band"],
    ]
    missing = [item for item in wanted if "".join(item.split()) not in text]
    assert missing == [], fmt
