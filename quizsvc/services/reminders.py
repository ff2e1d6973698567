"""Reminders: an email to a candidate whose invitation closes soon and who has not started."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizsvc.db import utcnow
from quizsvc.models import Attempt, Candidate, EventType
from quizsvc.services.events import emit


def due(session: Session, *, within: timedelta) -> list[int]:
    """Invited attempts with an email that close within ``within`` and were not reminded yet."""
    now = utcnow()
    return list(
        session.scalars(
            select(Attempt.id)
            .join(Candidate, Candidate.id == Attempt.candidate_id)
            .where(
                Attempt.status == "invited",
                Attempt.reminder_sent_at.is_(None),
                Attempt.expires_at > now,
                Attempt.expires_at <= now + within,
                Candidate.email.is_not(None),
            )
            .order_by(Attempt.id)
        )
    )


def remind(session: Session, *, attempt_id: int) -> bool:
    """Queue the reminder once (the row is locked, so two consumers send one); True if queued."""
    attempt = session.scalars(
        select(Attempt).where(Attempt.id == attempt_id).with_for_update().execution_options(populate_existing=True)
    ).one()
    if attempt.status != "invited" or attempt.reminder_sent_at is not None or attempt.expires_at <= utcnow():
        return False
    attempt.reminder_sent_at = utcnow()
    updated_at = attempt.updated_at
    emit(session, attempt=attempt, type=EventType.REMINDER)
    # A reminder changes nothing a platform polls for.
    attempt.updated_at = updated_at
    session.flush()
    return True
