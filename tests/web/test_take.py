"""The candidate's page behind the invitation link: plain forms, post/redirect/get."""

import re

import pytest


def _link_path(invited: dict) -> str:
    return invited["link"].removeprefix("http://localhost")


@pytest.fixture
def invited(flow):
    return flow.invite(flow.quiz(feedback_policy="mock", time_limit_minutes=30)["id"])


def test_the_link_opens_the_page_and_reveals_nothing_before_the_start(client, invited):
    page = client.get(_link_path(invited))
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "3 questions, shown once you start; the clock starts then." in html
    assert "Question 1" not in html and 'action="/take/start"' in html


def test_start_answer_submit_through_the_forms(client, flow, invited):
    token = invited["token"]
    started = client.post("/take/start", data={"token": token})
    assert started.status_code == 303 and started.location.startswith(f"/take?token={token}")
    html = client.get(started.location).get_data(as_text=True)
    prompts = [q["prompt"] for q in flow.attempt(invited["id"])["questions"]]
    assert all(prompt in html for prompt in prompts)
    assert "Started: save each answer as you go, then submit." in html

    saved = client.post("/take/answers/1", data={"token": token, "answer": "自注意力讓<b>每個詞</b>關注所有詞"})
    assert saved.status_code == 303 and saved.location.endswith("#q1")
    html = client.get(saved.location).get_data(as_text=True)
    assert "Answer 1 saved." in html and "自注意力讓&lt;b&gt;每個詞&lt;/b&gt;關注所有詞" in html

    done = client.post("/take/submit", data={"token": token})
    html = client.get(done.location).get_data(as_text=True)
    assert "Submitted. Thank you." in html and "Status: <strong>graded</strong>" in html
    assert re.search(r"Total: [\d.]+ / 100", html)  # a mock quiz shows the score
    detail = flow.attempt(invited["id"])
    assert detail["status"] == "graded" and detail["responses"][0]["answer"] == "自注意力讓<b>每個詞</b>關注所有詞"


def test_a_hiring_quiz_page_shows_no_score(client, flow):
    invited = flow.invite(flow.quiz(feedback_policy="hiring")["id"])
    client.post("/take/start", data={"token": invited["token"]})
    client.post("/take/answers/1", data={"token": invited["token"], "answer": "答案"})
    html = client.get(client.post("/take/submit", data={"token": invited["token"]}).location).get_data(as_text=True)
    assert "Your answers are in." in html and "Total:" not in html and "Score:" not in html


def test_refused_actions_become_a_notice(client, invited):
    token = invited["token"]
    refused = client.post("/take/answers/1", data={"token": token, "answer": "too early"})
    html = client.get(refused.location).get_data(as_text=True)
    assert "Cannot save the answer: The attempt has not been started yet; start it first." in html
    client.post("/take/start", data={"token": token})
    too_long = client.post("/take/answers/2", data={"token": token, "answer": "字" * 5001})
    html = client.get(too_long.location).get_data(as_text=True)
    assert "Answer 2 is longer than 5000 characters; it was not saved." in html


@pytest.mark.parametrize("path", ["/take", "/take?token=qza_wrong"])
def test_a_bad_token_gets_a_plain_refusal(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert "This link does not open a quiz" in response.get_data(as_text=True)
    assert client.post("/take/start", data={"token": "qza_wrong"}).status_code == 401
