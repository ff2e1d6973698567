"""Quizzes: create (fixed list or rule), list, get, archive, and the cohort report."""

from flask import Response, stream_with_context
from flask.views import MethodView

from quizsvc import links
from quizsvc import reports as render
from quizsvc.api import examples as ex
from quizsvc.api.auth import principal, record, requires
from quizsvc.api.base import Blueprint, html_page, operation, other_formats, page_of
from quizsvc.api.idempotency import mutation
from quizsvc.db import db
from quizsvc.schemas.quiz import QuizCreateSchema, QuizQuerySchema, QuizSchema
from quizsvc.schemas.report import PageQuerySchema, QuizReportSchema
from quizsvc.services import practice, quizzes, reports, results

blp = Blueprint("quizzes", __name__, url_prefix="/api/v1/quizzes", description="Quizzes and their cohort reports.")


@blp.route("")
class Quizzes(MethodView):
    @requires("viewer")
    @blp.arguments(QuizQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, QuizSchema(many=True), example=[ex.QUIZ])
    @blp.paginate()
    @operation("listQuizzes")
    def get(self, pagination_parameters, include_archived):
        """List quizzes"""
        items = page_of(
            pagination_parameters,
            quizzes.get_all,
            db.session,
            organisation_id=principal().organisation_id,
            include_archived=include_archived,
        )
        return [_out(quiz) for quiz in items]

    @requires("recruiter")
    @mutation
    @blp.arguments(QuizCreateSchema, example=ex.QUIZ_IN)
    @blp.response(201, QuizSchema, example=ex.QUIZ)
    @blp.alt_response(404, response="NOT_FOUND")
    @operation("createQuiz")
    def post(self, quiz_in):
        """Create a quiz from a question list or a drawing rule"""
        quiz = quizzes.create(db.session, organisation_id=principal().organisation_id, quiz_in=quiz_in)
        record("quiz.create", "quiz", quiz.id, name=quiz.name)
        return _out(quiz)


@blp.route("/<id:quiz_id>")
class QuizById(MethodView):
    @requires("viewer")
    @blp.response(200, QuizSchema, example=ex.QUIZ)
    @blp.alt_response(404, response="NOT_FOUND")
    @operation("getQuiz")
    def get(self, quiz_id):
        """Get a quiz"""
        return _out(quizzes.get(db.session, organisation_id=principal().organisation_id, quiz_id=quiz_id))

    @requires("recruiter")
    @mutation
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    @operation("archiveQuiz")
    def delete(self, quiz_id):
        """Archive a quiz: it takes no new attempts; existing attempts and reports stay"""
        quizzes.archive(db.session, organisation_id=principal().organisation_id, quiz_id=quiz_id)
        record("quiz.archive", "quiz", quiz_id)


@blp.route("/<id:quiz_id>/practice")
class QuizPractice(MethodView):
    @requires("recruiter")
    @mutation
    @blp.response(200, QuizSchema, example=ex.PRACTICE_QUIZ)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @operation("openPractice")
    def post(self, quiz_id):
        """Open a mock quiz for practice: practice_url is a public link; anyone who opens it gets an attempt of their own"""
        quiz = practice.open_practice(db.session, organisation_id=principal().organisation_id, quiz_id=quiz_id)
        record("quiz.practice_open", "quiz", quiz_id)
        return _out(quiz)

    @requires("recruiter")
    @mutation
    @blp.response(200, QuizSchema, example=ex.QUIZ)
    @blp.alt_response(404, response="NOT_FOUND")
    @operation("closePractice")
    def delete(self, quiz_id):
        """Close practice: the link stops working (opening again makes a new one); started attempts can finish"""
        quiz = practice.close_practice(db.session, organisation_id=principal().organisation_id, quiz_id=quiz_id)
        record("quiz.practice_close", "quiz", quiz_id)
        return _out(quiz)


def _out(quiz):
    """The quiz as the schema dumps it, with its absolute practice link."""
    quiz.practice_url = links.external_url("practice.intro", key=quiz.practice_key) if quiz.practice_key else None
    return quiz


@blp.route("/<id:quiz_id>/report")
class QuizReport(MethodView):
    @requires("viewer")
    @blp.arguments(PageQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, QuizReportSchema, example=ex.QUIZ_REPORT)
    @blp.doc(**other_formats("html"))
    @blp.alt_response(404, response="NOT_FOUND")
    @operation("getQuizReport")
    def get(self, quiz_id, format):
        """Cohort report: score distribution, each candidate's percentile, per-question statistics (JSON or HTML)"""
        report = reports.quiz_report(db.session, organisation_id=principal().organisation_id, quiz_id=quiz_id)
        if format == "html":
            return html_page(render.render_quiz_html(report))
        return report


@blp.route("/<id:quiz_id>/results.csv")
class QuizResults(MethodView):
    @requires("viewer")
    @blp.response(200, description="text/csv: a header, then one row per attempt.")
    @blp.doc(
        operationId="exportQuizResults",
        responses={
            "200": {
                "content": {
                    "text/csv": {
                        "schema": {"type": "string"},
                        "example": "attempt_id,candidate_external_id,...,question:self-attention,category:基本概念與理論\r\n12,cand-42,...,80,80.0\r\n",
                    }
                }
            }
        },
    )
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, quiz_id):
        """The quiz's results as CSV, streamed: one row per attempt, one column per question and per category"""
        lines = render.csv_lines(results.rows(db.session, organisation_id=principal().organisation_id, quiz_id=quiz_id))
        first = next(lines)  # the header: reads the quiz first, so an unknown quiz is a 404, not a broken stream
        response = Response(stream_with_context(_chain(first, lines)), content_type=render.MEDIA_TYPES["csv"])
        response.headers["Content-Disposition"] = f'attachment; filename="quiz-{quiz_id}-results.csv"'
        return response


def _chain(first: str, rest):
    yield first
    yield from rest
