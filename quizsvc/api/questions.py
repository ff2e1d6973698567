"""Questions: list and filter, get (latest or a version), create, new version, retire; bank import and export."""

from flask import Response, current_app
from flask.views import MethodView

from quizsvc.api import examples as ex
from quizsvc.api.auth import principal, record, requires
from quizsvc.api.base import Blueprint, accepts_upload, operation, page_of
from quizsvc.api.idempotency import mutation
from quizsvc.bank import formats
from quizsvc.db import db
from quizsvc.schemas.question import (
    BankExportQuerySchema,
    BankImportQuerySchema,
    BankImportResultSchema,
    BankUploadSchema,
    QuestionContentSchema,
    QuestionCreateSchema,
    QuestionQuerySchema,
    QuestionSchema,
    QuestionVersionSummarySchema,
    VersionQuerySchema,
)
from quizsvc.services import bank, examples, questions

blp = Blueprint("questions", __name__, url_prefix="/api/v1/questions", description="Interview questions.")


@blp.route("")
class Questions(MethodView):
    @requires("viewer")
    @blp.arguments(QuestionQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, QuestionSchema(many=True), example=[ex.QUESTION])
    @blp.paginate()
    @operation("listQuestions")
    def get(self, pagination_parameters, **filters):
        """List the latest version of each question"""
        items = page_of(
            pagination_parameters,
            questions.get_all,
            db.session,
            organisation_id=principal().organisation_id,
            **filters,
        )
        return items

    @requires("recruiter")
    @mutation
    @blp.arguments(QuestionCreateSchema, example=ex.NEW_QUESTION)
    @blp.response(201, QuestionSchema, example=ex.QUESTION)
    @blp.alt_response(409, response="CONFLICT")
    @operation("createQuestion")
    def post(self, question_in):
        """Create a question (with reviewed examples, if given)"""
        slug = question_in.pop("slug")
        given = question_in.pop("examples", [])
        organisation_id = principal().organisation_id
        question = questions.create(db.session, organisation_id=organisation_id, slug=slug, question_in=question_in)
        for example_in in given:
            examples.create(
                db.session, organisation_id=organisation_id, question_id=question.question_id, example_in=example_in
            )
        record("question.create", "question", question.question_id, slug=slug)
        return question


@blp.route("/<id:question_id>")
class QuestionById(MethodView):
    @requires("viewer")
    @blp.arguments(VersionQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, QuestionSchema, example=ex.QUESTION)
    @blp.alt_response(404, response="NOT_FOUND")
    @operation("getQuestion")
    def get(self, question_id, version=None):
        """Get a question: its latest version, or the one asked for"""
        return questions.get(
            db.session, organisation_id=principal().organisation_id, question_id=question_id, version=version
        )

    @requires("recruiter")
    @mutation
    @blp.arguments(QuestionContentSchema, example=ex.QUESTION_IN)
    @blp.response(200, QuestionSchema, example=ex.QUESTION)
    @blp.alt_response(404, response="NOT_FOUND")
    @operation("updateQuestion")
    def put(self, question_in, question_id):
        """Replace a question's content, adding a version when it changed"""
        return questions.update(
            db.session, organisation_id=principal().organisation_id, question_id=question_id, question_in=question_in
        )

    @requires("recruiter")
    @mutation
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    @operation("retireQuestion")
    def delete(self, question_id):
        """Retire a question: it leaves listings and quizzes, its versions stay readable"""
        questions.retire(db.session, organisation_id=principal().organisation_id, question_id=question_id)
        record("question.retire", "question", question_id)


@blp.route("/<id:question_id>/versions")
class QuestionVersions(MethodView):
    @requires("viewer")
    @blp.response(200, QuestionVersionSummarySchema(many=True), example=ex.VERSIONS)
    @blp.alt_response(404, response="NOT_FOUND")
    @operation("listQuestionVersions")
    def get(self, question_id):
        """List a question's versions"""
        return questions.get_versions(db.session, organisation_id=principal().organisation_id, question_id=question_id)


_IMPORT_EXAMPLE = {
    "name": "llm_interview_zh",
    "format": "moodle",
    "questions": 20,
    "created": 18,
    "updated": 1,
    "unchanged": 1,
    "skipped": ["line 412: multichoice"],
}


@blp.route("/import")
class QuestionImport(MethodView):
    @accepts_upload("QUIZSVC_MAX_BANK_BYTES")
    @requires("recruiter")
    @mutation
    @blp.arguments(BankUploadSchema, location="files")
    @blp.arguments(BankImportQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, BankImportResultSchema, example=_IMPORT_EXAMPLE)
    @operation("importQuestionBank")
    def post(self, files, format=None):
        """Import a bank file (YAML, JSON, GIFT, Moodle XML, QTI 3.0, Markdown): upsert by slug, all or nothing"""
        upload = files["file"]
        found = formats.read(
            upload.read(),
            source=upload.filename or "upload",
            format=format,
            max_bytes=current_app.config["QUIZSVC_MAX_BANK_BYTES"],
        )
        counts = bank.import_bank(db.session, organisation_id=principal().organisation_id, items=found.questions)
        record("question.import", "bank", None, file=upload.filename, format=found.format, **counts)
        summary = {"name": found.name, "format": found.format, "questions": len(found.questions)}
        return {**summary, **counts, "skipped": found.skipped}


_FILE = {"schema": {"type": "string", "format": "binary"}}
# The YAML and JSON files are this document; each question is what POST /questions takes.
_BANK = {
    "schema": {
        "type": "object",
        "required": ["format", "name", "questions"],
        "properties": {
            "format": {"type": "string", "enum": ["quizsvc-bank/1"]},
            "name": {"type": "string"},
            "questions": {"type": "array", "items": {"$ref": "#/components/schemas/QuestionCreate"}},
        },
    },
    "example": {"format": "quizsvc-bank/1", "name": "acme", "questions": [ex.NEW_QUESTION]},
}


@blp.route("/export")
class QuestionExport(MethodView):
    @requires("viewer")
    @blp.arguments(BankExportQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, description="The bank file, as an attachment named after the organisation.")
    @operation("exportQuestionBank")
    @blp.doc(
        responses={
            "200": {
                "content": {
                    "application/yaml": _BANK,
                    "application/json": _BANK,
                    **{
                        media: {**_FILE, "example": example}
                        for media, example in (
                            (
                                "text/plain; charset=utf-8",
                                "::kv-cache::[plain]What is the KV cache?{\n####[plain]...\n}",
                            ),
                            ("application/xml", '<quiz><question type="essay">...</question></quiz>'),
                            ("application/zip", "(a QTI 3.0 content package: imsmanifest.xml, items/*.xml)"),
                        )
                    },
                }
            }
        },
    )
    def get(self, format, include_retired):
        """Export the organisation's questions as YAML, JSON, GIFT, Moodle XML or a QTI 3.0 package"""
        items = bank.export_bank(
            db.session, organisation_id=principal().organisation_id, include_retired=include_retired
        )
        name = principal().organisation_name
        response = Response(formats.write(format, name, items), content_type=formats.MEDIA_TYPES[format])
        response.headers["Content-Disposition"] = f'attachment; filename="{formats.filename(name, format)}"'
        return response
