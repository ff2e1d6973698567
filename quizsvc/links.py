"""Signed links: a report that opens in a browser without an API key, an invitation link
that emails carry. Built once here with itsdangerous; reviewer pages reuse it.

- ``sign(purpose, payload) -> str`` and ``verify(purpose, token, max_age) -> payload``: the
  purpose is the salt, so a token made for one use opens nothing else.
- ``report_url(attempt_id, organisation_id)``: the absolute signed report URL handed to
  platforms (``report_url`` in events, ``partner_profile_url``), valid
  QUIZSVC_REPORT_LINK_HOURS.
- ``invitation_token(attempt_id, token_hash)``: what an invitation email carries instead of
  the candidate's token (which is never stored); it opens the attempt while the attempt's
  token is unchanged.

The key is QUIZSVC_SECRET_KEY; without it (development) a key is generated once into the
instance folder, so web processes and consumers on one machine agree.
"""

import os
import secrets
from pathlib import Path

from flask import Flask, current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from quizsvc.errors import NotFound, Unauthorized
from quizsvc.services import attempts

REPORT = "report"
INVITATION = "invitation"
# Marks an invitation-link token apart from an attempt token (qza_).
INVITATION_PREFIX = "qzl_"


def init_app(app: Flask) -> None:
    key = app.config.get("QUIZSVC_SECRET_KEY") or _instance_key(Path(app.instance_path) / "secret.key")
    app.config["QUIZSVC_SECRET_KEY"] = key
    app.secret_key = key


def _instance_key(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process wrote it first: use theirs
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["QUIZSVC_SECRET_KEY"], salt=f"quizsvc.{purpose}")


def sign(purpose: str, payload: dict) -> str:
    return _serializer(purpose).dumps(payload)


def verify(purpose: str, token: str, *, max_age: int | None) -> dict:
    """The payload; Unauthorized when the token is forged, damaged or older than ``max_age`` seconds."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise Unauthorized("This link has expired; ask for a new one.") from None
    except BadSignature:
        raise Unauthorized("This link is not valid.") from None


def base_url() -> str:
    """Where links point: QUIZSVC_PUBLIC_URL; in a request its host; in a consumer QUIZSVC_BIND."""
    configured = current_app.config.get("QUIZSVC_PUBLIC_URL")
    if configured:
        return configured.rstrip("/")
    from flask import has_request_context, request

    if has_request_context():
        return request.host_url.rstrip("/")
    return "http://" + os.environ.get("QUIZSVC_BIND", "127.0.0.1:8000")


def external_url(endpoint: str, **values) -> str:
    """An absolute URL to ``endpoint`` on base_url(), in or out of a request."""
    if current_app.config.get("QUIZSVC_PUBLIC_URL") is None:
        from flask import has_request_context

        if has_request_context():
            return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=base_url()):
        return url_for(endpoint, _external=True, **values)


def report_token(*, attempt_id: int, organisation_id: int) -> str:
    return sign(REPORT, {"a": attempt_id, "o": organisation_id})


def report_url(*, attempt_id: int, organisation_id: int, format: str = "html") -> str:
    token = report_token(attempt_id=attempt_id, organisation_id=organisation_id)
    values = {} if format == "html" else {"format": format}
    return external_url("reports.SharedReport", token=token, **values)


def open_report(token: str) -> tuple[int, int]:
    """(organisation_id, attempt_id) a report token opens; NotFound when it is not valid."""
    try:
        payload = verify(REPORT, token, max_age=current_app.config["QUIZSVC_REPORT_LINK_HOURS"] * 3600)
    except Unauthorized as error:
        # A wrong or stale link to a resource reads as "not found": it says nothing either way.
        raise NotFound(error.message) from None
    return payload["o"], payload["a"]


def invitation_token(*, attempt_id: int, token_hash: str) -> str:
    # A prefix of the hash binds the link to the current token: issuing a new token voids it.
    return INVITATION_PREFIX + sign(INVITATION, {"a": attempt_id, "h": token_hash[:16]})


def invitation_attempt(token: str) -> tuple[int, str]:
    """(attempt_id, token hash prefix) of an invitation link; the caller checks the prefix."""
    payload = verify(INVITATION, token[len(INVITATION_PREFIX) :], max_age=None)
    return payload["a"], payload["h"]


def attempt_for_token(session, token: str | None) -> int:
    """The attempt a candidate's token opens: an attempt token (qza_) or an invitation link's (qzl_)."""
    if token and token.startswith(INVITATION_PREFIX):
        attempt_id, hash_prefix = invitation_attempt(token)
        return attempts.id_for_invitation(session, attempt_id=attempt_id, hash_prefix=hash_prefix)
    return attempts.id_for_token(session, token=token)
