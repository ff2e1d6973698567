"""The assessment-partner adapter: list tests, send a test, the test's status.

In the shape that applicant-tracking systems call on assessment partners, authenticated
with HTTP Basic (the API key as the user name, no password). When the attempt is graded
(and when it is regraded, overridden, expires or is cancelled) the status body is PATCHed
to the callback URL given with the test, through the queue with the retries of webhooks.
"""

from flask import current_app
from flask.views import MethodView

from quizsvc import links, outbound
from quizsvc.api.auth import principal, record, requires
from quizsvc.api.base import Blueprint, operation
from quizsvc.api.idempotency import mutation
from quizsvc.db import db
from quizsvc.errors import Invalid
from quizsvc.schemas.partner import (
    PartnerTestSchema,
    SendTestSchema,
    SentTestSchema,
    StatusQuerySchema,
    TestStatusSchema,
)
from quizsvc.services import partner
from quizsvc.services.attempts import effective_status
from quizsvc.services.events import attempt_data

blp = Blueprint(
    "partner",
    __name__,
    url_prefix="/api/v1/partner",
    description="Assessment-partner adapter for applicant-tracking systems (HTTP Basic: the API key as user name).",
)


@blp.route("/list_tests")
class ListTests(MethodView):
    @requires("viewer", basic=True)
    @operation("partnerListTests")
    @blp.response(
        200, PartnerTestSchema(many=True), example=[{"partner_test_id": "3", "partner_test_name": "LLM screening"}]
    )
    def get(self):
        """The tests a candidate can be sent: the organisation's active quizzes"""
        return partner.list_tests(db.session, organisation_id=principal().organisation_id)


@blp.route("/send_test")
class SendTest(MethodView):
    @requires("recruiter", basic=True)
    @mutation
    @operation("partnerSendTest")
    @blp.arguments(
        SendTestSchema,
        example={
            "partner_test_id": "3",
            "candidate": {
                "first_name": "小明",
                "last_name": "王",
                "email": "wang@example.com",
                "external_id": "ats-1842",
            },
            "url": "https://ats.example.com/assessments/callback/81c2",
        },
    )
    @blp.response(200, SentTestSchema, example={"partner_interview_id": "12"})
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, test_in):
        """Invite the candidate to a test: the invitation is emailed when emails are configured"""
        if test_in.get("url"):
            try:
                outbound.check_url(test_in["url"], allow_private=current_app.config["QUIZSVC_WEBHOOK_ALLOW_PRIVATE"])
            except outbound.RefusedURL as error:
                raise Invalid(str(error), errors={"json": {"url": [str(error)]}}) from None
        me = principal()
        attempt, _ = partner.send_test(
            db.session, organisation_id=me.organisation_id, key_id=me.key_id, test_in=test_in
        )
        record("attempt.invite", "attempt", attempt.id, quiz_id=attempt.quiz_id, via="partner")
        return {"partner_interview_id": str(attempt.id)}


@blp.route("/test_status")
class TestStatus(MethodView):
    @requires("viewer", basic=True)
    @operation("partnerTestStatus")
    @blp.arguments(StatusQuerySchema, location="query", as_kwargs=True)
    @blp.response(
        200,
        TestStatusSchema,
        example={
            "partner_interview_id": "12",
            "partner_status": "completed",
            "partner_score": 72.5,
            "partner_profile_url": "https://quiz.example.com/api/v1/reports/eyJhIjoxMn0.Z2x...",
            "metadata": {
                "quiz": "LLM screening",
                "status": "graded",
                "band": "adequate",
                "passed": True,
                "flags": "",
                "category: 基本概念與理論": 72.5,
            },
        },
    )
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, partner_interview_id):
        """The interview's status, score, report link and flat per-category metadata"""
        me = principal()
        attempt = partner.interview(
            db.session, organisation_id=me.organisation_id, partner_interview_id=partner_interview_id
        )
        data = attempt_data(attempt, status=effective_status(attempt))
        profile = links.report_url(attempt_id=attempt.id, organisation_id=me.organisation_id)
        return partner.status_body(data, profile_url=profile)
