"""Organisations and API keys."""

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizsvc.db import utcnow
from quizsvc.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from quizsvc.models import ROLES, ApiKey, Organisation

KEY_PREFIX = "qzk_"
# Shown in listings so a person can tell keys apart; long enough to be distinct,
# far too short to help guess the rest.
DISPLAY_CHARS = 12


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def role_allows(role: str, needed: str) -> bool:
    return ROLES.index(role) >= ROLES.index(needed)


def get_organisation(session: Session, *, name: str) -> Organisation | None:
    return session.scalars(select(Organisation).where(Organisation.name == name)).one_or_none()


def get_or_create_organisation(session: Session, *, name: str) -> Organisation:
    organisation = get_organisation(session, name=name)
    if organisation is None:
        organisation = Organisation(name=name)
        session.add(organisation)
        session.flush()
    return organisation


def get_all_organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.id)))


def create_key(
    session: Session, *, organisation_id: int, role: str, name: str, plaintext: str | None = None
) -> tuple[ApiKey, str]:
    """Store a new key and return it with its plaintext, which is never stored."""
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}", errors={"role": [f"Unknown role {role!r}."]})
    plaintext = plaintext or KEY_PREFIX + secrets.token_urlsafe(32)
    key_hash = hash_key(plaintext)
    if session.scalars(select(ApiKey.id).where(ApiKey.key_hash == key_hash)).first() is not None:
        raise Conflict("This key already exists.")
    key = ApiKey(
        organisation_id=organisation_id, role=role, name=name, prefix=plaintext[:DISPLAY_CHARS], key_hash=key_hash
    )
    session.add(key)
    session.flush()
    return key, plaintext


def find_key(session: Session, *, plaintext: str) -> ApiKey | None:
    return session.scalars(select(ApiKey).where(ApiKey.key_hash == hash_key(plaintext))).one_or_none()


def is_key(session: Session, *, plaintext: str) -> bool:
    """Whether this is a live API key (of any organisation or role)."""
    key = find_key(session, plaintext=plaintext)
    return key is not None and key.revoked_at is None


def authenticate(session: Session, *, plaintext: str | None, needed_role: str) -> ApiKey:
    if not plaintext:
        raise Unauthorized("An API key is required: send 'Authorization: Bearer <key>'.")
    key = find_key(session, plaintext=plaintext)
    if key is None or key.revoked_at is not None:
        raise Unauthorized("The API key is unknown or revoked.")
    if not role_allows(key.role, needed_role):
        raise Forbidden(f"This action needs the {needed_role!r} role; the key has {key.role!r}.")
    return key


def get_all_keys(session: Session, *, organisation_id: int) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).where(ApiKey.organisation_id == organisation_id).order_by(ApiKey.id)))


def revoke_key(session: Session, *, organisation_id: int, key_id: int) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None or key.organisation_id != organisation_id:
        raise NotFound(f"API key {key_id} not found.")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.flush()
    return key
