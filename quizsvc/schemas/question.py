"""Question payloads. Every limit is explicit; unknown fields are rejected."""

from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from quizsvc.bank import EXPORT_FORMATS, IMPORT_FORMATS
from quizsvc.models import DIFFICULTIES

# Limits: generous for real interview questions, small enough that one request can
# never carry a document-sized payload into the grader.
MAX_PROMPT = 2000
MAX_REFERENCE = 10000
MAX_REFERENCES = 5
MAX_KEY_POINTS = 50
MAX_KEY_POINT = 1000
MAX_KEYWORDS = 100
MAX_TERM = 100
MAX_ALIASES = 20
MAX_MISCONCEPTIONS = 20
MAX_TAGS = 20
SLUG = validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,99}$", error="Use 1-100 lowercase letters, digits and hyphens.")
TAG = validate.Regexp(r"^[a-z0-9][a-z0-9+.-]{0,49}$", error="Use 1-50 lowercase letters, digits, '+', '.', '-'.")
LANGUAGE = validate.Regexp(
    r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", error="Use a language tag such as zh-Hant, zh-Hans or en."
)
WEIGHT = validate.Range(min=0, min_inclusive=False, max=10)


def _text(maximum: int, **kwargs) -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=maximum), **kwargs)


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class KeyPointSchema(StrictSchema):
    text = _text(MAX_KEY_POINT, required=True)
    weight = fields.Float(load_default=1.0, validate=WEIGHT)


class KeywordSchema(StrictSchema):
    term = _text(MAX_TERM, required=True)
    aliases = fields.List(_text(MAX_TERM), load_default=list, validate=validate.Length(max=MAX_ALIASES))
    weight = fields.Float(load_default=1.0, validate=WEIGHT)
    required = fields.Boolean(load_default=False)


class MisconceptionSchema(StrictSchema):
    text = _text(MAX_KEY_POINT, required=True)
    aliases = fields.List(_text(MAX_KEY_POINT), load_default=list, validate=validate.Length(max=MAX_ALIASES))


class QuestionContentSchema(StrictSchema):
    """What a version holds: everything a new version may change."""

    prompt = _text(MAX_PROMPT, required=True)
    category = _text(100, required=True)
    difficulty = fields.String(required=True, validate=validate.OneOf(DIFFICULTIES))
    language = fields.String(required=True, validate=LANGUAGE)
    tags = fields.List(fields.String(validate=TAG), load_default=list, validate=validate.Length(max=MAX_TAGS))
    references = fields.List(_text(MAX_REFERENCE), required=True, validate=validate.Length(min=1, max=MAX_REFERENCES))
    key_points = fields.List(
        fields.Nested(KeyPointSchema), load_default=list, validate=validate.Length(max=MAX_KEY_POINTS)
    )
    keywords = fields.List(fields.Nested(KeywordSchema), load_default=list, validate=validate.Length(max=MAX_KEYWORDS))
    misconceptions = fields.List(
        fields.Nested(MisconceptionSchema), load_default=list, validate=validate.Length(max=MAX_MISCONCEPTIONS)
    )


MAX_EXAMPLE = 5000
MAX_NOTE = 2000
MAX_EXAMPLES = 200


class ExampleInSchema(StrictSchema):
    """A reviewed example: an answer a person graded (0-100), with an optional note."""

    answer = _text(MAX_EXAMPLE, required=True)
    score = fields.Float(required=True, validate=validate.Range(min=0, max=100))
    note = fields.String(load_default="", validate=validate.Length(max=MAX_NOTE))


class QuestionCreateSchema(QuestionContentSchema):
    slug = fields.String(required=True, validate=SLUG)
    # Not version content: examples belong to the question (see services/examples.py).
    examples = fields.List(fields.Nested(ExampleInSchema), validate=validate.Length(max=MAX_EXAMPLES))


class QuestionQuerySchema(Schema):
    class Meta:
        # The query string also carries page and page_size, parsed by the paginator.
        unknown = EXCLUDE

    category = _text(100)
    difficulty = fields.String(validate=validate.OneOf(DIFFICULTIES))
    tag = fields.String(validate=TAG)
    language = fields.String(validate=LANGUAGE)
    slug = fields.String(validate=SLUG)
    q = _text(200, metadata={"description": "Text search in prompts and references (Traditional or Simplified)."})
    include_retired = fields.Boolean(load_default=False)


class VersionQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    version = fields.Integer(validate=validate.Range(min=1), metadata={"description": "Default: the latest."})


class KeyPointOut(Schema):
    text = fields.String()
    weight = fields.Float()


class KeywordOut(Schema):
    term = fields.String()
    aliases = fields.List(fields.String())
    weight = fields.Float()
    required = fields.Boolean()


class MisconceptionOut(Schema):
    text = fields.String()
    aliases = fields.List(fields.String())


class QuestionSchema(Schema):
    """One version of a question, dumped from a loaded ``QuestionVersion``."""

    id = fields.Integer(attribute="question.id")
    slug = fields.String(attribute="question.slug")
    version = fields.Integer()
    latest_version = fields.Integer(attribute="question.latest_version")
    prompt = fields.String()
    category = fields.String()
    difficulty = fields.String()
    language = fields.String()
    tags = fields.List(fields.String(), attribute="tag_names")
    references = fields.List(fields.String(), attribute="reference_texts")
    key_points = fields.List(fields.Nested(KeyPointOut))
    keywords = fields.List(fields.Nested(KeywordOut))
    misconceptions = fields.List(fields.Nested(MisconceptionOut))
    created_at = fields.DateTime(attribute="question.created_at")
    version_created_at = fields.DateTime(attribute="created_at")
    retired_at = fields.DateTime(attribute="question.retired_at", allow_none=True)


class QuestionVersionSummarySchema(Schema):
    version = fields.Integer()
    created_at = fields.DateTime()
    content_hash = fields.String()


class BankUploadSchema(StrictSchema):
    file = Upload(required=True, metadata={"description": "The bank file (multipart/form-data)."})


class BankImportQuerySchema(StrictSchema):
    format = fields.String(
        validate=validate.OneOf(IMPORT_FORMATS),
        metadata={"description": "Default: guessed from the file name's extension, else from the content."},
    )


class BankExportQuerySchema(StrictSchema):
    format = fields.String(load_default="yaml", validate=validate.OneOf(EXPORT_FORMATS))
    include_retired = fields.Boolean(load_default=False)


class BankImportResultSchema(Schema):
    name = fields.String(metadata={"description": "The bank's name in the file, else the file name."})
    format = fields.String()
    questions = fields.Integer(metadata={"description": "Questions in the file."})
    created = fields.Integer()
    updated = fields.Integer(metadata={"description": "Changed content: a new version."})
    unchanged = fields.Integer()
    skipped = fields.List(
        fields.String(),
        metadata={"description": "Questions of kinds quizsvc does not keep (multiple choice, ...), where they are."},
    )
