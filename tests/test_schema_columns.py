"""Every text an input schema accepts fits the column it is stored in: the limits cannot drift apart.

A new text field in an input schema fails ``test_every_text_field_is_mapped`` until it is
added to ``COLUMNS`` with its column (or with ``None`` when it is never stored).
"""

import importlib
import inspect
import pkgutil

from marshmallow import Schema, fields, validate
from sqlalchemy import JSON, String, Text

import quizsvc.schemas
from quizsvc.models import (
    ApiKey,
    Attempt,
    AuditEntry,
    Candidate,
    Delivery,
    Event,
    GradeOverride,
    IdempotencyRecord,
    KeyPoint,
    Keyword,
    Misconception,
    Question,
    QuestionExample,
    QuestionTag,
    QuestionVersion,
    Quiz,
    ReferenceAnswer,
    Response,
    WebhookSubscription,
)
from quizsvc.schemas.fields import Answer
from quizsvc.schemas.fields import Text as TextField

# (schema, field) -> the column its value is stored in; None: matched or graded, never stored.
COLUMNS = {
    ("KeyCreateSchema", "name"): ApiKey.name,
    ("KeyCreateSchema", "role"): ApiKey.role,
    ("CandidateInSchema", "external_id"): Candidate.external_id,
    ("CandidateInSchema", "display_name"): Candidate.display_name,
    ("CandidateInSchema", "email"): Candidate.email,
    ("CandidateQuerySchema", "external_id"): Candidate.external_id,
    ("AttemptQuerySchema", "status"): Attempt.status,
    ("AnswerInSchema", "answer"): Response.answer,
    ("OverrideInSchema", "reason"): GradeOverride.reason,
    ("ExampleInSchema", "answer"): QuestionExample.answer,
    ("ExampleInSchema", "note"): QuestionExample.note,
    ("QuestionContentSchema", "prompt"): QuestionVersion.prompt,
    ("QuestionContentSchema", "category"): QuestionVersion.category,
    ("QuestionContentSchema", "difficulty"): QuestionVersion.difficulty,
    ("QuestionContentSchema", "language"): QuestionVersion.language,
    ("QuestionContentSchema", "tags"): QuestionTag.tag,
    ("QuestionContentSchema", "references"): ReferenceAnswer.text,
    ("QuestionCreateSchema", "slug"): Question.slug,
    ("KeyPointSchema", "text"): KeyPoint.text,
    ("KeywordSchema", "term"): Keyword.term,
    ("KeywordSchema", "aliases"): Keyword.aliases,
    ("MisconceptionSchema", "text"): Misconception.text,
    ("MisconceptionSchema", "aliases"): Misconception.aliases,
    ("QuestionQuerySchema", "category"): QuestionVersion.category,
    ("QuestionQuerySchema", "difficulty"): QuestionVersion.difficulty,
    ("QuestionQuerySchema", "tag"): QuestionTag.tag,
    ("QuestionQuerySchema", "language"): QuestionVersion.language,
    ("QuestionQuerySchema", "slug"): Question.slug,
    ("QuestionQuerySchema", "q"): None,
    ("RuleSchema", "categories"): QuestionVersion.category,
    ("RuleSchema", "difficulties"): QuestionVersion.difficulty,
    ("RuleSchema", "tags"): QuestionTag.tag,
    ("QuizCreateSchema", "name"): Quiz.name,
    ("QuizCreateSchema", "description"): Quiz.description,
    ("QuizCreateSchema", "feedback_policy"): Quiz.feedback_policy,
    ("QuizCreateSchema", "feedback_timing"): Quiz.feedback_timing,
    ("ReportQuerySchema", "format"): None,
    ("PageQuerySchema", "format"): None,
    ("ScoreRequestSchema", "answer"): None,
    ("ScoreRequestSchema", "prompt"): None,
    ("ScoreRequestSchema", "references"): None,
    ("AttemptCreateSchema", "language"): Attempt.language,
    ("AttemptQuerySchema", "cursor"): None,
    # Joined with a space into Candidate.display_name: test_partner_names_fit_the_display_name.
    ("PartnerCandidateSchema", "first_name"): None,
    ("PartnerCandidateSchema", "last_name"): None,
    # Also the candidate's external id when the platform sends none.
    ("PartnerCandidateSchema", "email"): Candidate.external_id,
    ("PartnerCandidateSchema", "external_id"): Candidate.external_id,
    ("SendTestSchema", "partner_test_id"): None,
    ("SendTestSchema", "url"): Attempt.callback_url,
    ("SendTestSchema", "language"): Attempt.language,
    ("StatusQuerySchema", "partner_interview_id"): None,
    ("BankExportQuerySchema", "format"): None,
    ("BankImportQuerySchema", "format"): None,
    ("AuditQuerySchema", "action"): AuditEntry.action,
    ("AuditQuerySchema", "target_type"): AuditEntry.target_type,
    ("DeliveryQuerySchema", "status"): Delivery.status,
    ("DeliveryQuerySchema", "channel"): Delivery.channel,
    ("DeliveryQuerySchema", "event_type"): Event.type,
    ("EventQuerySchema", "type"): Event.type,
    ("RedeliverInSchema", "channel"): Delivery.channel,
    ("SubscriptionInSchema", "url"): WebhookSubscription.url,
    ("SubscriptionInSchema", "description"): WebhookSubscription.description,
    ("SubscriptionInSchema", "event_types"): WebhookSubscription.event_types,
    ("SubscriptionPatchSchema", "url"): WebhookSubscription.url,
    ("SubscriptionPatchSchema", "description"): WebhookSubscription.description,
    # The console's list filters: compared with stored values, never stored.
    ("AttemptFilterSchema", "status"): Attempt.status,
    ("AttemptFilterSchema", "flag"): None,
    ("AttemptFilterSchema", "sort"): None,
    ("AttemptFilterSchema", "order"): None,
}


def _schemas():
    for module in pkgutil.iter_modules(quizsvc.schemas.__path__):
        loaded = importlib.import_module(f"quizsvc.schemas.{module.name}")
        for _, cls in inspect.getmembers(loaded, inspect.isclass):
            if issubclass(cls, Schema) and cls.__module__ == loaded.__name__:
                yield cls


def _input_text_fields():
    """(schema name, field name, field) of every text an input schema loads, each field once:
    under the schema that declares it (a subclass shares its base's fields)."""
    found = {}
    for schema in _schemas():
        for name, field in schema._declared_fields.items():
            inner = field.inner if isinstance(field, fields.List) else field
            if isinstance(inner, (TextField, Answer)):
                earlier = found.get(id(inner))
                if earlier is None or len(schema.__mro__) < len(earlier[0].__mro__):
                    found[id(inner)] = (schema, name, inner)
    for schema, name, inner in found.values():
        yield schema.__name__, name, inner


def _limit(field) -> int | None:
    for validator in field.validators:
        if isinstance(validator, validate.Length):
            return validator.max
        if isinstance(validator, validate.OneOf):
            return max(len(choice) for choice in validator.choices)
    return None


def test_every_text_field_is_mapped():
    found = {(schema, name) for schema, name, _ in _input_text_fields()}
    assert found - set(COLUMNS) == set(), "input text fields with no column in COLUMNS"
    assert set(COLUMNS) - found == set(), "COLUMNS names fields that no longer exist"


def test_every_limit_equals_its_column():
    mismatched = []
    for schema, name, field in _input_text_fields():
        column = COLUMNS[schema, name]
        limit = _limit(field)
        if column is None or isinstance(column.type, JSON):
            continue
        if isinstance(column.type, String) and not isinstance(column.type, Text) and column.type.length is not None:
            enum = any(isinstance(v, validate.OneOf) for v in field.validators)
            fits = limit is not None and (limit <= column.type.length if enum else limit == column.type.length)
            if not fits:
                mismatched.append(f"{schema}.{name}: schema {limit}, column {column} {column.type.length}")
        elif limit is None:
            mismatched.append(f"{schema}.{name}: no limit for the unbounded column {column}")
    assert mismatched == []


def test_the_idempotency_key_fits_its_column():
    from quizsvc.api.idempotency import MAX_KEY

    assert MAX_KEY == IdempotencyRecord.key.type.length


def test_a_language_tag_longer_than_its_column_is_refused():
    from quizsvc.schemas.question import QuestionContentSchema

    tag = "zh-Hant-abcdefgh-abcd"  # 21 characters of a well-formed tag
    assert QuestionContentSchema().validate({"language": tag})["language"] == ["Length must be between 2 and 20."]
    assert "language" not in QuestionContentSchema().validate({"language": tag[:20]})


def test_partner_names_fit_the_display_name():
    from quizsvc.schemas.partner import PartnerCandidateSchema

    fields_ = PartnerCandidateSchema._declared_fields
    joined = _limit(fields_["first_name"]) + 1 + _limit(fields_["last_name"])
    assert joined <= Candidate.display_name.type.length
