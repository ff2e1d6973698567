"""Signing in to the reviewer console: with an API key, or with a one-time login link.

A login link (``quizsvc login-link --org --role``) is a random token shown once; only its
SHA-256 is stored. It signs in one browser, once, before it expires. Either way the
console holds a ``Reviewer``: who signed in, with which role, for which organisation.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizsvc.db import utcnow
from quizsvc.errors import Invalid, Unauthorized
from quizsvc.models import ROLES, ApiKey, LoginLink
from quizsvc.services import accounts

LINK_PREFIX = "qzs_"


@dataclass(frozen=True)
class Reviewer:
    organisation_id: int
    role: str
    name: str
    key_id: int | None = None  # signed in with this API key (revoking it ends the session)
    link_id: int | None = None  # signed in with this login link


def with_key(session: Session, *, plaintext: str) -> Reviewer:
    """The reviewer an API key signs in (any role)."""
    key = accounts.authenticate(session, plaintext=plaintext.strip(), needed_role="viewer")
    return Reviewer(organisation_id=key.organisation_id, role=key.role, name=key.name, key_id=key.id)


def still_valid(session: Session, reviewer: Reviewer) -> Reviewer:
    """The reviewer as they stand now: a revoked key signs out, a changed role counts at once."""
    if reviewer.key_id is None:
        return reviewer
    key = session.get(ApiKey, reviewer.key_id)
    if key is None or key.revoked_at is not None or key.organisation_id != reviewer.organisation_id:
        raise Unauthorized("The API key you signed in with was revoked; sign in again.")
    return Reviewer(organisation_id=key.organisation_id, role=key.role, name=key.name, key_id=key.id)


def create_link(session: Session, *, organisation_id: int, role: str, name: str, hours: float) -> tuple[LoginLink, str]:
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}", errors={"role": [f"Unknown role {role!r}."]})
    token = LINK_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    link = LoginLink(
        organisation_id=organisation_id,
        role=role,
        name=name,
        token_hash=accounts.hash_key(token),
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    session.add(link)
    session.flush()
    return link, token


def _link(session: Session, token: str, *, lock: bool = False) -> LoginLink:
    query = select(LoginLink).where(LoginLink.token_hash == accounts.hash_key(token))
    link = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if link is None:
        raise Unauthorized("This login link is not valid.")
    if link.used_at is not None:
        raise Unauthorized("This login link was already used; ask for a new one.")
    if link.expires_at <= utcnow():
        raise Unauthorized("This login link has expired; ask for a new one.")
    return link


def peek(session: Session, *, token: str) -> LoginLink:
    """The link, if it can still be used (nothing changes: a mail scanner's visit costs nothing)."""
    return _link(session, token)


def redeem(session: Session, *, token: str) -> Reviewer:
    """Use a login link, once: a second use, an expired or an unknown link is refused."""
    link = _link(session, token, lock=True)
    link.used_at = utcnow()
    session.flush()
    return Reviewer(organisation_id=link.organisation_id, role=link.role, name=link.name, link_id=link.id)
