"""Report data: an attempt's score report, a quiz's cohort and items, a candidate's progress.

Plain dicts, rendered elsewhere (quizsvc.reports: CSV, HTML, PDF). Scores count from the
newest override, else the newest machine grade; cohorts are the quiz's graded attempts.
"""

import statistics
from collections import defaultdict

import numpy as np
from sqlalchemy.orm import Session

from quizsvc.db import utcnow
from quizsvc.models import Attempt
from quizsvc.scoring.grader import band_of
from quizsvc.services import attempts as attempt_service
from quizsvc.services import candidates, quizzes
from quizsvc.services import scores as effective
from quizsvc.services.attempt_views import override_view, passed

HISTOGRAM_BINS = 10
# Fewer answers than this and an item's discrimination is noise: it is reported as null.
MIN_DISCRIMINATION_N = 3


def _iso(value):
    return value.isoformat() if value is not None else None


def _graded_of_quiz(session: Session, *, organisation_id: int, quiz_id: int) -> list[Attempt]:
    items, _ = attempt_service.get_all(
        session, organisation_id=organisation_id, quiz_id=quiz_id, status="graded", results=True
    )
    return items


def histogram(scores: list[float]) -> list[dict]:
    width = 100 // HISTOGRAM_BINS
    counts = [0] * HISTOGRAM_BINS
    for score in scores:
        counts[min(int(score // width), HISTOGRAM_BINS - 1)] += 1
    return [{"from": i * width, "to": (i + 1) * width, "count": c} for i, c in enumerate(counts)]


def percentile_rank(score: float, scores: list[float]) -> float | None:
    """Share of the cohort below this score, counting ties as half (0-100)."""
    if not scores:
        return None
    below = sum(s < score for s in scores)
    equal = sum(s == score for s in scores)
    return round(100 * (below + 0.5 * equal) / len(scores), 1)


def _summary(scores: list[float]) -> dict:
    return {
        "attempts": len(scores),
        "mean": round(statistics.fmean(scores), 1) if scores else None,
        "median": round(statistics.median(scores), 1) if scores else None,
        "stdev": round(statistics.stdev(scores), 1) if len(scores) > 1 else None,
        "histogram": histogram(scores),
    }


def _question_entry(item) -> dict:
    version = item.version
    response = item.response
    grade = response.grades[-1] if response is not None and response.grades else None
    result = grade.result if grade is not None else {}
    found = effective.current_override(item)
    return {
        "position": item.position,
        "question_id": version.question_id,
        "version": version.version,
        "slug": version.question.slug,
        "prompt": version.prompt,
        "category": version.category,
        "difficulty": version.difficulty,
        "answer": response.answer if response is not None else None,
        "time_spent_seconds": response.time_spent_seconds if response is not None else None,
        "machine_score": grade.score if grade is not None else None,
        "score": effective.question_score(item),
        "override": {**override_view(found), "created_at": _iso(found.created_at)} if found else None,
        "band": grade.band if grade is not None else None,
        "confidence": grade.confidence if grade is not None else None,
        "flags": list(result.get("flags", [])),
        "misconceptions": list(result.get("misconceptions", [])),
        "key_points": [
            {"text": p["text"], "status": p["status"], "similarity": p["similarity"], "weight": p["weight"]}
            for p in result.get("key_points", [])
        ],
        "keywords_matched": list(result.get("keywords_matched", [])),
        "keywords_missing": list(result.get("keywords_missing", [])),
        "feedback": list(result.get("feedback", [])),
        "grader": {
            "grader_version": grade.grader_version,
            "model_id": grade.model_id,
            "params_digest": grade.params_digest,
        }
        if grade is not None
        else None,
        "graded_at": _iso(grade.created_at) if grade is not None else None,
    }


def attempt_report(session: Session, *, organisation_id: int, attempt_id: int) -> dict:
    attempt = attempt_service.get(session, organisation_id=organisation_id, attempt_id=attempt_id)
    status = attempt_service.effective_status(attempt)
    score = effective.attempt_score(attempt) if status == "graded" else None
    cohort_scores = effective.cohort_scores(session, organisation_id=organisation_id, quiz_id=attempt.quiz_id)
    taken = None
    if attempt.started_at is not None and attempt.submitted_at is not None:
        taken = int((attempt.submitted_at - attempt.started_at).total_seconds())
    candidate, quiz = attempt.candidate, attempt.quiz
    return {
        "generated_at": _iso(utcnow()),
        "attempt": {
            "id": attempt.id,
            "status": status,
            "created_at": _iso(attempt.created_at),
            "started_at": _iso(attempt.started_at),
            "submitted_at": _iso(attempt.submitted_at),
            "graded_at": _iso(attempt.graded_at),
            "auto_submitted": attempt.auto_submitted,
            "seed": attempt.seed,
            "time_taken_seconds": taken,
        },
        "candidate": {
            "id": candidate.id,
            "external_id": candidate.external_id,
            "display_name": candidate.display_name,
            "email": candidate.email,
        },
        "quiz": {
            "id": quiz.id,
            "name": quiz.name,
            "pass_mark": quiz.pass_mark,
            "feedback_policy": quiz.feedback_policy,
            "time_limit_minutes": quiz.time_limit_minutes,
        },
        "score": score,
        "passed": passed(attempt, score),
        "band": band_of(score / 100) if score is not None else None,
        "categories": effective.category_scores(attempt) if score is not None else [],
        "cohort": {
            **_summary(cohort_scores),
            "percentile": percentile_rank(score, cohort_scores) if score is not None else None,
        },
        "questions": [_question_entry(item) for item in attempt.questions],
    }


def _correlation(x: list[float], y: list[float]) -> float | None:
    if len(x) < MIN_DISCRIMINATION_N or np.std(x) == 0 or np.std(y) == 0:
        return None
    return round(float(np.corrcoef(x, y)[0, 1]), 3)


def quiz_report(session: Session, *, organisation_id: int, quiz_id: int) -> dict:
    """The cohort of graded attempts and per-question statistics."""
    quiz = quizzes.get(session, organisation_id=organisation_id, quiz_id=quiz_id)
    graded = _graded_of_quiz(session, organisation_id=organisation_id, quiz_id=quiz_id)
    scored = [(a, effective.attempt_score(a)) for a in graded]
    scored = [(a, s) for a, s in scored if s is not None]
    scores = [s for _, s in scored]
    items: dict[int, dict] = {}
    for attempt, _ in scored:
        per_question = [(item, effective.question_score(item)) for item in attempt.questions]
        for item, score in per_question:
            others = [s for other, s in per_question if other is not item]
            entry = items.setdefault(
                item.version.question_id,
                {
                    "question_id": item.version.question_id,
                    "slug": item.version.question.slug,
                    "prompt": item.version.prompt,
                    "category": item.version.category,
                    "scores": [],
                    "rest": [],
                    "flags": defaultdict(int),
                    "overridden": 0,
                },
            )
            entry["scores"].append(score)
            entry["rest"].append(statistics.fmean(others) if others else None)
            grade = item.response.grades[-1]
            for flag in grade.result.get("flags", []):
                entry["flags"][flag] += 1
            entry["overridden"] += effective.current_override(item) is not None
    questions = []
    for entry in items.values():
        n = len(entry["scores"])
        pairs = [(s, r) for s, r in zip(entry["scores"], entry["rest"]) if r is not None]
        questions.append(
            {
                "question_id": entry["question_id"],
                "slug": entry["slug"],
                "prompt": entry["prompt"],
                "category": entry["category"],
                "answers": n,
                "mean": round(statistics.fmean(entry["scores"]), 1),
                "stdev": round(statistics.stdev(entry["scores"]), 1) if n > 1 else None,
                # Corrected item-total correlation: does doing well here go with doing well on the rest?
                "discrimination": _correlation([p[0] for p in pairs], [p[1] for p in pairs]),
                "flag_rates": {flag: round(count / n, 3) for flag, count in sorted(entry["flags"].items())},
                "override_rate": round(entry["overridden"] / n, 3),
            }
        )
    return {
        "quiz": {"id": quiz.id, "name": quiz.name, "pass_mark": quiz.pass_mark},
        **_summary(scores),
        "pass_rate": round(sum(s >= quiz.pass_mark for s in scores) / len(scores), 3) if scores else None,
        "candidates": [
            {
                "attempt_id": attempt.id,
                "candidate_id": attempt.candidate_id,
                "external_id": attempt.candidate.external_id,
                "display_name": attempt.candidate.display_name,
                "submitted_at": attempt.submitted_at,
                "score": score,
                "passed": score >= quiz.pass_mark,
                "percentile": percentile_rank(score, scores),
            }
            for attempt, score in sorted(scored, key=lambda pair: -pair[1])
        ],
        "questions": sorted(questions, key=lambda q: q["question_id"]),
    }


def candidate_progress(session: Session, *, organisation_id: int, candidate_id: int) -> dict:
    """Every attempt of a candidate over time, overall and per category."""
    candidate = candidates.get(session, organisation_id=organisation_id, candidate_id=candidate_id)
    found, _ = attempt_service.get_all(session, organisation_id=organisation_id, candidate_id=candidate_id)
    timeline = []
    per_category = defaultdict(list)
    for attempt in sorted(found, key=lambda a: (a.created_at, a.id)):
        status = attempt_service.effective_status(attempt)
        score = effective.attempt_score(attempt) if status == "graded" else None
        categories = effective.category_scores(attempt) if score is not None else []
        for entry in categories:
            per_category[entry["category"]].append(
                {"attempt_id": attempt.id, "at": attempt.submitted_at, "score": entry["score"]}
            )
        timeline.append(
            {
                "attempt_id": attempt.id,
                "quiz_id": attempt.quiz_id,
                "quiz": attempt.quiz.name,
                "status": status,
                "created_at": attempt.created_at,
                "submitted_at": attempt.submitted_at,
                "score": score,
                "passed": passed(attempt, score),
                "categories": categories,
            }
        )
    scores = [entry["score"] for entry in timeline if entry["score"] is not None]
    return {
        "candidate": {
            "id": candidate.id,
            "external_id": candidate.external_id,
            "display_name": candidate.display_name,
            "email": candidate.email,
            "created_at": candidate.created_at,
        },
        "attempts": timeline,
        "overall": {
            "graded_attempts": len(scores),
            "mean": round(statistics.fmean(scores), 1) if scores else None,
            "best": max(scores) if scores else None,
            "first": scores[0] if scores else None,
            "latest": scores[-1] if scores else None,
            "change": round(scores[-1] - scores[0], 1) if len(scores) > 1 else None,
        },
        "categories": [
            {
                "category": name,
                "mean": round(statistics.fmean(p["score"] for p in points), 1),
                "attempts": len(points),
                "first": points[0]["score"],
                "latest": points[-1]["score"],
                "points": points,
            }
            for name, points in sorted(per_category.items())
        ],
    }
