"""Open practice: a public link per quiz, an attempt per visitor, feedback after each answer,
another try, and a rate limit of its own."""

import re

import pytest

from tests.web.test_take import _check

SAME_SITE = {"Sec-Fetch-Site": "same-origin"}


def _open_practice(flow, **quiz) -> tuple[dict, str]:
    made = flow.quiz(feedback_policy="mock", **quiz)
    opened = flow.client.post(f"/api/v1/quizzes/{made['id']}/practice", headers=flow.staff())
    assert opened.status_code == 200, opened.get_json()
    return opened.get_json(), opened.get_json()["practice_url"].removeprefix("http://localhost")


def _start(client, path: str) -> str:
    started = client.post(f"{path}/start", headers=SAME_SITE)
    assert started.status_code == 303 and started.location == "/take?n=started"
    return client.get(started.location).get_data(as_text=True)


def test_a_recruiter_opens_practice_and_gets_a_public_link(flow):
    quiz, path = _open_practice(flow)
    assert re.fullmatch(r"/practice/[\w-]{32}", path)
    again = flow.client.post(f"/api/v1/quizzes/{quiz['id']}/practice", headers=flow.staff()).get_json()
    assert again["practice_url"] == quiz["practice_url"]  # opening an open quiz keeps its link
    listed = flow.client.get(f"/api/v1/quizzes/{quiz['id']}", headers=flow.staff("viewer")).get_json()
    assert listed["practice_url"] == quiz["practice_url"]
    hiring = flow.quiz(feedback_policy="hiring")
    refused = flow.client.post(f"/api/v1/quizzes/{hiring['id']}/practice", headers=flow.staff())
    assert refused.status_code == 409 and "Only mock quizzes" in refused.get_json()["message"]
    assert flow.client.post(f"/api/v1/quizzes/{quiz['id']}/practice", headers=flow.staff("viewer")).status_code == 403


def test_each_visitor_gets_an_attempt_of_their_own(app, client, flow):
    quiz, path = _open_practice(flow, time_limit_minutes=15)
    intro = client.get(path).get_data(as_text=True)
    assert "Practice" in intro and "15 minutes" in intro and "practice is anonymous" in intro
    html = _start(client, path)
    assert 'data-feedback="yes"' in html  # practice: feedback after each answer, whatever the quiz says
    other = app.test_client()
    _start(other, path)
    attempts = flow.client.get(f"/api/v1/attempts?quiz_id={quiz['id']}", headers=flow.staff("viewer")).get_json()
    assert [a["status"] for a in attempts] == ["started", "started"]
    assert len({a["candidate"]["external_id"] for a in attempts}) == 2
    assert all(a["candidate"]["external_id"].startswith("practice-") for a in attempts)


def test_an_answer_gets_its_key_points_at_once_and_another_try_follows(client, flow):
    quiz, path = _open_practice(flow)
    html = _start(client, path)
    saved = client.post("/take/answers/1", data={"check": _check(html), "answer": "大型語言模型用海量文本預訓練", "feedback": "1"})
    assert "/ 100" in saved.get_json()["feedback_html"] and "Keywords used:" in saved.get_json()["feedback_html"]
    assert client.post("/take/retry", data={"check": _check(html)}).status_code == 409  # finish this try first
    done = client.get(client.post("/take/submit", data={"check": _check(html)}).location).get_data(as_text=True)
    assert "Your result" in done and "Try again" in done
    retried = client.post("/take/retry", data={"check": _check(done)})
    assert retried.status_code == 303 and retried.headers["Set-Cookie"].startswith("quizsvc_take=qza_")
    assert 'id="answer-1"' in client.get(retried.location).get_data(as_text=True)
    tries = flow.client.get(f"/api/v1/attempts?quiz_id={quiz['id']}", headers=flow.staff("viewer")).get_json()
    assert sorted(a["status"] for a in tries) == ["graded", "started"]
    assert len({a["candidate"]["id"] for a in tries}) == 1  # the same visitor


def test_closing_practice_ends_the_link_and_opening_again_makes_a_new_one(client, flow):
    quiz, path = _open_practice(flow)
    closed = flow.client.delete(f"/api/v1/quizzes/{quiz['id']}/practice", headers=flow.staff())
    assert closed.status_code == 200 and closed.get_json()["practice_url"] is None
    assert client.get(path).status_code == 404
    assert client.post(f"{path}/start", headers=SAME_SITE).status_code == 404
    reopened = flow.client.post(f"/api/v1/quizzes/{quiz['id']}/practice", headers=flow.staff()).get_json()
    assert reopened["practice_url"] != quiz["practice_url"] and client.get(path).status_code == 404


def test_a_start_posted_from_another_site_is_refused(client, flow):
    _, path = _open_practice(flow)
    assert client.post(f"{path}/start", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.post(f"{path}/start", headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.post(f"{path}/start", headers={"Origin": "http://localhost"}).status_code == 303


def test_practice_has_its_own_rate_limit_per_address(app, client, flow, monkeypatch):
    monkeypatch.setitem(app.config, "QUIZSVC_RATELIMIT_PRACTICE", "3 per minute")
    _, path = _open_practice(flow)
    html = _start(client, path)  # 1
    check = _check(html)
    for n in (2, 3):
        body = client.post("/take/answers/1", data={"check": check, "answer": f"try {n}", "feedback": "1"}).get_json()
        assert "feedback_html" in body
    over = client.post("/take/answers/1", data={"check": check, "answer": "try 4", "feedback": "1"}).get_json()
    assert "feedback_html" not in over and "Feedback is paused" in over["feedback_message"]
    # The answer itself is saved all the same; only grading waits.
    assert "try 4" in client.get("/take").get_data(as_text=True)
    refused = app.test_client().post(f"{path}/start", headers=SAME_SITE)
    assert refused.status_code == 429 and "Too many practice answers" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    elsewhere = app.test_client().post(f"{path}/start", headers=SAME_SITE, environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert elsewhere.status_code == 303


@pytest.mark.parametrize("limit", ["3 per minute", ""])
def test_the_candidate_api_gives_practice_feedback_within_the_limit(app, client, flow, monkeypatch, limit):
    monkeypatch.setitem(app.config, "QUIZSVC_RATELIMIT_PRACTICE", limit)
    _, path = _open_practice(flow)
    _start(client, path)
    token = client.get_cookie("quizsvc_take", path="/take").value
    answers = [flow.answer(token, 1, f"answer {n}", expect=200 if n < 3 or not limit else 429) for n in range(1, 5)]
    assert answers[0]["result"]["score"] >= 0
    seen = flow.client.get("/api/v1/candidate/attempt", headers=flow.candidate(token)).get_json()
    assert seen["practice"] is True and seen["feedback_timing"] == "after_answer"


def test_practice_attempts_say_so_in_their_events(client, flow):
    quiz, path = _open_practice(flow)
    _start(client, path)
    [attempt] = flow.client.get(f"/api/v1/attempts?quiz_id={quiz['id']}", headers=flow.staff("viewer")).get_json()
    events = flow.client.get(f"/api/v1/events?attempt_id={attempt['id']}", headers=flow.staff("admin")).get_json()
    assert sorted(e["type"] for e in events) == ["attempt.invited", "attempt.started"]
    assert all(e["data"]["practice"] is True for e in events)
