"""What the grader keeps: reference-side vectors and organisations' own parameters."""

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from quizsvc.db import Base, UTCDateTime, utcnow


class EmbeddingCache(Base):
    """A text's vector under one model: references are embedded once, then read."""

    __tablename__ = "embedding_cache"
    __table_args__ = (UniqueConstraint("model_id", "text_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[str] = mapped_column(String(200))
    text_hash: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float32, little-endian
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GraderParameters(Base):
    """An organisation's own calibration (from `quizsvc grader calibrate`), used instead of the default."""

    __tablename__ = "grader_parameters"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), unique=True, index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
