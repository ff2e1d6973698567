"""Every limit of the interview flow is explicit: beyond it, a 4xx in the error envelope."""

import pytest

from quizsvc.schemas.quiz import MAX_QUIZ_QUESTIONS
from quizsvc.schemas.score import MAX_ANSWER


@pytest.fixture
def started(flow):
    invited = flow.invite(flow.quiz()["id"])
    flow.start(invited["token"])
    return invited


def test_answer_length_limit(flow, started):
    token = started["token"]
    flow.answer(token, 1, "字" * MAX_ANSWER)
    error = flow.answer(token, 2, "字" * (MAX_ANSWER + 1), expect=422)
    assert error["errors"] == {"json": {"answer": [f"Longer than maximum length {MAX_ANSWER}."]}}
    # Nothing was lost: the earlier answer stands, the rejected one was not stored.
    answers = [r["answer"] for r in flow.attempt(started["id"])["responses"]]
    assert answers == ["字" * MAX_ANSWER, None, None]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"answer": "x", "time_spent_seconds": -1},
            {"time_spent_seconds": ["Must be greater than or equal to 0 and less than or equal to 86400."]},
        ),
        (
            {"answer": "x", "time_spent_seconds": 86401},
            {"time_spent_seconds": ["Must be greater than or equal to 0 and less than or equal to 86400."]},
        ),
        ({}, {"answer": ["Missing data for required field."]}),
        ({"answer": "x", "score": 100}, {"score": ["Unknown field."]}),
    ],
)
def test_answer_validation(flow, started, body, errors):
    response = flow.client.put(
        "/api/v1/candidate/attempt/answers/1", json=body, headers=flow.candidate(started["token"])
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"json": errors}


def test_answers_only_to_drawn_questions(flow, started):
    error = flow.answer(started["token"], 4, "extra", expect=404)
    assert error["message"] == "The attempt has no question 4; it has 3."


def test_quiz_size_limit(flow):
    ids = flow.question_ids()
    error = flow.quiz(question_ids=list(range(1, MAX_QUIZ_QUESTIONS + 2)), expect=422)
    assert error["errors"] == {"json": {"question_ids": [f"Length must be between 1 and {MAX_QUIZ_QUESTIONS}."]}}
    error = flow.quiz(rule={"count": MAX_QUIZ_QUESTIONS + 1}, expect=422)
    assert error["errors"]["json"]["rule"]["count"]
    error = flow.quiz(question_ids=[ids[0], ids[0]], expect=422)
    assert error["errors"] == {"json": {"question_ids": ["Each question once."]}}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"feedback_policy": "mock"},
            {"_schema": ["Give either question_ids (a fixed list) or rule (drawn per attempt)."]},
        ),
        ({"feedback_policy": "open", "rule": {"count": 1}}, {"feedback_policy": ["Must be one of: mock, hiring."]}),
        (
            {"feedback_policy": "hiring", "feedback_timing": "after_answer", "rule": {"count": 1}},
            {"feedback_timing": ["Hiring quizzes show candidates no scores."]},
        ),
        (
            {"feedback_policy": "mock", "rule": {"count": 1}, "pass_mark": 101},
            {"pass_mark": ["Must be greater than or equal to 0 and less than or equal to 100."]},
        ),
        (
            {"feedback_policy": "mock", "rule": {"count": 1}, "time_limit_minutes": 0},
            {"time_limit_minutes": ["Must be greater than or equal to 1 and less than or equal to 480."]},
        ),
        (
            {"feedback_policy": "mock", "rule": {"count": 1, "difficulties": ["extreme"]}},
            {"rule": {"difficulties": {"0": ["Must be one of: easy, medium, hard."]}}},
        ),
    ],
)
def test_quiz_validation(flow, body, errors):
    response = flow.client.post("/api/v1/quizzes", json={"name": "q", **body}, headers=flow.staff())
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"json": errors}


def test_quiz_with_unknown_question(flow):
    error = flow.quiz(question_ids=[999], expect=404)
    assert error["errors"] == {"question_ids": ["No live question 999."]}


@pytest.mark.parametrize(
    ("candidate", "errors"),
    [
        ({"display_name": "x"}, {"external_id": ["Missing data for required field."]}),
        ({"external_id": "x" * 201, "display_name": "x"}, {"external_id": ["Length must be between 1 and 200."]}),
        ({"external_id": "x", "display_name": "x", "email": "not-an-email"}, {"email": ["Not a valid email address."]}),
    ],
)
def test_invitation_validation(flow, candidate, errors):
    quiz = flow.quiz()
    response = flow.client.post(
        "/api/v1/attempts", json={"quiz_id": quiz["id"], "candidate": candidate}, headers=flow.staff()
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"json": {"candidate": errors}}


def test_invitation_expiry_limit(flow):
    quiz = flow.quiz()
    error = flow.invite(quiz["id"], expires_in_hours=90 * 24 + 1, expect=422)
    assert error["errors"]["json"]["expires_in_hours"]


@pytest.mark.parametrize("path", ["/api/v1/attempts", "/api/v1/quizzes", "/api/v1/candidates"])
def test_page_size_limit(flow, path):
    response = flow.client.get(f"{path}?page_size=101", headers=flow.staff("viewer"))
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "query": {"page_size": ["Must be greater than or equal to 1 and less than or equal to 100."]}
    }


def test_unknown_attempt_and_quiz_are_404(flow):
    for path in (
        "/api/v1/attempts/999",
        "/api/v1/quizzes/999",
        "/api/v1/attempts/999/report",
        "/api/v1/candidates/999/progress",
    ):
        response = flow.client.get(path, headers=flow.staff("viewer"))
        assert response.status_code == 404, path
        assert response.get_json()["code"] == 404
