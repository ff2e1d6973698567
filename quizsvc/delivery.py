"""Sending deliveries (webhooks, partner callbacks, emails); the queue's tasks call these.

Per delivery: claim it (a short transaction that leases it), send it with no transaction
open, then log the try and schedule the retry (another short transaction). Webhooks are
signed per the Standard Webhooks specification (``webhook-id``, ``webhook-timestamp``,
``webhook-signature``) with the ``standardwebhooks`` package.
"""

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from flask import Flask, current_app
from standardwebhooks.webhooks import Webhook

from quizsvc import links, mail, outbound
from quizsvc.db import db, in_transaction, utcnow
from quizsvc.models import Attempt, Channel, Delivery, EventType
from quizsvc.services import deliveries, partner, webhooks

log = logging.getLogger(__name__)


def lease(app: Flask) -> timedelta:
    # Connecting, sending and reading may each take the whole timeout; then some slack for the database.
    return timedelta(seconds=3 * app.config["QUIZSVC_WEBHOOK_TIMEOUT_SECONDS"] + 5)


@dataclass
class Prepared:
    send: Callable[[], deliveries.Result]


def event_body(delivery: Delivery) -> dict:
    """The webhook payload: id, type, timestamp and the resource (with a fresh signed report link)."""
    event = delivery.event
    data = dict(event.data)
    if event.attempt_id is not None:
        data["report_url"] = links.report_url(attempt_id=event.attempt_id, organisation_id=event.organisation_id)
    return {"id": event.uid, "type": event.type, "timestamp": event.created_at.isoformat(), "data": data}


def sign(secrets: list[str], *, msg_id: str, body: str) -> dict:
    now = utcnow()
    signatures = " ".join(Webhook(secret).sign(msg_id=msg_id, timestamp=now, data=body) for secret in secrets)
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(now.timestamp())), "webhook-signature": signatures}


def _http(method: str, url: str, body: str, headers: dict) -> Callable[[], deliveries.Result]:
    config = current_app.config
    timeout, allow = config["QUIZSVC_WEBHOOK_TIMEOUT_SECONDS"], config["QUIZSVC_WEBHOOK_ALLOW_PRIVATE"]

    def send():
        outcome = outbound.send(method, url, body.encode(), headers, timeout=timeout, allow_private=allow)
        return deliveries.Result(**vars(outcome))

    return send


def _prepare(session, delivery_id: int, hold: timedelta) -> Prepared | None:
    delivery = deliveries.claim(session, delivery_id=delivery_id, lease=hold)
    if delivery is None:
        return None
    event = delivery.event
    if delivery.channel == Channel.WEBHOOK:
        subscription = delivery.subscription
        body = json.dumps(event_body(delivery), ensure_ascii=False, separators=(",", ":"))
        headers = sign(webhooks.signing_secrets(subscription), msg_id=event.uid, body=body)
        return Prepared(_http("POST", subscription.url, body, headers))
    if delivery.channel == Channel.CALLBACK:
        profile = links.report_url(attempt_id=event.attempt_id, organisation_id=event.organisation_id)
        body = json.dumps(partner.status_body(event.data, profile_url=profile), ensure_ascii=False)
        return Prepared(_http("PATCH", delivery.target, body, {}))
    return Prepared(_email(session, delivery))


def _email(session, delivery: Delivery) -> Callable[[], deliveries.Result]:
    attempt = session.get(Attempt, delivery.event.attempt_id)
    if not current_app.config["QUIZSVC_SMTP_URL"] or attempt.status != "invited":
        reason = "emails are not configured" if attempt.status == "invited" else f"the attempt is {attempt.status}"
        return lambda: deliveries.Result(False, None, 0, f"not sent: {reason}", None)
    token = links.invitation_token(attempt_id=attempt.id, token_hash=attempt.token_hash)
    kind = "reminder" if delivery.event.type == EventType.REMINDER else "invitation"
    subject, body = mail.compose(
        kind,
        language=attempt.language,
        name=attempt.candidate.display_name,
        quiz=attempt.quiz.name,
        link=links.external_url("take.page", token=token),
        expires_at=attempt.expires_at,
    )
    to = delivery.target

    def send():
        sent, error, duration = mail.send(to=to, subject=subject, body=body)
        return deliveries.Result(sent, None, duration, error, "sent" if sent else None)

    return send


def deliver(app: Flask, delivery_id: int, *, schedule) -> None:
    """Send one delivery if this consumer can claim it; ``schedule(delivery_id, eta)`` books the retry."""
    with app.app_context():
        prepared = in_transaction(app, lambda session: _prepare(session, delivery_id, lease(app)))
        if prepared is None:
            return
        result = prepared.send()
        config = app.config
        retry_at = in_transaction(
            app,
            lambda session: deliveries.finish(
                session,
                delivery_id=delivery_id,
                result=result,
                window=timedelta(seconds=config["QUIZSVC_WEBHOOK_RETRY_SECONDS"]),
                first_backoff=timedelta(seconds=config["QUIZSVC_WEBHOOK_BACKOFF_SECONDS"]),
            ),
        )
        if not result.succeeded:
            log.info("delivery %s failed (%s); retry at %s", delivery_id, result.error or result.status_code, retry_at)
        if retry_at is not None:
            schedule(delivery_id, retry_at)


def dispatch(app: Flask, *, enqueue, schedule) -> int:
    """Hand the queue every delivery that is due (its task was lost or never sent), and book
    the leased ones for when their lease ends (their consumer may have died); returns how many."""
    with app.app_context():
        with db.sessionmaker()() as session:
            ready, leased = deliveries.due(session)
    for delivery_id in ready:
        enqueue(delivery_id)
    for delivery_id, until in leased:
        schedule(delivery_id, until)
    return len(ready) + len(leased)
