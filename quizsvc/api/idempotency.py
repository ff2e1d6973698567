"""``@mutation``: every mutating view commits here, once, and honours ``Idempotency-Key``.

A retry with the same key and the same request gets the first response again (with
``Idempotent-Replayed: true``); the same key with another request is a 422. Failed calls
(errors) are not recorded: retrying them runs them again. Secrets in a response (a
candidate's token and link, a webhook secret) are never kept: a replay comes without them.
"""

import json
from functools import wraps

from flask import Response, g, request
from flask_smorest import Blueprint
from sqlalchemy.exc import IntegrityError

from quizsvc.db import begin_write, db
from quizsvc.errors import ServiceError
from quizsvc.services import idempotency

HEADER = "Idempotency-Key"
MAX_KEY = 255
# Response fields that are secrets: shown once, never stored for a replay.
SECRET_FIELDS = frozenset({"token", "link", "secret"})


def without_secrets(value):
    if isinstance(value, dict):
        return {k: without_secrets(v) for k, v in value.items() if k not in SECRET_FIELDS}
    if isinstance(value, list):
        return [without_secrets(v) for v in value]
    return value


def _stored_body(response) -> str:
    if not response.is_json:
        return response.get_data(as_text=True)
    return json.dumps(without_secrets(response.get_json()), ensure_ascii=False)


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
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise BadIdempotencyKey(f"{HEADER} must be 1-{MAX_KEY} printable characters.")
    return key


def _begin(key: str):
    fingerprint = idempotency.fingerprint(
        method=request.method,
        path=request.path,
        query=request.query_string.decode("latin-1"),
        body=request.get_data(cache=True),
    )
    try:
        return idempotency.begin(db.session, scope=_scope(), key=key, fingerprint=fingerprint)
    except IntegrityError:
        # A concurrent call with the same key inserted first and has finished: read its record.
        db.session.rollback()
        begin_write(db.session)
        return idempotency.begin(db.session, scope=_scope(), key=key, fingerprint=fingerprint)


def _replay(record) -> Response:
    response = Response(record.body, status=record.status_code, content_type=record.content_type)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def mutation(view):
    """Run a mutating view as one unit of work: writer transaction, idempotency, one commit."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        session = db.session
        begin_write(session)
        key = _key()
        record = _begin(key) if key is not None else None
        if record is not None and record.status_code is not None:
            session.rollback()
            return _replay(record)
        # Read now: after a rollback, reading it would open a new transaction.
        record_id = record.id if record is not None else None
        try:
            response = view(*args, **kwargs)
            if record is not None:
                idempotency.complete(
                    session,
                    record,
                    status_code=response.status_code,
                    content_type=response.content_type,
                    body=_stored_body(response),
                )
            session.commit()
        except Exception:
            session.rollback()
            if record_id is not None:
                idempotency.forget(db.sessionmaker(), record_id=record_id)
            raise
        return response

    header = {
        "in": "header",
        "name": HEADER,
        "required": False,
        "schema": {"type": "string", "maxLength": MAX_KEY},
        "description": "Retries with the same key get the first response again (kept 24 hours).",
    }
    return Blueprint.doc(parameters=[header], responses={"400": "BAD_REQUEST", "409": "CONFLICT"})(wrapper)
