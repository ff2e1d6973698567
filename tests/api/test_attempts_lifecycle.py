"""The lifecycle is the server's: every illegal transition is a 409 that says why."""

import pytest

from tests.interview import move_clock


@pytest.fixture
def quiz(flow):
    return flow.quiz(time_limit_minutes=20)


def _to(flow, app, quiz, status: str) -> dict:
    """An attempt brought to ``status`` the way it gets there in real life."""
    invited = flow.invite(quiz["id"], external_id=f"cand-{status}")
    token = invited["token"]
    if status == "expired":
        move_clock(app, invited["id"], days=8)
    if status in ("started", "graded", "timed_out"):
        flow.start(token)
        flow.answer(token, 1, "an answer")
    if status == "graded":
        flow.submit(token)
    if status == "timed_out":
        move_clock(app, invited["id"], minutes=21)
    if status == "cancelled":
        assert flow.client.post(f"/api/v1/attempts/{invited['id']}/cancel", headers=flow.staff()).status_code == 200
    return invited


START = "/api/v1/candidate/attempt/start"
SUBMIT = "/api/v1/candidate/attempt/submit"
ANSWER = "/api/v1/candidate/attempt/answers/1"

ILLEGAL = [
    # (state, method, path, message)
    ("invited", "put", ANSWER, "Cannot save the answer: The attempt has not been started yet; start it first."),
    ("invited", "post", SUBMIT, "Cannot submit: The attempt has not been started yet; start it first."),
    ("started", "post", START, "Cannot start: the attempt was already started at"),
    ("graded", "post", START, "Cannot start: The attempt was already submitted and graded"),
    ("graded", "put", ANSWER, "Cannot save the answer: The attempt was already submitted and graded"),
    ("graded", "cancel", None, "Cannot cancel: The attempt was already submitted and graded"),
    ("expired", "post", START, "Cannot start: The attempt expired before it was started."),
    ("expired", "put", ANSWER, "Cannot save the answer: The attempt expired before it was started."),
    ("expired", "post", SUBMIT, "Cannot submit: The attempt expired before it was started."),
    ("expired", "cancel", None, "Cannot cancel: The attempt expired before it was started."),
    ("cancelled", "post", START, "Cannot start: The attempt was cancelled."),
    ("cancelled", "put", ANSWER, "Cannot save the answer: The attempt was cancelled."),
    ("cancelled", "post", SUBMIT, "Cannot submit: The attempt was cancelled."),
    ("cancelled", "cancel", None, "Cannot cancel: The attempt was cancelled."),
    ("timed_out", "put", ANSWER, "Cannot save the answer: Time is up: the attempt was submitted automatically"),
    ("timed_out", "post", START, "Cannot start: Time is up"),
    ("timed_out", "cancel", None, "Cannot cancel: Time is up"),
]


@pytest.mark.parametrize(("state", "method", "path", "message"), ILLEGAL)
def test_illegal_transition_is_a_409(flow, app, quiz, state, method, path, message):
    invited = _to(flow, app, quiz, state)
    if method == "cancel":
        response = flow.client.post(f"/api/v1/attempts/{invited['id']}/cancel", headers=flow.staff())
    else:
        kwargs = {"json": {"answer": "late"}} if method == "put" else {}
        response = getattr(flow.client, method)(path, headers=flow.candidate(invited["token"]), **kwargs)
    assert response.status_code == 409, response.get_json()
    body = response.get_json()
    assert body["code"] == 409 and body["status"] == "Conflict"
    assert body["message"].startswith(message)


@pytest.mark.parametrize(("state", "auto_submitted"), [("graded", False), ("timed_out", True)])
def test_submitting_a_submitted_attempt_confirms_it(flow, app, quiz, state, auto_submitted):
    invited = _to(flow, app, quiz, state)
    for headers in ({}, {"Idempotency-Key": "late-retry"}):
        response = flow.client.post(SUBMIT, headers={**flow.candidate(invited["token"]), **headers})
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert (body["status"], body["auto_submitted"]) == ("graded", auto_submitted)
    detail = flow.attempt(invited["id"])
    assert [r["answer"] for r in detail["responses"]] == ["an answer", "", ""]
    assert [len(r["grades"]) for r in detail["responses"]] == [1, 1, 1]


@pytest.mark.parametrize("state", ["invited", "started"])
def test_cancel_an_open_attempt(flow, app, quiz, state):
    invited = _to(flow, app, quiz, state)
    response = flow.client.post(f"/api/v1/attempts/{invited['id']}/cancel", headers=flow.staff())
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled" and response.get_json()["cancelled_at"]


@pytest.mark.parametrize("state", ["expired", "cancelled"])
def test_an_attempt_never_started_reveals_no_question(flow, app, quiz, state):
    invited = _to(flow, app, quiz, state)
    seen = flow.client.get("/api/v1/candidate/attempt", headers=flow.candidate(invited["token"])).get_json()
    assert seen["status"] == state and seen["questions"] == []


def test_invitation_expiry_applies_without_any_call(flow, app, quiz):
    invited = _to(flow, app, quiz, "expired")
    # Nobody touched the attempt: reads already show it expired, and lists filter by it.
    assert flow.attempt(invited["id"])["status"] == "expired"
    listed = flow.client.get("/api/v1/attempts?status=expired", headers=flow.staff("viewer")).get_json()
    assert [a["id"] for a in listed] == [invited["id"]]
    assert flow.client.get("/api/v1/attempts?status=invited", headers=flow.staff("viewer")).get_json() == []


def test_time_limit_submits_what_was_saved(flow, app, quiz, runner):
    invited = _to(flow, app, quiz, "timed_out")
    assert flow.attempt(invited["id"])["status"] == "submitted"
    # The sweeper (gunicorn runs it every minute; here by hand) grades it as it stood.
    result = runner.invoke(args=["attempts", "sweep"])
    assert result.exit_code == 0, result.output
    assert "1 due: 1 graded, 0 expired, 0 failed" in result.output
    detail = flow.attempt(invited["id"])
    assert detail["status"] == "graded" and detail["auto_submitted"] is True
    assert [r["answer"] for r in detail["responses"]] == ["an answer", "", ""]
    assert detail["submitted_at"] == detail["deadline"]


def test_sweep_stores_expiry_and_is_idempotent(flow, app, quiz, runner):
    _to(flow, app, quiz, "expired")
    first = runner.invoke(args=["attempts", "sweep"])
    assert "1 due: 0 graded, 1 expired, 0 failed" in first.output
    second = runner.invoke(args=["attempts", "sweep"])
    assert "0 due: 0 graded, 0 expired, 0 failed" in second.output


def test_time_left_counts_down_and_answers_stop_at_the_deadline(flow, app, quiz):
    invited = flow.invite(quiz["id"])
    token = invited["token"]
    flow.start(token)
    move_clock(app, invited["id"], minutes=19, seconds=30)
    seen = flow.client.get("/api/v1/candidate/attempt", headers=flow.candidate(token)).get_json()
    assert 0 < seen["seconds_left"] <= 30
    flow.answer(token, 1, "just in time")
    move_clock(app, invited["id"], seconds=31)
    flow.answer(token, 2, "too late", expect=409)
    assert flow.client.get("/api/v1/candidate/attempt", headers=flow.candidate(token)).get_json()["status"] == (
        "submitted"
    )


def test_quiz_without_time_limit_runs_until_the_invitation_expires(flow, app):
    quiz = flow.quiz(link_valid_hours=2)
    invited = flow.invite(quiz["id"])
    started = flow.start(invited["token"])
    assert started["deadline"] == invited["expires_at"]


def test_override_needs_a_graded_attempt(flow, app, quiz):
    invited = _to(flow, app, quiz, "started")
    response = flow.client.post(
        f"/api/v1/attempts/{invited['id']}/responses/1/overrides",
        json={"score": 50, "reason": "too early"},
        headers=flow.staff(),
    )
    assert response.status_code == 409
    assert response.get_json()["message"] == (
        "Cannot override: the attempt is started; only graded answers can be reviewed."
    )


def test_a_submission_stands_when_grading_fails(flow, app, quiz, monkeypatch, runner):
    from quizsvc.services import attempts

    invited = flow.invite(quiz["id"])
    token = invited["token"]
    flow.start(token)
    flow.answer(token, 1, "an answer")

    def broken(*args, **kwargs):
        raise RuntimeError("grader down")

    with monkeypatch.context() as patch:
        patch.setattr(attempts, "_grade_rows", broken)
        response = flow.client.post(SUBMIT, headers={**flow.candidate(token), "Idempotency-Key": "s"})
    # The submission is confirmed; its grading failed alone and was rolled back alone.
    assert response.status_code == 200 and response.get_json()["status"] == "submitted"
    # Submitted, not graded: answers are final, and every other transition is refused.
    assert flow.attempt(invited["id"])["status"] == "submitted"
    assert [r["grades"] for r in flow.attempt(invited["id"])["responses"]] == [[], [], []]
    candidate = flow.candidate(token)
    assert (
        flow.client.put(ANSWER, json={"answer": "changed"}, headers=candidate)
        .get_json()["message"]
        .startswith("Cannot save the answer: The attempt was already submitted; answers can no longer change.")
    )
    assert flow.client.post(START, headers=candidate).status_code == 409
    assert flow.client.post(f"/api/v1/attempts/{invited['id']}/cancel", headers=flow.staff()).status_code == 409
    # The same key replays the confirmation; submitting again (a new key) finishes the grading, once.
    replayed = flow.client.post(SUBMIT, headers={**candidate, "Idempotency-Key": "s"})
    assert replayed.headers["Idempotent-Replayed"] == "true" and replayed.get_json() == response.get_json()
    again = flow.client.post(SUBMIT, headers={**candidate, "Idempotency-Key": "s2"})
    assert again.status_code == 200 and again.get_json()["status"] == "graded", again.get_json()
    detail = flow.attempt(invited["id"])
    assert [r["answer"] for r in detail["responses"]] == ["an answer", "", ""]
    assert [len(r["grades"]) for r in detail["responses"]] == [1, 1, 1]
    assert runner.invoke(args=["attempts", "sweep"]).output.startswith("0 due")
