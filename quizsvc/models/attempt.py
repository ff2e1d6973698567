"""Candidates, their attempts, the answers they give and every grade those answers get.

Grades and overrides are append-only: a regrade adds a grade, a reviewer adds an
override beside the machine grade; the newest of each is the current one.
"""

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizsvc.db import Base, UTCDateTime, utcnow

STATUSES = ("invited", "started", "submitted", "graded", "expired", "cancelled")
# Languages of the emails to candidates (quizsvc.i18n has a catalog for each).
LANGUAGES = ("en", "zh-Hant", "zh-Hans")


class Candidate(Base):
    __tablename__ = "candidates"
    __table_args__ = (UniqueConstraint("organisation_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attempts: Mapped[list["Attempt"]] = relationship(back_populates="candidate", order_by="Attempt.id")


class Attempt(Base):
    __tablename__ = "attempts"
    __table_args__ = (
        CheckConstraint(
            "status IN ('invited', 'started', 'submitted', 'graded', 'expired', 'cancelled')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="invited", index=True)
    # SHA-256 of the candidate's access token; the token itself is shown once.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The random seed the questions were drawn with: the same seed draws the same list.
    seed: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When answering stops: start + time limit, or the invitation's expiry without a limit.
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    auto_submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"))
    # Moves with every event of the attempt: polling with updated_since reads it.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Language of the emails to the candidate: zh-Hant, zh-Hans or en.
    language: Mapped[str] = mapped_column(String(10), default="en")
    # Where an assessment partner wants the status PATCHed when the attempt is graded.
    callback_url: Mapped[str | None] = mapped_column(String(2000))
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Opened from a quiz's public practice link by an anonymous visitor, not invited.
    practice: Mapped[bool] = mapped_column(Boolean, default=False)

    quiz: Mapped["Quiz"] = relationship(back_populates="attempts")  # noqa: F821
    candidate: Mapped[Candidate] = relationship(back_populates="attempts")
    questions: Mapped[list["AttemptQuestion"]] = relationship(
        back_populates="attempt", order_by="AttemptQuestion.position", cascade="all, delete-orphan"
    )


class AttemptQuestion(Base):
    """A question drawn for an attempt, pinned to the version the candidate saw."""

    __tablename__ = "attempt_questions"
    __table_args__ = (UniqueConstraint("attempt_id", "position"), UniqueConstraint("attempt_id", "version_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"))

    attempt: Mapped[Attempt] = relationship(back_populates="questions")
    version: Mapped["QuestionVersion"] = relationship()  # noqa: F821
    response: Mapped["Response | None"] = relationship(back_populates="attempt_question", cascade="all, delete-orphan")


class Response(Base):
    """The candidate's answer to one drawn question: one row, whatever the number of saves."""

    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_question_id: Mapped[int] = mapped_column(
        ForeignKey("attempt_questions.id", ondelete="CASCADE"), unique=True
    )
    answer: Mapped[str] = mapped_column(Text, default="")
    # Seconds the candidate spent on the question, as their client reports it (cumulative).
    time_spent_seconds: Mapped[int] = mapped_column(Integer, default=0)
    saves: Mapped[int] = mapped_column(Integer, default=0)
    first_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attempt_question: Mapped[AttemptQuestion] = relationship(back_populates="response")
    grades: Mapped[list["Grade"]] = relationship(
        back_populates="response", order_by="Grade.id", cascade="all, delete-orphan"
    )
    overrides: Mapped[list["GradeOverride"]] = relationship(
        back_populates="response", order_by="GradeOverride.id", cascade="all, delete-orphan"
    )


class Grade(Base):
    """A machine grade and what produced it; never updated."""

    __tablename__ = "grades"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    score: Mapped[int] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(20))
    confidence: Mapped[float] = mapped_column(Float)
    # The whole GradeResult: key points, keywords, flags, feedback, signals.
    result: Mapped[dict] = mapped_column(JSON)
    grader_version: Mapped[str] = mapped_column(String(20))
    model_id: Mapped[str] = mapped_column(String(200))
    params_digest: Mapped[str] = mapped_column(String(64))
    # sha256 of the reviewed examples graded against ("" for none).
    examples_digest: Mapped[str] = mapped_column(String(64), default="", server_default="")
    trigger: Mapped[str] = mapped_column(String(20))  # submission, regrade
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    response: Mapped[Response] = relationship(back_populates="grades")


class GradeOverride(Base):
    """A reviewer's score, kept beside the machine grade it disagrees with."""

    __tablename__ = "grade_overrides"
    __table_args__ = (CheckConstraint("score >= 0 AND score <= 100", name="score"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    grade_id: Mapped[int | None] = mapped_column(ForeignKey("grades.id", ondelete="SET NULL"))
    score: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"))
    reviewer: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A revoked override no longer counts (and its reviewed example is gone).
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    response: Mapped[Response] = relationship(back_populates="overrides")


class IdempotencyRecord(Base):
    """The first response to a mutating call with an Idempotency-Key, replayed on retries."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "org:<id>" for API keys, "attempt:<id>" for a candidate token.
    scope: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of method, path, query and body: a reused key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)  # None while the first call runs
    content_type: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
