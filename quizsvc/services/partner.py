"""The assessment-partner shape that applicant-tracking systems call: list tests, send a
test, the test's status (also PATCHed to the callback URL when the attempt is graded).

A test is an active quiz (``partner_test_id`` is its id); an interview is an attempt
(``partner_interview_id`` is its id).
"""

from sqlalchemy.orm import Session

from quizsvc.errors import NotFound
from quizsvc.services import attempts, quizzes

STATUSES = {
    "invited": "created",
    "started": "started",
    # Submitted and waiting for its grade: still running, from the platform's side.
    "submitted": "started",
    "graded": "completed",
    "expired": "cancelled",
    "cancelled": "cancelled",
}


def list_tests(session: Session, *, organisation_id: int) -> list[dict]:
    items, _ = quizzes.get_all(session, organisation_id=organisation_id, include_archived=False)
    return [{"partner_test_id": str(quiz.id), "partner_test_name": quiz.name} for quiz in items]


def send_test(session: Session, *, organisation_id: int, key_id: int, test_in: dict):
    """Invite the candidate to the test; returns (attempt, token) as attempts.create does."""
    try:
        quiz_id = int(test_in["partner_test_id"])
    except ValueError:
        raise NotFound(f"Test {test_in['partner_test_id']!r} not found.") from None
    candidate = test_in["candidate"]
    name = " ".join(part for part in (candidate.get("first_name"), candidate.get("last_name")) if part)
    attempt_in = {
        "quiz_id": quiz_id,
        "candidate": {
            "external_id": candidate.get("external_id") or candidate["email"],
            "display_name": name or candidate["email"],
            "email": candidate["email"],
        },
        "callback_url": test_in.get("url"),
        "language": test_in.get("language"),
    }
    return attempts.create(session, organisation_id=organisation_id, key_id=key_id, attempt_in=attempt_in)


def status_body(data: dict, *, profile_url: str) -> dict:
    """The test_status body from an attempt's event data (services.events.attempt_data).

    ``metadata`` is flat, as platforms show it: one value per key, per-category scores and flags.
    """
    metadata = {
        "quiz": data["quiz"]["name"],
        "status": data["status"],
        "band": data["band"],
        "passed": data["passed"],
        "flags": ", ".join(data.get("flags", [])),
    }
    for category in data["categories"]:
        metadata[f"category: {category['category']}"] = category["score"]
    return {
        "partner_interview_id": data["partner_interview_id"],
        "partner_status": STATUSES[data["status"]],
        "partner_score": data["score"],
        "partner_profile_url": profile_url,
        "metadata": metadata,
    }


def interview(session: Session, *, organisation_id: int, partner_interview_id: str):
    try:
        attempt_id = int(partner_interview_id)
    except ValueError:
        raise NotFound(f"Interview {partner_interview_id!r} not found.") from None
    return attempts.get(session, organisation_id=organisation_id, attempt_id=attempt_id)
