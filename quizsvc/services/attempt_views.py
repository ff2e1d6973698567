"""Plain-dict views of an attempt: the reviewer's (everything) and the candidate's.

The candidate never sees references, key points or rubric; in a hiring quiz not even a
score. Scores count from the newest override, else the newest machine grade.
"""

from datetime import datetime

from quizsvc.db import utcnow
from quizsvc.models import Attempt, AttemptQuestion, Grade, GradeOverride
from quizsvc.services.attempts import effective_status
from quizsvc.services.scores import attempt_score, current_override, machine_score, question_score


def grade_view(row: Grade) -> dict:
    return {**row.result, "id": row.id, "trigger": row.trigger, "created_at": row.created_at}


def override_view(row: GradeOverride) -> dict:
    return {
        "id": row.id,
        "score": row.score,
        "reason": row.reason,
        "reviewer": row.reviewer,
        "key_id": row.key_id,
        "grade_id": row.grade_id,
        "created_at": row.created_at,
        "revoked_at": row.revoked_at,
    }


def response_view(item: AttemptQuestion) -> dict:
    response = item.response
    version = item.version
    found = current_override(item)
    return {
        "position": item.position,
        "question_id": version.question_id,
        "version": version.version,
        "prompt": version.prompt,
        "category": version.category,
        "answer": response.answer if response else None,
        "time_spent_seconds": response.time_spent_seconds if response else None,
        "saves": response.saves if response else 0,
        "updated_at": response.updated_at if response else None,
        "machine_score": machine_score(item),
        "score": question_score(item),
        "override": override_view(found) if found else None,
        "grade": grade_view(response.grades[-1]) if response and response.grades else None,
        "grades": [grade_view(row) for row in response.grades] if response else [],
        "overrides": [override_view(row) for row in response.overrides] if response else [],
    }


def passed(attempt: Attempt, score: float | None) -> bool | None:
    return None if score is None else score >= attempt.quiz.pass_mark


def attempt_view(attempt: Attempt, *, now: datetime | None = None, detail: bool = False) -> dict:
    status = effective_status(attempt, now)
    score = attempt_score(attempt) if status == "graded" else None
    view = {
        "id": attempt.id,
        "quiz_id": attempt.quiz_id,
        "candidate": attempt.candidate,
        "status": status,
        "seed": attempt.seed,
        "created_at": attempt.created_at,
        "expires_at": attempt.expires_at,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "submitted_at": attempt.submitted_at,
        "auto_submitted": attempt.auto_submitted,
        "graded_at": attempt.graded_at,
        "cancelled_at": attempt.cancelled_at,
        "updated_at": attempt.updated_at,
        "score": score,
        "passed": passed(attempt, score),
        "questions": [
            {
                "position": item.position,
                "question_id": item.version.question_id,
                "version": item.version.version,
                "prompt": item.version.prompt,
            }
            for item in attempt.questions
        ],
    }
    if detail:
        view["responses"] = [response_view(item) for item in attempt.questions]
    return view


def _shows_results(attempt: Attempt, status: str) -> bool:
    return attempt.quiz.feedback_policy == "mock" and status == "graded"


def shows_feedback_now(attempt: Attempt) -> bool:
    """Whether each saved answer is graded for the candidate at once: mock quizzes with
    feedback after each answer, and every practice attempt."""
    return attempt.quiz.feedback_policy == "mock" and (attempt.quiz.feedback_timing == "after_answer" or attempt.practice)


def candidate_view(attempt: Attempt, *, now: datetime | None = None) -> dict:
    now = now or utcnow()
    status = effective_status(attempt, now)
    results = _shows_results(attempt, status)
    score = attempt_score(attempt) if results else None
    seconds_left = None
    if status == "started" and attempt.deadline is not None:
        seconds_left = max(int((attempt.deadline - now).total_seconds()), 0)
    quiz = attempt.quiz
    return {
        "id": attempt.id,
        "quiz": quiz.name,
        "status": status,
        "feedback_policy": quiz.feedback_policy,
        "feedback_timing": "after_answer" if attempt.practice else quiz.feedback_timing,
        "practice": attempt.practice,
        "time_limit_minutes": quiz.time_limit_minutes,
        "expires_at": attempt.expires_at,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "seconds_left": seconds_left,
        "submitted_at": attempt.submitted_at,
        "auto_submitted": attempt.auto_submitted,
        "question_count": len(attempt.questions),
        # Questions are shown once the attempt is started: an invitation (expired or
        # cancelled before the start too) reveals nothing.
        "questions": [candidate_question_view(item, results=results) for item in attempt.questions]
        if attempt.started_at is not None
        else [],
        "score": score,
        "passed": passed(attempt, score) if results else None,
    }


def candidate_question_view(item: AttemptQuestion, *, results: bool, result: dict | None = None) -> dict:
    response = item.response
    version = item.version
    if results and response is not None and response.grades:
        result = response.grades[-1].result
    return {
        "position": item.position,
        "prompt": version.prompt,
        "category": version.category,
        "difficulty": version.difficulty,
        "language": version.language,
        "answer": response.answer if response else None,
        "time_spent_seconds": response.time_spent_seconds if response else None,
        "saved_at": response.updated_at if response else None,
        "saves": response.saves if response else 0,
        "result": result,
    }
