"""SQLAlchemy models, one module per aggregate; importing this registers them all."""

from quizsvc.models.account import ROLES, ApiKey, LoginLink, Organisation
from quizsvc.models.attempt import (
    LANGUAGES,
    STATUSES,
    Attempt,
    AttemptQuestion,
    Candidate,
    Grade,
    GradeOverride,
    IdempotencyRecord,
    Response,
)
from quizsvc.models.audit import AuditEntry
from quizsvc.models.example import SOURCES, QuestionExample
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
from quizsvc.models.quiz import FEEDBACK_POLICIES, FEEDBACK_TIMINGS, SELECTIONS, Quiz, QuizQuestion
from quizsvc.models.webhook import (
    SUBSCRIBABLE,
    Channel,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Event,
    EventType,
    WebhookSubscription,
)

__all__ = [
    "ROLES",
    "DIFFICULTIES",
    "ApiKey",
    "LoginLink",
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
    "SELECTIONS",
    "FEEDBACK_POLICIES",
    "FEEDBACK_TIMINGS",
    "Quiz",
    "QuizQuestion",
    "STATUSES",
    "LANGUAGES",
    "Candidate",
    "Attempt",
    "AttemptQuestion",
    "Response",
    "Grade",
    "GradeOverride",
    "IdempotencyRecord",
    "SOURCES",
    "QuestionExample",
    "AuditEntry",
    "SUBSCRIBABLE",
    "Channel",
    "Delivery",
    "DeliveryAttempt",
    "DeliveryStatus",
    "Event",
    "EventType",
    "WebhookSubscription",
]
