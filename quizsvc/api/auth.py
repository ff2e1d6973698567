"""Bearer API keys: every /api/v1 view declares the role it needs with ``@requires``."""

from dataclasses import dataclass
from functools import wraps

from flask import g, request
from flask_smorest import Blueprint

from quizsvc.db import db
from quizsvc.services import accounts


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
