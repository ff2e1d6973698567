"""Rate limits (Flask-Limiter): per API key, per candidate token, per client address for failed authentication.

``init_app(app)`` gives the app its own limiter (``limiter(app)``). Each limit is a
setting (``QUIZSVC_RATELIMIT_*``, in the notation of the ``limits`` package; empty turns it
off) and one shared bucket per caller across every /api and /take route. Counts live in
memory (per process) unless ``QUIZSVC_RATELIMIT_STORAGE_URI`` names a shared store such as
Redis, which every worker and machine then shares; if that store is down, each process
counts in memory until it is back. A refused request is a 429 in the error envelope with
``Retry-After`` and ``X-RateLimit-*`` headers. Buckets are named by hashes: no credential
is ever written to the store.

Other parts add their own limits with ``limit(app, blueprint, setting, key=..., what=...)``
(a practice page, a partner adapter): the same store, headers and envelope.
"""

import base64
import binascii
import hashlib

from flask import Blueprint, Flask, current_app, request
from flask_limiter import ApplicationLimit, Limiter

from quizsvc.links import INVITATION_PREFIX
from quizsvc.services.accounts import KEY_PREFIX
from quizsvc.services.attempts import TOKEN_PREFIX
from quizsvc.web import COOKIE as TAKE_COOKIE

LIMITED_PATHS = ("/api/", "/take")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:32]


def _bearer() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _basic_user() -> str:
    # The assessment-partner endpoints take the key as HTTP Basic's user name.
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        return base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")[0]
    except (binascii.Error, UnicodeDecodeError):
        return ""


def api_key() -> str:
    """The bucket of the API key the request carries ("": none, the limit does not apply)."""
    token = _bearer() or _basic_user()
    return f"key:{_digest(token)}" if token and not token.startswith((TOKEN_PREFIX, INVITATION_PREFIX)) else ""


def candidate_token() -> str:
    """The bucket of the candidate token: a bearer, the link's ?token= or the page's cookie."""
    bearer = _bearer()
    token = bearer if bearer.startswith((TOKEN_PREFIX, INVITATION_PREFIX)) else ""
    token = token or request.args.get("token", "") or request.cookies.get(TAKE_COOKIE, "")
    return f"candidate:{_digest(token)}" if token and not token.startswith(KEY_PREFIX) else ""


def client_address() -> str:
    # Behind QUIZSVC_PROXY_COUNT proxies, ProxyFix has already put the client's own address here.
    return f"address:{request.remote_addr or 'unknown'}"


def _setting(name: str):
    return lambda: current_app.config[name]


def _message(what: str) -> str:
    return f"Too many {what}; retry after the time in Retry-After."


def _per(setting: str, key, what: str, **options) -> ApplicationLimit:
    """One shared bucket per value of ``key`` across every /api and /take route.

    A request without that credential is outside the limit (rather than in one bucket with
    an empty name); other paths (health, docs, other parts' pages) have limits of their own.
    """
    return ApplicationLimit(
        _setting(setting),
        key_function=key,
        scope=setting.removeprefix("QUIZSVC_RATELIMIT_").lower(),
        exempt_when=lambda: not request.path.startswith(LIMITED_PATHS) or not key(),
        error_message=_message(what),
        **options,
    )


def _unauthenticated(response) -> bool:
    return response.status_code == 401


def init_app(app: Flask) -> None:
    config = app.config
    prefix = config["QUIZSVC_RATELIMIT_KEY_PREFIX"]
    uri = config["QUIZSVC_RATELIMIT_STORAGE_URI"]
    # Redis's own key prefix too, so that clearing this limiter's counts never touches another's.
    options = {"key_prefix": prefix} if uri.startswith(("redis", "valkey")) else {}
    limiter = Limiter(
        key_func=client_address,
        application_limits=[
            _per("QUIZSVC_RATELIMIT_API_KEY", api_key, "requests with this API key"),
            _per("QUIZSVC_RATELIMIT_CANDIDATE", candidate_token, "requests with this candidate token"),
            # Counted on failures only; once over, every request from the address waits.
            _per(
                "QUIZSVC_RATELIMIT_AUTH_FAILURES",
                client_address,
                "failed authentications from this address",
                deduct_when=_unauthenticated,
            ),
        ],
        storage_uri=uri,
        storage_options=options,
        key_prefix=prefix,
        headers_enabled=True,
        in_memory_fallback_enabled=True,
    )
    limiter.init_app(app)
    app.extensions["quizsvc.limits"] = limiter


def limiter(app: Flask | None = None) -> Limiter:
    return (app or current_app).extensions["quizsvc.limits"]


def limit(app: Flask, blueprint: Blueprint, setting: str, *, key, what: str) -> None:
    """Limit every route of ``blueprint`` by the setting ``setting``, one bucket per ``key()``.

    For a part with its own budget (a practice page, a partner adapter); call it from that
    part's ``init_app``, after registering the blueprint. ``what`` names what was counted in
    the 429's message ("answers from this visitor").
    """
    scope = setting.removeprefix("QUIZSVC_RATELIMIT_").lower()
    limiter(app).shared_limit(_setting(setting), scope, key_func=key, error_message=_message(what))(blueprint)


def reset(app: Flask) -> None:
    """Forget every count (tests; an operator after an incident)."""
    limiter(app).reset()
