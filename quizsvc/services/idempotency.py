"""Idempotency keys: the first response to a mutating call is kept and replayed on retries.

A record is inserted before the call runs, in the call's own transaction: a concurrent
retry with the same key waits on the unique index (PostgreSQL) or the write lock
(SQLite) and then finds the finished record. A call that commits part-way (submission
commits before grading) leaves a pending record that retries are told to wait for.
"""

import hashlib
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from quizsvc.db import utcnow
from quizsvc.errors import Conflict, Invalid
from quizsvc.models import IdempotencyRecord

# How long a response is replayed: retries come within seconds or minutes; a day is ample.
KEEP = timedelta(hours=24)
# A pending record older than this belongs to a call that died: a retry may take it over.
STALE = timedelta(minutes=5)


def fingerprint(*, method: str, path: str, query: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode(), body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def begin(session: Session, *, scope: str, key: str, fingerprint: str) -> IdempotencyRecord:
    """The record for this key: finished (replay it) or new and pending (run the call)."""
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
        if record.created_at > now - STALE:
            raise Conflict("A request with this Idempotency-Key is still being processed; retry shortly.")
        record.created_at = now
        session.flush()
    return record


def complete(session: Session, record: IdempotencyRecord, *, status_code: int, content_type: str, body: str) -> None:
    record.status_code, record.content_type, record.body = status_code, content_type, body
    session.flush()


def forget(session_factory: sessionmaker, *, record_id: int) -> None:
    """Drop a pending record whose call failed (in a transaction of its own), so a retry runs."""
    with session_factory() as session:
        session.execute(
            delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id, IdempotencyRecord.status_code.is_(None))
        )
        session.commit()


def purge(session: Session) -> int:
    """Delete records past their replay window; returns how many."""
    result = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utcnow() - KEEP))
    return result.rowcount
