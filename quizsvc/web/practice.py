"""Open practice (/practice/<key>): the public link of a quiz a recruiter opened for practice.

Anyone who opens it sees what the quiz is; starting makes them an attempt of their own
(services.practice) and hands it to the candidate's page, which shows feedback after
each answer and offers another try at the end. Starting counts against
QUIZSVC_RATELIMIT_PRACTICE per client address, like each practice answer checked.
"""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext

from quizsvc import limits
from quizsvc.db import db, unit_of_work
from quizsvc.errors import ServiceError
from quizsvc.services import practice
from quizsvc.web.pages import error_page
from quizsvc.web.take import set_session

bp = Blueprint("practice", __name__, url_prefix="/practice")


def _same_site() -> bool:
    """A start posted from this site's own page: there is no session yet to derive a form check from,
    so the browser's own word on where the form came from decides (Sec-Fetch-Site, else Origin)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return origin is None or origin == request.host_url.rstrip("/")


@bp.get("/<key>")
def intro(key: str):
    try:
        quiz = practice.quiz_for_key(db.session, key=key)
    except ServiceError as error:
        return error_page(error.status, gettext("This practice link is not open."))
    return render_template("practice/intro.html", quiz=quiz, key=key, count=practice.question_count(quiz))


@bp.post("/<key>/start")
def start(key: str):
    if not _same_site():
        return error_page(403, gettext("Start practising from the practice page itself."))
    try:
        with limits.practice(), unit_of_work(db.session):
            _, token = practice.start(db.session, key=key)
    except ServiceError as error:
        return error_page(error.status, gettext("This practice link is not open."))
    return set_session(redirect(url_for("take.page", n="started"), code=303), token)
