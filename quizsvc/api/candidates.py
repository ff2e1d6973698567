"""Candidates of the organisation and their progress across attempts."""

from flask.views import MethodView

from quizsvc import reports as render
from quizsvc.api import examples as ex
from quizsvc.api.auth import principal, requires
from quizsvc.api.base import Blueprint, html_page, operation, other_formats, page_of
from quizsvc.db import db
from quizsvc.schemas.attempt import CandidateQuerySchema, CandidateSchema
from quizsvc.schemas.report import PageQuerySchema, ProgressSchema
from quizsvc.services import candidates, reports

blp = Blueprint("candidates", __name__, url_prefix="/api/v1/candidates", description="Candidates and their progress.")


@blp.route("")
class Candidates(MethodView):
    @requires("viewer")
    @blp.arguments(CandidateQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, CandidateSchema(many=True), example=[ex.CANDIDATE])
    @blp.paginate()
    @operation("listCandidates")
    def get(self, pagination_parameters, external_id=None):
        """List candidates, or find one by the platform's external id"""
        items = page_of(
            pagination_parameters,
            candidates.get_all,
            db.session,
            organisation_id=principal().organisation_id,
            external_id=external_id,
        )
        return items


@blp.route("/<id:candidate_id>")
class CandidateById(MethodView):
    @requires("viewer")
    @blp.response(200, CandidateSchema, example=ex.CANDIDATE)
    @blp.alt_response(404, response="NOT_FOUND")
    @operation("getCandidate")
    def get(self, candidate_id):
        """Get a candidate"""
        return candidates.get(db.session, organisation_id=principal().organisation_id, candidate_id=candidate_id)


@blp.route("/<id:candidate_id>/progress")
class CandidateProgress(MethodView):
    @requires("viewer")
    @blp.arguments(PageQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, ProgressSchema, example=ex.PROGRESS)
    @blp.doc(**other_formats("html"))
    @blp.alt_response(404, response="NOT_FOUND")
    @operation("getCandidateProgress")
    def get(self, candidate_id, format):
        """A candidate's attempts over time, overall and per category (JSON, or HTML with a chart)"""
        progress = reports.candidate_progress(
            db.session, organisation_id=principal().organisation_id, candidate_id=candidate_id
        )
        if format == "html":
            return html_page(render.render_progress_html(progress))
        return progress
