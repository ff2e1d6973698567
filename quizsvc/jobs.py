"""Work outside requests: apply deadlines and grade (the sweeper), regrade.

Each attempt is its own unit of work (locked, committed), so several workers or
machines may run these at once: a second runner finds the work already done.
"""

import logging
import threading

from flask import Flask

from quizsvc.db import db, unit_of_work
from quizsvc.grading import grading
from quizsvc.services import attempts, idempotency

log = logging.getLogger(__name__)


def _in_transaction(app: Flask, work):
    with app.app_context(), db.sessionmaker()() as session, unit_of_work(session):
        return work(session)


def sweep(app: Flask, *, progress=None) -> dict:
    """Expire invitations, submit attempts whose time is up, grade what is submitted."""
    with app.app_context():
        with db.sessionmaker()() as session:
            due = attempts.due(session)
    counts = {"checked": len(due), "graded": 0, "expired": 0, "failed": 0}
    for attempt_id in progress(due) if progress else due:

        def work(session, attempt_id=attempt_id):
            grader = grading.grader_for(
                session, organisation_id=attempts.organisation_of(session, attempt_id=attempt_id)
            )
            return attempts.settle(session, grader=grader, cache=grading.prepared, attempt_id=attempt_id)

        try:
            status = _in_transaction(app, work)
        except Exception:  # noqa: BLE001 - one broken attempt must not stop the others
            log.exception("sweeping attempt %s failed", attempt_id)
            counts["failed"] += 1
            continue
        if status in ("graded", "expired"):
            counts[status] += 1
    _in_transaction(app, idempotency.purge)
    return counts


def regrade(app: Flask, attempt_ids: list[int], *, force: bool = False, progress=None) -> dict:
    counts = {"attempts": 0, "grades": 0}
    for attempt_id in progress(attempt_ids) if progress else attempt_ids:

        def work(session, attempt_id=attempt_id):
            grader = grading.grader_for(
                session, organisation_id=attempts.organisation_of(session, attempt_id=attempt_id)
            )
            return attempts.regrade(session, grader=grader, cache=grading.prepared, attempt_id=attempt_id, force=force)

        added = _in_transaction(app, work)
        counts["attempts"] += bool(added)
        counts["grades"] += added
    return counts


def start_sweeper(app: Flask, *, interval: float) -> threading.Thread:
    """Sweep every ``interval`` seconds in a daemon thread: deadlines apply with nobody calling."""
    stop = threading.Event()

    def loop():
        while not stop.wait(interval):
            try:
                counts = sweep(app)
                if counts["checked"]:
                    log.info("sweep: %s", counts)
            except Exception:  # noqa: BLE001 - the next round tries again
                log.exception("sweep failed")

    thread = threading.Thread(target=loop, name="attempt-sweeper", daemon=True)
    thread.stop = stop
    thread.start()
    return thread
