"""Idempotency-Key on every mutating call: a retry gets the first response, nothing twice, no secret kept."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizsvc.db import db, utcnow
from quizsvc.models import IdempotencyRecord
from quizsvc.services import accounts, idempotency
from tests.interview import Interview, load_bank


def _key(value: str) -> dict:
    return {"Idempotency-Key": value}


def _records(app, key: str) -> list[IdempotencyRecord]:
    with app.app_context():
        return list(db.session.scalars(select(IdempotencyRecord).where(IdempotencyRecord.key == key)))


def test_retried_invitation_creates_one_attempt_and_keeps_no_token(flow, app):
    quiz = flow.quiz()
    body = {"quiz_id": quiz["id"], "candidate": {"external_id": "c", "display_name": "C"}}
    headers = {**flow.staff(), **_key("invite-1")}
    first = flow.client.post("/api/v1/attempts", json=body, headers=headers)
    again = flow.client.post("/api/v1/attempts", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    created = first.get_json()
    # The replay is the attempt without its access: the token was shown once and never kept.
    assert again.get_json() == {k: v for k, v in created.items() if k not in ("token", "link")}
    [record] = _records(app, "invite-1")
    assert created["token"] not in record.body and created["link"] not in record.body
    listed = flow.client.get("/api/v1/attempts", headers=flow.staff("viewer")).get_json()
    assert [a["id"] for a in listed] == [created["id"]]
    third = flow.client.post("/api/v1/attempts", json=body, headers={**flow.staff(), **_key("invite-2")})
    assert third.get_json()["id"] != created["id"]


def test_a_lost_invitation_token_is_replaced_by_a_new_link(flow):
    quiz = flow.quiz()
    invited = flow.invite(quiz["id"])
    response = flow.client.post(f"/api/v1/attempts/{invited['id']}/link", headers=flow.staff())
    assert response.status_code == 200
    renewed = response.get_json()
    assert renewed["id"] == invited["id"] and renewed["token"] != invited["token"]
    assert renewed["link"].endswith(f"/take?token={renewed['token']}")
    # The old token and link stop working; the new ones work.
    old = flow.client.get("/api/v1/candidate/attempt", headers=flow.candidate(invited["token"]))
    assert old.status_code == 401
    assert flow.client.get(f"/take?token={invited['token']}").status_code == 401
    flow.start(renewed["token"])


@pytest.mark.parametrize("state", ["submitted", "cancelled"])
def test_a_closed_attempt_gets_no_new_link(flow, state):
    invited = flow.invite(flow.quiz()["id"])
    if state == "submitted":
        flow.start(invited["token"])
        flow.submit(invited["token"])
    else:
        flow.client.post(f"/api/v1/attempts/{invited['id']}/cancel", headers=flow.staff())
    response = flow.client.post(f"/api/v1/attempts/{invited['id']}/link", headers=flow.staff())
    assert response.status_code == 409
    assert response.get_json()["message"].startswith("Cannot issue a new link: The attempt was")
    assert flow.client.get("/api/v1/candidate/attempt", headers=flow.candidate(invited["token"])).status_code == 200


def test_retried_key_creation_keeps_no_key(client, auth, app):
    headers = {**auth.headers(), **_key("new-key")}
    first = client.post("/api/v1/keys", json={"name": "ci", "role": "viewer"}, headers=headers)
    again = client.post("/api/v1/keys", json={"name": "ci", "role": "viewer"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == {k: v for k, v in first.get_json().items() if k != "key"}
    [record] = _records(app, "new-key")
    assert first.get_json()["key"] not in record.body
    listed = client.get("/api/v1/keys", headers=auth.headers()).get_json()
    assert [k["name"] for k in listed].count("ci") == 1


def test_same_key_with_another_body_is_refused(flow):
    quiz = flow.quiz()
    headers = {**flow.staff(), **_key("k")}
    body = {"quiz_id": quiz["id"], "candidate": {"external_id": "c", "display_name": "C"}}
    assert flow.client.post("/api/v1/attempts", json=body, headers=headers).status_code == 201
    body["candidate"]["external_id"] = "d"
    response = flow.client.post("/api/v1/attempts", json=body, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"Idempotency-Key": ["Reused with a different method, path or body."]}


def test_retried_autosave_counts_once(flow):
    token = flow.invite(flow.quiz()["id"])["token"]
    flow.start(token)
    headers = {**flow.candidate(token), **_key("save-1")}
    first = flow.client.put("/api/v1/candidate/attempt/answers/1", json={"answer": "a"}, headers=headers)
    again = flow.client.put("/api/v1/candidate/attempt/answers/1", json={"answer": "a"}, headers=headers)
    assert first.get_json()["saves"] == again.get_json()["saves"] == 1
    other = flow.client.put(
        "/api/v1/candidate/attempt/answers/1", json={"answer": "b"}, headers={**flow.candidate(token), **_key("s2")}
    )
    assert other.get_json()["saves"] == 2


def test_retried_submission_confirms_with_or_without_the_key(flow):
    invited = flow.invite(flow.quiz()["id"])
    token = invited["token"]
    flow.start(token)
    flow.answer(token, 1, "an answer")
    headers = {**flow.candidate(token), **_key("submit-1")}
    first = flow.client.post("/api/v1/candidate/attempt/submit", headers=headers)
    again = flow.client.post("/api/v1/candidate/attempt/submit", headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json()
    without_key = flow.client.post("/api/v1/candidate/attempt/submit", headers=flow.candidate(token))
    assert without_key.status_code == 200 and without_key.get_json() == first.get_json()
    responses = flow.attempt(invited["id"])["responses"]
    assert [len(r["grades"]) for r in responses] == [1, 1, 1]


def test_keys_are_scoped_per_attempt(flow):
    quiz = flow.quiz()
    a = flow.invite(quiz["id"], external_id="a")["token"]
    b = flow.invite(quiz["id"], external_id="b")["token"]
    for token in (a, b):
        response = flow.client.post("/api/v1/candidate/attempt/start", headers={**flow.candidate(token), **_key("x")})
        assert response.status_code == 200 and "Idempotent-Replayed" not in response.headers


def test_keys_are_scoped_per_organisation(app, client, auth):
    load_bank(app, org="acme", count=3)
    load_bank(app, org="globex", count=3)
    acme, globex = Interview(client, auth, org="acme"), Interview(client, auth, org="globex")
    created = {}
    for side in (acme, globex):
        # The same key and the very same body in both organisations.
        body = {"name": "Shared", "feedback_policy": "mock", "rule": {"count": 1}}
        response = client.post("/api/v1/quizzes", json=body, headers={**side.staff(), **_key("shared-key")})
        assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers
        created[side.org] = response.get_json()["id"]
    assert created["acme"] != created["globex"]
    for side in (acme, globex):
        listed = client.get("/api/v1/quizzes", headers=side.staff("viewer")).get_json()
        assert [q["id"] for q in listed] == [created[side.org]]
    assert len(_records(app, "shared-key")) == 2


def _record(app, *, org: str, key: str, path: str, body: bytes, age: timedelta, response: dict | None) -> None:
    """A record as an earlier call left it: finished (``response``) or pending, ``age`` old."""
    with app.app_context():
        session = db.session
        organisation = accounts.get_organisation(session, name=org)
        session.add(
            IdempotencyRecord(
                scope=f"org:{organisation.id}",
                key=key,
                fingerprint=idempotency.fingerprint(method="POST", path=path, query="", body=body),
                status_code=201 if response is not None else None,
                content_type="application/json" if response is not None else None,
                body=json.dumps(response) if response is not None else None,
                created_at=utcnow() - age,
            )
        )
        session.commit()


QUIZ = json.dumps({"name": "Q", "feedback_policy": "mock", "rule": {"count": 1}}).encode()


def _post_quiz(flow, key: str):
    return flow.client.post(
        "/api/v1/quizzes", data=QUIZ, headers={**flow.staff(), **_key(key), "Content-Type": "application/json"}
    )


def test_a_pending_key_whose_call_died_never_blocks_its_retry(flow, app):
    flow.staff()  # the organisation and its key exist
    # Committed while pending: its call committed part-way, then its process died.
    _record(app, org="acme", key="died", path="/api/v1/quizzes", body=QUIZ, age=timedelta(seconds=1), response=None)
    retry = _post_quiz(flow, "died")
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry.headers
    again = _post_quiz(flow, "died")
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json() == retry.get_json()
    [record] = _records(app, "died")
    assert record.status_code == 201


def test_an_expired_key_runs_the_call_again_and_is_purged(flow, app):
    flow.staff()
    old = {"id": 999, "name": "from yesterday"}
    _record(app, org="acme", key="old", path="/api/v1/quizzes", body=QUIZ, age=timedelta(hours=25), response=old)
    _record(app, org="acme", key="fresh", path="/api/v1/quizzes", body=QUIZ, age=timedelta(hours=23), response=old)
    expired = _post_quiz(flow, "old")
    assert expired.status_code == 201 and expired.get_json()["name"] == "Q"
    assert "Idempotent-Replayed" not in expired.headers
    fresh = _post_quiz(flow, "fresh")
    assert fresh.headers["Idempotent-Replayed"] == "true" and fresh.get_json() == old
    # The purge (run by every sweep) drops what is past the window, and nothing else.
    _record(app, org="acme", key="older", path="/api/v1/quizzes", body=b"{}", age=timedelta(days=3), response=old)
    with app.app_context():
        assert idempotency.purge(db.session) == 1
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 2


def test_failed_calls_are_not_recorded(flow):
    token = flow.invite(flow.quiz()["id"])["token"]
    headers = {**flow.candidate(token), **_key("early")}
    # Answering before the start fails; the same key works once the failure is fixed.
    assert (
        flow.client.put("/api/v1/candidate/attempt/answers/1", json={"answer": "a"}, headers=headers).status_code == 409
    )
    flow.start(token)
    assert (
        flow.client.put("/api/v1/candidate/attempt/answers/1", json={"answer": "a"}, headers=headers).status_code == 200
    )


@pytest.mark.parametrize("key", ["", "x" * 256, "two words", "clé"])
def test_malformed_key_is_a_400(flow, key):
    quiz = flow.quiz()
    response = flow.client.delete(f"/api/v1/quizzes/{quiz['id']}", headers={**flow.staff(), **_key(key)})
    assert response.status_code == 400
    assert response.get_json()["message"] == "Idempotency-Key must be 1-255 visible ASCII characters (no spaces)."


def test_every_mutating_call_documents_the_header_and_its_rules(client):
    spec = client.get("/openapi.json").get_json()
    for path, operations in spec["paths"].items():
        if path == "/api/v1/score":  # stores nothing
            continue
        for method, operation in operations.items():
            if method in ("post", "put", "patch", "delete"):
                [header] = [p for p in operation.get("parameters", []) if p["name"] == "Idempotency-Key"]
                assert header["schema"] == {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"}


def test_the_fields_kept_out_of_replays_are_the_ones_the_schemas_mark_secret():
    import importlib
    import inspect
    import pkgutil

    from marshmallow import Schema

    import quizsvc.schemas
    from quizsvc.api.idempotency import SECRET_FIELDS

    marked = set()
    for module in pkgutil.iter_modules(quizsvc.schemas.__path__):
        loaded = importlib.import_module(f"quizsvc.schemas.{module.name}")
        for _, cls in inspect.getmembers(loaded, inspect.isclass):
            if issubclass(cls, Schema):
                marked |= {name for name, field in cls._declared_fields.items() if field.metadata.get("x-secret")}
    assert marked == SECRET_FIELDS
