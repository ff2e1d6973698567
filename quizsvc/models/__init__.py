"""SQLAlchemy models, one module per aggregate; importing this registers them all."""

from quizsvc.models.account import ROLES, ApiKey, Organisation
from quizsvc.models.grading import EmbeddingCache, GraderParameters
from quizsvc.models.question import (
    DIFFICULTIES,
    KeyPoint,
    Keyword,
    Misconception,
    Question,
    QuestionTag,
    QuestionVersion,
    ReferenceAnswer,
)

__all__ = [
    "ROLES",
    "DIFFICULTIES",
    "ApiKey",
    "Organisation",
    "Question",
    "QuestionVersion",
    "QuestionTag",
    "ReferenceAnswer",
    "KeyPoint",
    "Keyword",
    "Misconception",
    "EmbeddingCache",
    "GraderParameters",
]
