"""Quizzes: create from a question list or a rule, list, get, archive, and draw questions."""

import random

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from quizsvc.db import utcnow
from quizsvc.errors import Conflict, Invalid, NotFound
from quizsvc.models import Question, QuestionTag, QuestionVersion, Quiz, QuizQuestion


def _live_latest(organisation_id: int):
    """Latest versions of the organisation's live questions."""
    return (
        select(QuestionVersion)
        .join(
            Question,
            (QuestionVersion.question_id == Question.id) & (QuestionVersion.version == Question.latest_version),
        )
        .where(Question.organisation_id == organisation_id, Question.retired_at.is_(None))
    )


def _rule_pool(session: Session, *, organisation_id: int, rule: dict) -> list[QuestionVersion]:
    query = _live_latest(organisation_id)
    if rule.get("categories"):
        query = query.where(QuestionVersion.category.in_(rule["categories"]))
    if rule.get("difficulties"):
        query = query.where(QuestionVersion.difficulty.in_(rule["difficulties"]))
    if rule.get("tags"):
        tagged = select(QuestionTag.version_id).where(QuestionTag.tag.in_(rule["tags"]))
        query = query.where(QuestionVersion.id.in_(tagged))
    # A stable order, so that a seed always draws the same questions from the same bank.
    return list(session.scalars(query.order_by(QuestionVersion.question_id)))


def draw(session: Session, *, quiz: Quiz, seed: int) -> list[QuestionVersion]:
    """The question versions an attempt gets: the fixed list, or ``count`` drawn with ``seed``."""
    if quiz.selection == "fixed":
        latest = {
            v.question_id: v
            for v in session.scalars(
                _live_latest(quiz.organisation_id).where(
                    QuestionVersion.question_id.in_([item.question_id for item in quiz.questions])
                )
            )
        }
        drawn = [latest[item.question_id] for item in quiz.questions if item.question_id in latest]
        if not drawn:
            raise Conflict(f"Every question of quiz {quiz.id} has been retired.")
        return drawn
    pool = _rule_pool(session, organisation_id=quiz.organisation_id, rule=quiz.rule)
    count = quiz.rule["count"]
    if len(pool) < count:
        raise Conflict(f"Quiz {quiz.id} draws {count} questions but only {len(pool)} live questions match its rule.")
    return random.Random(seed).sample(pool, count)


def create(session: Session, *, organisation_id: int, quiz_in: dict) -> Quiz:
    question_ids = quiz_in.pop("question_ids", None)
    rule = quiz_in.pop("rule", None)
    quiz = Quiz(organisation_id=organisation_id, selection="fixed" if question_ids else "rule", rule=rule, **quiz_in)
    if question_ids:
        live = set(
            session.scalars(
                select(Question.id).where(
                    Question.organisation_id == organisation_id,
                    Question.retired_at.is_(None),
                    Question.id.in_(question_ids),
                )
            )
        )
        unknown = [qid for qid in question_ids if qid not in live]
        if unknown:
            # Like any reference to another organisation's data: not found, whatever the reason.
            raise NotFound(
                "Some questions do not exist or are retired.",
                errors={"question_ids": [f"No live question {qid}." for qid in unknown]},
            )
        quiz.questions = [QuizQuestion(question_id=qid, position=i) for i, qid in enumerate(question_ids, 1)]
    else:
        available = len(_rule_pool(session, organisation_id=organisation_id, rule=rule))
        if available < rule["count"]:
            raise Invalid(
                f"The rule matches {available} live questions, fewer than the {rule['count']} it draws.",
                errors={"rule": {"count": [f"At most {available} with these filters."]}},
            )
    session.add(quiz)
    session.flush()
    return quiz


def get(session: Session, *, organisation_id: int, quiz_id: int) -> Quiz:
    quiz = session.scalars(select(Quiz).where(Quiz.id == quiz_id).options(selectinload(Quiz.questions))).one_or_none()
    if quiz is None or quiz.organisation_id != organisation_id:
        raise NotFound(f"Quiz {quiz_id} not found.")
    return quiz


def get_all(
    session: Session, *, organisation_id: int, include_archived: bool = False, offset: int = 0, limit: int | None = None
) -> tuple[list[Quiz], int]:
    query = select(Quiz).where(Quiz.organisation_id == organisation_id)
    if not include_archived:
        query = query.where(Quiz.archived_at.is_(None))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(Quiz.id).offset(offset).limit(limit).options(selectinload(Quiz.questions)))
    return list(items), total


def archive(session: Session, *, organisation_id: int, quiz_id: int) -> Quiz:
    """No new attempts; existing attempts and their reports stay."""
    quiz = get(session, organisation_id=organisation_id, quiz_id=quiz_id)
    if quiz.archived_at is None:
        quiz.archived_at = utcnow()
        session.flush()
    return quiz
