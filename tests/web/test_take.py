"""The candidate's page behind the invitation link: the token leaves the URL, plain forms, post/redirect/get."""

import re

import pytest

from quizsvc.web import COOKIE, SECURITY_HEADERS


def _link_path(invited: dict) -> str:
    return invited["link"].removeprefix("http://localhost")


def _open(client, invited: dict) -> str:
    """Open the link as a browser does; returns the page's HTML."""
    exchanged = client.get(_link_path(invited))
    assert exchanged.status_code == 303 and exchanged.location == "/take"
    return client.get("/take").get_data(as_text=True)


def _check(html: str) -> str:
    return re.search(r'name="check" value="([0-9a-f]+)"', html).group(1)


def _post(client, path: str, html: str, **form):
    return client.post(path, data={"check": _check(html), **form})


@pytest.fixture
def invited(flow):
    return flow.invite(flow.quiz(feedback_policy="mock", time_limit_minutes=30)["id"])


def test_the_link_trades_its_token_for_a_cookie_and_leaves_the_address(client, invited):
    response = client.get(_link_path(invited))
    assert response.status_code == 303 and response.location == "/take"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}={invited['token']};")
    assert {"HttpOnly", "SameSite=Lax", "Path=/take"} <= {part.strip() for part in cookie.split(";")}
    page = client.get("/take")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "3 questions, shown once you start; the clock starts then." in html
    assert "Question 1" not in html and 'action="/take/start"' in html
    assert invited["token"] not in html  # forms carry a check derived from it, never the token


def test_every_take_response_forbids_caching_framing_and_referrers(client, invited):
    html = _open(client, invited)
    responses = [
        client.get(_link_path(invited)),
        client.get("/take"),
        _post(client, "/take/start", html),
        client.get("/take?token=qza_wrong"),
        client.delete("/take"),
        client.post("/take/answers/99999999999", data={}),
    ]
    assert [r.status_code for r in responses] == [303, 200, 303, 401, 405, 404]
    for response in responses:
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (response.status_code, name)
    assert "frame-ancestors 'none'" in SECURITY_HEADERS["Content-Security-Policy"]


def test_start_answer_submit_through_the_forms(client, flow, invited):
    html = _open(client, invited)
    started = _post(client, "/take/start", html)
    assert (
        started.status_code == 303
        and started.location == "/take?notice=Started:+save+each+answer+as+you+go,+then+submit."
    )
    html = client.get(started.location).get_data(as_text=True)
    prompts = [q["prompt"] for q in flow.attempt(invited["id"])["questions"]]
    assert all(prompt in html for prompt in prompts)
    assert "Started: save each answer as you go, then submit." in html

    saved = _post(client, "/take/answers/1", html, answer="自注意力讓<b>每個詞</b>關注所有詞")
    assert saved.status_code == 303 and saved.location.endswith("#q1") and "token" not in saved.location
    html = client.get(saved.location).get_data(as_text=True)
    assert "Answer 1 saved." in html and "自注意力讓&lt;b&gt;每個詞&lt;/b&gt;關注所有詞" in html

    form = html
    done = _post(client, "/take/submit", form)
    html = client.get(done.location).get_data(as_text=True)
    assert "Submitted. Thank you." in html and "Status: <strong>graded</strong>" in html
    assert re.search(r"Total: [\d.]+ / 100", html)  # a mock quiz shows the score
    detail = flow.attempt(invited["id"])
    assert detail["status"] == "graded" and detail["responses"][0]["answer"] == "自注意力讓<b>每個詞</b>關注所有詞"
    # Submitting again (a reload of the form, a double click) confirms: graded once.
    again = client.get(_post(client, "/take/submit", form).location).get_data(as_text=True)
    assert "Submitted. Thank you." in again
    assert [len(r["grades"]) for r in flow.attempt(invited["id"])["responses"]] == [1, 1, 1]


def test_a_pasted_answer_is_saved_cleaned(client, flow, invited):
    html = _open(client, invited)
    html = client.get(_post(client, "/take/start", html).location).get_data(as_text=True)
    response = _post(client, "/take/answers/1", html, answer="pasted\x00text")
    assert "Answer 1 saved." in client.get(response.location).get_data(as_text=True)
    assert flow.attempt(invited["id"])["responses"][0]["answer"] == "pastedtext"


def test_a_hiring_quiz_page_shows_no_score(client, flow):
    invited = flow.invite(flow.quiz(feedback_policy="hiring")["id"])
    html = _open(client, invited)
    html = client.get(_post(client, "/take/start", html).location).get_data(as_text=True)
    _post(client, "/take/answers/1", html, answer="答案")
    html = client.get(_post(client, "/take/submit", html).location).get_data(as_text=True)
    assert "Your answers are in." in html and "Total:" not in html and "Score:" not in html


def test_refused_actions_become_a_notice(client, invited):
    html = _open(client, invited)
    refused = _post(client, "/take/answers/1", html, answer="too early")
    html = client.get(refused.location).get_data(as_text=True)
    assert "Cannot save the answer: The attempt has not been started yet; start it first." in html
    html = client.get(_post(client, "/take/start", html).location).get_data(as_text=True)
    too_long = _post(client, "/take/answers/2", html, answer="字" * 5001)
    html = client.get(too_long.location).get_data(as_text=True)
    assert "Answer 2 was not saved: Longer than maximum length 5000." in html


def test_a_form_without_its_check_is_refused(client, flow, invited):
    _open(client, invited)
    # What another site's form would send: the browser's cookie (were it sent) but no check.
    response = client.post("/take/start", data={"check": "0" * 64})
    assert response.status_code == 403
    assert "This form does not belong to your quiz page" in response.get_data(as_text=True)
    assert flow.attempt(invited["id"])["status"] == "invited"


def test_the_link_keeps_working_and_a_new_link_ends_the_old_session(client, flow, invited):
    _open(client, invited)
    _open(client, invited)  # opened again (another tab, another device): the same attempt
    renewed = flow.client.post(f"/api/v1/attempts/{invited['id']}/link", headers=flow.staff()).get_json()
    denied = client.get("/take")
    assert denied.status_code == 401 and "This link does not open a quiz" in denied.get_data(as_text=True)
    assert "Start" in _open(client, renewed)


@pytest.mark.parametrize("path", ["/take", "/take?token=qza_wrong"])
def test_a_bad_token_gets_a_plain_refusal(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert "This link does not open a quiz" in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    assert client.post("/take/start", data={}).status_code == 401


def test_an_emailed_invitation_link_opens_the_page_too(app, client, flow, invited):
    from tests.integration import invitation_token

    token = invitation_token(app, invited["id"])
    assert token.startswith("qzl_")
    html = _open(client, {"link": f"http://localhost/take?token={token}"})
    assert "Start" in html and token not in html
    started = client.get(_post(client, "/take/start", html).location).get_data(as_text=True)
    assert "Started: save each answer as you go, then submit." in started
    # A new link voids the emailed one, and the page's cookie made from it.
    flow.client.post(f"/api/v1/attempts/{invited['id']}/link", headers=flow.staff())
    assert client.get("/take").status_code == 401
    assert client.get(f"/take?token={token}").status_code == 401
