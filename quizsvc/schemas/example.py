"""Reviewed examples of a question, in and out."""

from marshmallow import Schema, fields

from quizsvc.schemas.question import ExampleInSchema

__all__ = ["ExampleInSchema", "ExampleSchema"]


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
