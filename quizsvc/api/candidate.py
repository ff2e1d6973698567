"""The candidate's side: the attempt token reaches this one attempt and nothing else."""

from functools import wraps

from flask.views import MethodView

from quizsvc import limits
from quizsvc.api import examples as ex
from quizsvc.api.auth import candidate_access, candidate_attempt_id
from quizsvc.api.base import Blueprint, operation
from quizsvc.api.idempotency import mutation
from quizsvc.db import db
from quizsvc.grading import grading
from quizsvc.schemas.attempt import AnswerInSchema, CandidateAttemptSchema, SavedAnswerSchema
from quizsvc.schemas.score import MAX_ANSWER
from quizsvc.services import attempts
from quizsvc.services.attempt_views import candidate_question_view, candidate_view, shows_feedback_now

blp = Blueprint(
    "candidate",
    __name__,
    url_prefix="/api/v1/candidate/attempt",
    description="For candidates: take an attempt with its token.",
)


def _graded_first(view):
    """Inline grading's costly part runs before the submitting transaction (see ``grading.before_submit``)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        grading.before_submit(candidate_attempt_id())
        return view(*args, **kwargs)

    return wrapper


def _view(attempt_id: int) -> dict:
    attempt = attempts.get_by_id(db.session, attempt_id=attempt_id)
    return {**candidate_view(attempt), "max_answer_length": MAX_ANSWER}


@blp.route("")
class CandidateAttempt(MethodView):
    @candidate_access
    @blp.response(200, CandidateAttemptSchema, example=ex.CANDIDATE_ATTEMPT)
    @operation("getCandidateAttempt")
    def get(self):
        """The attempt: status, time left, the questions once started, results where the quiz shows them"""
        return _view(candidate_attempt_id())


@blp.route("/start")
class CandidateStart(MethodView):
    @candidate_access
    @mutation
    @blp.response(200, CandidateAttemptSchema, example=ex.CANDIDATE_ATTEMPT)
    @operation("startCandidateAttempt")
    def post(self):
        """Start the attempt: the questions are shown and the clock runs"""
        attempts.start(db.session, attempt_id=candidate_attempt_id())
        return _view(candidate_attempt_id())


@blp.route("/answers/<id:position>")
class CandidateAnswer(MethodView):
    @candidate_access
    @mutation
    @blp.arguments(AnswerInSchema, example=ex.ANSWER_IN)
    @blp.response(200, SavedAnswerSchema, example=ex.SAVED)
    @blp.alt_response(404, response="NOT_FOUND")
    @operation("saveCandidateAnswer")
    def put(self, answer_in, position):
        """Save the answer to question ``position``; the last save before submission counts"""
        item = attempts.save_answer(
            db.session,
            attempt_id=candidate_attempt_id(),
            position=position,
            answer=answer_in["answer"],
            time_spent_seconds=answer_in.get("time_spent_seconds"),
        )
        result = None
        if shows_feedback_now(item.attempt):
            with limits.practice(item.attempt.practice):
                result = grading.practice(db.session, item=item)
        return candidate_question_view(item, results=False, result=result)


@blp.route("/submit")
class CandidateSubmit(MethodView):
    @candidate_access
    @_graded_first
    @mutation
    @blp.response(200, CandidateAttemptSchema, example=ex.SUBMITTED)
    @operation("submitCandidateAttempt")
    def post(self):
        """Submit: answers are final and graded in one batch (or queued for grading); submitting again confirms it"""
        attempts.submit(db.session, attempt_id=candidate_attempt_id(), grading=grading)
        return _view(candidate_attempt_id())
