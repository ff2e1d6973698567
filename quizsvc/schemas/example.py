"""Reviewed examples of a question, in and out."""

from marshmallow import Schema, fields, validate

from quizsvc.schemas.question import StrictSchema

MAX_ANSWER = 5000
MAX_NOTE = 2000


class ExampleInSchema(StrictSchema):
    answer = fields.String(required=True, validate=validate.Length(min=1, max=MAX_ANSWER))
    score = fields.Float(required=True, validate=validate.Range(min=0, max=100))
    note = fields.String(load_default="", validate=validate.Length(max=MAX_NOTE))


class ExampleSchema(Schema):
    id = fields.Integer()
    question_id = fields.Integer()
    answer = fields.String()
    score = fields.Float()
    note = fields.String()
    source = fields.String(metadata={"description": "bank, api, override or import"})
    override_id = fields.Integer(allow_none=True)
    active = fields.Boolean(
        metadata={"description": "The latest version grades with it (same references and key points)"}
    )
    created_at = fields.DateTime()
