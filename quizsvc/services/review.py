"""What the reviewer console lists: a quiz's attempts by status, flag and score, and the
review queue of answers the machine is least sure of.

Scores and flags are read in SQL (the newest grade of each answer, the newest override),
so a quiz with thousands of attempts is filtered and paged by the database.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload

from quizsvc.models import Attempt, AttemptQuestion, Grade, GradeOverride, Response
from quizsvc.services import attempts as attempt_service
from quizsvc.services.scores import attempt_scores, latest_grades

SORTS = ("date", "score")
# Half of the last decimal a score is shown with.
SHOWN_HALF_STEP = 0.05


def _flagged():
    """A grade whose result names at least one flag (a grade stored without flags is not)."""
    return Grade.result["flags"].as_string() != "[]"


def _has_flagged_answer():
    return exists(
        select(Grade.id)
        .join(Response, Response.id == Grade.response_id)
        .join(AttemptQuestion, AttemptQuestion.id == Response.attempt_question_id)
        .where(AttemptQuestion.attempt_id == Attempt.id, Grade.id.in_(latest_grades()), _flagged())
    )


def quiz_attempts(
    session: Session,
    *,
    organisation_id: int,
    quiz_id: int,
    status: str | None = None,
    flagged: bool | None = None,
    score_min: float | None = None,
    score_max: float | None = None,
    sort: str = "date",
    descending: bool = True,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[tuple[Attempt, float | None, bool]], int]:
    """(attempt, score, has a flagged answer) for one page, and how many match in all.

    ``score_min``/``score_max`` keep graded attempts only (others have no score); ``sort``
    is ``date`` (created) or ``score`` (attempts without a score last).
    """
    scores = attempt_scores(organisation_id=organisation_id, quiz_id=quiz_id)
    flag = _has_flagged_answer().label("flagged")
    query = (
        select(Attempt, scores.c.score, flag)
        .outerjoin(scores, scores.c.attempt_id == Attempt.id)
        .where(Attempt.organisation_id == organisation_id, Attempt.quiz_id == quiz_id)
    )
    if status is not None:
        query = query.where(attempt_service.status_clause(status))
    if flagged is not None:
        query = query.where(_has_flagged_answer() if flagged else ~_has_flagged_answer())
    # The range applies to the score as shown (one decimal): 8.33 is shown 8.3, so a
    # maximum of 8.3 keeps it.
    if score_min is not None:
        query = query.where(scores.c.score >= score_min - SHOWN_HALF_STEP)
    if score_max is not None:
        query = query.where(scores.c.score < score_max + SHOWN_HALF_STEP)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    key = scores.c.score if sort == "score" else Attempt.created_at
    order = (key.desc() if descending else key.asc()).nulls_last()
    rows = session.execute(
        query.order_by(order, Attempt.id.desc() if descending else Attempt.id)
        .offset(offset)
        .limit(limit)
        .options(selectinload(Attempt.candidate))
    )
    return [(attempt, None if score is None else round(float(score), 1), bool(f)) for attempt, score, f in rows], total


@dataclass(frozen=True)
class QueueItem:
    attempt_id: int
    position: int
    quiz: str
    candidate: str
    prompt: str
    score: int
    confidence: float
    flags: list[str]
    graded_at: datetime


def queue(
    session: Session, *, organisation_id: int, confidence_below: float, offset: int = 0, limit: int = 50
) -> tuple[list[QueueItem], int]:
    """Answers whose newest grade is flagged or below ``confidence_below`` and that no reviewer
    has overridden since, oldest grade first: the reviewer's time goes where the machine is
    least sure."""
    reviewed = exists(
        select(GradeOverride.id).where(GradeOverride.response_id == Response.id, GradeOverride.grade_id == Grade.id)
    )
    query = (
        select(Grade, AttemptQuestion, Attempt)
        .join(Response, Response.id == Grade.response_id)
        .join(AttemptQuestion, AttemptQuestion.id == Response.attempt_question_id)
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .where(
            Attempt.organisation_id == organisation_id,
            Attempt.status == "graded",
            Response.answer != "",  # an unanswered question (flagged empty) has nothing to review
            Grade.id.in_(latest_grades()),
            ~reviewed,
            (Grade.confidence < confidence_below) | _flagged(),
        )
    )
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.execute(
        query.order_by(Grade.created_at, Grade.id)
        .offset(offset)
        .limit(limit)
        .options(
            selectinload(AttemptQuestion.version),
            selectinload(Attempt.quiz),
            selectinload(Attempt.candidate),
        )
    )
    items = [
        QueueItem(
            attempt_id=attempt.id,
            position=item.position,
            quiz=attempt.quiz.name,
            candidate=attempt.candidate.display_name,
            prompt=item.version.prompt,
            score=grade.score,
            confidence=grade.confidence,
            flags=list(grade.result.get("flags", [])),
            graded_at=grade.created_at,
        )
        for grade, item, attempt in rows
    ]
    return items, total


def attempt_counts(session: Session, *, organisation_id: int) -> dict[int, dict[str, int]]:
    """Per quiz: how many attempts in all, and how many are graded (stored statuses)."""
    rows = session.execute(
        select(Attempt.quiz_id, Attempt.status, func.count())
        .where(Attempt.organisation_id == organisation_id)
        .group_by(Attempt.quiz_id, Attempt.status)
    )
    counts: dict[int, dict[str, int]] = {}
    for quiz_id, status, count in rows:
        entry = counts.setdefault(quiz_id, {"total": 0, "graded": 0})
        entry["total"] += count
        if status == "graded":
            entry["graded"] += count
    return counts
