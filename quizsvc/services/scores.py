"""What an attempt scored: the newest override counts, else the newest machine grade."""

import statistics
from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quizsvc.models import Attempt, AttemptQuestion, Grade, GradeOverride, Response


def machine_score(item: AttemptQuestion) -> int | None:
    response = item.response
    return response.grades[-1].score if response is not None and response.grades else None


def current_override(item: AttemptQuestion) -> GradeOverride | None:
    response = item.response
    live = [row for row in response.overrides if row.revoked_at is None] if response is not None else []
    return live[-1] if live else None


def question_score(item: AttemptQuestion) -> int | None:
    """The score that counts: the latest reviewer's override, else the latest machine grade."""
    found = current_override(item)
    return found.score if found is not None else machine_score(item)


def latest_grades():
    """The ids of each answer's newest machine grade."""
    return select(func.max(Grade.id)).group_by(Grade.response_id)


def attempt_scores(*, organisation_id: int, quiz_id: int | None = None):
    """A subquery of (attempt_id, score): ``attempt_score`` of every graded attempt, in SQL."""
    latest_override = (
        select(GradeOverride.response_id, func.max(GradeOverride.id).label("id"))
        .where(GradeOverride.revoked_at.is_(None))
        .group_by(GradeOverride.response_id)
        .subquery()
    )
    override = GradeOverride.__table__.alias("current_override")
    effective = func.coalesce(override.c.score, Grade.score)
    query = (
        select(AttemptQuestion.attempt_id.label("attempt_id"), func.avg(effective).label("score"))
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .join(Response, Response.attempt_question_id == AttemptQuestion.id)
        .join(Grade, (Grade.response_id == Response.id) & Grade.id.in_(latest_grades()))
        .outerjoin(latest_override, latest_override.c.response_id == Response.id)
        .outerjoin(override, override.c.id == latest_override.c.id)
        .where(Attempt.organisation_id == organisation_id, Attempt.status == "graded")
        .group_by(AttemptQuestion.attempt_id)
    )
    if quiz_id is not None:
        query = query.where(Attempt.quiz_id == quiz_id)
    return query.subquery("attempt_scores")


def cohort_scores(session: Session, *, organisation_id: int, quiz_id: int) -> list[float]:
    """attempt_score of every graded attempt of a quiz, computed in SQL: a cohort can be
    thousands of attempts, and their grades' full results are not needed for this."""
    scores = attempt_scores(organisation_id=organisation_id, quiz_id=quiz_id)
    rows = session.execute(select(scores.c.attempt_id, scores.c.score).order_by(scores.c.attempt_id))
    return [round(float(mean), 1) for _, mean in rows]


def attempt_score(attempt: Attempt) -> float | None:
    """Mean over the drawn questions; None until every question has a grade."""
    scores = [question_score(item) for item in attempt.questions]
    if not scores or any(s is None for s in scores):
        return None
    return round(sum(scores) / len(scores), 1)


def category_scores(attempt: Attempt) -> list[dict]:
    """Mean score per category of the attempt's questions, in the order they first appear."""
    by_category = defaultdict(list)
    for item in attempt.questions:
        score = question_score(item)
        if score is not None:
            by_category[item.version.category].append(score)
    return [
        {"category": name, "score": round(statistics.fmean(values), 1), "questions": len(values)}
        for name, values in by_category.items()
    ]
