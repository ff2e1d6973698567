"""Questions: list and filter, get (latest or a version), create, new version, retire."""

from flask.views import MethodView

from quizsvc.api.auth import principal, requires
from quizsvc.api.base import Blueprint
from quizsvc.api.idempotency import mutation
from quizsvc.db import db
from quizsvc.schemas.question import (
    QuestionContentSchema,
    QuestionCreateSchema,
    QuestionQuerySchema,
    QuestionSchema,
    QuestionVersionSummarySchema,
    VersionQuerySchema,
)
from quizsvc.services import examples, questions

blp = Blueprint("questions", __name__, url_prefix="/api/v1/questions", description="Interview questions.")


@blp.route("")
class Questions(MethodView):
    @requires("viewer")
    @blp.arguments(QuestionQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, QuestionSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters, **filters):
        """List the latest version of each question"""
        items, total = questions.get_all(
            db.session,
            organisation_id=principal().organisation_id,
            offset=pagination_parameters.first_item,
            limit=pagination_parameters.page_size,
            **filters,
        )
        pagination_parameters.item_count = total
        return items

    @requires("recruiter")
    @mutation
    @blp.arguments(QuestionCreateSchema)
    @blp.response(201, QuestionSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, question_in):
        """Create a question (with reviewed examples, if given)"""
        slug = question_in.pop("slug")
        given = question_in.pop("examples", [])
        organisation_id = principal().organisation_id
        version = questions.create(db.session, organisation_id=organisation_id, slug=slug, question_in=question_in)
        for example_in in given:
            examples.create(
                db.session, organisation_id=organisation_id, question_id=version.question_id, example_in=example_in
            )
        return version


@blp.route("/<int:question_id>")
class QuestionById(MethodView):
    @requires("viewer")
    @blp.arguments(VersionQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, QuestionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, question_id, version=None):
        """Get a question: its latest version, or the one asked for"""
        return questions.get(
            db.session, organisation_id=principal().organisation_id, question_id=question_id, version=version
        )

    @requires("recruiter")
    @mutation
    @blp.arguments(QuestionContentSchema)
    @blp.response(200, QuestionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def put(self, question_in, question_id):
        """Replace a question's content, adding a version when it changed"""
        return questions.update(
            db.session, organisation_id=principal().organisation_id, question_id=question_id, question_in=question_in
        )

    @requires("recruiter")
    @mutation
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, question_id):
        """Retire a question: it leaves listings and quizzes, its versions stay readable"""
        questions.retire(db.session, organisation_id=principal().organisation_id, question_id=question_id)


@blp.route("/<int:question_id>/versions")
class QuestionVersions(MethodView):
    @requires("viewer")
    @blp.response(200, QuestionVersionSummarySchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, question_id):
        """List a question's versions"""
        return questions.get_versions(db.session, organisation_id=principal().organisation_id, question_id=question_id)
