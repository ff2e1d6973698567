"""Who reaches what: candidate tokens reach one attempt; API keys their organisation."""

import pytest

from tests.interview import Interview, load_bank


@pytest.fixture
def flow(app, client, auth):
    load_bank(app, count=3)
    load_bank(app, org="other", count=3)
    return Interview(client, auth)


@pytest.fixture
def two(flow):
    quiz = flow.quiz()
    return flow.invite(quiz["id"], external_id="a"), flow.invite(quiz["id"], external_id="b")


CANDIDATE_CALLS = [
    ("get", "/api/v1/candidate/attempt", None),
    ("post", "/api/v1/candidate/attempt/start", None),
    ("put", "/api/v1/candidate/attempt/answers/1", {"answer": "x"}),
    ("post", "/api/v1/candidate/attempt/submit", None),
]


@pytest.mark.parametrize(("method", "path", "body"), CANDIDATE_CALLS)
@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "A candidate token is required: send 'Authorization: Bearer <token>'."),
        ({"Authorization": "Bearer qza_not-a-token"}, "The candidate token is unknown."),
    ],
)
def test_candidate_calls_need_a_valid_token(client, flow, method, path, body, headers, message):
    response = getattr(client, method)(path, json=body, headers=headers)
    assert response.status_code == 401
    assert response.get_json() == {"code": 401, "status": "Unauthorized", "message": message}


@pytest.mark.parametrize(("method", "path", "body"), CANDIDATE_CALLS)
def test_an_api_key_is_not_a_candidate_token(client, flow, two, method, path, body):
    response = getattr(client, method)(path, json=body, headers=flow.staff("admin"))
    assert response.status_code == 403
    assert response.get_json()["message"] == "API keys do not open the candidate API; send the attempt's token."
    assert [a["status"] for a in (flow.attempt(two[0]["id"]), flow.attempt(two[1]["id"]))] == ["invited", "invited"]


def test_a_token_reaches_only_its_own_attempt(flow, two):
    a, b = two
    flow.start(a["token"])
    flow.answer(a["token"], 1, "answer of a")
    seen_by_b = flow.client.get("/api/v1/candidate/attempt", headers=flow.candidate(b["token"])).get_json()
    assert seen_by_b["id"] == b["id"] and seen_by_b["status"] == "invited" and seen_by_b["questions"] == []
    # Nothing in the candidate API names another attempt: the token decides which one.
    flow.start(b["token"])
    seen_by_b = flow.client.get("/api/v1/candidate/attempt", headers=flow.candidate(b["token"])).get_json()
    assert [q["answer"] for q in seen_by_b["questions"]] == [None, None, None]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/attempts"),
        ("get", "/api/v1/attempts/{id}"),
        ("get", "/api/v1/attempts/{id}/report"),
        ("post", "/api/v1/attempts/{id}/cancel"),
        ("get", "/api/v1/quizzes"),
        ("get", "/api/v1/questions"),
    ],
)
def test_a_candidate_token_is_not_an_api_key(client, two, method, path):
    a, _ = two
    response = getattr(client, method)(path.format(id=a["id"]), headers={"Authorization": f"Bearer {a['token']}"})
    assert response.status_code == 403
    assert response.get_json()["message"] == (
        "A candidate token opens /api/v1/candidate/attempt only; this call needs an API key."
    )
    unknown = {"Authorization": "Bearer qza_not-a-token"}
    assert getattr(client, method)(path.format(id=a["id"]), headers=unknown).status_code == 401


def test_another_organisation_sees_nothing(flow, two):
    a, _ = two
    other = Interview(flow.client, flow.auth, org="other")
    for path in (
        f"/api/v1/attempts/{a['id']}",
        f"/api/v1/attempts/{a['id']}/report",
        f"/api/v1/attempts/{a['id']}/responses/1",
        f"/api/v1/quizzes/{a['quiz_id']}",
        f"/api/v1/quizzes/{a['quiz_id']}/report",
        f"/api/v1/candidates/{a['candidate']['id']}/progress",
    ):
        assert flow.client.get(path, headers=other.staff("admin")).status_code == 404, path
    assert flow.client.get("/api/v1/attempts", headers=other.staff("admin")).get_json() == []
    response = flow.client.post(f"/api/v1/attempts/{a['id']}/cancel", headers=other.staff("admin"))
    assert response.status_code == 404
    response = flow.client.post(
        "/api/v1/attempts",
        json={"quiz_id": a["quiz_id"], "candidate": {"external_id": "x", "display_name": "x"}},
        headers=other.staff("admin"),
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("role", "method", "path", "body"),
    [
        ("viewer", "post", "/api/v1/quizzes", {"name": "q", "feedback_policy": "mock", "rule": {"count": 1}}),
        ("viewer", "post", "/api/v1/attempts", {"quiz_id": 1, "candidate": {"external_id": "x", "display_name": "x"}}),
        ("viewer", "post", "/api/v1/attempts/{id}/cancel", None),
        ("viewer", "post", "/api/v1/attempts/{id}/responses/1/overrides", {"score": 1, "reason": "r"}),
        ("recruiter", "post", "/api/v1/attempts/{id}/regrade", {}),
    ],
)
def test_roles(flow, two, role, method, path, body):
    a, _ = two
    response = getattr(flow.client, method)(path.format(id=a["id"]), json=body, headers=flow.staff(role))
    assert response.status_code == 403


def test_the_token_is_shown_once_and_stored_hashed(flow, two, app):
    from quizsvc.db import db
    from quizsvc.models import Attempt
    from quizsvc.services import attempts

    a, _ = two
    assert "token" not in flow.attempt(a["id"]) and "link" not in flow.attempt(a["id"])
    with app.app_context():
        stored = db.session.get(Attempt, a["id"])
        assert stored.token_hash == attempts.hash_token(a["token"]) != a["token"]
