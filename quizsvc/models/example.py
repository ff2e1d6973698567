"""Reviewed examples: answers to a question that a person graded, with a note."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from quizsvc.db import Base, UTCDateTime, utcnow

SOURCES = ("bank", "api", "override", "import")


class QuestionExample(Base):
    """An answer with a person's score (0-100), graded against one grading basis.

    ``basis`` is the SHA-256 of the references and key points of the version it was
    graded against: a version with the same basis grades with it, one whose references or
    key points changed does not (the example is kept, inactive).
    """

    __tablename__ = "question_examples"
    __table_args__ = (
        CheckConstraint("score >= 0 AND score <= 100", name="score"),
        CheckConstraint("source IN ('bank', 'api', 'override', 'import')", name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    basis: Mapped[str] = mapped_column(String(64))
    answer: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(20))
    # The override it came from: revoking the override deletes the example.
    override_id: Mapped[int | None] = mapped_column(
        ForeignKey("grade_overrides.id", ondelete="CASCADE"), unique=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
