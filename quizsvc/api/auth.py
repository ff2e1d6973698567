"""Credentials: every /api/v1 view declares what it takes.

``@requires(role)``: an API key with at least that role, as ``Authorization: Bearer <key>``
(the assessment-partner endpoints take it as HTTP Basic, the key as the user name and the
password empty, as those platforms send it). ``@candidate_access``: a candidate's attempt
token, or the token of an invitation link. Each credential works only where it belongs: the
other kind is recognised and refused with a 403, an unknown one is a 401.
"""

import base64
import binascii
from dataclasses import dataclass
from functools import wraps

from flask import g, request
from flask_smorest import Blueprint

from quizsvc import links
from quizsvc.db import db
from quizsvc.errors import Forbidden, Unauthorized
from quizsvc.services import accounts, attempts, audit


def _responses(func) -> dict:
    """What any authenticated call may answer besides its own responses."""
    # 429: every call under /api/v1 is rate-limited (quizsvc.limits).
    responses = {"401": "UNAUTHORIZED", "403": "FORBIDDEN", "429": "TOO_MANY_REQUESTS", "500": "INTERNAL_SERVER_ERROR"}
    if func.__name__ in ("post", "put", "patch"):
        # Bodies are size-limited and must be JSON (see api._require_json).
        responses.update({"413": "REQUEST_ENTITY_TOO_LARGE", "415": "UNSUPPORTED_MEDIA_TYPE"})
    return responses


@dataclass(frozen=True)
class Principal:
    organisation_id: int
    organisation_name: str
    key_id: int
    role: str
    key_name: str = ""


def bearer_token() -> str | None:
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


def _is_candidate_token(token: str | None) -> bool:
    """Whether ``token`` opens an attempt (an attempt token, or an invitation link's)."""
    if not token or not token.startswith((attempts.TOKEN_PREFIX, links.INVITATION_PREFIX)):
        return False
    try:
        links.attempt_for_token(db.session, token)
    except Unauthorized:
        return False
    return True


def requires(role: str, *, basic: bool = False):
    """Authenticate the request's key and check it has at least ``role``; ``basic``: HTTP Basic."""

    def decorator(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            plaintext = _basic_user() if basic else bearer_token()
            try:
                key = accounts.authenticate(db.session, plaintext=plaintext, needed_role=role)
            except Unauthorized:
                if _is_candidate_token(plaintext):
                    raise Forbidden(
                        "A candidate token opens /api/v1/candidate/attempt only; this call needs an API key."
                    ) from None
                raise
            g.principal = Principal(
                organisation_id=key.organisation_id,
                organisation_name=key.organisation.name,
                key_id=key.id,
                role=key.role,
                key_name=key.name,
            )
            return func(*args, **kwargs)

        security = [{"basicAuth": []}] if basic else [{"bearerAuth": []}]
        doc = {"security": security, "responses": _responses(func), "x-required-role": role}
        return Blueprint.doc(**doc)(wrapper)

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


def candidate_token() -> str | None:
    # The link a candidate is sent carries the token in the query; clients send it as a bearer.
    return bearer_token() or request.args.get("token") or None


def candidate_access(func):
    """Authenticate a candidate token: the view reaches that attempt and nothing else."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        token = candidate_token()
        try:
            g.candidate_attempt_id = links.attempt_for_token(db.session, token)
        except Unauthorized:
            if token and token.startswith(accounts.KEY_PREFIX) and accounts.is_key(db.session, plaintext=token):
                raise Forbidden("API keys do not open the candidate API; send the attempt's token.") from None
            raise
        return func(*args, **kwargs)

    return Blueprint.doc(security=[{"candidateToken": []}], responses=_responses(func))(wrapper)


def candidate_attempt_id() -> int:
    return g.candidate_attempt_id
