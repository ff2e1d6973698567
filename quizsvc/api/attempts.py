"""Attempts, for the organisation: invite, read, cancel, review, regrade, and the score report."""

from flask import Response, current_app, url_for
from flask.views import MethodView

from quizsvc import reports as render
from quizsvc.api.auth import principal, requires
from quizsvc.api.base import Blueprint
from quizsvc.api.idempotency import mutation
from quizsvc.api.quizzes import html_page
from quizsvc.db import db
from quizsvc.grading import grading
from quizsvc.schemas.attempt import (
    AttemptCreateSchema,
    AttemptDetailSchema,
    AttemptQuerySchema,
    AttemptSchema,
    NewAttemptSchema,
    OverrideInSchema,
    RegradeInSchema,
    ResponseSchema,
)
from quizsvc.schemas.report import AttemptReportSchema, ReportQuerySchema
from quizsvc.services import attempts, reports
from quizsvc.services.attempt_views import attempt_view, response_view

blp = Blueprint("attempts", __name__, url_prefix="/api/v1/attempts", description="Candidates' attempts at quizzes.")


def external_url(endpoint: str, **values) -> str:
    """An absolute URL: QUIZSVC_PUBLIC_URL when set (behind a proxy), else the request's host."""
    base = current_app.config.get("QUIZSVC_PUBLIC_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def _view(attempt, *, detail: bool = False) -> dict:
    return {
        **attempt_view(attempt, detail=detail),
        "report_url": external_url("attempts.AttemptReport", attempt_id=attempt.id),
    }


@blp.route("")
class Attempts(MethodView):
    @requires("viewer")
    @blp.arguments(AttemptQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, AttemptSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters, **filters):
        """List attempts, by quiz, candidate or status"""
        items, total = attempts.get_all(
            db.session,
            organisation_id=principal().organisation_id,
            offset=pagination_parameters.first_item,
            limit=pagination_parameters.page_size,
            **filters,
        )
        pagination_parameters.item_count = total
        return [_view(a) for a in items]

    @requires("recruiter")
    @mutation
    @blp.arguments(AttemptCreateSchema)
    @blp.response(201, NewAttemptSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, attempt_in):
        """Invite a candidate: the response carries the candidate's token and link, shown once"""
        me = principal()
        attempt, token = attempts.create(
            db.session, organisation_id=me.organisation_id, key_id=me.key_id, attempt_in=attempt_in
        )
        return {**_view(attempt), "token": token, "link": external_url("take.page", token=token)}


@blp.route("/<int:attempt_id>")
class AttemptById(MethodView):
    @requires("viewer")
    @blp.response(200, AttemptDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, attempt_id):
        """Get an attempt with every answer, grade and override"""
        attempt = attempts.get(db.session, organisation_id=principal().organisation_id, attempt_id=attempt_id)
        return _view(attempt, detail=True)


@blp.route("/<int:attempt_id>/cancel")
class AttemptCancel(MethodView):
    @requires("recruiter")
    @mutation
    @blp.response(200, AttemptSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, attempt_id):
        """Cancel an invited or started attempt"""
        attempt = attempts.cancel(db.session, organisation_id=principal().organisation_id, attempt_id=attempt_id)
        return _view(attempt)


@blp.route("/<int:attempt_id>/regrade")
class AttemptRegrade(MethodView):
    @requires("admin")
    @mutation
    @blp.arguments(RegradeInSchema)
    @blp.response(200, AttemptDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, regrade_in, attempt_id):
        """Grade a graded attempt again with the current grader; earlier grades stay"""
        organisation_id = principal().organisation_id
        attempts.regrade(
            db.session,
            grader=grading.grader_for(db.session, organisation_id=organisation_id),
            cache=grading.prepared,
            attempt_id=attempt_id,
            force=regrade_in["force"],
            organisation_id=organisation_id,
        )
        return _view(attempts.get(db.session, organisation_id=organisation_id, attempt_id=attempt_id), detail=True)


@blp.route("/<int:attempt_id>/responses/<int:position>")
class AttemptResponse(MethodView):
    @requires("viewer")
    @blp.response(200, ResponseSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, attempt_id, position):
        """Get one answer with its grade history and overrides"""
        item = attempts.question_of(
            db.session, organisation_id=principal().organisation_id, attempt_id=attempt_id, position=position
        )
        return response_view(item)


@blp.route("/<int:attempt_id>/responses/<int:position>/overrides")
class AttemptOverride(MethodView):
    @requires("recruiter")
    @mutation
    @blp.arguments(OverrideInSchema)
    @blp.response(201, ResponseSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, override_in, attempt_id, position):
        """Override a grade with a score and a reason; the machine grade stays beside it"""
        me = principal()
        item = attempts.override(
            db.session,
            organisation_id=me.organisation_id,
            attempt_id=attempt_id,
            position=position,
            key_id=me.key_id,
            override_in=override_in,
        )
        return response_view(item)


@blp.route("/<int:attempt_id>/responses/<int:position>/overrides/<int:override_id>")
class AttemptOverrideById(MethodView):
    @requires("recruiter")
    @mutation
    @blp.response(200, ResponseSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, attempt_id, position, override_id):
        """Revoke an override: it stays in the history, stops counting, and its reviewed example is deleted"""
        item = attempts.revoke_override(
            db.session,
            organisation_id=principal().organisation_id,
            attempt_id=attempt_id,
            position=position,
            override_id=override_id,
        )
        return response_view(item)


@blp.route("/<int:attempt_id>/report")
class AttemptReport(MethodView):
    @requires("viewer")
    @blp.arguments(ReportQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, AttemptReportSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, attempt_id, format):
        """The attempt's score report as JSON, CSV, HTML (inline SVG charts) or PDF"""
        report = reports.attempt_report(db.session, organisation_id=principal().organisation_id, attempt_id=attempt_id)
        if format == "json":
            return report
        body = {"csv": render.render_csv, "html": render.render_html, "pdf": render.render_pdf}[format](report)
        response = Response(body, content_type=render.MEDIA_TYPES[format])
        if format == "html":
            response = html_page(body)
        disposition = "inline" if format in ("html", "pdf") else "attachment"
        response.headers["Content-Disposition"] = f'{disposition}; filename="attempt-{attempt_id}.{format}"'
        return response
