"""What every page shares: security headers, the stylesheet and scripts, the language
switch, form checks, and error pages.

Every response under a page path carries the same headers: a Content-Security-Policy that
lets a page load only this origin's own scripts, styles and images (no inline script or
style at all), post forms only here and be framed by no one; no caching, no referrer.
Static files are served from /assets with a content hash in their URL, so a browser keeps
them as long as they do not change, and gzipped for a browser that takes it (they hold no
secret; pages themselves are sent as they are, since compressing a page that carries a
form check beside text a visitor chose is what BREACH-style attacks need).
"""

import gzip
import hashlib
import hmac
import mimetypes
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from quizsvc import i18n
from quizsvc.errors import ServiceError
from quizsvc.reports.highlight import highlight, spans

PAGE_PREFIXES = ("/take", "/practice", "/console", "/lang")
ASSETS = Path(__file__).resolve().parent / "static"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
# A year: the URL changes with the content, so a cached copy is never stale.
ASSET_MAX_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_DAYS = 365

bp = Blueprint("pages", __name__, template_folder="templates")


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    version: str
    mimetype: str


@cache
def _asset(name: str) -> Asset | None:
    """A file of static/ (read once per process), or None for any name that is not one."""
    if name not in {path.name for path in ASSETS.iterdir() if path.is_file()}:
        return None
    body = (ASSETS / name).read_bytes()
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Asset(body, gzip.compress(body, 9, mtime=0), hashlib.sha256(body).hexdigest()[:12], mimetype)


def asset_url(name: str) -> str:
    return url_for("pages.asset", name=name, v=_asset(name).version)


@bp.get("/assets/<name>")
def asset(name: str):
    found = _asset(name)
    if found is None:
        abort(404)
    compressed = "gzip" in request.headers.get("Accept-Encoding", "")
    response = current_app.response_class(found.gzipped if compressed else found.body, mimetype=found.mimetype)
    if compressed:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.set_etag(found.version)
    return response.make_conditional(request)


def form_check(secret: str, purpose: str) -> str:
    """The value a page's forms carry to prove they came from the page: derived from the
    page's session secret (an HttpOnly cookie), which another site can neither read nor send."""
    key = current_app.config["QUIZSVC_SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}:{secret}".encode(), hashlib.sha256).hexdigest()


def check_matches(sent: str | None, secret: str, purpose: str) -> bool:
    return bool(secret) and hmac.compare_digest(sent or "", form_check(secret, purpose))


def safe_next(target: str | None, default: str) -> str:
    """A path on this site to go back to; anything else (another host, a scheme) is the default."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


@bp.get("/lang/<code>")
def switch_language(code: str):
    """Remember the visitor's language and go back to the page they were on."""
    back = redirect(safe_next(request.args.get("next"), "/take"), code=303)
    if code in i18n.LANGUAGES:
        back.set_cookie(
            i18n.COOKIE,
            code,
            max_age=LANGUAGE_COOKIE_DAYS * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return back


def _switch_url(code: str) -> str:
    here = request.full_path.rstrip("?") if request.method == "GET" else request.path
    return url_for("pages.switch_language", code=code, next=here)


def _context() -> dict:
    if not request.path.startswith(PAGE_PREFIXES):
        return {}
    current = i18n.page_language()
    return {
        "asset_url": asset_url,
        "page_lang": current,
        "languages": [(code, i18n.NATIVE_NAMES[code]) for code in i18n.LANGUAGES],
        "switch_url": _switch_url,
    }


def is_page(path: str) -> bool:
    return path.startswith(PAGE_PREFIXES)


def error_page(status: int, message: str, *, title: str | None = None):
    return render_template("error.html", status=status, message=message, title=title), status


def _page_error(error: HTTPException | ServiceError):
    """The app's error handlers hand page paths here: a page, not the API's JSON envelope."""
    if isinstance(error, ServiceError):
        return error_page(error.status, error.message)
    body, status = error_page(error.code, error.description)
    response = current_app.make_response((body, status))
    # What the error says besides its text: Allow on a 405, Retry-After on a 429.
    for name, value in error.get_headers():
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response


def _secure(response):
    if is_page(request.path):
        response.headers.update(SECURITY_HEADERS)
    elif request.path.startswith("/assets/"):
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = f"public, max-age={ASSET_MAX_AGE}, immutable"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.context_processor(_context)
    # The reports' highlighting of the grader's evidence, for the console's answers too.
    app.jinja_env.filters.update(highlight=highlight, evidence=spans)
    # Block tags leave no blank lines behind: a 20-question page is a few kB lighter.
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.after_request(_secure)
    app.extensions["quizsvc.page_errors"] = (is_page, _page_error)
