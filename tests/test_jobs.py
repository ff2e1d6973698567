"""The sweep (``jobs.sweep``): one attempt failing rolls back alone, and the others are still swept."""

import logging
from datetime import timedelta

from sqlalchemy import func, select

from quizsvc import jobs
from quizsvc.db import db, utcnow
from quizsvc.models import Attempt, IdempotencyRecord
from quizsvc.services import attempts
from tests.interview import move_clock


def _timed_out(flow, app, quiz, count: int) -> list[int]:
    ids = []
    for n in range(count):
        invited = flow.invite(quiz["id"], external_id=f"late-{n}")
        flow.start(invited["token"])
        flow.answer(invited["token"], 1, f"answer {n}")
        move_clock(app, invited["id"], minutes=21)
        ids.append(invited["id"])
    return ids


def _stored_status(app, attempt_id: int) -> str:
    with app.app_context():
        return db.session.scalar(select(Attempt.status).where(Attempt.id == attempt_id))


def test_one_failing_attempt_rolls_back_and_the_others_are_swept(flow, app, monkeypatch, caplog):
    quiz = flow.quiz(time_limit_minutes=20)
    first, broken, last = _timed_out(flow, app, quiz, 3)
    with app.app_context():
        session = db.session
        session.add(
            IdempotencyRecord(
                scope="org:0", key="old", fingerprint="f", status_code=200, created_at=utcnow() - timedelta(days=2)
            )
        )
        session.commit()
    real = attempts._grade_rows

    def grade_rows(session, *, attempt, **kwargs):
        rows = real(session, attempt=attempt, **kwargs)
        session.flush()  # the grades are written ...
        if attempt.id == broken:
            raise RuntimeError("grader crashed")  # ... and then the attempt fails
        return rows

    monkeypatch.setattr(attempts, "_grade_rows", grade_rows)
    with caplog.at_level(logging.ERROR, logger="quizsvc.jobs"):
        counts = jobs.sweep(app)
    assert counts == {"checked": 3, "graded": 2, "expired": 0, "failed": 1}
    assert [r.getMessage() for r in caplog.records] == [f"sweeping attempt {broken} failed"]
    assert [_stored_status(app, i) for i in (first, broken, last)] == ["graded", "started", "graded"]
    # Everything the failed attempt wrote is gone: its settling (submitted, empty answers) and its grades.
    detail = flow.attempt(broken)
    assert detail["status"] == "submitted" and detail["submitted_at"] is None  # as its deadline implies
    assert [r["grades"] for r in detail["responses"]] == [[], [], []]
    assert [len(r["grades"]) for r in flow.attempt(first)["responses"]] == [1, 1, 1]
    # The sweep still finished its round: expired idempotency records are purged.
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(IdempotencyRecord).where(IdempotencyRecord.key == "old"))
            == 0
        )

    monkeypatch.setattr(attempts, "_grade_rows", real)
    assert jobs.sweep(app) == {"checked": 1, "graded": 1, "expired": 0, "failed": 0}
    repaired = flow.attempt(broken)
    assert repaired["status"] == "graded" and repaired["auto_submitted"] is True
    assert [len(r["grades"]) for r in repaired["responses"]] == [1, 1, 1]
    assert jobs.sweep(app)["checked"] == 0


def test_a_sweep_with_nothing_due_only_purges(flow, app):
    assert jobs.sweep(app) == {"checked": 0, "graded": 0, "expired": 0, "failed": 0}
