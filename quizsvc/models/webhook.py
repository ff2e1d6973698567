"""Webhook subscriptions, the transactional outbox of events, and their deliveries.

An event is written in the same transaction as the change that causes it, together with
one delivery per destination (a subscription, a partner callback URL, an email address).
The queue sends deliveries; each try is logged as a delivery attempt.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizsvc.db import Base, UTCDateTime, utcnow


def _check(column: str, values: type[StrEnum]) -> CheckConstraint:
    return CheckConstraint(f"{column} IN ({', '.join(repr(v.value) for v in values)})", name=column)


class EventType(StrEnum):
    INVITED = "attempt.invited"
    STARTED = "attempt.started"
    SUBMITTED = "attempt.submitted"
    GRADED = "attempt.graded"
    EXPIRED = "attempt.expired"
    CANCELLED = "attempt.cancelled"
    REGRADED = "attempt.regraded"
    OVERRIDDEN = "grade.overridden"
    # Sent to one subscription on request; never fanned out.
    TEST = "webhook.test"
    # A reminder email before an invitation expires; never sent to subscriptions.
    REMINDER = "attempt.reminder"


# What a subscription may ask for.
SUBSCRIBABLE = tuple(t.value for t in EventType if t not in (EventType.TEST, EventType.REMINDER))


class Channel(StrEnum):
    WEBHOOK = "webhook"
    CALLBACK = "callback"
    EMAIL = "email"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookSubscription(Base):
    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    # Event types sent; an empty list means every subscribable type.
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    # whsec_<base64>: it signs, so it is stored; the API shows it only when it is made.
    secret: Mapped[str] = mapped_column(String(100))
    # After a rotation the old secret keeps signing beside the new one until this time.
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(200))
    # Set at the first failure after a success; a subscription failing for the whole retry window is disabled.
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Event(Base):
    """The outbox: what happened, with the resource as it was when it happened."""

    __tablename__ = "events"
    __table_args__ = (_check("type", EventType),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The public id: the webhook-id header and the event's "id".
    uid: Mapped[str] = mapped_column(String(40), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(40))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    deliveries: Mapped[list["Delivery"]] = relationship(back_populates="event", order_by="Delivery.id")


class Delivery(Base):
    """One event on its way to one destination."""

    __tablename__ = "deliveries"
    __table_args__ = (_check("channel", Channel), _check("status", DeliveryStatus))

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True
    )
    # The callback URL or the email address; a webhook reads its subscription's URL.
    target: Mapped[str | None] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(10), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # A consumer that claimed the delivery holds it until then; after that (it died) another may.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Retries stop this long after this time (set again by a redelivery).
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship(back_populates="deliveries")
    subscription: Mapped[WebhookSubscription | None] = relationship()
    tries: Mapped[list["DeliveryAttempt"]] = relationship(
        back_populates="delivery", order_by="DeliveryAttempt.id", cascade="all, delete-orphan"
    )


class DeliveryAttempt(Base):
    """One try: the answer's status, how long it took, the start of its body or the error."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"), index=True)
    status_code: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(String(500))
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    delivery: Mapped[Delivery] = relationship(back_populates="tries")
