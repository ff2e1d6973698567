"""Attempt, answer, review and report payloads."""

from datetime import timezone

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from quizsvc.models import LANGUAGES, STATUSES
from quizsvc.schemas.fields import Answer, Email, Id, Text
from quizsvc.schemas.question import StrictSchema
from quizsvc.schemas.quiz import MAX_LINK_HOURS
from quizsvc.schemas.score import MAX_ANSWER, GradeSchema

MAX_REASON = 2000
# A day on one question is more than any interview allows.
MAX_TIME_SPENT = 24 * 3600
# Candidates in one bulk invitation.
MAX_BATCH = 500
LANGUAGE = Text(
    validate=validate.OneOf(LANGUAGES), metadata={"description": "Of the emails to the candidate; default en."}
)


class CandidateInSchema(StrictSchema):
    external_id = Text(required=True, validate=validate.Length(min=1, max=200))
    display_name = Text(required=True, validate=validate.Length(min=1, max=200))
    email = Email(load_default=None, allow_none=True, validate=validate.Length(max=254))


class BatchCandidateSchema(CandidateInSchema):
    language = LANGUAGE


class AttemptCreateSchema(StrictSchema):
    quiz_id = Id(required=True)
    candidate = fields.Nested(CandidateInSchema, metadata={"description": "One candidate (or candidates)."})
    candidates = fields.List(
        fields.Dict(),
        validate=validate.Length(min=1, max=MAX_BATCH),
        metadata={
            "description": f"Bulk: up to {MAX_BATCH} candidates (each as candidate, plus an optional language), "
            "answered one by one: a bad item fails alone.",
            "items": {"$ref": "#/components/schemas/BatchCandidate"},
        },
    )
    expires_in_hours = fields.Integer(
        validate=validate.Range(min=1, max=MAX_LINK_HOURS), metadata={"description": "Default: the quiz's."}
    )
    language = LANGUAGE

    @validates_schema
    def _one_of(self, data, **kwargs):
        if ("candidate" in data) == ("candidates" in data):
            raise ValidationError("Give candidate (one) or candidates (a list), not both.", "candidate")


class AttemptQuerySchema(Schema):
    class Meta:
        unknown = "exclude"

    quiz_id = Id()
    candidate_id = Id()
    status = Text(validate=validate.OneOf(STATUSES))
    updated_since = fields.AwareDateTime(
        default_timezone=timezone.utc,
        metadata={"description": "Only attempts changed since then, in the stable order (updated_at, id)."},
    )
    cursor = Text(
        validate=validate.Length(max=200),
        metadata={"description": "X-Next-Cursor of the previous page: pages by cursor instead of page number."},
    )


class AnswerInSchema(StrictSchema):
    answer = Answer(required=True, validate=validate.Length(max=MAX_ANSWER))
    time_spent_seconds = fields.Integer(
        validate=validate.Range(min=0, max=MAX_TIME_SPENT),
        metadata={"description": "Time on this question so far, as the client measured it."},
    )


class OverrideInSchema(StrictSchema):
    score = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    reason = Text(required=True, validate=validate.Length(min=1, max=MAX_REASON))


class RegradeInSchema(StrictSchema):
    force = fields.Boolean(
        load_default=False, metadata={"description": "Grade again even if this grader already graded it."}
    )


class CandidateSchema(Schema):
    id = fields.Integer()
    external_id = fields.String()
    display_name = fields.String()
    email = fields.String(allow_none=True)
    created_at = fields.DateTime()


class CandidateQuerySchema(Schema):
    class Meta:
        unknown = "exclude"

    external_id = Text(validate=validate.Length(min=1, max=200))


class OverrideSchema(Schema):
    id = fields.Integer()
    score = fields.Integer()
    reason = fields.String()
    reviewer = fields.String()
    key_id = fields.Integer(allow_none=True)
    grade_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True, metadata={"description": "Set when the override was revoked."})


class StoredGradeSchema(GradeSchema):
    id = fields.Integer()
    trigger = fields.String(metadata={"description": "submission or regrade"})
    created_at = fields.DateTime()


class ResponseSchema(Schema):
    """A drawn question, the answer and every grade it got (newest last)."""

    position = fields.Integer()
    question_id = fields.Integer()
    version = fields.Integer()
    prompt = fields.String()
    category = fields.String()
    answer = fields.String(allow_none=True)
    time_spent_seconds = fields.Integer(allow_none=True)
    saves = fields.Integer()
    updated_at = fields.DateTime(allow_none=True)
    machine_score = fields.Integer(allow_none=True)
    score = fields.Integer(allow_none=True, metadata={"description": "The override if any, else the machine grade."})
    override = fields.Nested(OverrideSchema, allow_none=True)
    grade = fields.Nested(StoredGradeSchema, allow_none=True, metadata={"description": "The latest machine grade."})
    grades = fields.List(fields.Nested(StoredGradeSchema))
    overrides = fields.List(fields.Nested(OverrideSchema))


class AttemptQuestionSchema(Schema):
    position = fields.Integer()
    question_id = fields.Integer()
    version = fields.Integer()
    prompt = fields.String()


class AttemptSchema(Schema):
    id = fields.Integer()
    quiz_id = fields.Integer()
    candidate = fields.Nested(CandidateSchema)
    status = fields.String()
    seed = fields.Integer(metadata={"description": "The seed the questions were drawn with."})
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    deadline = fields.DateTime(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    auto_submitted = fields.Boolean()
    graded_at = fields.DateTime(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    score = fields.Float(allow_none=True)
    passed = fields.Boolean(allow_none=True)
    questions = fields.List(fields.Nested(AttemptQuestionSchema))
    updated_at = fields.DateTime(metadata={"description": "Moves with every event of the attempt."})
    report_url = fields.String(
        metadata={
            "description": "A signed link that opens the score report in a browser without a key (HTML; "
            "add ?format=pdf for the PDF) for QUIZSVC_REPORT_LINK_HOURS; then ask for the attempt again."
        }
    )


class NewAttemptSchema(AttemptSchema):
    """An attempt with its candidate's access: shown once, never kept (a replayed call returns the attempt alone)."""

    token = fields.String(
        metadata={"description": "The candidate's access token. Shown once; never replayed.", "x-secret": True}
    )
    link = fields.String(
        metadata={
            "description": "The candidate's page (carries the token); the API takes the same token. Never replayed.",
            "x-secret": True,
        }
    )


class AttemptDetailSchema(AttemptSchema):
    responses = fields.List(fields.Nested(ResponseSchema))


class CandidateQuestionSchema(Schema):
    position = fields.Integer()
    prompt = fields.String()
    category = fields.String()
    difficulty = fields.String()
    language = fields.String()
    answer = fields.String(allow_none=True)
    time_spent_seconds = fields.Integer(allow_none=True)
    saved_at = fields.DateTime(allow_none=True)
    result = fields.Nested(GradeSchema, allow_none=True, metadata={"description": "Mock quizzes only."})


class CandidateAttemptSchema(Schema):
    """What the candidate sees: never references, key points or (in hiring quizzes) scores."""

    id = fields.Integer()
    quiz = fields.String()
    status = fields.String()
    feedback_policy = fields.String()
    feedback_timing = fields.String(metadata={"description": "after_answer for every practice attempt."})
    practice = fields.Boolean(metadata={"description": "Opened from the quiz's open practice link."})
    time_limit_minutes = fields.Integer(allow_none=True)
    expires_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    deadline = fields.DateTime(allow_none=True)
    seconds_left = fields.Integer(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    auto_submitted = fields.Boolean(
        metadata={"description": "Submitted by the time limit, with the answers saved by then."}
    )
    max_answer_length = fields.Integer()
    question_count = fields.Integer()
    questions = fields.List(fields.Nested(CandidateQuestionSchema), metadata={"description": "Once started."})
    score = fields.Float(allow_none=True, metadata={"description": "Mock quizzes only, once graded."})
    passed = fields.Boolean(allow_none=True)


class SavedAnswerSchema(CandidateQuestionSchema):
    saves = fields.Integer()


class BatchItemSchema(Schema):
    index = fields.Integer(metadata={"description": "Position in candidates."})
    status = fields.Integer(metadata={"description": "201, or the error's code"})
    attempt = fields.Nested(NewAttemptSchema, allow_none=True)
    error = fields.Dict(allow_none=True, metadata={"description": "The error envelope of a failed item."})


class BatchInviteSchema(Schema):
    created = fields.Integer()
    failed = fields.Integer()
    items = fields.List(fields.Nested(BatchItemSchema))
