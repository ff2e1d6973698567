"""Quiz payloads. Limits are explicit; unknown fields are rejected."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from quizsvc.models import DIFFICULTIES, FEEDBACK_POLICIES, FEEDBACK_TIMINGS
from quizsvc.schemas.fields import Id, Text
from quizsvc.schemas.question import TAG, StrictSchema

# A quiz is at most this many questions, so an attempt holds at most this many answers.
MAX_QUIZ_QUESTIONS = 50
MAX_TIME_LIMIT_MINUTES = 8 * 60
# Invitations stay open at most 90 days.
MAX_LINK_HOURS = 90 * 24


class RuleSchema(StrictSchema):
    categories = fields.List(Text(validate=validate.Length(min=1, max=100)), validate=validate.Length(max=20))
    difficulties = fields.List(Text(validate=validate.OneOf(DIFFICULTIES)), validate=validate.Length(max=3))
    tags = fields.List(Text(validate=TAG), validate=validate.Length(max=20))
    count = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_QUIZ_QUESTIONS))


class QuizCreateSchema(StrictSchema):
    # _one_selection's rule, as the OpenAPI document states it.
    JSON_SCHEMA_RULES = {"oneOf": [{"required": ["question_ids"]}, {"required": ["rule"]}]}

    name = Text(required=True, validate=validate.Length(min=1, max=200))
    description = Text(load_default="", validate=validate.Length(max=2000))
    question_ids = fields.List(Id(), validate=validate.Length(min=1, max=MAX_QUIZ_QUESTIONS))
    rule = fields.Nested(RuleSchema)
    time_limit_minutes = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=MAX_TIME_LIMIT_MINUTES)
    )
    pass_mark = fields.Integer(load_default=60, validate=validate.Range(min=0, max=100))
    feedback_policy = Text(required=True, validate=validate.OneOf(FEEDBACK_POLICIES))
    feedback_timing = Text(
        load_default="at_end",
        validate=validate.OneOf(FEEDBACK_TIMINGS),
        metadata={"description": "mock quizzes only: feedback after each answer or at the end"},
    )
    link_valid_hours = fields.Integer(load_default=168, validate=validate.Range(min=1, max=MAX_LINK_HOURS))

    @validates_schema
    def _one_selection(self, data, **kwargs):
        if ("question_ids" in data) == ("rule" in data):
            raise ValidationError("Give either question_ids (a fixed list) or rule (drawn per attempt).", "_schema")
        ids = data.get("question_ids") or []
        if len(set(ids)) != len(ids):
            raise ValidationError({"question_ids": ["Each question once."]})
        if data["feedback_policy"] == "hiring" and data["feedback_timing"] != "at_end":
            raise ValidationError({"feedback_timing": ["Hiring quizzes show candidates no scores."]})


class QuizQuerySchema(Schema):
    class Meta:
        unknown = "exclude"

    include_archived = fields.Boolean(load_default=False)


class QuizSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    description = fields.String()
    selection = fields.String(metadata={"description": "fixed or rule"})
    question_ids = fields.Method("_question_ids")
    rule = fields.Dict(allow_none=True)
    time_limit_minutes = fields.Integer(allow_none=True)
    pass_mark = fields.Integer()
    feedback_policy = fields.String()
    feedback_timing = fields.String()
    link_valid_hours = fields.Integer()
    created_at = fields.DateTime()
    archived_at = fields.DateTime(allow_none=True)

    @staticmethod
    def _question_ids(quiz) -> list[int] | None:
        return [item.question_id for item in quiz.questions] if quiz.selection == "fixed" else None
