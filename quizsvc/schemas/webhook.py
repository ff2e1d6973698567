"""Webhook subscriptions, events, deliveries and their attempts; the audit log."""

from marshmallow import EXCLUDE, Schema, fields, validate

from quizsvc.models import SUBSCRIBABLE, Channel, DeliveryStatus
from quizsvc.schemas.fields import Id, Text, Url
from quizsvc.schemas.question import StrictSchema

MAX_URL = 2000
CHANNELS = [c.value for c in Channel]
STATUSES = [s.value for s in DeliveryStatus]
EVENT_TYPES = fields.List(
    Text(validate=validate.OneOf(SUBSCRIBABLE)),
    validate=validate.Length(max=len(SUBSCRIBABLE)),
    metadata={"description": "Event types to send; empty or missing: all of them."},
)


class SubscriptionInSchema(StrictSchema):
    url = Url(required=True, schemes={"http", "https"}, require_tld=False, validate=validate.Length(max=MAX_URL))
    description = Text(load_default="", validate=validate.Length(max=200))
    event_types = EVENT_TYPES
    enabled = fields.Boolean(load_default=True)


class SubscriptionPatchSchema(StrictSchema):
    url = Url(schemes={"http", "https"}, require_tld=False, validate=validate.Length(max=MAX_URL))
    description = Text(validate=validate.Length(max=200))
    event_types = EVENT_TYPES
    enabled = fields.Boolean(metadata={"description": "true again clears the failure record."})


class SubscriptionSchema(Schema):
    id = fields.Integer()
    url = fields.String()
    description = fields.String()
    event_types = fields.List(fields.String())
    enabled = fields.Boolean()
    disabled_reason = fields.String(allow_none=True)
    failing_since = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class NewSecretSchema(SubscriptionSchema):
    secret = fields.String(
        metadata={
            "description": "whsec_...: verifies the webhook-signature header. Shown once; never replayed.",
            "x-secret": True,
        }
    )


class EventRefSchema(Schema):
    id = fields.String(attribute="uid", metadata={"description": "The webhook-id header of its deliveries."})
    type = fields.String()
    attempt_id = fields.Integer(allow_none=True)
    timestamp = fields.DateTime(attribute="created_at")


class EventSchema(EventRefSchema):
    data = fields.Dict(metadata={"description": "The resource when it happened; deliveries add report_url."})


class EventQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    type = Text(validate=validate.Length(max=40))
    attempt_id = Id()


class DeliveryAttemptSchema(Schema):
    status_code = fields.Integer(allow_none=True)
    duration_ms = fields.Integer()
    succeeded = fields.Boolean()
    error = fields.String(allow_none=True)
    response_excerpt = fields.String(allow_none=True, metadata={"description": "The first 1 KiB of the answer."})
    created_at = fields.DateTime()


class DeliverySchema(Schema):
    id = fields.Integer()
    channel = fields.String(metadata={"description": "webhook, callback (partner) or email"})
    subscription_id = fields.Integer(allow_none=True)
    target = fields.String(allow_none=True, metadata={"description": "Callback URL or email address."})
    event = fields.Nested(EventRefSchema)
    status = fields.String(metadata={"description": "pending, delivered or failed (given up)"})
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime()
    last_error = fields.String(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class DeliveryDetailSchema(DeliverySchema):
    tries = fields.List(fields.Nested(DeliveryAttemptSchema), metadata={"description": "Every try, oldest first."})


class DeliveryQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    subscription_id = Id()
    status = Text(validate=validate.OneOf(STATUSES))
    channel = Text(validate=validate.OneOf(CHANNELS))
    event_type = Text(validate=validate.Length(max=40))


class RedeliverInSchema(StrictSchema):
    subscription_id = Id()
    channel = Text(validate=validate.OneOf(CHANNELS))


class RedeliveredSchema(Schema):
    redelivered = fields.Integer()
    ids = fields.List(fields.Integer())


class AuditEntrySchema(Schema):
    id = fields.Integer()
    key_id = fields.Integer(allow_none=True)
    actor = fields.String(metadata={"description": "The key's name, or cli."})
    action = fields.String()
    target_type = fields.String()
    target_id = fields.Integer(allow_none=True)
    detail = fields.Dict()
    created_at = fields.DateTime()


class AuditQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    action = Text(validate=validate.Length(max=50))
    target_type = Text(validate=validate.Length(max=30))
    target_id = Id()
