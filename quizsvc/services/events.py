"""The outbox: every change of an attempt writes an event, in the change's own transaction.

``emit`` is the one way in. The service function that makes a change calls it before
flushing, so the event and its deliveries commit or roll back with the change: a crash
loses neither. Deliveries are fanned out here, one per destination: each enabled
subscription that asked for the type, the partner's callback URL, the candidate's email.
After the commit the queue is told about them (``PENDING``, read by quizsvc.queue); a
consumer that missed that notice finds them in the table (``due``).
"""

import secrets
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quizsvc.db import utcnow
from quizsvc.models import Attempt, Channel, Delivery, Event, EventType, WebhookSubscription
from quizsvc.scoring.grader import band_of
from quizsvc.services.scores import attempt_score, category_scores

# session.info keys: the deliveries this transaction made (enqueued after the commit), and
# whether emails are configured (set on the app's sessionmaker).
PENDING = "quizsvc.pending_deliveries"
MAIL_ENABLED = "quizsvc.mail_enabled"

# What the partner's callback URL hears about: the grade, and the end of an attempt that
# will never be graded (the platform would otherwise poll for ever).
CALLBACK_TYPES = {
    EventType.GRADED,
    EventType.REGRADED,
    EventType.OVERRIDDEN,
    EventType.EXPIRED,
    EventType.CANCELLED,
}
# Emails to the candidate, by event type.
EMAIL_TYPES = {EventType.INVITED, EventType.REMINDER}


def new_uid() -> str:
    return "evt_" + secrets.token_hex(12)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def attempt_data(attempt: Attempt, *, status: str | None = None) -> dict:
    """The attempt as platforms see it in events: status, score, band, pass/fail, categories.

    ``status``: the effective one, when a deadline may have passed unrecorded (default: stored).
    """
    status = status or attempt.status
    score = attempt_score(attempt) if status == "graded" else None
    quiz, candidate = attempt.quiz, attempt.candidate
    return {
        "attempt_id": attempt.id,
        "partner_interview_id": str(attempt.id),
        "status": status,
        "quiz": {"id": quiz.id, "name": quiz.name, "pass_mark": quiz.pass_mark},
        "candidate": {
            "id": candidate.id,
            "external_id": candidate.external_id,
            "display_name": candidate.display_name,
            "email": candidate.email,
        },
        "score": score,
        "passed": None if score is None else score >= quiz.pass_mark,
        "band": band_of(score / 100) if score is not None else None,
        "categories": category_scores(attempt) if score is not None else [],
        "flags": _flags(attempt) if score is not None else [],
        "auto_submitted": attempt.auto_submitted,
        "created_at": _iso(attempt.created_at),
        "expires_at": _iso(attempt.expires_at),
        "started_at": _iso(attempt.started_at),
        "submitted_at": _iso(attempt.submitted_at),
        "graded_at": _iso(attempt.graded_at),
        "cancelled_at": _iso(attempt.cancelled_at),
    }


def _flags(attempt: Attempt) -> list[str]:
    """Every flag the attempt's current machine grades carry."""
    return sorted(
        {
            flag
            for item in attempt.questions
            if item.response is not None and item.response.grades
            for flag in item.response.grades[-1].result.get("flags", [])
        }
    )


def _subscribers(session: Session, *, organisation_id: int, type: str) -> list[WebhookSubscription]:
    subscriptions = session.scalars(
        select(WebhookSubscription)
        .where(WebhookSubscription.organisation_id == organisation_id, WebhookSubscription.enabled.is_(True))
        .order_by(WebhookSubscription.id)
    )
    return [s for s in subscriptions if not s.event_types or type in s.event_types]


def _queue(session: Session, deliveries: list[Delivery]) -> None:
    session.add_all(deliveries)
    session.flush()
    session.info.setdefault(PENDING, []).extend(deliveries)


def emit(session: Session, *, attempt: Attempt, type: EventType, detail: dict | None = None) -> Event:
    """Record that ``attempt`` changed (``type``) and queue its deliveries; moves updated_at."""
    now = utcnow()
    attempt.updated_at = now
    data = attempt_data(attempt)
    if detail:
        data.update(detail)
    event = Event(
        uid=new_uid(),
        organisation_id=attempt.organisation_id,
        type=type,
        attempt_id=attempt.id,
        data=data,
        created_at=now,
    )
    session.add(event)
    deliveries = []
    if type not in (EventType.TEST, EventType.REMINDER):
        deliveries += [
            Delivery(event=event, organisation_id=event.organisation_id, channel=Channel.WEBHOOK, subscription_id=s.id)
            for s in _subscribers(session, organisation_id=attempt.organisation_id, type=type)
        ]
    if attempt.callback_url and type in CALLBACK_TYPES:
        deliveries.append(
            Delivery(
                event=event,
                organisation_id=event.organisation_id,
                channel=Channel.CALLBACK,
                target=attempt.callback_url,
            )
        )
    email = attempt.candidate.email
    if email and type in EMAIL_TYPES and session.info.get(MAIL_ENABLED):
        deliveries.append(
            Delivery(event=event, organisation_id=event.organisation_id, channel=Channel.EMAIL, target=email)
        )
    _queue(session, deliveries)
    return event


def emit_test(session: Session, *, subscription: WebhookSubscription) -> Delivery:
    """A test event for one subscription (sent even while it is disabled, to check it)."""
    event = Event(
        uid=new_uid(),
        organisation_id=subscription.organisation_id,
        type=EventType.TEST,
        data={"subscription_id": subscription.id, "message": "This is a test event from quizsvc."},
        created_at=utcnow(),
    )
    session.add(event)
    delivery = Delivery(
        event=event, organisation_id=event.organisation_id, channel=Channel.WEBHOOK, subscription_id=subscription.id
    )
    _queue(session, [delivery])
    return delivery


def get_all(
    session: Session,
    *,
    organisation_id: int,
    type: str | None = None,
    attempt_id: int | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[list[Event], int]:
    query = select(Event).where(Event.organisation_id == organisation_id)
    if type is not None:
        query = query.where(Event.type == type)
    if attempt_id is not None:
        query = query.where(Event.attempt_id == attempt_id)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    return list(session.scalars(query.order_by(Event.id.desc()).offset(offset).limit(limit))), total
