"""``@mutation``: every mutating view runs as one unit of work and honours ``Idempotency-Key``.

A retry with the same key and the same request gets the first response again (with
``Idempotent-Replayed: true``); the same key with another request is a 422. Failed calls
(errors) are not recorded: retrying them runs them again. Secrets in a response (a
candidate's token and link, a new API key, a webhook secret: the fields marked ``x-secret``
in the schemas) are never kept: a replay comes without them.
"""

import re
from functools import wraps

from flask import Response, current_app, g, request
from flask_smorest import Blueprint
from sqlalchemy.exc import IntegrityError

from quizsvc.db import begin_write, db, unit_of_work
from quizsvc.errors import ServiceError
from quizsvc.services import idempotency

HEADER = "Idempotency-Key"
MAX_KEY = 255
# Visible ASCII, no spaces: what UUIDs, ULIDs and the usual key formats are made of.
KEY_PATTERN = "^[!-~]+$"
# Response fields that are secrets, at any depth: shown once, never stored for a replay. The
# schemas mark them ``x-secret`` (tests/api/test_idempotency.py keeps the two in step).
SECRET_FIELDS = frozenset({"token", "link", "key", "secret"})


def without_secrets(value):
    if isinstance(value, dict):
        return {k: without_secrets(v) for k, v in value.items() if k not in SECRET_FIELDS}
    if isinstance(value, list):
        return [without_secrets(v) for v in value]
    return value


def _stored_body(response) -> str:
    if not response.is_json:
        return response.get_data(as_text=True)
    return current_app.json.dumps(without_secrets(response.get_json()))


class BadIdempotencyKey(ServiceError):
    status = 400


def _scope() -> str:
    if "candidate_attempt_id" in g:
        return f"attempt:{g.candidate_attempt_id}"
    return f"org:{g.principal.organisation_id}"


def _key() -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if len(key) > MAX_KEY or not re.fullmatch(KEY_PATTERN, key):
        raise BadIdempotencyKey(f"{HEADER} must be 1-{MAX_KEY} visible ASCII characters (no spaces).")
    return key


def _begin(session, key: str):
    fingerprint = idempotency.fingerprint(
        method=request.method,
        path=request.path,
        query=request.query_string.decode("latin-1"),
        body=request.get_data(cache=True),
    )
    try:
        return idempotency.begin(session, scope=_scope(), key=key, fingerprint=fingerprint)
    except IntegrityError:
        # A concurrent call with the same key inserted first and has finished: read its record.
        session.rollback()
        begin_write(session)
        return idempotency.begin(session, scope=_scope(), key=key, fingerprint=fingerprint)


def _replay(record) -> Response:
    response = Response(record.body, status=record.status_code, content_type=record.content_type)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def mutation(view):
    """Run a mutating view as one unit of work: writer transaction, idempotency, one commit."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = _key()
        with unit_of_work(db.session) as session:
            record = _begin(session, key) if key is not None else None
            if record is not None and record.status_code is not None:
                return _replay(record)
            response = view(*args, **kwargs)
            if record is not None:
                idempotency.complete(
                    session,
                    record,
                    status_code=response.status_code,
                    content_type=response.content_type,
                    body=_stored_body(response),
                )
        return response

    header = {
        "in": "header",
        "name": HEADER,
        "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY, "pattern": KEY_PATTERN},
        "description": (
            f"1-{MAX_KEY} visible ASCII characters (no spaces), unique per request, e.g. a UUID. A retry with the "
            "same key and the same request gets the first response again (`Idempotent-Replayed: true`; kept 24 "
            "hours), without any secret it carried; while the first call runs, the retry waits for it. The same "
            "key with another request is a 422."
        ),
    }
    return Blueprint.doc(parameters=[header], responses={"400": "BAD_REQUEST", "409": "CONFLICT"})(wrapper)
