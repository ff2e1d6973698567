"""Webhook subscriptions of an organisation: create, list, update, rotate the secret, delete.

Secrets are Standard Webhooks secrets (``whsec_`` and 32 random bytes in base64). They
sign, so they are stored; the API shows one only in the response that made it. After a
rotation the previous secret keeps signing beside the new one for a day, so a receiver
can switch without losing a delivery.
"""

import base64
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from quizsvc.db import utcnow
from quizsvc.errors import NotFound
from quizsvc.models import Delivery, DeliveryStatus, WebhookSubscription

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
# How long the previous secret still signs after a rotation.
ROTATION_OVERLAP = timedelta(hours=24)


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def create(session: Session, *, organisation_id: int, subscription_in: dict) -> WebhookSubscription:
    now = utcnow()
    subscription = WebhookSubscription(
        organisation_id=organisation_id,
        url=subscription_in["url"],
        description=subscription_in.get("description", ""),
        event_types=sorted(set(subscription_in.get("event_types") or [])),
        secret=new_secret(),
        enabled=subscription_in.get("enabled", True),
        created_at=now,
        updated_at=now,
    )
    session.add(subscription)
    session.flush()
    return subscription


def get(session: Session, *, organisation_id: int, subscription_id: int) -> WebhookSubscription:
    subscription = session.get(WebhookSubscription, subscription_id)
    if subscription is None or subscription.organisation_id != organisation_id:
        raise NotFound(f"Webhook subscription {subscription_id} not found.")
    return subscription


def get_all(session: Session, *, organisation_id: int) -> list[WebhookSubscription]:
    return list(
        session.scalars(
            select(WebhookSubscription)
            .where(WebhookSubscription.organisation_id == organisation_id)
            .order_by(WebhookSubscription.id)
        )
    )


def update_one(
    session: Session, *, organisation_id: int, subscription_id: int, subscription_in: dict
) -> WebhookSubscription:
    """Change url, description, event types or enabled; enabling again clears the failure record."""
    subscription = get(session, organisation_id=organisation_id, subscription_id=subscription_id)
    for name in ("url", "description"):
        if name in subscription_in:
            setattr(subscription, name, subscription_in[name])
    if "event_types" in subscription_in:
        subscription.event_types = sorted(set(subscription_in["event_types"]))
    if "enabled" in subscription_in:
        if subscription_in["enabled"] and not subscription.enabled:
            subscription.failing_since = None
            subscription.disabled_reason = None
        subscription.enabled = subscription_in["enabled"]
    subscription.updated_at = utcnow()
    session.flush()
    return subscription


def rotate_secret(session: Session, *, organisation_id: int, subscription_id: int) -> WebhookSubscription:
    subscription = get(session, organisation_id=organisation_id, subscription_id=subscription_id)
    now = utcnow()
    subscription.previous_secret = subscription.secret
    subscription.previous_secret_until = now + ROTATION_OVERLAP
    subscription.secret = new_secret()
    subscription.updated_at = now
    session.flush()
    return subscription


def signing_secrets(subscription: WebhookSubscription) -> list[str]:
    """The secrets a delivery is signed with now: the current one, and the previous during the overlap."""
    keys = [subscription.secret]
    if (
        subscription.previous_secret
        and subscription.previous_secret_until
        and utcnow() < subscription.previous_secret_until
    ):
        keys.append(subscription.previous_secret)
    return keys


def delete(session: Session, *, organisation_id: int, subscription_id: int) -> None:
    session.delete(get(session, organisation_id=organisation_id, subscription_id=subscription_id))
    session.flush()


def disable(session: Session, *, subscription: WebhookSubscription, reason: str) -> None:
    """Stop sending to a subscription; its pending deliveries fail (an admin can redeliver them)."""
    subscription.enabled = False
    subscription.disabled_reason = reason[:200]
    subscription.updated_at = utcnow()
    session.execute(
        update(Delivery)
        .where(Delivery.subscription_id == subscription.id, Delivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.FAILED, last_error=f"subscription disabled: {reason}"[:500], lease_until=None)
    )
    session.flush()
