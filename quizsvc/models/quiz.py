"""Quizzes: a fixed question list or a drawing rule, with the policy attempts follow."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizsvc.db import Base, UTCDateTime, utcnow

SELECTIONS = ("fixed", "rule")
FEEDBACK_POLICIES = ("mock", "hiring")
FEEDBACK_TIMINGS = ("after_answer", "at_end")


class Quiz(Base):
    __tablename__ = "quizzes"
    __table_args__ = (
        CheckConstraint("selection IN ('fixed', 'rule')", name="selection"),
        CheckConstraint("feedback_policy IN ('mock', 'hiring')", name="feedback_policy"),
        CheckConstraint("feedback_timing IN ('after_answer', 'at_end')", name="feedback_timing"),
        CheckConstraint("pass_mark >= 0 AND pass_mark <= 100", name="pass_mark"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    selection: Mapped[str] = mapped_column(String(10))
    # {"categories": [...], "difficulties": [...], "tags": [...], "count": n}; None for a fixed list.
    rule: Mapped[dict | None] = mapped_column(JSON)
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    pass_mark: Mapped[int] = mapped_column(Integer, default=60)
    feedback_policy: Mapped[str] = mapped_column(String(10))
    feedback_timing: Mapped[str] = mapped_column(String(20), default="at_end")
    # How long an invitation stays open before the candidate starts.
    link_valid_hours: Mapped[int] = mapped_column(Integer, default=168)
    # Open practice: the secret part of the quiz's public link (/practice/<key>); None: closed.
    practice_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    questions: Mapped[list["QuizQuestion"]] = relationship(
        back_populates="quiz", order_by="QuizQuestion.position", cascade="all, delete-orphan"
    )
    # Not stored: the absolute practice link, set where a request knows the site's address.
    practice_url = None
    attempts: Mapped[list["Attempt"]] = relationship(back_populates="quiz")  # noqa: F821


class QuizQuestion(Base):
    """A question of a fixed quiz; attempts take its latest version when they are created."""

    __tablename__ = "quiz_questions"
    __table_args__ = (UniqueConstraint("quiz_id", "question_id"), UniqueConstraint("quiz_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)

    quiz: Mapped[Quiz] = relationship(back_populates="questions")
    question: Mapped["Question"] = relationship()  # noqa: F821
