"""Server-rendered pages: the candidate's page behind the link an invitation hands out.

The link carries the attempt's token. Opening it exchanges the token for a cookie
(HttpOnly, SameSite=Lax, path /take) that holds it, then redirects to /take: the token
leaves the address bar, the history and every Referer. The link keeps working, so the
candidate can open it again on another device. Plain HTML forms (no scripts) post each
action, which runs as one unit of work, then redirect back (post/redirect/get). Each form
carries a check derived from the token, so no other site can post on the candidate's
behalf. Every /take response forbids caching, framing and referrers.
"""

import hashlib
import hmac

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from marshmallow import ValidationError

from quizsvc import links
from quizsvc.api.base import IdConverter
from quizsvc.db import db, unit_of_work
from quizsvc.errors import Forbidden, ServiceError
from quizsvc.grading import grading
from quizsvc.schemas.attempt import AnswerInSchema
from quizsvc.schemas.score import MAX_ANSWER
from quizsvc.services import attempts
from quizsvc.services.attempt_views import candidate_view

bp = Blueprint("take", __name__, url_prefix="/take", template_folder="templates")

COOKIE = "quizsvc_take"
SECURITY_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def page_token() -> str:
    """The token of the page's session (the cookie); the link's token only ever reaches ``page``."""
    return request.cookies.get(COOKIE, "")


def _form_check(token: str) -> str:
    return hashlib.sha256(b"take-form:" + token.encode()).hexdigest()


def _back(notice: str | None = None, anchor: str | None = None):
    return redirect(url_for("take.page", notice=notice, _anchor=anchor), code=303)


def _denied(error: ServiceError):
    return render_template("take_denied.html", message=error.message), error.status


@bp.get("")
def page():
    if "token" in request.args:
        return _exchange(request.args["token"])
    try:
        attempt = attempts.get_by_id(db.session, attempt_id=links.attempt_for_token(db.session, page_token()))
    except ServiceError as error:
        return _denied(error)
    return render_template(
        "take.html",
        attempt=candidate_view(attempt),
        check=_form_check(page_token()),
        notice=request.args.get("notice"),
        max_answer=MAX_ANSWER,
    )


def _exchange(token: str):
    """The link's token becomes the page's cookie, and the address loses it."""
    try:
        links.attempt_for_token(db.session, token)  # an attempt token, or an emailed link's
    except ServiceError as error:
        return _denied(error)
    response = redirect(url_for("take.page"), code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="Lax", secure=request.is_secure, path=bp.url_prefix)
    return response


def _act(action, anchor: str | None = None):
    """Run one candidate action as a unit of work; a refused action becomes the page's notice."""
    token = page_token()
    try:
        attempt_id = links.attempt_for_token(db.session, token)
        if not hmac.compare_digest(request.form.get("check", ""), _form_check(token)):
            raise Forbidden("This form does not belong to your quiz page; open your link again.")
        with unit_of_work(db.session):
            notice = action(attempt_id)
    except ServiceError as error:
        if error.status in (401, 403):
            return _denied(error)
        return _back(error.message, anchor)
    return _back(notice, anchor)


@bp.post("/start")
def start():
    def run(attempt_id):
        attempts.start(db.session, attempt_id=attempt_id)
        return "Started: save each answer as you go, then submit."

    return _act(run)


@bp.post("/answers/<id:position>")
def answer(position):
    try:
        text = AnswerInSchema().load({"answer": request.form.get("answer", "")})["answer"]
    except ValidationError as error:
        return _back(f"Answer {position} was not saved: {error.messages['answer'][0]}", f"q{position}")

    def save(attempt_id):
        attempts.save_answer(db.session, attempt_id=attempt_id, position=position, answer=text)
        return f"Answer {position} saved."

    return _act(save, f"q{position}")


@bp.post("/submit")
def submit():
    def run(attempt_id):
        attempts.submit(db.session, attempt_id=attempt_id, grading=grading)
        return "Submitted. Thank you."

    return _act(run)


def _secure(response):
    if request.path == bp.url_prefix or request.path.startswith(bp.url_prefix + "/"):
        response.headers.update(SECURITY_HEADERS)
    return response


def init_app(app: Flask) -> None:
    app.url_map.converters.setdefault("id", IdConverter)
    app.register_blueprint(bp)
    # On the app, not the blueprint: also the 404s and 405s under /take that no view answers.
    app.after_request(_secure)
