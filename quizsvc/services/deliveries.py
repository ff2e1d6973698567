"""Deliveries: claim one, record how a try went, schedule the retry, redeliver.

Several consumers may hold the same delivery's task (a task re-enqueued by the periodic
dispatch, a redelivery, a consumer restarted). Only the one that claims it sends it: the
claim takes the row with ``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite runs
one writer at a time) and sets a lease, committed before anything is sent. A consumer
that dies holding a lease loses it when the lease runs out, and another one sends it then.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from quizsvc.db import utcnow
from quizsvc.errors import Conflict, NotFound
from quizsvc.models import Delivery, DeliveryAttempt, DeliveryStatus, Event, EventType
from quizsvc.services import webhooks
from quizsvc.services.events import PENDING

# The retry delay doubles from the first one up to this, whatever the retry window.
MAX_BACKOFF = timedelta(hours=1)
# A dispatch round looks at this many deliveries at most; the next round takes the rest.
DISPATCH_BATCH = 1000


@dataclass(frozen=True)
class Result:
    """What one try gave (quizsvc.outbound.Outcome has this shape)."""

    succeeded: bool
    status_code: int | None
    duration_ms: int
    error: str | None
    excerpt: str | None


def backoff(attempts: int, *, first: timedelta, rng: random.Random | None = None) -> timedelta:
    """Delay after the ``attempts``-th failure: doubling from ``first`` up to an hour, the second
    half of it random ("equal jitter"), so receivers that fail together are not retried together."""
    delay = min(first * 2 ** (attempts - 1), MAX_BACKOFF)
    return delay / 2 + delay / 2 * (rng or random).random()


def _claimable(now: datetime):
    return (
        Delivery.status == DeliveryStatus.PENDING,
        Delivery.next_attempt_at <= now,
        or_(Delivery.lease_until.is_(None), Delivery.lease_until <= now),
    )


def claim(session: Session, *, delivery_id: int, lease: timedelta) -> Delivery | None:
    """The delivery, leased to the caller, when it is due and nobody holds it; else None."""
    now = utcnow()
    delivery = session.scalars(
        select(Delivery)
        .where(Delivery.id == delivery_id, *_claimable(now))
        .with_for_update(skip_locked=True)
        .options(selectinload(Delivery.event), selectinload(Delivery.subscription))
        .execution_options(populate_existing=True)
    ).one_or_none()
    if delivery is None:
        return None
    subscription = delivery.subscription
    if subscription is not None and not subscription.enabled and delivery.event.type != EventType.TEST:
        delivery.status = DeliveryStatus.FAILED
        delivery.last_error = "subscription disabled"
        session.flush()
        return None
    delivery.lease_until = now + lease
    session.flush()
    return delivery


def finish(
    session: Session, *, delivery_id: int, result: Result, window: timedelta, first_backoff: timedelta
) -> datetime | None:
    """Log the try and settle the delivery; returns when to try again, or None (done or given up).

    A subscription that has failed for the whole retry window is disabled.
    """
    now = utcnow()
    delivery = session.scalars(
        select(Delivery).where(Delivery.id == delivery_id).with_for_update().execution_options(populate_existing=True)
    ).one()
    delivery.tries.append(
        DeliveryAttempt(
            status_code=result.status_code,
            duration_ms=result.duration_ms,
            succeeded=result.succeeded,
            error=result.error,
            response_excerpt=result.excerpt,
            created_at=now,
        )
    )
    delivery.attempts += 1
    delivery.lease_until = None
    subscription = delivery.subscription
    counts = delivery.event.type != EventType.TEST
    if result.succeeded:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        delivery.last_error = None
        if subscription is not None and counts:
            subscription.failing_since = None
        session.flush()
        return None
    delivery.last_error = (result.error or f"HTTP {result.status_code}")[:500]
    if subscription is not None and counts:
        subscription.failing_since = subscription.failing_since or now
        if now - subscription.failing_since >= window:
            session.flush()
            webhooks.disable(
                session, subscription=subscription, reason=f"failing since {subscription.failing_since.isoformat()}"
            )
            return None
    ends = delivery.window_started_at + window
    if now >= ends:
        delivery.status = DeliveryStatus.FAILED
        session.flush()
        return None
    delivery.next_attempt_at = min(now + backoff(delivery.attempts, first=first_backoff), ends)
    session.flush()
    return delivery.next_attempt_at


def due(session: Session) -> tuple[list[int], list[tuple[int, datetime]]]:
    """For the periodic dispatch: deliveries ready now, and leased ones with their lease's end."""
    now = utcnow()
    ready = session.scalars(
        select(Delivery.id).where(*_claimable(now)).order_by(Delivery.next_attempt_at).limit(DISPATCH_BATCH)
    )
    leased = session.execute(
        select(Delivery.id, Delivery.lease_until)
        .where(Delivery.status == DeliveryStatus.PENDING, Delivery.lease_until > now)
        .limit(DISPATCH_BATCH)
    )
    return list(ready), [(row.id, row.lease_until) for row in leased]


def get(session: Session, *, organisation_id: int, delivery_id: int) -> Delivery:
    delivery = session.scalars(
        select(Delivery)
        .where(Delivery.id == delivery_id)
        .options(selectinload(Delivery.event), selectinload(Delivery.tries))
    ).one_or_none()
    if delivery is None or delivery.organisation_id != organisation_id:
        raise NotFound(f"Delivery {delivery_id} not found.")
    return delivery


def get_all(
    session: Session,
    *,
    organisation_id: int,
    subscription_id: int | None = None,
    status: str | None = None,
    channel: str | None = None,
    event_type: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[list[Delivery], int]:
    query = select(Delivery).where(Delivery.organisation_id == organisation_id)
    if subscription_id is not None:
        query = query.where(Delivery.subscription_id == subscription_id)
    if status is not None:
        query = query.where(Delivery.status == status)
    if channel is not None:
        query = query.where(Delivery.channel == channel)
    if event_type is not None:
        query = query.join(Delivery.event).where(Event.type == event_type)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(
        query.order_by(Delivery.id.desc()).offset(offset).limit(limit).options(selectinload(Delivery.event))
    )
    return list(items), total


def _restart(session: Session, delivery: Delivery) -> None:
    if (
        delivery.subscription is not None
        and not delivery.subscription.enabled
        and delivery.event.type != EventType.TEST
    ):
        raise Conflict(
            f"Webhook subscription {delivery.subscription_id} is disabled; enable it before redelivering.",
            errors={"subscription_id": [delivery.subscription_id]},
        )
    now = utcnow()
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = now
    delivery.window_started_at = now
    delivery.lease_until = None
    session.info.setdefault(PENDING, []).append(delivery)


def redeliver(session: Session, *, organisation_id: int, delivery_id: int) -> Delivery:
    """Send a delivery again, whatever its state (a delivered one too: the receiver asked)."""
    delivery = get(session, organisation_id=organisation_id, delivery_id=delivery_id)
    if delivery.status == DeliveryStatus.PENDING:
        raise Conflict(f"Delivery {delivery_id} is still pending; it is being retried.")
    _restart(session, delivery)
    session.flush()
    return delivery


def redeliver_failed(
    session: Session, *, organisation_id: int, subscription_id: int | None = None, channel: str | None = None
) -> list[Delivery]:
    """Send every failed delivery of the organisation again (of one subscription or channel)."""
    items, _ = get_all(
        session, organisation_id=organisation_id, subscription_id=subscription_id, channel=channel, status="failed"
    )
    for delivery in items:
        _restart(session, delivery)
    session.flush()
    return items
