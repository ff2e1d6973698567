"""Attempts, for the organisation: invite (one or a batch), read, poll, cancel, a new link,
review, regrade, and the score report."""

import base64
import json
from datetime import datetime

from flask import Response
from flask.views import MethodView
from marshmallow import ValidationError

from quizsvc import links
from quizsvc import reports as render
from quizsvc.api import examples as ex
from quizsvc.api.auth import principal, record, requires
from quizsvc.api.base import Blueprint, html_page, operation, other_formats, page_of
from quizsvc.api.errors import error_payload
from quizsvc.api.idempotency import mutation
from quizsvc.db import db
from quizsvc.errors import Invalid, ServiceError
from quizsvc.grading import grading
from quizsvc.schemas.attempt import (
    AttemptCreateSchema,
    AttemptDetailSchema,
    AttemptQuerySchema,
    AttemptSchema,
    BatchCandidateSchema,
    BatchInviteSchema,
    NewAttemptSchema,
    OverrideInSchema,
    RegradeInSchema,
    ResponseSchema,
)
from quizsvc.schemas.report import AttemptReportSchema, ReportQuerySchema
from quizsvc.services import attempts, reports
from quizsvc.services.attempt_views import attempt_view, response_view

blp = Blueprint("attempts", __name__, url_prefix="/api/v1/attempts", description="Candidates' attempts at quizzes.")


def _view(attempt, *, detail: bool = False) -> dict:
    return {
        **attempt_view(attempt, detail=detail),
        # Signed: opens in a browser without a key (HTML; ?format=pdf), for QUIZSVC_REPORT_LINK_HOURS.
        "report_url": links.report_url(attempt_id=attempt.id, organisation_id=attempt.organisation_id),
    }


def _with_access(attempt, token: str) -> dict:
    return {**_view(attempt), "token": token, "link": links.external_url("take.page", token=token)}


def _encode_cursor(attempt) -> str:
    raw = json.dumps([attempt.updated_at.isoformat(), attempt.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        at, attempt_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(at), int(attempt_id)
    except (ValueError, TypeError):
        raise Invalid(
            "The cursor is not one this API gave.", errors={"query": {"cursor": ["Not a valid cursor."]}}
        ) from None


def _invite(attempt_in: dict) -> dict:
    me = principal()
    attempt, token = attempts.create(
        db.session, organisation_id=me.organisation_id, key_id=me.key_id, attempt_in=attempt_in
    )
    record("attempt.invite", "attempt", attempt.id, quiz_id=attempt.quiz_id)
    return _with_access(attempt, token)


def _invite_batch(batch_in: dict) -> dict:
    """Each candidate in a savepoint of its own: a bad one is answered with its error, the rest go on."""
    shared = {k: batch_in[k] for k in ("quiz_id", "expires_in_hours", "language") if k in batch_in}
    items = []
    for index, raw in enumerate(batch_in["candidates"]):
        try:
            candidate = BatchCandidateSchema().load(raw)
            language = candidate.pop("language", None)
            attempt_in = {**shared, "candidate": candidate, **({"language": language} if language else {})}
            with db.session.begin_nested():
                invited = _invite(attempt_in)
            items.append({"index": index, "status": 201, "attempt": invited, "error": None})
        except ValidationError as error:
            items.append(
                {
                    "index": index,
                    "status": 422,
                    "attempt": None,
                    "error": error_payload(422, "Validation failed; see errors.", {"json": error.messages}),
                }
            )
        except ServiceError as error:
            items.append(
                {
                    "index": index,
                    "status": error.status,
                    "attempt": None,
                    "error": error_payload(error.status, error.message, error.errors),
                }
            )
    created = sum(item["status"] == 201 for item in items)
    return {"created": created, "failed": len(items) - created, "items": items}


INVITE_RESPONSE = {
    "description": "The invited attempt (one candidate) or one answer per candidate (candidates).",
    "content": {
        "application/json": {
            "schema": {
                "oneOf": [{"$ref": "#/components/schemas/NewAttempt"}, {"$ref": "#/components/schemas/BatchInvite"}]
            },
            "example": {
                "created": 1,
                "failed": 1,
                "items": [
                    {
                        "index": 0,
                        "status": 201,
                        "error": None,
                        "attempt": {
                            "id": 12,
                            "status": "invited",
                            "token": "qza_...",
                            "link": "https://quiz.example.com/take?token=qza_...",
                        },
                    },
                    {
                        "index": 1,
                        "status": 422,
                        "attempt": None,
                        "error": {
                            "code": 422,
                            "status": "Unprocessable Entity",
                            "message": "Validation failed; see errors.",
                            "errors": {"json": {"display_name": ["Missing data for required field."]}},
                        },
                    },
                ],
            },
        }
    },
}


@blp.route("")
class Attempts(MethodView):
    @requires("viewer")
    @blp.arguments(AttemptQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, AttemptSchema(many=True), example=[ex.ATTEMPT])
    @blp.paginate()
    @operation("listAttempts")
    def get(self, pagination_parameters, updated_since=None, cursor=None, **filters):
        """List attempts, by quiz, candidate or status; or poll for changes (updated_since, cursor)"""
        organisation_id = principal().organisation_id
        if updated_since is None and cursor is None:
            items = page_of(
                pagination_parameters,
                attempts.get_all,
                db.session,
                organisation_id=organisation_id,
                **filters,
            )
            return [_view(a) for a in items]
        size = pagination_parameters.page_size
        items, total = attempts.changed(
            db.session,
            organisation_id=organisation_id,
            updated_since=updated_since,
            after=_decode_cursor(cursor) if cursor else None,
            limit=size + 1,
            **filters,
        )
        pagination_parameters.item_count = total
        more = len(items) > size
        items = items[:size]
        headers = {"X-Next-Cursor": _encode_cursor(items[-1])} if more else {}
        return [_view(a) for a in items], 200, headers

    @requires("recruiter")
    @mutation
    @blp.arguments(AttemptCreateSchema, example=ex.INVITE_IN)
    @blp.response(201)
    @blp.doc(responses={"201": INVITE_RESPONSE})
    @blp.alt_response(404, response="NOT_FOUND")
    @operation("inviteCandidate")
    def post(self, attempt_in):
        """Invite a candidate, or up to 500: tokens and links are in this response only (never in a replay)"""
        if "candidates" in attempt_in:
            return BatchInviteSchema().dump(_invite_batch(attempt_in))
        return NewAttemptSchema().dump(_invite(attempt_in))


@blp.route("/<id:attempt_id>")
class AttemptById(MethodView):
    @requires("viewer")
    @blp.response(200, AttemptDetailSchema, example=ex.GRADED)
    @blp.alt_response(404, response="NOT_FOUND")
    @operation("getAttempt")
    def get(self, attempt_id):
        """Get an attempt with every answer, grade and override"""
        attempt = attempts.get(db.session, organisation_id=principal().organisation_id, attempt_id=attempt_id)
        return _view(attempt, detail=True)


@blp.route("/<id:attempt_id>/cancel")
class AttemptCancel(MethodView):
    @requires("recruiter")
    @mutation
    @blp.response(200, AttemptSchema, example=ex.CANCELLED)
    @blp.alt_response(404, response="NOT_FOUND")
    @operation("cancelAttempt")
    def post(self, attempt_id):
        """Cancel an invited or started attempt"""
        attempt = attempts.cancel(db.session, organisation_id=principal().organisation_id, attempt_id=attempt_id)
        record("attempt.cancel", "attempt", attempt_id)
        return _view(attempt)


@blp.route("/<id:attempt_id>/link")
class AttemptLink(MethodView):
    @requires("recruiter")
    @mutation
    @blp.response(200, NewAttemptSchema, example=ex.NEW_ATTEMPT)
    @blp.alt_response(404, response="NOT_FOUND")
    @operation("reissueAttemptLink")
    def post(self, attempt_id):
        """Issue a new token and link for an open attempt; the old ones stop working ("resend link")"""
        attempt, token = attempts.reissue_token(
            db.session, organisation_id=principal().organisation_id, attempt_id=attempt_id
        )
        record("attempt.link", "attempt", attempt_id)
        return _with_access(attempt, token)


@blp.route("/<id:attempt_id>/regrade")
class AttemptRegrade(MethodView):
    @requires("admin")
    @mutation
    @blp.arguments(RegradeInSchema, example=ex.REGRADE_IN)
    @blp.response(200, AttemptDetailSchema, example=ex.GRADED)
    @blp.alt_response(404, response="NOT_FOUND")
    @operation("regradeAttempt")
    def post(self, regrade_in, attempt_id):
        """Grade a graded attempt again with the current grader; earlier grades stay"""
        organisation_id = principal().organisation_id
        added = attempts.regrade(
            db.session,
            grader=grading.grader_for(db.session, organisation_id=organisation_id),
            cache=grading.prepared,
            attempt_id=attempt_id,
            force=regrade_in["force"],
            organisation_id=organisation_id,
        )
        record("attempt.regrade", "attempt", attempt_id, grades=added, force=regrade_in["force"])
        return _view(attempts.get(db.session, organisation_id=organisation_id, attempt_id=attempt_id), detail=True)


@blp.route("/<id:attempt_id>/responses/<id:position>")
class AttemptResponse(MethodView):
    @requires("viewer")
    @blp.response(200, ResponseSchema, example=ex.RESPONSE)
    @blp.alt_response(404, response="NOT_FOUND")
    @operation("getAttemptResponse")
    def get(self, attempt_id, position):
        """Get one answer with its grade history and overrides"""
        item = attempts.question_of(
            db.session, organisation_id=principal().organisation_id, attempt_id=attempt_id, position=position
        )
        return response_view(item)


@blp.route("/<id:attempt_id>/responses/<id:position>/overrides")
class AttemptOverride(MethodView):
    @requires("recruiter")
    @mutation
    @blp.arguments(OverrideInSchema, example=ex.OVERRIDE_IN)
    @blp.response(201, ResponseSchema, example=ex.OVERRIDDEN)
    @blp.alt_response(404, response="NOT_FOUND")
    @operation("overrideGrade")
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
        record("grade.override", "attempt", attempt_id, position=position, score=override_in["score"])
        return response_view(item)


@blp.route("/<id:attempt_id>/responses/<id:position>/overrides/<id:override_id>")
class AttemptOverrideById(MethodView):
    @operation("revokeOverride")
    @requires("recruiter")
    @mutation
    @blp.response(200, ResponseSchema, example=ex.REVOKED)
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


@blp.route("/<id:attempt_id>/report")
class AttemptReport(MethodView):
    @requires("viewer")
    @blp.arguments(ReportQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, AttemptReportSchema, example=ex.REPORT)
    @blp.doc(**other_formats("csv", "html", "pdf"))
    @blp.alt_response(404, response="NOT_FOUND")
    @operation("getAttemptReport")
    def get(self, attempt_id, format):
        """The attempt's score report as JSON, CSV, HTML (inline SVG charts) or PDF"""
        report = reports.attempt_report(db.session, organisation_id=principal().organisation_id, attempt_id=attempt_id)
        return report_response(report, format, attempt_id)


def report_response(report: dict, format: str, attempt_id: int):
    """The report dict (JSON, dumped by the view's schema) or its CSV, HTML or PDF rendering."""
    if format == "json":
        return report
    body = {"csv": render.render_csv, "html": render.render_html, "pdf": render.render_pdf}[format](report)
    response = Response(body, content_type=render.MEDIA_TYPES[format])
    if format == "html":
        response = html_page(body)
    disposition = "inline" if format in ("html", "pdf") else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="attempt-{attempt_id}.{format}"'
    return response
