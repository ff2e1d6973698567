"""The audit log: who created, invited, cancelled, overrode, regraded, rotated a secret or
revoked a key, and when. Written in the same transaction as the action."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quizsvc.db import utcnow
from quizsvc.models import AuditEntry

CLI_ACTOR = "cli"


def record(
    session: Session,
    *,
    organisation_id: int,
    key_id: int | None,
    actor: str,
    action: str,
    target_type: str,
    target_id: int | None = None,
    detail: dict | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        organisation_id=organisation_id,
        key_id=key_id,
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=detail or {},
        created_at=utcnow(),
    )
    session.add(entry)
    session.flush()
    return entry


def get_all(
    session: Session,
    *,
    organisation_id: int,
    action: str | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[list[AuditEntry], int]:
    query = select(AuditEntry).where(AuditEntry.organisation_id == organisation_id)
    for column, value in (
        (AuditEntry.action, action),
        (AuditEntry.target_type, target_type),
        (AuditEntry.target_id, target_id),
    ):
        if value is not None:
            query = query.where(column == value)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    return list(session.scalars(query.order_by(AuditEntry.id.desc()).offset(offset).limit(limit))), total
