"""Payloads of POST /api/v1/score."""

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from quizsvc.schemas.fields import Answer, Id, Text
from quizsvc.schemas.question import (
    MAX_KEY_POINTS,
    MAX_KEYWORDS,
    MAX_MISCONCEPTIONS,
    MAX_PROMPT,
    MAX_REFERENCE,
    MAX_REFERENCES,
    KeyPointSchema,
    KeywordSchema,
    MisconceptionSchema,
)

# Longer than any spoken interview answer, short enough to grade in well under a second.
MAX_ANSWER = 5000


class ScoreRequestSchema(Schema):
    """Grade ``answer`` against a stored question, or against an ad-hoc reference."""

    class Meta:
        unknown = RAISE

    # _one_source's rule, as the OpenAPI document states it.
    JSON_SCHEMA_RULES = {"oneOf": [{"required": ["question_id"]}, {"required": ["references"]}]}

    answer = Answer(required=True, validate=validate.Length(max=MAX_ANSWER))
    question_id = Id()
    version = Id()
    prompt = Text(validate=validate.Length(max=MAX_PROMPT), load_default="")
    references = fields.List(
        Text(validate=validate.Length(min=1, max=MAX_REFERENCE)),
        validate=validate.Length(min=1, max=MAX_REFERENCES),
    )
    key_points = fields.List(fields.Nested(KeyPointSchema), validate=validate.Length(max=MAX_KEY_POINTS))
    keywords = fields.List(fields.Nested(KeywordSchema), validate=validate.Length(max=MAX_KEYWORDS))
    misconceptions = fields.List(fields.Nested(MisconceptionSchema), validate=validate.Length(max=MAX_MISCONCEPTIONS))

    @validates_schema
    def _one_source(self, data, **kwargs):
        stored, adhoc = "question_id" in data, "references" in data
        if stored == adhoc:
            raise ValidationError("Give either question_id or references.", "_schema")
        if stored:
            extra = [f for f in ("prompt", "key_points", "keywords", "misconceptions") if data.get(f)]
            if extra:
                raise ValidationError({f: ["Only with references."] for f in extra})
        elif "version" in data:
            raise ValidationError({"version": ["Only with question_id."]})


class KeyPointResultSchema(Schema):
    text = fields.String()
    weight = fields.Float()
    similarity = fields.Float()
    status = fields.String(metadata={"description": "covered, partly or missed"})


class EvidenceSchema(Schema):
    kind = fields.String(metadata={"description": "key_point, keyword or misconception"})
    index = fields.Integer(
        metadata={"description": "Position in key_points, in the rubric's keywords, or in misconceptions"}
    )
    label = fields.String(metadata={"description": "The key point text, keyword term or misconception claim"})
    start = fields.Integer(metadata={"description": "Code-point offset into the answer as submitted"})
    end = fields.Integer(metadata={"description": "Half-open end offset"})


class GradeSchema(Schema):
    score = fields.Integer(metadata={"description": "0-100"})
    band = fields.String(metadata={"description": "strong, adequate, weak or insufficient"})
    confidence = fields.Float(metadata={"description": "0-1"})
    key_points = fields.List(fields.Nested(KeyPointResultSchema))
    keywords_matched = fields.List(fields.String())
    keywords_missing = fields.List(fields.String())
    misconceptions = fields.List(fields.String())
    flags = fields.List(fields.String())
    feedback = fields.List(fields.String())
    breakdown = fields.Dict(metadata={"description": "The signals and the model behind the score."})
    grader_version = fields.String()
    model_id = fields.String()
    params_digest = fields.String(metadata={"description": "sha256 of the grader parameter file"})
    examples_digest = fields.String(
        metadata={"description": "sha256 of the reviewed examples graded against; empty for none"}
    )
    evidence = fields.List(
        fields.Nested(EvidenceSchema), metadata={"description": "Where each finding is in the answer as submitted"}
    )


class ScoreResponseSchema(GradeSchema):
    question_id = fields.Integer(allow_none=True)
    version = fields.Integer(allow_none=True)


class FlagRuleSchema(Schema):
    name = fields.String()
    cap = fields.Integer(allow_none=True, metadata={"description": "Highest score with this flag; null: no cap"})
    review = fields.Boolean(metadata={"description": "A person should look at the answer"})
    meaning = fields.String()


class BandSchema(Schema):
    name = fields.String()
    from_score = fields.Integer()


class GraderInfoSchema(Schema):
    grader_version = fields.String()
    model_id = fields.String()
    parameters = fields.Dict(metadata={"description": "name, digest (sha256) and trained_on of the parameter file"})
    bands = fields.List(fields.Nested(BandSchema))
    flags = fields.List(fields.Nested(FlagRuleSchema))
