"""Grading an answer on demand, storing nothing."""

from flask.views import MethodView

from quizsvc.api import examples as ex
from quizsvc.api.auth import principal, requires
from quizsvc.api.base import Blueprint, operation
from quizsvc.db import db
from quizsvc.grading import grading
from quizsvc.schemas.score import GraderInfoSchema, ScoreRequestSchema, ScoreResponseSchema
from quizsvc.scoring.signals import QuestionSpec
from quizsvc.services import grading as grading_service

blp = Blueprint("score", __name__, url_prefix="/api/v1", description="Grade an answer without storing it.")


@blp.route("/score")
class Score(MethodView):
    @requires("viewer")
    @blp.arguments(ScoreRequestSchema, example=ex.SCORE_IN)
    @blp.response(200, ScoreResponseSchema, example=ex.SCORE)
    @blp.alt_response(404, response="NOT_FOUND")
    @operation("scoreAnswer")
    def post(self, request_in):
        """Grade an answer against a stored question or an ad-hoc reference"""
        organisation_id = principal().organisation_id
        grader = grading.grader_for(db.session, organisation_id=organisation_id)
        if "question_id" in request_in:
            version, result = grading_service.score_stored(
                db.session,
                grader=grader,
                cache=grading.prepared,
                organisation_id=organisation_id,
                question_id=request_in["question_id"],
                version=request_in.get("version"),
                answer=request_in["answer"],
            )
            return {"question_id": version.question_id, "version": version.version, **result.to_dict()}
        result = grading_service.score_adhoc(
            grader=grader, spec=QuestionSpec.from_dict(request_in), answer=request_in["answer"]
        )
        return {"question_id": None, "version": None, **result.to_dict()}


@blp.route("/grader")
class GraderInfo(MethodView):
    @requires("viewer")
    @blp.response(200, GraderInfoSchema, example=ex.GRADER)
    @operation("getGrader")
    def get(self):
        """Describe the grader this organisation's answers get: version, model, parameters, flags"""
        grader = grading.grader_for(db.session, organisation_id=principal().organisation_id)
        return grading_service.describe(grader)
