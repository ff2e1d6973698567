"""A candidate in a real browser: the invitation link to the result, a reload in the middle
of typing, a time-out with text not yet saved, the same quiz without JavaScript, and the
practice flow with feedback after each answer. Each page is screenshotted at phone and
desktop widths and checked with axe-core."""

import re

import pytest
pytestmark = pytest.mark.browser

FIRST = "大型語言模型是用海量文本預訓練的 Transformer 模型，能理解和生成自然語言。"
SECOND = "Self-attention lets every token attend to all the others, weighting them by query-key similarity."
# Whatever the page fetched beyond its own address, one HTML page and its static files.
BUDGET = 100_000


def _open(browser, live, csp_errors, invited: dict, **options):
    context = browser.new_context(locale="en-GB", **options)
    page = csp_errors(context.new_page())
    page.goto(live.path(invited["link"]))
    return context, page


def _stored(live, attempt_id: int) -> list[dict]:
    return live.flow.attempt(attempt_id)["responses"]


def test_the_whole_flow_with_a_reload_in_the_middle_of_typing(browser, live, shoot, audit, csp_errors):
    from playwright.sync_api import expect

    flow = live.flow
    invited = flow.invite(flow.quiz(name="LLM mock interview", feedback_policy="mock", time_limit_minutes=30)["id"])
    context, page = _open(browser, live, csp_errors, invited)
    try:
        assert page.url.endswith("/take")  # the token left the address bar (and the history)
        expect(page.get_by_role("heading", level=1)).to_have_text("LLM mock interview")
        expect(page.locator(".facts")).to_contain_text("30 minutes")
        shoot(page, "take-intro")
        audit(page, "intro")
        page.get_by_role("button", name="Start").click()

        # One question at a time; the countdown runs; nothing else is fetched from elsewhere.
        expect(page.locator("#q1")).to_be_visible()
        expect(page.locator("#q2")).to_be_hidden()
        expect(page.locator("#clock")).to_have_text(re.compile(r"^(29|30):\d\d$"))
        page.locator("#answer-1").fill(FIRST)
        expect(page.locator("#count-1")).to_contain_text(f"{len(FIRST)} / 5,000")
        expect(page.locator("#saved-1")).to_contain_text("Saved at", timeout=10_000)
        page.wait_for_timeout(1500)  # time on question 1
        shoot(page, "take-question")
        audit(page, "questions")
        page.get_by_role("button", name="Next").first.click()
        expect(page.locator("#q2")).to_be_visible()
        assert page.url.endswith("#q2")

        # Typing, then reloading at once: nothing typed is lost.
        page.locator("#answer-2").press_sequentially(SECOND[:40], delay=5)
        page.reload()
        expect(page.locator("#q2")).to_be_visible()
        expect(page.locator("#answer-2")).to_have_value(SECOND[:40])
        page.locator("#answer-2").press("End")
        page.locator("#answer-2").press_sequentially(SECOND[40:], delay=2)
        expect(page.locator("#saved-2")).to_contain_text("Saved at", timeout=10_000)
        page.wait_for_timeout(1200)  # time on question 2

        # Review lists the unanswered question; going back keeps everything.
        page.get_by_role("button", name="Review and submit").click()
        expect(page.get_by_role("alert")).to_contain_text("1 question is not answered yet.")
        expect(page.locator(".review-list .unanswered")).to_contain_text("Question 3")
        shoot(page, "take-review")
        audit(page, "review")
        page.get_by_role("button", name="Submit my answers").click()

        # A mock quiz: the score, and per question the key points covered and missed.
        expect(page.get_by_role("heading", name="Your result")).to_be_visible()
        expect(page.locator(".total")).to_contain_text("/ 100")
        expect(page.locator(".question-result").first).to_contain_text("Keywords used:")
        shoot(page, "take-result")
        audit(page, "result")
        assert csp_errors.found == []
    finally:
        context.close()
    stored = _stored(live, invited["id"])
    assert [r["answer"] for r in stored] == [FIRST, SECOND, ""]
    assert stored[0]["time_spent_seconds"] >= 2 and stored[1]["time_spent_seconds"] >= 1
    assert live.flow.attempt(invited["id"])["status"] == "graded"


def test_the_questions_page_loads_in_one_round_trip_within_its_budget(browser, live):
    flow = live.flow
    every = flow.question_ids()  # all 20 seed questions: a long interview
    assert len(every) == 20
    quiz = flow.quiz(
        name="Weighed", question_ids=every, feedback_policy="mock", feedback_timing="after_answer", time_limit_minutes=60
    )
    invited = flow.invite(quiz["id"])
    flow.start(invited["token"])
    context = browser.new_context()
    page = context.new_page()
    fetched = []
    page.on("requestfinished", lambda request: fetched.append(request))
    try:
        page.goto(live.path(invited["link"]))  # the link, exchanged for the cookie: then the page itself
        page.wait_for_load_state("networkidle")
        loaded = [r for r in fetched if r.url.startswith(live.url + "/take") and not r.redirected_to]
        assets = [r for r in fetched if "/assets/" in r.url]
        assert len(loaded) == 1 and {r.url.split("?")[0].rsplit("/", 1)[1] for r in assets} == {"app.css", "take.js"}
        assert all(r.url.startswith(live.url) for r in fetched)  # nothing from anywhere else
        sizes = [r.sizes() for r in loaded + assets]
        total = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes)
        html = sizes[0]["responseBodySize"] + sizes[0]["responseHeadersSize"]
        print(f"\nquestions page, 20 questions: {total:,} bytes in {len(sizes)} responses (HTML {html:,})")
        assert total < BUDGET
    finally:
        context.close()


def test_time_out_submits_what_was_typed_but_not_yet_saved(browser, live, csp_errors, audit):
    from playwright.sync_api import expect

    flow = live.flow
    invited = flow.invite(flow.quiz(name="Timed", feedback_policy="hiring", time_limit_minutes=1)["id"])
    flow.start(invited["token"])
    context = browser.new_context()
    page = csp_errors(context.new_page())
    page.clock.install()  # the page's clock: the last seconds pass when the test says so
    try:
        page.goto(live.path(invited["link"]))
        expect(page.locator("#clock")).to_be_visible()
        seconds = int(page.locator("#answers").get_attribute("data-seconds-left"))
        page.clock.run_for(seconds * 1000 - 3_600)  # the page submits 3 s before the deadline: 0.6 s to go
        expect(page.locator("#clock")).to_have_text(re.compile(r"^0:0[0-2]$"))
        page.locator("#answer-1").fill("typed in the last seconds")  # not saved yet: that waits 1.2 s of quiet
        page.clock.run_for(1_100)
        expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
        expect(page.locator("main")).not_to_contain_text("graded")
        audit(page, "thanks")  # axe-core needs JavaScript: the plain-HTML run cannot check itself
        assert csp_errors.found == []
    finally:
        context.close()
    assert _stored(live, invited["id"])[0]["answer"] == "typed in the last seconds"
    assert live.flow.attempt(invited["id"])["status"] in ("submitted", "graded")


def test_without_javascript_one_form_saves_every_answer(browser, live, shoot, audit):
    from playwright.sync_api import expect

    flow = live.flow
    invited = flow.invite(flow.quiz(name="Plain HTML", feedback_policy="hiring")["id"])
    context, page = _open(browser, live, lambda p: p, invited, java_script_enabled=False)
    try:
        page.get_by_role("button", name="Start").click()
        expect(page.locator("#q1")).to_be_visible()
        expect(page.locator("#q3")).to_be_visible()  # every question on one page
        expect(page.locator("#timer")).to_have_count(0)  # no time limit: no countdown at all
        expect(page.locator("main")).to_contain_text("No time limit.")
        page.locator("#answer-1").fill(FIRST)
        page.locator("#answer-3").fill(SECOND)
        page.get_by_role("button", name="Save answers").click()
        expect(page.get_by_role("status").first).to_have_text("Your answers are saved.")
        expect(page.locator("#answer-3")).to_have_value(SECOND)
        shoot(page, "take-nojs-questions", scripts=False)
        page.locator("#answer-2").fill("the third answer, typed last")
        page.get_by_role("button", name="Review and submit").click()  # saves too
        expect(page.locator(".review-list .unanswered")).to_have_count(0)
        page.get_by_role("button", name="Submit my answers").click()
        # A hiring quiz: thanks, and nothing about grades or status.
        expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
        body = page.locator("main").inner_text()
        assert not re.search(r"score|graded|status|/ 100|passed", body, re.IGNORECASE), body
        shoot(page, "take-thanks", scripts=False)
    finally:
        context.close()
    assert [r["answer"] for r in _stored(live, invited["id"])] == [FIRST, "the third answer, typed last", SECOND]


def test_practice_gives_feedback_after_each_answer_and_another_try(browser, live, shoot, audit, csp_errors):
    from playwright.sync_api import expect

    flow = live.flow
    quiz = flow.quiz(name="Practice: LLM basics", feedback_policy="mock")
    opened = flow.client.post(f"/api/v1/quizzes/{quiz['id']}/practice", headers=flow.staff())
    assert opened.status_code == 200
    context = browser.new_context(locale="zh-TW")
    page = csp_errors(context.new_page())
    try:
        page.goto(live.path(opened.get_json()["practice_url"]))
        expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")  # from Accept-Language
        shoot(page, "practice-intro")
        audit(page, "practice intro")
        page.locator("form.actions button").click()
        expect(page.locator("#q1")).to_be_visible()
        page.locator("#answer-1").fill(FIRST)
        page.locator("#q1 [data-check]").click()
        expect(page.locator("#feedback-1 .result-score")).to_contain_text("/ 100", timeout=10_000)
        expect(page.locator("#feedback-1 .points")).to_be_visible()
        shoot(page, "practice-feedback")
        audit(page, "practice feedback")
        # The language switch is always there; the question keeps its own language.
        page.get_by_role("link", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("#prompt-1")).to_have_attribute("lang", "zh-Hant")
        expect(page.locator("#feedback-1 .result-score")).to_contain_text("/ 100")  # still there after a reload
        page.get_by_role("button", name="Review and submit").click()
        page.get_by_role("button", name="Submit my answers").click()
        expect(page.get_by_role("button", name="Try again")).to_be_visible()
        page.get_by_role("button", name="Try again").click()
        expect(page.locator("#answer-1")).to_have_value("")  # a new attempt
        assert csp_errors.found == []
    finally:
        context.close()
    listed = flow.client.get(f"/api/v1/attempts?quiz_id={quiz['id']}", headers=flow.staff("viewer")).get_json()
    assert sorted(a["status"] for a in listed) == ["graded", "started"]
    assert len({a["candidate"]["id"] for a in listed}) == 1  # the same visitor, trying again



def _tab_to(page, selector: str, limit: int = 25) -> None:
    """Press Tab until ``selector`` has the focus, and check that the focus can be seen."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => document.activeElement.matches({selector!r})"):
            outline = page.evaluate(
                "() => { const s = getComputedStyle(document.activeElement);"
                " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
            )
            assert outline[0] != "none" and outline[1] >= 2, (selector, outline)
            return
    raise AssertionError(f"{selector} never got the focus by Tab")


def test_the_keyboard_alone_takes_the_quiz_with_the_focus_always_visible(browser, live):
    from playwright.sync_api import expect

    flow = live.flow
    invited = flow.invite(flow.quiz(name="Keyboard", feedback_policy="hiring")["id"])
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(live.path(invited["link"]))
        _tab_to(page, "a.skip")  # the first stop: past the header, straight to the content
        _tab_to(page, "button.primary")
        page.keyboard.press("Enter")
        expect(page.locator("#q1")).to_be_visible()
        _tab_to(page, "#answer-1")
        page.keyboard.type("typed with the keyboard")
        _tab_to(page, "[data-step='1']")
        page.keyboard.press("Enter")
        expect(page.locator("#q2")).to_be_visible()
        assert page.evaluate("() => document.activeElement.id") == "title-2"  # focus follows the question
        page.keyboard.press("Shift+Tab")
        _tab_to(page, "#chip-1")
        page.keyboard.press("Enter")
        expect(page.locator("#answer-1")).to_have_value("typed with the keyboard")
        _tab_to(page, "button[value='review']")
        page.keyboard.press("Enter")
        expect(page.get_by_role("button", name="Submit my answers")).to_be_visible()
    finally:
        context.close()
    assert _stored(live, invited["id"])[0]["answer"] == "typed with the keyboard"
