"""Work outside requests: apply deadlines and grade (the sweep), regrade, remind.

The queue's consumers run these (quizsvc.queue: the sweep and the reminders every
minute); ``quizsvc attempts sweep`` and ``quizsvc regrade`` run them by hand. Each attempt
is its own unit of work (locked, committed), so several consumers or machines may run
them at once: a second runner finds the work already done.
"""

import logging
from datetime import timedelta

from flask import Flask

from quizsvc.db import db, in_transaction
from quizsvc.grading import grading
from quizsvc.services import attempts, idempotency, reminders

log = logging.getLogger(__name__)


def sweep(app: Flask, *, progress=None) -> dict:
    """Expire invitations, submit attempts whose time is up, grade what is submitted."""
    with app.app_context():
        with db.sessionmaker()() as session:
            due = attempts.due(session)
    counts = {"checked": len(due), "graded": 0, "expired": 0, "failed": 0}
    for attempt_id in progress(due) if progress else due:
        try:
            status = settle(app, attempt_id)
        except Exception:  # noqa: BLE001 - one broken attempt must not stop the others
            log.exception("sweeping attempt %s failed", attempt_id)
            counts["failed"] += 1
            continue
        if status in ("graded", "expired"):
            counts[status] += 1
    in_transaction(app, idempotency.purge)
    return counts


def settle(app: Flask, attempt_id: int) -> str:
    """One attempt as its own unit of work: apply a passed deadline, grade it if submitted
    (the queue's ``grade`` task; the sweep); returns its status. The grades are computed
    first, outside the writer's transaction, which then only stores them."""
    graded = grading.graded_first(app, attempt_id, status="submitted")

    def work(session):
        return attempts.settle(
            session, grader=grading.grader_of(session, attempt_id=attempt_id), cache=grading.prepared, attempt_id=attempt_id, graded=graded
        )

    return in_transaction(app, work)


def regrade(app: Flask, attempt_ids: list[int], *, force: bool = False, progress=None) -> dict:
    """Grade attempts again, each its own unit of work; the grades are computed before the
    writer's transaction (as in :func:`settle`). An attempt already graded by this grader is
    skipped without grading unless ``force``."""
    counts = {"attempts": 0, "grades": 0}
    for attempt_id in progress(attempt_ids) if progress else attempt_ids:
        graded = grading.graded_first(app, attempt_id, status="graded", force=force)

        def work(session, attempt_id=attempt_id, graded=graded):
            return attempts.regrade(
                session,
                grader=grading.grader_of(session, attempt_id=attempt_id),
                cache=grading.prepared,
                attempt_id=attempt_id,
                force=force,
                graded=graded,
            )

        added = in_transaction(app, work)
        counts["attempts"] += bool(added)
        counts["grades"] += added
    return counts


def remind(app: Flask) -> int:
    """Queue a reminder email for each invitation closing within QUIZSVC_REMINDER_HOURS; returns how many."""
    hours = app.config["QUIZSVC_REMINDER_HOURS"]
    if not hours or not app.config["QUIZSVC_SMTP_URL"]:
        return 0
    with app.app_context():
        with db.sessionmaker()() as session:
            due = reminders.due(session, within=timedelta(hours=hours))
    return sum(in_transaction(app, lambda session, i=i: reminders.remind(session, attempt_id=i)) for i in due)
