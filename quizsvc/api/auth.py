"""Bearer credentials: every /api/v1 view declares what it takes.

``@requires(role)``: an API key with at least that role. ``@candidate_access``: a
candidate's attempt token. Each credential works only where it belongs: the other kind
is recognised and refused with a 403, an unknown one is a 401.
"""

from dataclasses import dataclass
from functools import wraps

from flask import g, request
from flask_smorest import Blueprint

from quizsvc.db import db
from quizsvc.errors import Forbidden, Unauthorized
from quizsvc.services import accounts, attempts


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


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def requires(role: str):
    """Authenticate the request's key and check it has at least ``role``."""

    def decorator(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            token = bearer_token()
            try:
                key = accounts.authenticate(db.session, plaintext=token, needed_role=role)
            except Unauthorized:
                if token and token.startswith(attempts.TOKEN_PREFIX) and attempts.is_token(db.session, token=token):
                    raise Forbidden(
                        "A candidate token opens /api/v1/candidate/attempt only; this call needs an API key."
                    ) from None
                raise
            g.principal = Principal(
                organisation_id=key.organisation_id,
                organisation_name=key.organisation.name,
                key_id=key.id,
                role=key.role,
            )
            return func(*args, **kwargs)

        doc = {"security": [{"bearerAuth": []}], "responses": _responses(func), "x-required-role": role}
        return Blueprint.doc(**doc)(wrapper)

    return decorator


def principal() -> Principal:
    return g.principal


def candidate_token() -> str | None:
    # The link a candidate is sent carries the token in the query; clients send it as a bearer.
    return bearer_token() or request.args.get("token") or None


def candidate_access(func):
    """Authenticate a candidate token: the view reaches that attempt and nothing else."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        token = candidate_token()
        try:
            g.candidate_attempt_id = attempts.id_for_token(db.session, token=token)
        except Unauthorized:
            if token and token.startswith(accounts.KEY_PREFIX) and accounts.is_key(db.session, plaintext=token):
                raise Forbidden("API keys do not open the candidate API; send the attempt's token.") from None
            raise
        return func(*args, **kwargs)

    return Blueprint.doc(security=[{"candidateToken": []}], responses=_responses(func))(wrapper)


def candidate_attempt_id() -> int:
    return g.candidate_attempt_id
