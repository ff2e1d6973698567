"""The candidate's pages (/take): invitation link -> intro -> questions -> review -> done.

The link carries the attempt's token. Opening it exchanges the token for a cookie
(HttpOnly, SameSite=Lax, path /take) that holds it, then redirects to /take: the token
leaves the address bar, the history and every Referer. The link keeps working, so the
candidate can open it again on another device. Every form carries a check derived from
the token, so no other site can post on the candidate's behalf.

Without JavaScript the questions are one form: "Save answers" saves every answer at once
and "Review and submit" saves them and lists the unanswered ones before the final submit.
With JavaScript (static/take.js) the same form shows one question at a time, saves each
answer while the candidate types and when they leave it (``POST /take/answers/<n>``,
JSON), keeps a copy in the browser until the server has it, measures the time spent on
each question, counts down a time limit and, when time runs out, sends what was typed
with the submission (``action=timeout``).
"""

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from marshmallow import ValidationError
from werkzeug.exceptions import TooManyRequests

from quizsvc import limits, links
from quizsvc.db import db, unit_of_work
from quizsvc.errors import Conflict, Forbidden, ServiceError
from quizsvc.grading import grading
from quizsvc.schemas.attempt import AnswerInSchema, MAX_TIME_SPENT
from quizsvc.schemas.score import MAX_ANSWER
from quizsvc.services import attempts, practice
from quizsvc.services.attempt_views import candidate_view, shows_feedback_now
from quizsvc.web.pages import check_matches, error_page, form_check

bp = Blueprint("take", __name__, url_prefix="/take")

COOKIE = "quizsvc_take"
CHECK = "take-form"
NOTICES = {
    "started": lazy_gettext("The clock is running. Your answers are saved as you go."),
    "saved": lazy_gettext("Your answers are saved."),
    "closed": lazy_gettext("Answers can no longer change: the attempt was already submitted."),
}


def page_token() -> str:
    """The token of the page's session (the cookie); the link's token only ever reaches ``page``."""
    return request.cookies.get(COOKIE, "")


def set_session(response, token: str):
    response.set_cookie(COOKIE, token, httponly=True, samesite="Lax", secure=request.is_secure, path=bp.url_prefix)
    return response


def _denied(error: ServiceError):
    return render_template("take/denied.html", message=error.message), error.status


def _attempt():
    return attempts.get_by_id(db.session, attempt_id=links.attempt_for_token(db.session, page_token()))


def _back(notice: str | None = None, endpoint: str = "take.page"):
    return redirect(url_for(endpoint, n=notice), code=303)


def _context(attempt, **extra) -> dict:
    view = candidate_view(attempt)
    return {
        "attempt": view,
        "practice": attempt.practice,
        "check": form_check(page_token(), CHECK),
        "notice": NOTICES.get(request.args.get("n", "")),
        "max_answer": MAX_ANSWER,
        **extra,
    }


@bp.get("")
def page():
    if "token" in request.args:
        return _exchange(request.args["token"])
    try:
        attempt = _attempt()
    except ServiceError as error:
        return _denied(error)
    return _render(attempt)


def _render(attempt, *, typed: dict[int, str] | None = None, problem: str | None = None, status: int = 200):
    context = _context(attempt)
    state = context["attempt"]["status"]
    if state == "invited":
        return render_template("take/intro.html", **context)
    if state == "started":
        feedback = {}
        if shows_feedback_now(attempt):
            answered = [item for item in attempt.questions if item.response is not None and item.response.answer]
            feedback = dict(zip([i.position for i in answered], grading.practice_all(db.session, items=answered)))
        return (
            render_template("take/questions.html", typed=typed or {}, problem=problem, feedback=feedback, **context),
            status,
        )
    if state in ("submitted", "graded"):
        return render_template("take/done.html", **context)
    return render_template("take/closed.html", **context)


def _exchange(token: str):
    """The link's token becomes the page's cookie, and the address loses it."""
    try:
        links.attempt_for_token(db.session, token)
    except ServiceError as error:
        return _denied(error)
    return set_session(redirect(url_for("take.page"), code=303), token)


def _checked_attempt_id() -> int:
    attempt_id = links.attempt_for_token(db.session, page_token())
    if not check_matches(request.form.get("check"), page_token(), CHECK):
        raise Forbidden(gettext("This form does not belong to your quiz page; open your link again."))
    return attempt_id


def _act(action, notice: str | None = None, endpoint: str = "take.page", before=None):
    """Run one candidate action as a unit of work, then show the page again (post/redirect/get).
    ``before(attempt_id)`` runs first, outside the writer's transaction."""
    try:
        attempt_id = _checked_attempt_id()
        if before is not None:
            before(attempt_id)
        with unit_of_work(db.session):
            action(attempt_id)
    except Conflict:
        # Started twice, submitted twice, time ran out meanwhile: the page shows where it stands.
        return _back()
    except ServiceError as error:
        return _denied(error)
    return _back(notice, endpoint)


@bp.post("/start")
def start():
    return _act(lambda attempt_id: attempts.start(db.session, attempt_id=attempt_id), "started")


def _typed() -> tuple[dict[int, str], dict[int, int]]:
    """The answers (answer-<n>) and time spent (time-<n>, seconds) the form sends."""
    answers, times = {}, {}
    for name, value in request.form.items():
        kind, _, number = name.partition("-")
        if not number.isdigit():
            continue
        if kind == "answer":
            answers[int(number)] = value
        elif kind == "time" and value.isdigit():
            times[int(number)] = min(int(value), MAX_TIME_SPENT)
    return answers, times


def _cleaned(text: str) -> str:
    return AnswerInSchema().load({"answer": text})["answer"]


def _changes(attempt, cleaned: dict[int, str], times: dict[int, int]) -> dict[int, tuple[str, int | None]]:
    """The answers (and times) that differ from what is stored; positions the attempt lacks are ignored."""
    stored = {item.position: item.response for item in attempt.questions}
    changed = {}
    for position, text in cleaned.items():
        if position not in stored:
            continue
        response = stored[position]
        before = (response.answer, response.time_spent_seconds) if response is not None else ("", 0)
        if (text, times.get(position, before[1])) != before:
            changed[position] = (text, times.get(position))
    return changed


@bp.post("/save")
def save_all():
    """The questions form: save what changed; then stay, review, or (time is up) submit."""
    action = request.form.get("action", "save")
    try:
        attempt_id = _checked_attempt_id()
        answers, times = _typed()
        try:
            cleaned = {position: _cleaned(text) for position, text in answers.items()}
        except ValidationError:
            # Too long (a browser without maxlength): shown again as typed, nothing lost.
            problem = gettext("An answer is longer than %(max)s characters; shorten it and save again.", max=MAX_ANSWER)
            return _render(_attempt(), typed=answers, problem=problem, status=422)
        if action == "timeout":
            grading.before_submit(attempt_id)  # the answers saved before; those changed now are graded below
        with unit_of_work(db.session):
            attempt = attempts.get_by_id(db.session, attempt_id=attempt_id)
            changed = _changes(attempt, cleaned, times)
            if changed:
                # Past the deadline this is refused (Conflict): the page then says answers are final.
                attempts.save_answers(db.session, attempt_id=attempt_id, answers=changed)
            if action == "timeout":
                attempts.submit(db.session, attempt_id=attempt_id, grading=grading)
    except Conflict:
        return _back("closed")
    except ServiceError as error:
        return _denied(error)
    if action == "review":
        return redirect(url_for("take.review"), code=303)
    return _back(None if action == "timeout" else "saved")


@bp.post("/answers/<id:position>")
def save_one(position: int):
    """One answer, saved by the page's script; JSON. ``feedback=1`` then grades it where the quiz
    shows feedback after each answer (practice: within QUIZSVC_RATELIMIT_PRACTICE per address)."""
    try:
        attempt_id = _checked_attempt_id()
        text = _cleaned(request.form.get("answer", ""))
        seconds = request.form.get("time", "")
        spent = min(int(seconds), MAX_TIME_SPENT) if seconds.isdigit() else None
        with unit_of_work(db.session):
            [item] = attempts.save_answers(db.session, attempt_id=attempt_id, answers={position: (text, spent)})
            saved_at = item.response.updated_at
    except ValidationError:
        return jsonify(message=gettext("Longer than %(max)s characters: not saved.", max=MAX_ANSWER)), 422
    except Conflict:
        return jsonify(message=gettext("Time is up: answers can no longer change."), closed=True), 409
    except ServiceError as error:
        return jsonify(message=error.message), error.status
    body = {"position": position, "saved_at": saved_at.isoformat()}
    if request.form.get("feedback") == "1" and text.strip():
        # After the save has committed: a refused grading never loses the answer.
        item = attempts.question_at(attempts.get_by_id(db.session, attempt_id=attempt_id), position)
        if shows_feedback_now(item.attempt):
            try:
                with limits.practice(item.attempt.practice):
                    [result] = grading.practice_all(db.session, items=[item])
            except TooManyRequests:
                body["feedback_message"] = gettext("Saved. Feedback is paused for a minute: too many checks.")
            else:
                body["feedback_html"] = render_template("take/_result.html", result=result)
    return jsonify(body)


@bp.get("/review")
def review():
    try:
        attempt = _attempt()
    except ServiceError as error:
        return _denied(error)
    context = _context(attempt)
    if context["attempt"]["status"] != "started":
        return _render(attempt)
    unanswered = [q for q in context["attempt"]["questions"] if not (q["answer"] or "").strip()]
    return render_template("take/review.html", unanswered=unanswered, **context)


@bp.post("/submit")
def submit():
    return _act(
        lambda attempt_id: attempts.submit(db.session, attempt_id=attempt_id, grading=grading),
        before=grading.before_submit,
    )


@bp.post("/retry")
def retry():
    """A practice visitor's next try: a new attempt, and the page's cookie moves to it."""
    try:
        attempt_id = _checked_attempt_id()
        with limits.practice(True), unit_of_work(db.session):
            _, token = practice.retry(db.session, attempt_id=attempt_id)
    except ServiceError as error:
        return error_page(error.status, error.message)
    return set_session(redirect(url_for("take.page", n="started"), code=303), token)
