"""Report payloads: an attempt's score report, a quiz's cohort, a candidate's progress."""

from marshmallow import Schema, fields, validate

from quizsvc.schemas.attempt import CandidateSchema
from quizsvc.schemas.fields import Text

REPORT_FORMATS = ("json", "csv", "html", "pdf")


class ReportQuerySchema(Schema):
    class Meta:
        unknown = "raise"

    format = Text(load_default="json", validate=validate.OneOf(REPORT_FORMATS))


class PageQuerySchema(Schema):
    class Meta:
        unknown = "raise"

    format = Text(load_default="json", validate=validate.OneOf(("json", "html")))


class BinSchema(Schema):
    from_ = fields.Integer(data_key="from", attribute="from")
    to = fields.Integer()
    count = fields.Integer()


class CohortSchema(Schema):
    attempts = fields.Integer(metadata={"description": "Graded attempts of the quiz"})
    mean = fields.Float(allow_none=True)
    median = fields.Float(allow_none=True)
    stdev = fields.Float(allow_none=True)
    histogram = fields.List(fields.Nested(BinSchema))


class AttemptReportSchema(Schema):
    """The score report (format=json); the CSV, HTML and PDF formats render the same data."""

    generated_at = fields.String()
    attempt = fields.Dict()
    candidate = fields.Dict()
    quiz = fields.Dict()
    score = fields.Float(allow_none=True)
    passed = fields.Boolean(allow_none=True)
    band = fields.String(allow_none=True)
    categories = fields.List(fields.Dict())
    cohort = fields.Dict(metadata={"description": "The quiz's graded attempts and this candidate's percentile"})
    questions = fields.List(fields.Dict())


class ItemStatsSchema(Schema):
    question_id = fields.Integer()
    slug = fields.String()
    prompt = fields.String()
    category = fields.String()
    answers = fields.Integer()
    mean = fields.Float()
    stdev = fields.Float(allow_none=True)
    discrimination = fields.Float(
        allow_none=True, metadata={"description": "Correlation with the rest of the attempt; null below 3 answers"}
    )
    flag_rates = fields.Dict(keys=fields.String(), values=fields.Float())
    override_rate = fields.Float()


class CohortEntrySchema(Schema):
    attempt_id = fields.Integer()
    candidate_id = fields.Integer()
    external_id = fields.String()
    display_name = fields.String()
    submitted_at = fields.DateTime()
    score = fields.Float()
    passed = fields.Boolean()
    percentile = fields.Float()


class QuizReportSchema(CohortSchema):
    quiz = fields.Dict()
    pass_rate = fields.Float(allow_none=True)
    candidates = fields.List(fields.Nested(CohortEntrySchema))
    questions = fields.List(fields.Nested(ItemStatsSchema))


class CategoryScoreSchema(Schema):
    category = fields.String()
    score = fields.Float()
    questions = fields.Integer()


class ProgressAttemptSchema(Schema):
    attempt_id = fields.Integer()
    quiz_id = fields.Integer()
    quiz = fields.String()
    status = fields.String()
    created_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)
    score = fields.Float(allow_none=True)
    passed = fields.Boolean(allow_none=True)
    categories = fields.List(fields.Nested(CategoryScoreSchema))


class ProgressPointSchema(Schema):
    attempt_id = fields.Integer()
    at = fields.DateTime(allow_none=True)
    score = fields.Float()


class CategoryProgressSchema(Schema):
    category = fields.String()
    mean = fields.Float()
    attempts = fields.Integer()
    first = fields.Float()
    latest = fields.Float()
    points = fields.List(fields.Nested(ProgressPointSchema))


class OverallProgressSchema(Schema):
    graded_attempts = fields.Integer()
    mean = fields.Float(allow_none=True)
    best = fields.Float(allow_none=True)
    first = fields.Float(allow_none=True)
    latest = fields.Float(allow_none=True)
    change = fields.Float(allow_none=True, metadata={"description": "latest minus first"})


class ProgressSchema(Schema):
    candidate = fields.Nested(CandidateSchema)
    attempts = fields.List(fields.Nested(ProgressAttemptSchema))
    overall = fields.Nested(OverallProgressSchema)
    categories = fields.List(fields.Nested(CategoryProgressSchema))
