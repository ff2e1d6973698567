"""Question payloads. Every limit is explicit; unknown fields are rejected."""

from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from quizsvc.bank import EXPORT_FORMATS, IMPORT_FORMATS
from quizsvc.models import DIFFICULTIES
from quizsvc.schemas.fields import Answer, Id, Text

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


class Pattern(validate.Regexp):
    """The whole value must match: ``re.match`` would let "$" accept a trailing newline."""

    def __call__(self, value):
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


# The Length beside each pattern states the column's size where a reader (and the schema
# test against the columns) sees it.
SLUG = [
    validate.Length(min=1, max=100),
    Pattern(r"^[a-z0-9][a-z0-9-]{0,99}$", error="Use 1-100 lowercase letters, digits and hyphens."),
]
TAG = [
    validate.Length(min=1, max=50),
    Pattern(r"^[a-z0-9][a-z0-9+.-]{0,49}$", error="Use 1-50 lowercase letters, digits, '+', '.', '-'."),
]
LANGUAGE = [
    validate.Length(min=2, max=20),
    Pattern(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", error="Use a language tag such as zh-Hant, zh-Hans or en."),
]


def _weight() -> fields.Float:
    # More than 0: the document says so too (OpenAPI 3.0's boolean exclusiveMinimum).
    return fields.Float(
        load_default=1.0,
        validate=validate.Range(min=0, min_inclusive=False, max=10),
        metadata={"exclusiveMinimum": True},
    )


def _text(maximum: int, **kwargs) -> Text:
    return Text(validate=validate.Length(min=1, max=maximum), **kwargs)


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class KeyPointSchema(StrictSchema):
    text = _text(MAX_KEY_POINT, required=True)
    weight = _weight()


class KeywordSchema(StrictSchema):
    term = _text(MAX_TERM, required=True)
    aliases = fields.List(_text(MAX_TERM), load_default=list, validate=validate.Length(max=MAX_ALIASES))
    weight = _weight()
    required = fields.Boolean(load_default=False)


class MisconceptionSchema(StrictSchema):
    text = _text(MAX_KEY_POINT, required=True)
    aliases = fields.List(_text(MAX_KEY_POINT), load_default=list, validate=validate.Length(max=MAX_ALIASES))


class QuestionContentSchema(StrictSchema):
    """What a version holds: everything a new version may change."""

    prompt = _text(MAX_PROMPT, required=True)
    category = _text(100, required=True)
    difficulty = Text(required=True, validate=validate.OneOf(DIFFICULTIES))
    language = Text(required=True, validate=LANGUAGE)
    tags = fields.List(Text(validate=TAG), load_default=list, validate=validate.Length(max=MAX_TAGS))
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

    answer = Answer(required=True, validate=validate.Length(min=1, max=MAX_EXAMPLE))
    score = fields.Float(required=True, validate=validate.Range(min=0, max=100))
    note = Text(load_default="", validate=validate.Length(max=MAX_NOTE))


class QuestionCreateSchema(QuestionContentSchema):
    slug = Text(required=True, validate=SLUG)
    # Not version content: examples belong to the question (see services/examples.py).
    examples = fields.List(fields.Nested(ExampleInSchema), validate=validate.Length(max=MAX_EXAMPLES))


class QuestionQuerySchema(Schema):
    class Meta:
        # The query string also carries page and page_size, parsed by the paginator.
        unknown = EXCLUDE

    category = _text(100)
    difficulty = Text(validate=validate.OneOf(DIFFICULTIES))
    tag = Text(validate=TAG)
    language = Text(validate=LANGUAGE)
    slug = Text(validate=SLUG)
    q = _text(200, metadata={"description": "Text search in prompts and references (Traditional or Simplified)."})
    include_retired = fields.Boolean(load_default=False)


class VersionQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    version = Id(metadata={"description": "Default: the latest."})


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
    format = Text(
        validate=validate.OneOf(IMPORT_FORMATS),
        metadata={"description": "Default: guessed from the file name's extension, else from the content."},
    )


class BankExportQuerySchema(StrictSchema):
    format = Text(load_default="yaml", validate=validate.OneOf(EXPORT_FORMATS))
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
