"""The assessment-partner adapter, from send test to the PATCH callback on a local receiver."""

import base64
import json

import pytest

from tests.api.test_webhooks import ANSWERS
from tests.integration import invitation_token, run_queue
from tests.receiver import Receiver


def _basic(key: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


@pytest.fixture
def callback(app, monkeypatch):
    monkeypatch.setitem(app.config, "QUIZSVC_WEBHOOK_ALLOW_PRIVATE", True)
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


def test_send_test_to_the_patch_callback(flow, app, client, auth, callback):
    quiz = flow.quiz(name="LLM screening", pass_mark=40)
    partner = _basic(auth.key("recruiter"))
    assert client.get("/api/v1/partner/list_tests", headers=partner).get_json() == [
        {"partner_test_id": str(quiz["id"]), "partner_test_name": "LLM screening"}
    ]
    sent = client.post(
        "/api/v1/partner/send_test",
        json={
            "partner_test_id": str(quiz["id"]),
            "candidate": {"first_name": "小明", "last_name": "王", "email": "wang@example.com", "phone": "ignored"},
            "url": callback.url,
        },
        headers=partner,
    )
    assert sent.status_code == 200
    interview = sent.get_json()["partner_interview_id"]
    status = client.get(f"/api/v1/partner/test_status?partner_interview_id={interview}", headers=partner).get_json()
    assert (status["partner_status"], status["partner_score"]) == ("created", None)

    # The candidate takes the test with a token the platform never saw: a new link for the attempt.
    attempt = flow.attempt(int(interview))
    assert (
        attempt["candidate"]["external_id"] == "wang@example.com" and attempt["candidate"]["display_name"] == "小明 王"
    )
    token = invitation_token(app, int(interview))
    flow.start(token)
    for position, text in enumerate(ANSWERS, 1):
        flow.answer(token, position, text)
    flow.submit(token)
    assert run_queue(app) >= 1
    [patch] = callback.requests
    body = json.loads(patch["body"])
    assert patch["method"] == "PATCH" and patch["path"] == "/hooks"
    assert body["partner_interview_id"] == interview and body["partner_status"] == "completed"
    graded = flow.attempt(int(interview))
    assert body["partner_score"] == graded["score"]
    assert body["metadata"]["passed"] == (graded["score"] >= 40)
    assert all(not isinstance(v, (dict, list)) for v in body["metadata"].values())  # flat
    assert any(k.startswith("category: ") for k in body["metadata"])
    profile = body["partner_profile_url"].removeprefix("http://127.0.0.1:8000")
    page = client.get(profile)  # no key: the signed link opens the report
    assert page.status_code == 200 and "王" in page.get_data(as_text=True)
    status = client.get(f"/api/v1/partner/test_status?partner_interview_id={interview}", headers=partner).get_json()
    assert status == {**body, "partner_profile_url": status["partner_profile_url"]}


def test_partner_calls_need_basic_auth_with_a_key(client, auth):
    assert client.get("/api/v1/partner/list_tests").status_code == 401
    bearer = auth.headers("viewer")
    assert client.get("/api/v1/partner/list_tests", headers=bearer).status_code == 401
    assert client.get("/api/v1/partner/list_tests", headers=_basic("qzk_wrong")).status_code == 401
    viewer = _basic(auth.key("viewer"))
    assert client.get("/api/v1/partner/list_tests", headers=viewer).get_json() == []
    refused = client.post("/api/v1/partner/send_test", json={}, headers=viewer)
    assert refused.status_code == 403


def test_unknown_tests_and_interviews_are_404(flow, client, auth):
    partner = _basic(auth.key("recruiter"))
    body = {"partner_test_id": "999", "candidate": {"email": "a@example.com"}}
    assert client.post("/api/v1/partner/send_test", json=body, headers=partner).status_code == 404
    assert client.get("/api/v1/partner/test_status?partner_interview_id=x", headers=partner).status_code == 404
    other = flow.invite(flow.quiz()["id"])
    outsider = _basic(auth.key("viewer", org="other"))
    missing = client.get(f"/api/v1/partner/test_status?partner_interview_id={other['id']}", headers=outsider)
    assert missing.status_code == 404
