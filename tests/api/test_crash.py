"""Crash test: gunicorn on PostgreSQL, a burst of concurrent autosaves and submissions, and a
worker killed with SIGKILL twice in the middle of it.

Clients behave as the API asks: every call carries an Idempotency-Key, and a call that gets
no answer (its worker died) is sent again with the same key until it is answered. Then:
every acknowledged answer is stored with its last acknowledged text, counted once per save;
every submitted attempt is graded exactly once; a retried submission gets 200. The figures
are printed (pytest -s), with what a sweep found left to grade afterwards (expected: none).
"""

import collections
import threading
import time

import pytest
import requests
from alembic import command
from sqlalchemy import func, select

from quizsvc import jobs
from quizsvc.cli import alembic_config
from quizsvc.db import db
from quizsvc.models import Event
from tests.conftest import AuthActions, make_app
from tests.interview import Interview, load_bank
from tests.live import gunicorn

CANDIDATES = 12
POSITIONS = 3
DRAFTS = 4  # saves per answer
REQUESTS = CANDIDATES * (POSITIONS * DRAFTS + 1)
# Kill a worker when this share of the calls has been acknowledged: once among the saves, once
# when the clients submit (each client submits last).
KILL_AT = (0.3, 0.92)


@pytest.fixture(scope="module")
def started(empty_database):
    """A PostgreSQL database with started attempts, and the app (in this process) to inspect it."""
    app = make_app(empty_database("postgresql"))
    with app.app_context():
        command.upgrade(alembic_config(), "head")
    load_bank(app, count=POSITIONS)
    flow = Interview(app.test_client(), AuthActions(app))
    quiz = flow.quiz()
    attempts = []
    for n in range(CANDIDATES):
        invited = flow.invite(quiz["id"], external_id=f"crash-{n}")
        flow.start(invited["token"])
        attempts.append(invited)
    yield app, flow, attempts
    db.engine(app).dispose()


class Burst:
    """The clients' side: calls, retries of unanswered calls, and what was acknowledged."""

    def __init__(self, url: str):
        self.url = url
        self.acknowledged = 0
        self.unanswered = collections.Counter()  # by method: PUT (saves), POST (submissions)
        self.answers = {}  # (attempt id, position) -> last acknowledged text
        self.lock = threading.Lock()

    def call(self, method: str, path: str, token: str, key: str, body=None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
        for _ in range(200):
            try:
                response = requests.request(method, self.url + path, json=body, headers=headers, timeout=60)
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
                response = None  # the worker died with the call (or its answer): send it again
            if response is not None and response.status_code < 500:
                with self.lock:
                    self.acknowledged += 1
                return response
            with self.lock:
                self.unanswered[method] += 1
            time.sleep(0.05)
        raise AssertionError(f"{method} {path} never answered")

    def candidate(self, invited: dict) -> None:
        token = invited["token"]
        for draft in range(DRAFTS):
            for position in range(1, POSITIONS + 1):
                text = f"attempt {invited['id']} answer {position} draft {draft}"
                key = f"{invited['id']}-{position}-{draft}"
                response = self.call(
                    "PUT", f"/api/v1/candidate/attempt/answers/{position}", token, key, {"answer": text}
                )
                assert response.status_code == 200, response.text
                self.answers[invited["id"], position] = text
        response = self.call("POST", "/api/v1/candidate/attempt/submit", token, f"submit-{invited['id']}")
        assert response.status_code == 200 and response.json()["status"] in ("submitted", "graded"), response.text


def test_no_acknowledged_answer_is_lost_and_every_submission_is_graded_once(started):
    app, flow, attempts = started
    with gunicorn(app.config["QUIZSVC_DATABASE_URL"], workers=2) as live:
        burst = Burst(live.url)
        killed, errors = [], []

        clients_done = threading.Event()

        def killer():
            for share in KILL_AT:
                while burst.acknowledged < share * REQUESTS and not clients_done.is_set():
                    time.sleep(0.005)
                killed.append(live.kill_worker())
                live.wait_for_workers(2)

        def client(invited):
            try:
                burst.candidate(invited)
            except Exception as error:  # noqa: BLE001 - reported below, with the others
                errors.append(repr(error))

        started_at = time.monotonic()
        clients = [threading.Thread(target=client, args=(a,)) for a in attempts]
        kills = threading.Thread(target=killer)
        for thread in (kills, *clients):
            thread.start()
        for thread in clients:
            thread.join(timeout=120)
        clients_done.set()
        kills.join(timeout=60)
        elapsed = time.monotonic() - started_at
        assert errors == [] and len(killed) == 2
        assert all(pid not in live.workers() for pid in killed)

        # A retried submission confirms, with its key (replayed) and without one.
        for invited in attempts[:3]:
            headers = {"Authorization": f"Bearer {invited['token']}"}
            again = requests.post(
                f"{live.url}/api/v1/candidate/attempt/submit",
                headers={**headers, "Idempotency-Key": f"submit-{invited['id']}"},
                timeout=30,
            )
            assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
            fresh = requests.post(f"{live.url}/api/v1/candidate/attempt/submit", headers=headers, timeout=30)
            assert fresh.status_code == 200 and fresh.json()["status"] == "graded"
        server_log = live.errors()
    # What a sweep finds next (no queue consumer sweeps here): a submission whose grading
    # failed stays submitted until a sweep grades it. None is expected; any is graded once.
    swept = jobs.sweep(app)
    print(
        f"\ncrash test: {REQUESTS} calls by {CANDIDATES} clients in {elapsed:.1f} s, workers {killed} killed; "
        f"calls unanswered and sent again: {burst.unanswered['PUT']} saves, {burst.unanswered['POST']} submissions; "
        f"left for the sweep: {swept['graded']}"
    )

    grades = collections.Counter()
    for invited in attempts:
        detail = flow.attempt(invited["id"])
        assert detail["status"] == "graded", server_log[-3000:]
        for response in detail["responses"]:
            assert response["answer"] == burst.answers[invited["id"], response["position"]]
            assert response["saves"] == DRAFTS  # each save counted once, retries included
            grades[len(response["grades"])] += 1
            assert [g["trigger"] for g in response["grades"]] == ["submission"]
    assert grades == {1: CANDIDATES * POSITIONS}
    assert jobs.sweep(app)["checked"] == 0
    # The outbox holds each attempt's submission and grading once: a crash neither lost nor doubled one.
    with app.app_context():
        events = db.session.execute(
            select(Event.attempt_id, Event.type, func.count()).group_by(Event.attempt_id, Event.type)
        ).all()
    ids = {invited["id"] for invited in attempts}
    counted = {(attempt_id, kind): n for attempt_id, kind, n in events if attempt_id in ids}
    for kind in ("attempt.submitted", "attempt.graded"):
        assert [counted.get((i, kind)) for i in sorted(ids)] == [1] * CANDIDATES, kind
