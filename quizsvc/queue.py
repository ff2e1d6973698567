"""The task queue (Huey): deliveries, and the periodic work that used to run in a thread.

Storage, from QUIZSVC_QUEUE_URL:
- unset: a SQLite file in the instance folder (``queue.db``), so ``make run`` needs nothing else;
- ``sqlite:///path``: that file;
- ``redis://host:6379/0`` (or ``rediss://``, ``unix://``): Redis, for consumers on many hosts
  (keys prefixed with QUIZSVC_QUEUE_NAME);
- ``memory://``: tasks wait in this process until something runs them (tests: ``run_pending``).

Tasks (registered per app, so each process binds them to its own settings):
- ``deliver(delivery_id)``: send one webhook, partner callback or email (quizsvc.delivery);
- every minute, and when a consumer starts: ``dispatch`` (deliveries whose task was lost,
  and leases of consumers that died), ``sweep`` (deadlines and grading, jobs.sweep) and
  ``remind`` (reminder emails).

Deliveries are made in the same transaction as the change that causes them; once it
commits, their ``deliver`` tasks are enqueued (a session ``after_commit`` hook). If that
enqueue is lost (a crash between the commit and the enqueue, the queue down), the next
``dispatch`` finds them in the table.
"""

import logging
from pathlib import Path

from flask import Flask, current_app
from huey import MemoryHuey, PriorityRedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer
from sqlalchemy import event

from quizsvc import delivery, jobs
from quizsvc.db import db
from quizsvc.services.events import MAIL_ENABLED, PENDING

log = logging.getLogger(__name__)

# SQLite cannot block on a read like Redis: a consumer polls, from 50 ms up to this when idle.
SQLITE_MAX_POLL_SECONDS = 0.5


def make_huey(app: Flask):
    url, name = app.config["QUIZSVC_QUEUE_URL"], app.config["QUIZSVC_QUEUE_NAME"]
    if url is None:
        return SqliteHuey(name, filename=str(Path(app.instance_path) / "queue.db"), results=False)
    if url.startswith("sqlite:///"):
        return SqliteHuey(name, filename=url[len("sqlite:///") :], results=False)
    if url.startswith("memory://"):
        return MemoryHuey(name, results=False)
    return PriorityRedisHuey(name, url=url, results=False)


def _register(huey, app: Flask) -> dict:
    def enqueue(delivery_id: int) -> None:
        deliver(delivery_id)

    def schedule(delivery_id: int, eta) -> None:
        deliver.schedule(args=(delivery_id,), eta=eta)

    @huey.task(name="deliver")
    def deliver(delivery_id: int) -> None:
        delivery.deliver(app, delivery_id, schedule=schedule)

    @huey.periodic_task(crontab(), name="dispatch")
    def dispatch() -> None:
        delivery.dispatch(app, enqueue=enqueue, schedule=schedule)

    @huey.periodic_task(crontab(), name="sweep")
    def sweep() -> None:
        counts = jobs.sweep(app)
        if counts["checked"]:
            log.info("sweep: %s", counts)

    @huey.periodic_task(crontab(), name="remind")
    def remind() -> None:
        jobs.remind(app)

    return {"deliver": deliver, "enqueue": enqueue, "schedule": schedule, "dispatch": dispatch, "sweep": sweep}


class Queue:
    """Flask extension: ``queue.init_app(app)``; ``queue.consumer(app)`` for ``quizsvc worker``."""

    def init_app(self, app: Flask) -> None:
        huey = make_huey(app)
        app.extensions["quizsvc.queue"] = {"huey": huey, "tasks": _register(huey, app)}
        factory = db.sessionmaker(app)
        factory.configure(info={MAIL_ENABLED: bool(app.config["QUIZSVC_SMTP_URL"])})
        event.listen(factory, "after_commit", lambda session: self._after_commit(app, session))
        event.listen(factory, "after_transaction_end", self._after_transaction_end)

    @staticmethod
    def _state(app: Flask | None = None) -> dict:
        return (app or current_app).extensions["quizsvc.queue"]

    def huey(self, app: Flask | None = None):
        return self._state(app)["huey"]

    def enqueue_delivery(self, delivery_id: int, app: Flask | None = None) -> None:
        self._state(app)["tasks"]["enqueue"](delivery_id)

    @staticmethod
    def _after_commit(app: Flask, session) -> None:
        made = session.info.pop(PENDING, [])
        if not made:
            return
        enqueue = app.extensions["quizsvc.queue"]["tasks"]["enqueue"]
        for row in made:
            try:
                enqueue(row.id)
            except Exception:  # noqa: BLE001 - the periodic dispatch sends it within a minute
                log.exception("could not enqueue delivery %s; the dispatch will", row.id)

    @staticmethod
    def _after_transaction_end(session, transaction) -> None:
        if transaction.parent is None:
            session.info.pop(PENDING, None)  # rolled back: nothing to send

    def consumer(self, app: Flask, *, workers: int, periodic: bool = True) -> Consumer:
        huey = self.huey(app)
        options = {"workers": workers, "periodic": periodic, "worker_type": "thread"}
        if isinstance(huey, SqliteHuey):
            options.update(initial_delay=0.05, backoff=1.5, max_delay=SQLITE_MAX_POLL_SECONDS)
        return huey.create_consumer(**options)

    def run_pending(self, app: Flask | None = None) -> int:
        """Run every task that is ready now, in this thread (tests, with memory://); returns how many."""
        huey = self.huey(app)
        count = 0
        while (task := huey.dequeue()) is not None:
            huey.execute(task)
            count += 1
        return count


queue = Queue()
