"""Signed report links: the report opens in a browser, with no API key, while the link is
valid (QUIZSVC_REPORT_LINK_HOURS). These are the ``report_url`` of events and the
``partner_profile_url`` handed to platforms."""

from flask.views import MethodView
from marshmallow import Schema, validate

from quizsvc import links
from quizsvc.api import examples as ex
from quizsvc.api.attempts import report_response
from quizsvc.api.base import Blueprint, operation, other_formats
from quizsvc.db import db
from quizsvc.schemas.fields import Text
from quizsvc.schemas.report import REPORT_FORMATS, AttemptReportSchema
from quizsvc.services import reports

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports", description="Reports behind signed links.")


class SharedReportQuerySchema(Schema):
    class Meta:
        unknown = "raise"

    format = Text(load_default="html", validate=validate.OneOf(REPORT_FORMATS))


@blp.route("/<string:token>")
class SharedReport(MethodView):
    @operation("getSharedReport")
    @blp.doc(security=[])
    @blp.arguments(SharedReportQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, AttemptReportSchema, example=ex.REPORT)
    @blp.doc(**other_formats("csv", "html", "pdf"))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def get(self, token, format):
        """The attempt's score report behind a signed link: HTML by default, or JSON, CSV, PDF"""
        organisation_id, attempt_id = links.open_report(token)
        report = reports.attempt_report(db.session, organisation_id=organisation_id, attempt_id=attempt_id)
        return report_response(report, format, attempt_id)
