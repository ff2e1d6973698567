"""Questions and their immutable versions.

Editing a question adds a version; stored answers keep pointing at the version they
answered, so nothing below a version is ever updated in place.
"""

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizsvc.db import Base, UTCDateTime, utcnow

DIFFICULTIES = ("easy", "medium", "hard")


class Question(Base):
    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("organisation_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    latest_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped["Organisation"] = relationship(back_populates="questions")  # noqa: F821
    versions: Mapped[list["QuestionVersion"]] = relationship(
        back_populates="question", order_by="QuestionVersion.version", cascade="all, delete-orphan"
    )


class QuestionVersion(Base):
    __tablename__ = "question_versions"
    __table_args__ = (
        UniqueConstraint("question_id", "version"),
        CheckConstraint("difficulty IN ('easy', 'medium', 'hard')", name="difficulty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    prompt: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(100), index=True)
    difficulty: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(20))
    # SHA-256 of the canonical content: an update that changes nothing adds no version.
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    question: Mapped[Question] = relationship(back_populates="versions")
    tags: Mapped[list["QuestionTag"]] = relationship(
        back_populates="version", order_by="QuestionTag.position", cascade="all, delete-orphan"
    )
    references: Mapped[list["ReferenceAnswer"]] = relationship(
        back_populates="version", order_by="ReferenceAnswer.position", cascade="all, delete-orphan"
    )
    key_points: Mapped[list["KeyPoint"]] = relationship(
        back_populates="version", order_by="KeyPoint.position", cascade="all, delete-orphan"
    )
    keywords: Mapped[list["Keyword"]] = relationship(
        back_populates="version", order_by="Keyword.position", cascade="all, delete-orphan"
    )
    misconceptions: Mapped[list["Misconception"]] = relationship(
        back_populates="version", order_by="Misconception.position", cascade="all, delete-orphan"
    )

    @property
    def tag_names(self) -> list[str]:
        return [t.tag for t in self.tags]

    @property
    def reference_texts(self) -> list[str]:
        return [r.text for r in self.references]


class QuestionTag(Base):
    __tablename__ = "question_tags"
    __table_args__ = (UniqueConstraint("version_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    tag: Mapped[str] = mapped_column(String(50), index=True)

    version: Mapped[QuestionVersion] = relationship(back_populates="tags")


class ReferenceAnswer(Base):
    __tablename__ = "reference_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)

    version: Mapped[QuestionVersion] = relationship(back_populates="references")


class KeyPoint(Base):
    __tablename__ = "key_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    weight: Mapped[float] = mapped_column(Float, default=1.0)

    version: Mapped[QuestionVersion] = relationship(back_populates="key_points")


class Keyword(Base):
    __tablename__ = "keywords"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    term: Mapped[str] = mapped_column(String(100))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    required: Mapped[bool] = mapped_column(Boolean, default=False)

    version: Mapped[QuestionVersion] = relationship(back_populates="keywords")


class Misconception(Base):
    """A wrong claim candidates make, with the wordings that assert it."""

    __tablename__ = "misconceptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)

    version: Mapped[QuestionVersion] = relationship(back_populates="misconceptions")
