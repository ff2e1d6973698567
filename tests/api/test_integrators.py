"""What integrators also expect: bulk invitations, polling by cursor, the CSV export,
signed report links and the audit log."""

import csv
import io

from tests.api.test_webhooks import ANSWERS
from tests.interview import move_clock


def _batch(flow, quiz_id, candidates, **headers):
    return flow.client.post(
        "/api/v1/attempts", json={"quiz_id": quiz_id, "candidates": candidates}, headers={**flow.staff(), **headers}
    )


def test_bulk_invite_answers_per_item_and_replays_without_tokens(flow):
    quiz = flow.quiz()
    candidates = [
        {"external_id": "c1", "display_name": "One", "email": "one@example.com", "language": "zh-Hant"},
        {"external_id": "c2"},
        {"external_id": "c3", "display_name": "Three", "unknown": 1},
        {"external_id": "c4", "display_name": "Four"},
    ]
    first = _batch(flow, quiz["id"], candidates, **{"Idempotency-Key": "batch-1"})
    assert first.status_code == 201
    body = first.get_json()
    assert (body["created"], body["failed"]) == (2, 2)
    assert [i["status"] for i in body["items"]] == [201, 422, 422, 201]
    assert body["items"][1]["error"]["errors"] == {"json": {"display_name": ["Missing data for required field."]}}
    assert body["items"][2]["error"]["errors"] == {"json": {"unknown": ["Unknown field."]}}
    assert body["items"][0]["attempt"]["token"].startswith("qza_")
    again = _batch(flow, quiz["id"], candidates, **{"Idempotency-Key": "batch-1"})
    assert again.headers["Idempotent-Replayed"] == "true"
    replayed = again.get_json()
    assert [i["status"] for i in replayed["items"]] == [201, 422, 422, 201]
    assert all("token" not in i["attempt"] and "link" not in i["attempt"] for i in replayed["items"] if i["attempt"])
    listed = flow.client.get("/api/v1/attempts", headers=flow.staff("viewer")).get_json()
    assert sorted(a["candidate"]["external_id"] for a in listed) == ["c1", "c4"]


def test_bulk_invite_limits(flow):
    quiz = flow.quiz()
    too_many = [{"external_id": f"c{i}", "display_name": "x"} for i in range(501)]
    assert _batch(flow, quiz["id"], too_many).status_code == 422
    both = {"quiz_id": quiz["id"], "candidate": {"external_id": "a", "display_name": "A"}, "candidates": []}
    assert flow.client.post("/api/v1/attempts", json=both, headers=flow.staff()).status_code == 422
    flow.client.delete(f"/api/v1/quizzes/{quiz['id']}", headers=flow.staff())
    archived = _batch(flow, quiz["id"], [{"external_id": "a", "display_name": "A"}]).get_json()
    assert archived["items"][0]["status"] == 409


def test_polling_by_updated_since_and_cursor_is_stable(flow, app):
    quiz = flow.quiz()
    invited = [flow.invite(quiz["id"], external_id=f"p{i}") for i in range(5)]
    for i, attempt in enumerate(invited):
        move_clock(app, attempt["id"], minutes=10 - i)  # created (and last changed) in this order
    seen, cursor, pages = [], None, 0
    while True:
        query = "?page_size=2&updated_since=2000-01-01T00:00:00Z" + (f"&cursor={cursor}" if cursor else "")
        response = flow.client.get("/api/v1/attempts" + query, headers=flow.staff("viewer"))
        assert response.status_code == 200
        seen += [a["id"] for a in response.get_json()]
        pages += 1
        cursor = response.headers.get("X-Next-Cursor")
        if cursor is None:
            break
    assert pages == 3 and sorted(seen) == sorted(a["id"] for a in invited) and len(set(seen)) == 5
    # Starting an attempt moves it to the end of the order.
    flow.start(invited[0]["token"])
    since = flow.client.get("/api/v1/attempts?updated_since=2000-01-01T00:00:00Z", headers=flow.staff("viewer"))
    assert since.get_json()[-1]["id"] == invited[0]["id"]
    bad = flow.client.get("/api/v1/attempts?cursor=nonsense", headers=flow.staff("viewer"))
    assert bad.status_code == 422


def test_results_export_streams_one_row_per_attempt(flow, client):
    quiz = flow.quiz()
    graded = flow.graded(quiz["id"], ANSWERS, external_id="=cmd")
    flow.invite(quiz["id"], external_id="later")
    response = client.get(f"/api/v1/quizzes/{quiz['id']}/results.csv", headers=flow.staff("viewer"))
    assert response.status_code == 200 and response.is_streamed
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header = rows[0]
    assert header[:6] == ["attempt_id", "candidate_external_id", "candidate_name", "candidate_email", "status", "score"]
    questions = [h for h in header if h.startswith("question:")]
    categories = [h for h in header if h.startswith("category:")]
    assert len(questions) == 3 and categories
    assert len(rows) == 3
    first = dict(zip(header, rows[1]))
    assert first["candidate_external_id"] == "'=cmd"  # a formula never reaches a spreadsheet
    assert float(first["score"]) == graded["score"]
    scores = [r["score"] for r in graded["responses"]]
    assert [int(first[q]) for q in questions] == scores
    assert dict(zip(header, rows[2]))["status"] == "invited"
    assert client.get("/api/v1/quizzes/999/results.csv", headers=flow.staff("viewer")).status_code == 404


def test_signed_report_links_open_every_format_without_a_key(flow, app, client):
    from quizsvc import links

    attempt = flow.graded(flow.quiz()["id"], ANSWERS)
    with app.app_context():
        token = links.report_token(attempt_id=attempt["id"], organisation_id=_org_id(app))
    base = f"/api/v1/reports/{token}"
    assert client.get(base).content_type.startswith("text/html")
    assert client.get(base + "?format=pdf").data.startswith(b"%PDF")
    assert client.get(base + "?format=csv").content_type.startswith("text/csv")
    assert client.get(base + "?format=json").get_json()["attempt"]["id"] == attempt["id"]
    assert client.get(base[:-2] + "xx").status_code == 404
    app.config["QUIZSVC_REPORT_LINK_HOURS"], hours = -1, app.config["QUIZSVC_REPORT_LINK_HOURS"]
    try:
        assert client.get(base).status_code == 404  # expired
    finally:
        app.config["QUIZSVC_REPORT_LINK_HOURS"] = hours


def _org_id(app) -> int:
    from quizsvc.db import db
    from quizsvc.services import accounts

    with app.app_context():
        return accounts.get_organisation(db.session, name="acme").id


def test_the_audit_log_says_who_did_what(flow, client, auth):
    quiz = flow.quiz()
    attempt = flow.graded(quiz["id"], ANSWERS)
    other = flow.invite(quiz["id"], external_id="c2")
    client.post(f"/api/v1/attempts/{other['id']}/cancel", headers=flow.staff())
    client.post(
        f"/api/v1/attempts/{attempt['id']}/responses/1/overrides",
        json={"score": 5, "reason": "r"},
        headers=flow.staff(),
    )
    client.post(f"/api/v1/attempts/{attempt['id']}/regrade", json={"force": True}, headers=auth.headers("admin"))
    key = client.post("/api/v1/keys", json={"name": "tmp", "role": "viewer"}, headers=auth.headers("admin")).get_json()
    client.delete(f"/api/v1/keys/{key['id']}", headers=auth.headers("admin"))
    entries = client.get("/api/v1/audit", headers=auth.headers("admin")).get_json()
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("key.revoke", "admin"),
        ("key.create", "admin"),
        ("attempt.regrade", "admin"),
        ("grade.override", "recruiter"),
        ("attempt.cancel", "recruiter"),
        ("attempt.invite", "recruiter"),
        ("attempt.invite", "recruiter"),
        ("quiz.create", "recruiter"),
    ]
    assert client.get("/api/v1/audit", headers=flow.staff()).status_code == 403
    assert (
        client.get("/api/v1/audit?action=attempt.cancel", headers=auth.headers()).get_json()[0]["target_id"]
        == other["id"]
    )
