"""The reviewer console (/console): quizzes, attempts, answers with the grader's evidence,
overrides, regrades, cohort and progress pages, the review queue.

Signing in: an API key, exchanged for a session cookie, or a one-time login link printed
by ``quizsvc login-link`` (services.logins). The cookie (``quizsvc_console``: HttpOnly,
SameSite=Lax, path /console, Secure over HTTPS) holds a signed, expiring statement of who
signed in (quizsvc.links; QUIZSVC_CONSOLE_SESSION_HOURS), never a key. A session of an API
key ends when the key is revoked; its role is read again on every request. Every form
carries a check derived from the cookie (pages.form_check), so no other site can post one.
Roles are the API's: viewers read, recruiters create quizzes, invite, cancel and override,
admins regrade.
"""

from functools import wraps
from urllib.parse import urlencode

from flask import Blueprint, Flask, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext

from quizsvc import links
from quizsvc.api.auth import Principal
from quizsvc.db import db, unit_of_work
from quizsvc.errors import Forbidden, ServiceError, Unauthorized
from quizsvc.services import accounts, logins
from quizsvc.services.attempts import effective_status
from quizsvc.services.logins import Reviewer
from quizsvc.web.pages import check_matches, error_page, form_check, safe_next

bp = Blueprint("console", __name__, url_prefix="/console")

COOKIE = "quizsvc_console"
SESSION = "console"
CHECK = "console-form"


def _cookie() -> str:
    return request.cookies.get(COOKIE, "")


def _reviewer() -> Reviewer:
    hours = current_app.config["QUIZSVC_CONSOLE_SESSION_HOURS"]
    payload = links.verify(SESSION, _cookie(), max_age=hours * 3600)
    try:
        found = Reviewer(**payload)
    except TypeError:  # signed by another version of this statement: sign in again
        raise Unauthorized("Sign in again.") from None
    return logins.still_valid(db.session, found)


def reviewer() -> Reviewer:
    return g.reviewer


def can(role: str) -> bool:
    return accounts.role_allows(g.reviewer.role, role)


def signed_in(role: str = "viewer"):
    """The view needs a signed-in reviewer with at least ``role``; forms must carry their check."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            try:
                found = _reviewer() if _cookie() else None
            except Unauthorized:
                found = None
            if found is None:
                return redirect(url_for("console.signin", next=request.full_path.rstrip("?")), code=303)
            g.reviewer = found
            organisation = accounts.organisation_of(db.session, organisation_id=found.organisation_id)
            # The API's principal, so that audit entries name the reviewer as API calls name their key.
            g.principal = Principal(
                organisation_id=found.organisation_id,
                organisation_name=organisation.name,
                key_id=found.key_id,
                role=found.role,
                key_name=found.name,
            )
            if request.method == "POST" and not check_matches(request.form.get("csrf"), _cookie(), CHECK):
                return error_page(403, gettext("This form is not from your console session; reload the page."))
            if not can(role):
                return error_page(403, gettext("This needs the %(role)s role.", role=role))
            return view(*args, **kwargs)

        return wrapper

    return decorator


def act(work, *, back: str):
    """Run a console action as one unit of work, then go ``back`` (post/redirect/get); a refused
    action is shown on the page it came from."""
    try:
        with unit_of_work(db.session):
            notice = work()
    except ServiceError as error:
        return redirect(back_with(back, error=error.message), code=303)
    return redirect(back_with(back, notice=notice), code=303)


def back_with(url: str, **params) -> str:
    """``url`` with ``params`` added to its query (before any #fragment)."""
    path, hash_mark, fragment = url.partition("#")
    params = {k: v for k, v in params.items() if v}
    if params:
        path += ("&" if "?" in path else "?") + urlencode(params)
    return path + hash_mark + fragment


def _start_session(found: Reviewer, target: str):
    response = redirect(safe_next(target, url_for("console.quizzes_page")), code=303)
    value = links.sign(SESSION, {k: v for k, v in found.__dict__.items()})
    hours = current_app.config["QUIZSVC_CONSOLE_SESSION_HOURS"]
    response.set_cookie(
        COOKIE, value, max_age=hours * 3600, httponly=True, samesite="Lax", secure=request.is_secure, path=bp.url_prefix
    )
    return response


@bp.route("/signin", methods=["GET", "POST"])
def signin():
    target = request.values.get("next", "")
    if request.method == "POST":
        try:
            with unit_of_work(db.session):
                found = logins.with_key(db.session, plaintext=request.form.get("key", ""))
        except ServiceError:
            # A 401: it counts against QUIZSVC_RATELIMIT_AUTH_FAILURES like a wrong key on the API.
            problem = gettext("That API key is not valid.")
            return render_template("console/signin.html", next=target, problem=problem), 401
        return _start_session(found, target)
    return render_template("console/signin.html", next=target, problem=None)


@bp.route("/signin/<token>", methods=["GET", "POST"])
def signin_link(token: str):
    """A login link: GET asks (mail scanners follow links), POST uses it, once."""
    if request.method == "GET":
        try:
            link = logins.peek(db.session, token=token)
        except ServiceError as error:
            return error_page(error.status, error.message, title=gettext("This login link does not work"))
        return render_template("console/signin_link.html", link=link)
    try:
        with unit_of_work(db.session):
            found = logins.redeem(db.session, token=token)
    except ServiceError as error:
        return error_page(error.status, error.message, title=gettext("This login link does not work"))
    return _start_session(found, "")


@bp.post("/signout")
def signout():
    response = redirect(url_for("console.signin"), code=303)
    if check_matches(request.form.get("csrf"), _cookie(), CHECK):
        response.delete_cookie(COOKIE, path=bp.url_prefix)
    return response


@bp.get("")
def home():
    return redirect(url_for("console.quizzes_page"), code=303)


def _context() -> dict:
    if not request.path.startswith(bp.url_prefix) or "reviewer" not in g:
        return {}
    return {
        "reviewer": g.reviewer,
        "csrf": form_check(_cookie(), CHECK),
        "can": can,
        "flat": flat,
        "attempt_status": effective_status,
    }


def flat(messages) -> str:
    """Validation messages (lists, nested dicts) as one line."""
    if isinstance(messages, dict):
        return "; ".join(f"{key}: {flat(value)}" if key != "_schema" else flat(value) for key, value in messages.items())
    if isinstance(messages, (list, tuple)):
        return " ".join(flat(m) for m in messages)
    return str(messages)


def init_app(app: Flask) -> None:
    from quizsvc.web.console import attempts, quizzes  # noqa: F401 - their views join the blueprint

    app.register_blueprint(bp)
    app.context_processor(_context)


def forbid_unless(role: str) -> None:
    if not can(role):
        raise Forbidden(gettext("This needs the %(role)s role.", role=role))
