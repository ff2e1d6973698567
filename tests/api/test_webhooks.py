"""Webhooks: subscriptions, events from every transition, signed deliveries to a real local
receiver, retries, the delivery log, redelivery, test events, the SSRF guard."""

import json

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.integration import deliveries, make_due, run_queue, subscribe
from tests.receiver import Receiver

ANSWERS = ["自注意力讓每個詞關注序列中所有其他詞。", "不知道", "Transformer 用多頭注意力。"]


@pytest.fixture
def receiver(app, monkeypatch):
    monkeypatch.setitem(app.config, "QUIZSVC_WEBHOOK_ALLOW_PRIVATE", True)
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


def _bodies(receiver) -> list[dict]:
    return [json.loads(r["body"]) for r in receiver.requests]


def test_subscriptions_are_for_admins_and_the_secret_is_shown_once(flow, client, auth):
    recruiter = auth.headers("recruiter")
    assert (
        client.post("/api/v1/webhooks", json={"url": "https://a.example.com/h"}, headers=recruiter).status_code == 403
    )
    admin = {**auth.headers("admin"), "Idempotency-Key": "hook-1"}
    created = client.post("/api/v1/webhooks", json={"url": "https://a.example.com/h"}, headers=admin)
    assert created.status_code == 201 and created.get_json()["secret"].startswith("whsec_")
    replayed = client.post("/api/v1/webhooks", json={"url": "https://a.example.com/h"}, headers=admin)
    assert replayed.headers["Idempotent-Replayed"] == "true" and "secret" not in replayed.get_json()
    sub_id = created.get_json()["id"]
    listed = client.get("/api/v1/webhooks", headers=auth.headers()).get_json()
    assert [s["id"] for s in listed] == [sub_id] and "secret" not in listed[0]
    patched = client.patch(
        f"/api/v1/webhooks/{sub_id}", json={"event_types": ["attempt.graded"], "enabled": False}, headers=auth.headers()
    )
    assert patched.get_json()["event_types"] == ["attempt.graded"] and patched.get_json()["enabled"] is False
    rotated = client.post(f"/api/v1/webhooks/{sub_id}/rotate-secret", headers=auth.headers()).get_json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created.get_json()["secret"]
    # Another organisation sees none of it.
    assert client.get(f"/api/v1/webhooks/{sub_id}", headers=auth.headers(org="other")).status_code == 404
    assert client.delete(f"/api/v1/webhooks/{sub_id}", headers=auth.headers()).status_code == 204
    assert client.get("/api/v1/webhooks", headers=auth.headers()).get_json() == []
    actions = [e["action"] for e in client.get("/api/v1/audit", headers=auth.headers()).get_json()]
    assert actions == ["webhook.delete", "webhook.rotate_secret", "webhook.update", "webhook.create"]


@pytest.mark.parametrize(
    "url, message",
    [
        ("http://127.0.0.1:9/h", "loopback, private and link-local addresses are refused"),
        ("http://10.1.2.3/h", "loopback, private and link-local addresses are refused"),
        ("http://169.254.169.254/latest/meta-data", "loopback, private and link-local addresses are refused"),
        ("http://[::1]/h", "loopback, private and link-local addresses are refused"),
        ("http://user:pw@hooks.example.com/h", "Credentials in the URL are not allowed"),
    ],
)
def test_internal_urls_are_refused_unless_allowed(client, auth, url, message):
    response = client.post("/api/v1/webhooks", json={"url": url}, headers=auth.headers())
    assert response.status_code == 422 and message in response.get_json()["message"]


def test_every_transition_is_delivered_signed_and_verifies(flow, app, client, auth, receiver):
    hook = subscribe(client, auth.headers(), receiver.url)
    quiz = flow.quiz(pass_mark=50)
    attempt = flow.graded(quiz["id"], ANSWERS)
    override = client.post(
        f"/api/v1/attempts/{attempt['id']}/responses/2/overrides",
        json={"score": 90, "reason": "Explained orally"},
        headers=flow.staff(),
    )
    assert override.status_code == 201
    cancelled = flow.invite(quiz["id"], external_id="cand-2")
    assert client.post(f"/api/v1/attempts/{cancelled['id']}/cancel", headers=flow.staff()).status_code == 200
    run_queue(app)
    bodies = _bodies(receiver)
    assert [b["type"] for b in bodies] == [
        "attempt.invited",
        "attempt.started",
        "attempt.submitted",
        "attempt.graded",
        "grade.overridden",
        "attempt.invited",
        "attempt.cancelled",
    ]
    for request, body in zip(receiver.requests, bodies):
        assert Webhook(hook["secret"]).verify(request["body"], request["headers"]) == body
        assert request["headers"]["webhook-id"] == body["id"]
    graded = bodies[3]["data"]
    assert graded["status"] == "graded" and graded["score"] == attempt["score"]
    assert graded["passed"] == (attempt["score"] >= 50) and graded["band"] in (
        "strong",
        "adequate",
        "weak",
        "insufficient",
    )
    # Made by the consumer, outside any request: QUIZSVC_PUBLIC_URL, else QUIZSVC_BIND.
    assert graded["report_url"].startswith("http://127.0.0.1:8000/api/v1/reports/")
    report = client.get(graded["report_url"].removeprefix("http://127.0.0.1:8000"))
    assert report.status_code == 200 and report.content_type.startswith("text/html")
    assert bodies[4]["data"]["override"] == {"position": 2, "score": 90, "reviewer": "recruiter"}
    # A receiver holding the wrong secret cannot verify.
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 43 + "=").verify(receiver.requests[0]["body"], receiver.requests[0]["headers"])
    listed = client.get("/api/v1/deliveries?status=delivered", headers=auth.headers()).get_json()
    assert len(listed) == 7 and {d["attempts"] for d in listed} == {1}


def test_only_the_asked_event_types_are_sent(flow, app, client, auth, receiver):
    subscribe(client, auth.headers(), receiver.url, event_types=["attempt.graded"])
    flow.graded(flow.quiz()["id"], ANSWERS)
    run_queue(app)
    assert [b["type"] for b in _bodies(receiver)] == ["attempt.graded"]


def test_a_receiver_down_then_up_gets_the_event_and_each_try_is_logged(flow, app, client, auth, monkeypatch):
    monkeypatch.setitem(app.config, "QUIZSVC_WEBHOOK_ALLOW_PRIVATE", True)
    receiver = Receiver()  # not listening yet
    hook = subscribe(client, auth.headers(), receiver.url, event_types=["attempt.invited"])
    flow.invite(flow.quiz()["id"])
    run_queue(app)
    [delivery] = deliveries(app)
    assert (delivery.status, delivery.attempts) == ("pending", 1) and "ConnectionRefusedError" in delivery.last_error
    receiver.status = 503
    receiver.start()
    try:
        make_due(app)
        receiver.status = 200
        make_due(app)
    finally:
        receiver.stop()
    assert len(receiver.requests) == 2
    assert Webhook(hook["secret"]).verify(receiver.requests[1]["body"], receiver.requests[1]["headers"])
    detail = client.get(f"/api/v1/deliveries/{delivery.id}", headers=auth.headers()).get_json()
    assert detail["status"] == "delivered" and detail["attempts"] == 3
    tries = [(t["status_code"], t["succeeded"], t["response_excerpt"]) for t in detail["tries"]]
    assert tries == [(None, False, None), (503, False, "receiver unavailable"), (200, True, "ok")]
    assert all(t["duration_ms"] >= 0 for t in detail["tries"]) and "ConnectionRefused" in detail["tries"][0]["error"]


def test_failures_past_the_window_give_up_and_disable_the_subscription(flow, app, client, auth, receiver, monkeypatch):
    monkeypatch.setitem(app.config, "QUIZSVC_WEBHOOK_RETRY_SECONDS", 1)
    receiver.status = 500
    hook = subscribe(client, auth.headers(), receiver.url, event_types=["attempt.invited"])
    flow.invite(flow.quiz()["id"])
    run_queue(app)
    __import__("time").sleep(1.1)
    make_due(app)
    [delivery] = deliveries(app)
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    state = client.get(f"/api/v1/webhooks/{hook['id']}", headers=auth.headers()).get_json()
    assert state["enabled"] is False and state["disabled_reason"].startswith("failing since")
    # Redelivering to a disabled subscription is refused until it is enabled again.
    again = client.post(f"/api/v1/deliveries/{delivery.id}/redeliver", headers=auth.headers())
    assert again.status_code == 409
    client.patch(f"/api/v1/webhooks/{hook['id']}", json={"enabled": True}, headers=auth.headers())
    receiver.status = 200
    bulk = client.post("/api/v1/deliveries/redeliver-failed", json={}, headers=auth.headers()).get_json()
    assert bulk == {"redelivered": 1, "ids": [delivery.id]}
    run_queue(app)
    assert deliveries(app)[0].status == "delivered" and len(receiver.requests) == 3


def test_redeliver_one_and_send_a_test_event(flow, app, client, auth, receiver):
    hook = subscribe(client, auth.headers(), receiver.url, event_types=["attempt.invited"])
    flow.invite(flow.quiz()["id"])
    run_queue(app)
    [delivery] = deliveries(app)
    assert client.post(f"/api/v1/deliveries/{delivery.id}/redeliver", headers=auth.headers()).status_code == 202
    test = client.post(f"/api/v1/webhooks/{hook['id']}/test", headers=auth.headers())
    assert test.status_code == 202 and test.get_json()["event"]["type"] == "webhook.test"
    run_queue(app)
    bodies = _bodies(receiver)
    assert [b["type"] for b in bodies] == ["attempt.invited", "attempt.invited", "webhook.test"]
    assert bodies[0]["id"] == bodies[1]["id"]  # the same event: receivers deduplicate on webhook-id
    events = client.get("/api/v1/events", headers=auth.headers()).get_json()
    assert [e["type"] for e in events] == ["webhook.test", "attempt.invited"]


def test_a_rolled_back_change_sends_nothing(flow, app, client, auth, receiver):
    subscribe(client, auth.headers(), receiver.url)
    quiz = flow.quiz()
    client.delete(f"/api/v1/quizzes/{quiz['id']}", headers=flow.staff())
    flow.invite(quiz["id"], expect=409)  # archived: the invitation fails, its event with it
    run_queue(app)
    assert receiver.requests == [] and deliveries(app) == []
