"""Idempotency keys: the first response to a mutating call is kept and replayed on retries.

The record is inserted in the call's own transaction and commits with the call's effects,
once (``db.unit_of_work``). A concurrent retry with the same key waits for that transaction
on the unique index (PostgreSQL) or the write lock (SQLite), then finds the finished record
and replays it. If the first call failed, or its process died, its record went with its
transaction and the retry simply runs. A pending record that others can see was committed
by a call that then died before finishing (a call that commits part-way): nothing is
running for it, so a retry takes it over at once.
"""

import hashlib
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from quizsvc.db import utcnow
from quizsvc.errors import Invalid
from quizsvc.models import IdempotencyRecord

# How long a response is replayed: retries come within seconds or minutes; a day is ample.
KEEP = timedelta(hours=24)


def fingerprint(*, method: str, path: str, query: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode(), body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def begin(session: Session, *, scope: str, key: str, fingerprint: str) -> IdempotencyRecord:
    """The record for this key: finished (replay it) or pending in this transaction (run the call)."""
    now = utcnow()
    record = session.scalars(
        select(IdempotencyRecord).where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)
    ).one_or_none()
    if record is not None and record.created_at < now - KEEP:
        session.delete(record)
        session.flush()
        record = None
    if record is None:
        record = IdempotencyRecord(scope=scope, key=key, fingerprint=fingerprint, created_at=now)
        session.add(record)
        session.flush()
        return record
    if record.fingerprint != fingerprint:
        raise Invalid(
            "This Idempotency-Key was already used with a different request; use a new key for a new request.",
            errors={"Idempotency-Key": ["Reused with a different method, path or body."]},
        )
    if record.status_code is None:
        # Visible while pending: its call committed part-way and died. This retry runs it.
        record.created_at = now
        session.flush()
    return record


def complete(session: Session, record: IdempotencyRecord, *, status_code: int, content_type: str, body: str) -> None:
    record.status_code, record.content_type, record.body = status_code, content_type, body
    session.flush()


def purge(session: Session) -> int:
    """Delete records past their replay window; returns how many."""
    result = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utcnow() - KEEP))
    return result.rowcount
