"""Idempotency-Key on every mutating call: a retry gets the first response, nothing twice."""

import pytest


def _key(value: str) -> dict:
    return {"Idempotency-Key": value}


def test_retried_invitation_creates_one_attempt(flow):
    quiz = flow.quiz()
    body = {"quiz_id": quiz["id"], "candidate": {"external_id": "c", "display_name": "C"}}
    headers = {**flow.staff(), **_key("invite-1")}
    first = flow.client.post("/api/v1/attempts", json=body, headers=headers)
    again = flow.client.post("/api/v1/attempts", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    # The same attempt, but never its token or link again: secrets are not kept for replays.
    replayed = first.get_json()
    assert replayed.pop("token").startswith("qza_") and "token=" in replayed.pop("link")
    assert again.get_json() == replayed
    listed = flow.client.get("/api/v1/attempts", headers=flow.staff("viewer")).get_json()
    assert [a["id"] for a in listed] == [first.get_json()["id"]]
    third = flow.client.post("/api/v1/attempts", json=body, headers={**flow.staff(), **_key("invite-2")})
    assert third.get_json()["id"] != first.get_json()["id"]


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


def test_retried_submission_replays_instead_of_409(flow):
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
    assert without_key.status_code == 409
    responses = flow.attempt(invited["id"])["responses"]
    assert [len(r["grades"]) for r in responses] == [1, 1, 1]


def test_keys_are_scoped_per_attempt_and_per_organisation(flow):
    quiz = flow.quiz()
    a = flow.invite(quiz["id"], external_id="a")["token"]
    b = flow.invite(quiz["id"], external_id="b")["token"]
    for token in (a, b):
        response = flow.client.post("/api/v1/candidate/attempt/start", headers={**flow.candidate(token), **_key("x")})
        assert response.status_code == 200 and "Idempotent-Replayed" not in response.headers


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


@pytest.mark.parametrize("key", ["", "x" * 256])
def test_malformed_key_is_a_400(flow, key):
    quiz = flow.quiz()
    response = flow.client.delete(f"/api/v1/quizzes/{quiz['id']}", headers={**flow.staff(), **_key(key)})
    assert response.status_code == 400
    assert response.get_json()["message"] == "Idempotency-Key must be 1-255 printable characters."


# POST /score stores nothing; a replayed POST /keys would have to keep the new key in plaintext.
NOT_UNDER_MUTATION = {"/api/v1/score", "/api/v1/keys"}


def test_every_mutating_call_documents_the_header(client):
    spec = client.get("/openapi.json").get_json()
    for path, operations in spec["paths"].items():
        if path in NOT_UNDER_MUTATION:
            continue
        for method, operation in operations.items():
            if method in ("post", "put", "delete"):
                names = [p["name"] for p in operation.get("parameters", [])]
                assert "Idempotency-Key" in names, (method, path)
