"""Webhook subscriptions (admin), the events that fed them, and every delivery with its tries."""

from flask import current_app
from flask.views import MethodView

from quizsvc import outbound
from quizsvc.api.auth import principal, record, requires
from quizsvc.api.base import Blueprint, operation, page_of
from quizsvc.api.idempotency import mutation
from quizsvc.db import db
from quizsvc.errors import Invalid
from quizsvc.schemas.webhook import (
    DeliveryDetailSchema,
    DeliveryQuerySchema,
    DeliverySchema,
    EventQuerySchema,
    EventSchema,
    NewSecretSchema,
    RedeliveredSchema,
    RedeliverInSchema,
    SubscriptionInSchema,
    SubscriptionPatchSchema,
    SubscriptionSchema,
)
from quizsvc.services import deliveries, events, webhooks
from quizsvc.services.events import emit_test

blp = Blueprint(
    "webhooks",
    __name__,
    url_prefix="/api/v1",
    description="Webhooks (Standard Webhooks signatures), events and deliveries. Admins only.",
)

SUBSCRIPTION_EXAMPLE = {
    "id": 1,
    "url": "https://ats.example.com/hooks/quizsvc",
    "description": "ATS",
    "event_types": ["attempt.graded"],
    "enabled": True,
    "disabled_reason": None,
    "failing_since": None,
    "created_at": "2026-12-01T09:00:00+00:00",
    "updated_at": "2026-12-01T09:00:00+00:00",
}
DELIVERY_EXAMPLE = {
    "id": 7,
    "channel": "webhook",
    "subscription_id": 1,
    "target": None,
    "event": {
        "id": "evt_6f1c0e5d2a9b4c3d8e7f6a5b",
        "type": "attempt.graded",
        "attempt_id": 12,
        "timestamp": "2026-12-01T09:30:00+00:00",
    },
    "status": "delivered",
    "attempts": 2,
    "next_attempt_at": "2026-12-01T09:30:05+00:00",
    "last_error": None,
    "delivered_at": "2026-12-01T09:30:06+00:00",
    "created_at": "2026-12-01T09:30:00+00:00",
}


def _checked(url: str | None) -> None:
    if url is None:
        return
    try:
        outbound.check_url(url, allow_private=current_app.config["QUIZSVC_WEBHOOK_ALLOW_PRIVATE"])
    except outbound.RefusedURL as error:
        raise Invalid(str(error), errors={"json": {"url": [str(error)]}}) from None


@blp.route("/webhooks")
class Subscriptions(MethodView):
    @requires("admin")
    @operation("listWebhooks")
    @blp.response(200, SubscriptionSchema(many=True), example=[SUBSCRIPTION_EXAMPLE])
    def get(self):
        """List the organisation's webhook subscriptions"""
        return webhooks.get_all(db.session, organisation_id=principal().organisation_id)

    @requires("admin")
    @mutation
    @operation("createWebhook")
    @blp.arguments(
        SubscriptionInSchema,
        example={"url": "https://ats.example.com/hooks/quizsvc", "event_types": ["attempt.graded"]},
    )
    @blp.response(
        201, NewSecretSchema, example={**SUBSCRIPTION_EXAMPLE, "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
    )
    def post(self, subscription_in):
        """Subscribe a URL to events; the response is the only time the signing secret is shown"""
        _checked(subscription_in["url"])
        subscription = webhooks.create(
            db.session, organisation_id=principal().organisation_id, subscription_in=subscription_in
        )
        record("webhook.create", "webhook", subscription.id, url=subscription.url)
        return subscription


@blp.route("/webhooks/<id:subscription_id>")
class SubscriptionById(MethodView):
    @requires("admin")
    @operation("getWebhook")
    @blp.response(200, SubscriptionSchema, example=SUBSCRIPTION_EXAMPLE)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, subscription_id):
        """Get a webhook subscription"""
        return webhooks.get(db.session, organisation_id=principal().organisation_id, subscription_id=subscription_id)

    @requires("admin")
    @mutation
    @operation("updateWebhook")
    @blp.arguments(SubscriptionPatchSchema, example={"enabled": True})
    @blp.response(200, SubscriptionSchema, example=SUBSCRIPTION_EXAMPLE)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, subscription_in, subscription_id):
        """Change a subscription's URL, description, event types or enabled state"""
        _checked(subscription_in.get("url"))
        subscription = webhooks.update_one(
            db.session,
            organisation_id=principal().organisation_id,
            subscription_id=subscription_id,
            subscription_in=subscription_in,
        )
        record("webhook.update", "webhook", subscription_id, **subscription_in)
        return subscription

    @requires("admin")
    @mutation
    @operation("deleteWebhook")
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, subscription_id):
        """Delete a subscription and its deliveries"""
        webhooks.delete(db.session, organisation_id=principal().organisation_id, subscription_id=subscription_id)
        record("webhook.delete", "webhook", subscription_id)


@blp.route("/webhooks/<id:subscription_id>/rotate-secret")
class RotateSecret(MethodView):
    @requires("admin")
    @mutation
    @operation("rotateWebhookSecret")
    @blp.response(
        200, NewSecretSchema, example={**SUBSCRIPTION_EXAMPLE, "secret": "whsec_C2Y4Ng9Zq1QvQm8yQm9zU2VjcmV0S2V5"}
    )
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, subscription_id):
        """New signing secret, shown once; the old one keeps signing beside it for 24 hours"""
        subscription = webhooks.rotate_secret(
            db.session, organisation_id=principal().organisation_id, subscription_id=subscription_id
        )
        record("webhook.rotate_secret", "webhook", subscription_id)
        return subscription


@blp.route("/webhooks/<id:subscription_id>/test")
class TestEvent(MethodView):
    @requires("admin")
    @mutation
    @operation("sendWebhookTest")
    @blp.response(202, DeliverySchema, example={**DELIVERY_EXAMPLE, "status": "pending", "attempts": 0})
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, subscription_id):
        """Send a webhook.test event to this subscription (even while it is disabled)"""
        subscription = webhooks.get(
            db.session, organisation_id=principal().organisation_id, subscription_id=subscription_id
        )
        return emit_test(db.session, subscription=subscription)


@blp.route("/events")
class Events(MethodView):
    @requires("admin")
    @operation("listEvents")
    @blp.arguments(EventQuerySchema, location="query", as_kwargs=True)
    @blp.response(
        200,
        EventSchema(many=True),
        example=[
            {
                "id": "evt_6f1c0e5d2a9b4c3d8e7f6a5b",
                "type": "attempt.graded",
                "attempt_id": 12,
                "timestamp": "2026-12-01T09:30:00+00:00",
                "data": {"attempt_id": 12, "status": "graded", "score": 72.5},
            }
        ],
    )
    @blp.paginate()
    def get(self, pagination_parameters, **filters):
        """List the organisation's events, newest first (the outbox)"""
        items = page_of(
            pagination_parameters,
            events.get_all,
            db.session,
            organisation_id=principal().organisation_id,
            **filters,
        )
        return items


@blp.route("/deliveries")
class Deliveries(MethodView):
    @requires("admin")
    @operation("listDeliveries")
    @blp.arguments(DeliveryQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, DeliverySchema(many=True), example=[DELIVERY_EXAMPLE])
    @blp.paginate()
    def get(self, pagination_parameters, **filters):
        """List deliveries (webhooks, partner callbacks, emails), newest first"""
        items = page_of(
            pagination_parameters,
            deliveries.get_all,
            db.session,
            organisation_id=principal().organisation_id,
            **filters,
        )
        return items


@blp.route("/deliveries/<id:delivery_id>")
class DeliveryById(MethodView):
    @requires("admin")
    @operation("getDelivery")
    @blp.response(
        200,
        DeliveryDetailSchema,
        example={
            **DELIVERY_EXAMPLE,
            "tries": [
                {
                    "status_code": 503,
                    "duration_ms": 41,
                    "succeeded": False,
                    "error": None,
                    "response_excerpt": "upstream unavailable",
                    "created_at": "2026-12-01T09:30:00+00:00",
                },
                {
                    "status_code": 200,
                    "duration_ms": 38,
                    "succeeded": True,
                    "error": None,
                    "response_excerpt": "ok",
                    "created_at": "2026-12-01T09:30:06+00:00",
                },
            ],
        },
    )
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, delivery_id):
        """Get a delivery with every try: status, duration, the start of the answer"""
        return deliveries.get(db.session, organisation_id=principal().organisation_id, delivery_id=delivery_id)


@blp.route("/deliveries/<id:delivery_id>/redeliver")
class Redeliver(MethodView):
    @requires("admin")
    @mutation
    @operation("redeliver")
    @blp.response(202, DeliverySchema, example={**DELIVERY_EXAMPLE, "status": "pending"})
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, delivery_id):
        """Send a delivered or failed delivery again (retries start over)"""
        delivery = deliveries.redeliver(
            db.session, organisation_id=principal().organisation_id, delivery_id=delivery_id
        )
        record("delivery.redeliver", "delivery", delivery_id)
        return delivery


@blp.route("/deliveries/redeliver-failed")
class RedeliverFailed(MethodView):
    @requires("admin")
    @mutation
    @operation("redeliverFailed")
    @blp.arguments(RedeliverInSchema, example={"subscription_id": 1})
    @blp.response(202, RedeliveredSchema, example={"redelivered": 2, "ids": [7, 9]})
    def post(self, redeliver_in):
        """Send every failed delivery again, of one subscription or channel or all"""
        items = deliveries.redeliver_failed(db.session, organisation_id=principal().organisation_id, **redeliver_in)
        record("delivery.redeliver_failed", "delivery", None, count=len(items), **redeliver_in)
        return {"redelivered": len(items), "ids": [d.id for d in items]}
