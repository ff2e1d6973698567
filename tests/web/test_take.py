"""The candidate's pages behind the invitation link: the token leaves the URL, one form for
every answer, the script's autosave, review before submitting, what each kind of quiz shows."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from quizsvc.db import db, utcnow
from quizsvc.models import Attempt
from quizsvc.web.pages import CSP, SECURITY_HEADERS
from quizsvc.web.take import COOKIE


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


def _started(client, invited: dict) -> str:
    html = _open(client, invited)
    return client.get(_post(client, "/take/start", html).location).get_data(as_text=True)


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
    # The intro: the quiz, how many questions, the time limit, the rules; no question yet.
    assert "<dt>Questions</dt><dd>3</dd>" in html and "30 minutes" in html and "How it works" in html
    assert "Question 1" not in html and 'action="/take/start"' in html
    assert invited["token"] not in html  # forms carry a check derived from it, never the token


def test_every_page_response_carries_the_security_headers(client, invited):
    html = _open(client, invited)
    responses = [
        client.get(_link_path(invited)),
        client.get("/take"),
        _post(client, "/take/start", html),
        client.get("/take/review"),
        client.get("/take?token=qza_wrong"),
        client.delete("/take"),
        client.post("/take/answers/99999999999", data={}),
        client.get("/practice/unknown"),
        client.get("/console/quizzes"),
        client.get("/console/signin"),
        client.get("/lang/en"),
    ]
    assert [r.status_code for r in responses] == [303, 200, 303, 200, 401, 405, 404, 404, 303, 200, 303]
    for response in responses:
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (response.request.path, name)
    # No inline script or style may run: pages load this origin's own files only.
    assert "'unsafe-inline'" not in CSP and "script-src 'self'" in CSP and "frame-ancestors 'none'" in CSP
    assert "<script>" not in html and "style=" not in html
    with client.get(re.search(r'href="(/assets/app\.css\?v=\w+)"', html).group(1)) as asset:
        assert asset.status_code == 200 and "immutable" in asset.headers["Cache-Control"]


def test_one_form_saves_every_changed_answer_then_review_lists_the_unanswered(client, flow, invited):
    html = _started(client, invited)
    prompts = [q["prompt"] for q in flow.attempt(invited["id"])["questions"]]
    assert all(prompt in html for prompt in prompts)
    assert 'id="timer"' in html  # a time limit: a countdown
    saved = _post(client, "/take/save", html, **{"answer-1": "自注意力讓<b>每個詞</b>關注所有詞", "answer-2": "", "time-1": "42"})
    assert saved.status_code == 303 and saved.location == "/take?n=saved"
    html = client.get(saved.location).get_data(as_text=True)
    assert "Your answers are saved." in html and "自注意力讓&lt;b&gt;每個詞&lt;/b&gt;關注所有詞" in html
    # Saving again with the same text is no new save; an unchanged empty answer makes no row.
    _post(client, "/take/save", html, **{"answer-1": "自注意力讓<b>每個詞</b>關注所有詞", "answer-2": ""})
    responses = flow.attempt(invited["id"])["responses"]
    assert [(r["answer"], r["saves"], r["time_spent_seconds"]) for r in responses] == [
        ("自注意力讓<b>每個詞</b>關注所有詞", 1, 42),
        (None, 0, None),
        (None, 0, None),
    ]
    review = _post(client, "/take/save", html, **{"answer-3": "BERT 是雙向的", "action": "review"})
    assert review.location == "/take/review"
    page = client.get("/take/review").get_data(as_text=True)
    assert "1 question is not answered yet." in page and re.search(r'class="unanswered">\s*<a href="/take#q2">', page)

    done = _post(client, "/take/submit", page)
    html = client.get(done.location).get_data(as_text=True)
    assert "Your result" in html and re.search(r"<strong>[\d.]+</strong><span class=\"of\"> / 100", html)
    assert "Keywords used:" in html  # per question: key points and keywords
    # Submitting again (a reload of the form, a double click) confirms: graded once.
    client.get(_post(client, "/take/submit", page).location)
    assert [len(r["grades"]) for r in flow.attempt(invited["id"])["responses"]] == [1, 1, 1]


def test_the_script_saves_one_answer_with_its_time(client, flow, invited):
    html = _started(client, invited)
    saved = client.post("/take/answers/2", data={"check": _check(html), "answer": "pasted\x00text", "time": "17"})
    assert saved.status_code == 200 and saved.is_json
    assert set(saved.get_json()) == {"position", "saved_at"}
    response = flow.attempt(invited["id"])["responses"][1]
    assert (response["answer"], response["time_spent_seconds"]) == ("pastedtext", 17)
    refused = client.post("/take/answers/2", data={"check": "0" * 64, "answer": "x"})
    assert refused.status_code == 403 and refused.is_json
    too_long = client.post("/take/answers/2", data={"check": _check(html), "answer": "字" * 5001})
    assert too_long.status_code == 422 and "5000" in too_long.get_json()["message"]


def test_time_out_saves_what_was_typed_then_submits(client, flow, invited):
    html = _started(client, invited)
    timed_out = _post(client, "/take/save", html, **{"answer-1": "the last words", "action": "timeout"})
    assert timed_out.location == "/take"
    attempt = flow.attempt(invited["id"])
    assert attempt["status"] == "graded" and attempt["responses"][0]["answer"] == "the last words"


def test_after_the_deadline_a_save_says_time_is_up(app, client, flow, invited):
    html = _started(client, invited)
    with app.app_context():
        db.session.execute(
            update(Attempt).where(Attempt.id == invited["id"]).values(deadline=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
    late = client.post("/take/answers/1", data={"check": _check(html), "answer": "too late"})
    assert late.status_code == 409 and late.get_json()["closed"] is True
    form = _post(client, "/take/save", html, **{"answer-1": "too late", "action": "review"})
    assert form.location == "/take?n=closed"
    assert "Answers can no longer change" in client.get(form.location).get_data(as_text=True)


def test_feedback_after_each_answer_comes_with_the_save(client, flow):
    invited = flow.invite(flow.quiz(feedback_policy="mock", feedback_timing="after_answer")["id"])
    html = _started(client, invited)
    assert 'data-feedback="yes"' in html and "Save and see feedback" in html
    reference = flow.client.get(
        f"/api/v1/questions/{flow.attempt(invited['id'])['questions'][0]['question_id']}", headers=flow.staff("viewer")
    ).get_json()["references"][0]
    saved = client.post("/take/answers/1", data={"check": _check(html), "answer": reference, "feedback": "1"})
    feedback = saved.get_json()["feedback_html"]
    assert "/ 100" in feedback and "Covered" in feedback
    # Shown again on the page, without the script: every saved answer has its feedback.
    assert "Covered" in client.get("/take").get_data(as_text=True)


def test_a_hiring_quiz_shows_thanks_and_nothing_about_grades(client, flow):
    invited = flow.invite(flow.quiz(feedback_policy="hiring")["id"])
    html = _started(client, invited)
    assert 'id="timer"' not in html and "No time limit." in html and "min left" not in html
    _post(client, "/take/save", html, **{"answer-1": "答案"})
    html = client.get(_post(client, "/take/submit", html).location).get_data(as_text=True)
    main = html[html.index("<main") :]
    assert "Thank you" in main
    assert not re.search(r"score|graded|status|/ 100|passed|result", main, re.IGNORECASE)


def test_a_too_long_answer_without_maxlength_comes_back_as_typed(client, flow, invited):
    html = _started(client, invited)
    response = _post(client, "/take/save", html, **{"answer-1": "字" * 5001, "answer-2": "kept"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "longer than 5000 characters" in page and "字" * 5001 in page and ">kept</textarea>" in page
    assert flow.attempt(invited["id"])["responses"][1]["answer"] is None  # nothing half-saved


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


def test_the_page_speaks_the_candidates_language_and_questions_keep_theirs(client, invited):
    client.get(_link_path(invited))
    html = client.get("/take", headers={"Accept-Language": "zh-TW,zh;q=0.8"}).get_data(as_text=True)
    assert '<html lang="zh-Hant">' in html and "作答方式" in html and "開始" in html
    html = client.get("/take", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="zh-Hans">' in html and "作答方式" in html
    started = _post(client, "/take/start", html)
    questions = client.get(started.location, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<p class="prompt" lang="zh-Hant" id="prompt-1">' in questions  # the question's own language
    assert "检查并提交" in questions and 'hreflang="en"' in questions  # the switch is always there


def test_an_emailed_invitation_link_opens_the_page_too(app, client, flow, invited):
    from tests.integration import invitation_token

    token = invitation_token(app, invited["id"])
    assert token.startswith("qzl_")
    html = _open(client, {"link": f"http://localhost/take?token={token}"})
    assert "Start" in html and token not in html
    started = client.get(_post(client, "/take/start", html).location).get_data(as_text=True)
    assert "The clock is running. Your answers are saved as you go." in started
    # A new link voids the emailed one, and the page's cookie made from it.
    flow.client.post(f"/api/v1/attempts/{invited['id']}/link", headers=flow.staff())
    assert client.get("/take").status_code == 401
    assert client.get(f"/take?token={token}").status_code == 401
