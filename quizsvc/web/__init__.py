"""Server-rendered pages: the candidate's page behind the link an invitation hands out.

Plain HTML forms (no scripts): each action posts, then redirects back to the page
(post/redirect/get), so a reload never repeats an action. The token travels in the link
and in each form, exactly as the candidate API takes it; it reaches this one attempt.
"""

from flask import Blueprint, Flask, redirect, render_template, request, url_for

from quizsvc import links
from quizsvc.db import begin_write, db
from quizsvc.errors import ServiceError
from quizsvc.grading import grading
from quizsvc.schemas.score import MAX_ANSWER
from quizsvc.services import attempts
from quizsvc.services.attempt_views import candidate_view

bp = Blueprint("take", __name__, url_prefix="/take", template_folder="templates")


def _token() -> str:
    return request.values.get("token", "")


def _back(notice: str | None = None, anchor: str | None = None):
    return redirect(url_for("take.page", token=_token(), notice=notice, _anchor=anchor), code=303)


@bp.get("")
def page():
    try:
        attempt = attempts.get_by_id(db.session, attempt_id=links.attempt_for_token(db.session, _token()))
    except ServiceError as error:
        return render_template("take_denied.html", message=error.message), error.status
    view = candidate_view(attempt)
    return render_template(
        "take.html", attempt=view, token=_token(), notice=request.args.get("notice"), max_answer=MAX_ANSWER
    )


def _act(action, anchor: str | None = None):
    """Run one candidate action as a unit of work; a refused action becomes the page's notice."""
    try:
        attempt_id = links.attempt_for_token(db.session, _token())
        begin_write(db.session)
        notice = action(attempt_id)
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        if error.status == 401:
            return render_template("take_denied.html", message=error.message), 401
        return _back(error.message, anchor)
    return _back(notice, anchor)


@bp.post("/start")
def start():
    def run(attempt_id):
        attempts.start(db.session, attempt_id=attempt_id)
        return "Started: save each answer as you go, then submit."

    return _act(run)


@bp.post("/answers/<int:position>")
def answer(position):
    text = request.form.get("answer", "")
    if len(text) > MAX_ANSWER:
        return _back(f"Answer {position} is longer than {MAX_ANSWER} characters; it was not saved.", f"q{position}")

    def save(attempt_id):
        attempts.save_answer(db.session, attempt_id=attempt_id, position=position, answer=text)
        return f"Answer {position} saved."

    return _act(save, f"q{position}")


@bp.post("/submit")
def submit():
    def run(attempt_id):
        attempt = attempts.submit(db.session, attempt_id=attempt_id)
        db.session.commit()  # the submission stands even if grading fails; the sweeper grades it then
        begin_write(db.session)
        grading.grade_submitted(db.session, attempt_id=attempt_id, organisation_id=attempt.organisation_id)
        return "Submitted. Thank you."

    return _act(run)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
