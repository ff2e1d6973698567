"""Bearer API keys: every /api/v1 view declares the role it needs with ``@requires``."""

from dataclasses import dataclass
from functools import wraps

from flask import g, request
from flask_smorest import Blueprint

from quizsvc.db import db
from quizsvc.services import accounts, attempts


@dataclass(frozen=True)
class Principal:
    organisation_id: int
    organisation_name: str
    key_id: int
    role: str


def _bearer_token() -> str | None:
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
            key = accounts.authenticate(db.session, plaintext=_bearer_token(), needed_role=role)
            g.principal = Principal(
                organisation_id=key.organisation_id,
                organisation_name=key.organisation.name,
                key_id=key.id,
                role=key.role,
            )
            return func(*args, **kwargs)

        responses = {"401": "UNAUTHORIZED", "403": "FORBIDDEN", "500": "INTERNAL_SERVER_ERROR"}
        if func.__name__ in ("post", "put", "patch"):
            # Bodies are size-limited and must be JSON (see api._require_json).
            responses.update({"413": "REQUEST_ENTITY_TOO_LARGE", "415": "UNSUPPORTED_MEDIA_TYPE"})
        return Blueprint.doc(security=[{"bearerAuth": []}], responses=responses, **{"x-required-role": role})(wrapper)

    return decorator


def principal() -> Principal:
    return g.principal


def _candidate_token() -> str | None:
    # The link a candidate is sent carries the token in the query; clients send it as a bearer.
    return _bearer_token() or request.args.get("token") or None


def candidate_access(func):
    """Authenticate a candidate token: the view reaches that attempt and nothing else."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        g.candidate_attempt_id = attempts.id_for_token(db.session, token=_candidate_token())
        return func(*args, **kwargs)

    return Blueprint.doc(security=[{"candidateToken": []}], responses={"401": "UNAUTHORIZED"})(wrapper)


def candidate_attempt_id() -> int:
    return g.candidate_attempt_id
