"""API keys: every /api/v1 view declares the role it needs with ``@requires``.

Keys come as ``Authorization: Bearer <key>``; the assessment-partner endpoints take them
as HTTP Basic (the key as the user name, the password empty), as those platforms send them.
"""

import base64
import binascii
from dataclasses import dataclass
from functools import wraps

from flask import g, request
from flask_smorest import Blueprint

from quizsvc import links
from quizsvc.db import db
from quizsvc.services import accounts, audit


@dataclass(frozen=True)
class Principal:
    organisation_id: int
    organisation_name: str
    key_id: int
    role: str
    key_name: str = ""


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def _basic_user() -> str | None:
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, _ = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user or None


def requires(role: str, *, basic: bool = False):
    """Authenticate the request's key and check it has at least ``role``; ``basic``: HTTP Basic."""

    def decorator(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            plaintext = _basic_user() if basic else _bearer_token()
            key = accounts.authenticate(db.session, plaintext=plaintext, needed_role=role)
            g.principal = Principal(
                organisation_id=key.organisation_id,
                organisation_name=key.organisation.name,
                key_id=key.id,
                role=key.role,
                key_name=key.name,
            )
            return func(*args, **kwargs)

        responses = {"401": "UNAUTHORIZED", "403": "FORBIDDEN", "500": "INTERNAL_SERVER_ERROR"}
        if func.__name__ in ("post", "put", "patch"):
            # Bodies are size-limited and must be JSON (see api._require_json).
            responses.update({"413": "REQUEST_ENTITY_TOO_LARGE", "415": "UNSUPPORTED_MEDIA_TYPE"})
        security = [{"basicAuth": []}] if basic else [{"bearerAuth": []}]
        return Blueprint.doc(security=security, responses=responses, **{"x-required-role": role})(wrapper)

    return decorator


def principal() -> Principal:
    return g.principal


def record(action: str, target_type: str, target_id: int | None = None, **detail) -> None:
    """Add to the audit log, as the caller, in the request's transaction."""
    me = principal()
    audit.record(
        db.session,
        organisation_id=me.organisation_id,
        key_id=me.key_id,
        actor=me.key_name,
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=detail,
    )


def _candidate_token() -> str | None:
    # The link a candidate is sent carries the token in the query; clients send it as a bearer.
    return _bearer_token() or request.args.get("token") or None


def candidate_access(func):
    """Authenticate a candidate token: the view reaches that attempt and nothing else."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        g.candidate_attempt_id = links.attempt_for_token(db.session, _candidate_token())
        return func(*args, **kwargs)

    return Blueprint.doc(security=[{"candidateToken": []}], responses={"401": "UNAUTHORIZED"})(wrapper)


def candidate_attempt_id() -> int:
    return g.candidate_attempt_id
