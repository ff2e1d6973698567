"""A quiz's results as rows, for the streamed CSV export: one row per attempt, one column
per question (its score) and per category (the mean of its questions).

The columns are read first (one small query); the attempts are then read in batches, so
an export of any size holds one batch in memory.
"""

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizsvc.models import Attempt, AttemptQuestion, Question, QuestionVersion
from quizsvc.scoring.grader import band_of
from quizsvc.services import attempts as attempt_service
from quizsvc.services import quizzes
from quizsvc.services.scores import attempt_score, category_scores, question_score

BATCH = 200
FIXED_COLUMNS = (
    "attempt_id",
    "candidate_external_id",
    "candidate_name",
    "candidate_email",
    "status",
    "score",
    "passed",
    "band",
    "created_at",
    "submitted_at",
    "graded_at",
)


def _iso(value):
    return value.isoformat() if value is not None else None


def columns(session: Session, *, quiz_id: int) -> tuple[list[tuple[int, str]], list[str]]:
    """(question id, slug) and category names that the quiz's attempts drew, in first-drawn order."""
    rows = session.execute(
        select(QuestionVersion.question_id, Question.slug, QuestionVersion.category)
        .join(AttemptQuestion, AttemptQuestion.version_id == QuestionVersion.id)
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .join(Question, Question.id == QuestionVersion.question_id)
        .where(Attempt.quiz_id == quiz_id)
        .order_by(AttemptQuestion.position, QuestionVersion.question_id)
    )
    questions, categories = {}, {}
    for question_id, slug, category in rows:
        questions.setdefault(question_id, slug)
        categories.setdefault(category, None)
    return list(questions.items()), list(categories)


def rows(session: Session, *, organisation_id: int, quiz_id: int) -> Iterator[list]:
    """The header, then one row per attempt of the quiz (oldest first)."""
    quiz = quizzes.get(session, organisation_id=organisation_id, quiz_id=quiz_id)
    questions, categories = columns(session, quiz_id=quiz.id)
    yield [*FIXED_COLUMNS, *(f"question:{slug}" for _, slug in questions), *(f"category:{c}" for c in categories)]
    ids = list(session.scalars(select(Attempt.id).where(Attempt.quiz_id == quiz.id).order_by(Attempt.id)))
    for start in range(0, len(ids), BATCH):
        batch, _ = attempt_service.get_all(
            session, organisation_id=organisation_id, quiz_id=quiz.id, ids=ids[start : start + BATCH]
        )
        for attempt in batch:
            yield _row(attempt, questions, categories)
        session.expunge_all()


def _row(attempt: Attempt, questions, categories) -> list:
    status = attempt_service.effective_status(attempt)
    score = attempt_score(attempt) if status == "graded" else None
    by_question = {item.version.question_id: question_score(item) for item in attempt.questions}
    by_category = {c["category"]: c["score"] for c in category_scores(attempt)} if score is not None else {}
    candidate = attempt.candidate
    return [
        attempt.id,
        candidate.external_id,
        candidate.display_name,
        candidate.email,
        status,
        score,
        None if score is None else score >= attempt.quiz.pass_mark,
        band_of(score / 100) if score is not None else None,
        _iso(attempt.created_at),
        _iso(attempt.submitted_at),
        _iso(attempt.graded_at),
        *(by_question.get(question_id) for question_id, _ in questions),
        *(by_category.get(category) for category in categories),
    ]
