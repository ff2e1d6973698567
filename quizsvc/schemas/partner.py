"""The assessment-partner payloads, in the shape applicant-tracking systems send and read.

Platforms send more candidate fields than these (profile URLs, phone numbers): unknown
fields are ignored here, unlike the rest of the API.
"""

from marshmallow import EXCLUDE, Schema, fields, validate

from quizsvc.models import LANGUAGES
from quizsvc.schemas.fields import Email, Text, Url


class PartnerCandidateSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    # Joined with a space into the display name (200 characters).
    first_name = Text(load_default="", validate=validate.Length(max=99))
    last_name = Text(load_default="", validate=validate.Length(max=100))
    # Also the external id (200 characters) when the platform sends none.
    email = Email(required=True, validate=validate.Length(max=200))
    external_id = Text(
        validate=validate.Length(min=1, max=200), metadata={"description": "The platform's id; default: the email."}
    )


class SendTestSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    partner_test_id = Text(required=True, validate=validate.Length(min=1, max=20))
    candidate = fields.Nested(PartnerCandidateSchema, required=True)
    url = Url(
        schemes={"http", "https"},
        require_tld=False,
        validate=validate.Length(max=2000),
        metadata={"description": "Callback: PATCHed with the test status when the attempt is graded."},
    )
    language = Text(
        validate=validate.OneOf(list(LANGUAGES)), metadata={"description": "Of the invitation email; default en."}
    )


class PartnerTestSchema(Schema):
    partner_test_id = fields.String()
    partner_test_name = fields.String()


class SentTestSchema(Schema):
    partner_interview_id = fields.String()


class StatusQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    partner_interview_id = Text(required=True, validate=validate.Length(min=1, max=20))


class TestStatusSchema(Schema):
    partner_interview_id = fields.String()
    partner_status = fields.String(metadata={"description": "created, started, completed or cancelled"})
    partner_score = fields.Float(allow_none=True)
    partner_profile_url = fields.String(metadata={"description": "A signed link to the report; opens without a key."})
    metadata = fields.Dict(metadata={"description": "Flat: per-category scores, band, pass/fail, flags."})
