"""API key and organisation payloads."""

from marshmallow import RAISE, Schema, fields, validate

from quizsvc.models import ROLES
from quizsvc.schemas.fields import Text


class KeyCreateSchema(Schema):
    class Meta:
        unknown = RAISE

    name = Text(required=True, validate=validate.Length(min=1, max=100))
    role = Text(required=True, validate=validate.OneOf(ROLES))


class KeySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    role = fields.String()
    prefix = fields.String(metadata={"description": "The key's first characters, to tell keys apart."})
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)


class NewKeySchema(KeySchema):
    key = fields.String(
        metadata={
            "description": "The key itself. Shown once (never replayed); only its hash is stored.",
            "x-secret": True,
        }
    )


class WhoAmISchema(Schema):
    organisation = fields.String()
    role = fields.String()
    key_id = fields.Integer()
