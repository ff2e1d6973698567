"""Reviewed examples of a question: list, add, delete."""

from flask.views import MethodView

from quizsvc.api.auth import principal, requires
from quizsvc.api import examples as ex
from quizsvc.api.base import Blueprint, operation
from quizsvc.api.idempotency import mutation
from quizsvc.db import db
from quizsvc.schemas.example import ExampleInSchema, ExampleSchema
from quizsvc.services import examples

blp = Blueprint(
    "reviewed_examples", __name__, url_prefix="/api/v1/questions", description="Reviewed examples: answers a person graded."
)


def _view(row, active: bool) -> dict:
    return {**{c: getattr(row, c) for c in ExampleSchema._declared_fields if c != "active"}, "active": active}


@blp.route("/<id:question_id>/examples")
class QuestionExamples(MethodView):
    @operation("listQuestionExamples")
    @requires("recruiter")
    @blp.response(200, ExampleSchema(many=True), example=[ex.EXAMPLE])
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, question_id):
        """List a question's reviewed examples, newest first"""
        found = examples.get_all(db.session, organisation_id=principal().organisation_id, question_id=question_id)
        return [_view(row, active) for row, active in found]

    @operation("createQuestionExample")
    @requires("recruiter")
    @mutation
    @blp.arguments(ExampleInSchema, example=ex.EXAMPLE_IN)
    @blp.response(201, ExampleSchema, example=ex.EXAMPLE)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, example_in, question_id):
        """Add a reviewed example (an answer with a score and an optional note) to a question"""
        row = examples.create(
            db.session, organisation_id=principal().organisation_id, question_id=question_id, example_in=example_in
        )
        return _view(row, True)


@blp.route("/<id:question_id>/examples/<id:example_id>")
class QuestionExample(MethodView):
    @operation("deleteQuestionExample")
    @requires("recruiter")
    @mutation
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, question_id, example_id):
        """Delete a reviewed example"""
        examples.delete_one(
            db.session, organisation_id=principal().organisation_id, question_id=question_id, example_id=example_id
        )
