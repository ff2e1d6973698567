"""Open practice: a quiz anyone can take from a public link, each visitor on an attempt of
their own, with key-point feedback after every answer and as many tries as they like.

The link's secret part is ``Quiz.practice_key``: opening practice draws one, closing it
forgets it (every link handed out stops working), opening again draws a new one. Only
mock quizzes can be opened: a hiring quiz shows candidates nothing about their grades.
A visitor is an anonymous candidate ("practice-..."); their next try is a new attempt of
that candidate, so the progress page shows every try.
"""

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizsvc.errors import Conflict, NotFound
from quizsvc.models import Attempt, Quiz
from quizsvc.services import attempts, quizzes

VISITOR_PREFIX = "practice-"
# A practice attempt may be started for this long after the visitor opens it.
OPEN_HOURS = 24


def open_practice(session: Session, *, organisation_id: int, quiz_id: int) -> Quiz:
    """Open the quiz for practice (idempotent: an open quiz keeps its link)."""
    quiz = quizzes.get(session, organisation_id=organisation_id, quiz_id=quiz_id)
    if quiz.feedback_policy != "mock":
        raise Conflict(
            "Only mock quizzes can be opened for practice: practice shows feedback, a hiring quiz shows none.",
            errors={"feedback_policy": [quiz.feedback_policy]},
        )
    if quiz.archived_at is not None:
        raise Conflict(f"Quiz {quiz.id} is archived; it takes no new attempts.")
    if quiz.practice_key is None:
        quiz.practice_key = secrets.token_urlsafe(24)
        session.flush()
    return quiz


def close_practice(session: Session, *, organisation_id: int, quiz_id: int) -> Quiz:
    """Close practice: the link stops working; attempts already started can still be finished."""
    quiz = quizzes.get(session, organisation_id=organisation_id, quiz_id=quiz_id)
    quiz.practice_key = None
    session.flush()
    return quiz


def quiz_for_key(session: Session, *, key: str) -> Quiz:
    quiz = session.scalars(select(Quiz).where(Quiz.practice_key == key)).one_or_none() if key else None
    if quiz is None or quiz.archived_at is not None:
        raise NotFound("This practice link is not open (any more).")
    return quiz


def question_count(quiz: Quiz) -> int:
    return quiz.rule["count"] if quiz.selection == "rule" else len(quiz.questions)


def start(session: Session, *, key: str, visitor: str | None = None) -> tuple[Attempt, str]:
    """A started practice attempt for a new visitor (or ``visitor``, the external id of one
    seen before); returns it with its token."""
    quiz = quiz_for_key(session, key=key)
    external_id = visitor or VISITOR_PREFIX + secrets.token_hex(8)
    attempt, token = attempts.create(
        session,
        organisation_id=quiz.organisation_id,
        key_id=None,
        attempt_in={
            "quiz_id": quiz.id,
            "candidate": {"external_id": external_id, "display_name": f"Practice {external_id[-4:]}"},
            "expires_in_hours": OPEN_HOURS,
        },
        practice=True,
    )
    return attempts.start(session, attempt_id=attempt.id), token


def retry(session: Session, *, attempt_id: int) -> tuple[Attempt, str]:
    """The same visitor's next try at the quiz of a finished practice attempt."""
    attempt = attempts.get_by_id(session, attempt_id=attempt_id)
    if not attempt.practice:
        raise Conflict("Only practice attempts can be tried again; ask for a new invitation.")
    if attempts.effective_status(attempt) in ("invited", "started"):
        raise Conflict("Finish this try first: submit it, then try again.")
    if attempt.quiz.practice_key is None:
        raise NotFound("This quiz is no longer open for practice.")
    return start(session, key=attempt.quiz.practice_key, visitor=attempt.candidate.external_id)
