"""Queue consumers as separate processes (``quizsvc worker``), on databases that really
commit, delivering to a real local receiver: down then up, killed in mid-delivery, and two
consumers on PostgreSQL. The queue runs on SQLite and on the local Redis (a per-run name)."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from alembic import command
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook

from quizsvc.cli import alembic_config
from quizsvc.db import db
from quizsvc.models import Delivery
from quizsvc.queue import queue
from tests.conftest import ROOT, make_app
from tests.integration import subscribe
from tests.interview import Interview, load_bank
from tests.receiver import Receiver

REDIS_URL = os.environ.get("QUIZSVC_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SETTINGS = {
    "QUIZSVC_WEBHOOK_ALLOW_PRIVATE": "true",
    "QUIZSVC_WEBHOOK_BACKOFF_SECONDS": "1",
    # Short, so that a killed consumer's lease (3 x timeout + 5 s) runs out soon.
    "QUIZSVC_WEBHOOK_TIMEOUT_SECONDS": "1",
    "QUIZSVC_SECRET_KEY": "worker-test-secret-key-0123456789abcdef",
}


class Deployment:
    """A database, a queue, the web app (in process) and consumer processes sharing them."""

    def __init__(self, database_url: str, queue_url: str, tmp_path):
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("QUIZSVC_")},
            **SETTINGS,
            "QUIZSVC_DATABASE_URL": database_url,
            "QUIZSVC_QUEUE_URL": queue_url,
            "QUIZSVC_QUEUE_NAME": f"quizsvc-test-{uuid.uuid4().hex[:10]}",
            "QUIZSVC_INSTANCE_PATH": str(tmp_path),
            "QUIZSVC_LOG_LEVEL": "WARNING",
            "QUIZSVC_LOG_FORMAT": "text",
        }
        overrides = {k: v for k, v in self.env.items() if k.startswith("QUIZSVC_") and k not in SETTINGS}
        self.app = make_app(
            database_url,
            **overrides,
            QUIZSVC_WEBHOOK_ALLOW_PRIVATE=True,
            QUIZSVC_WEBHOOK_BACKOFF_SECONDS=1,
            QUIZSVC_WEBHOOK_TIMEOUT_SECONDS=1,
            QUIZSVC_SECRET_KEY=SETTINGS["QUIZSVC_SECRET_KEY"],
        )
        with self.app.app_context():
            command.upgrade(alembic_config(), "head")
        load_bank(self.app, count=3)
        from tests.conftest import AuthActions

        self.auth = AuthActions(self.app)
        self.flow = Interview(self.app.test_client(), self.auth)
        self.workers: list[subprocess.Popen] = []
        self.logs = tmp_path / "workers.log"

    def worker(self, threads: int = 2) -> subprocess.Popen:
        with open(self.logs, "a") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "quizsvc", "worker", "--threads", str(threads)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=log,
            )
        self.workers.append(process)
        return process

    def delivered(self) -> int:
        with self.app.app_context():
            return db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == "delivered"))

    def wait_delivered(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.delivered() < count:
            if time.monotonic() > deadline:
                pytest.fail(f"{self.delivered()} of {count} delivered; consumer log:\n{self.logs.read_text()[-3000:]}")
            time.sleep(0.1)

    def close(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.workers:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        queue.huey(self.app).flush()  # Redis keys of this run
        db.engine(self.app).dispose()


@pytest.fixture
def deploy(empty_database, tmp_path):
    made = []

    def make(backend: str = "sqlite", queue_kind: str = "sqlite") -> Deployment:
        queue_url = REDIS_URL if queue_kind == "redis" else f"sqlite:///{tmp_path / 'queue.db'}"
        deployment = Deployment(empty_database(backend), queue_url, tmp_path)
        made.append(deployment)
        return deployment

    yield make
    for deployment in made:
        deployment.close()


@pytest.mark.parametrize("queue_kind", ["sqlite", "redis"])
def test_a_receiver_down_then_up_gets_the_event_signed(deploy, queue_kind):
    deployment = deploy(queue_kind=queue_kind)
    receiver = Receiver()  # down: nothing listens on its port yet
    hook = subscribe(deployment.flow.client, deployment.auth.headers(), receiver.url, event_types=["attempt.invited"])
    deployment.worker()
    deployment.flow.invite(deployment.flow.quiz()["id"])
    deadline = time.monotonic() + 30
    while _tries(deployment) < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _tries(deployment) >= 1 and deployment.delivered() == 0
    receiver.start()
    try:
        deployment.wait_delivered(1, timeout=30)
    finally:
        receiver.stop()
    [request] = receiver.requests
    body = Webhook(hook["secret"]).verify(request["body"], request["headers"])
    assert body["type"] == "attempt.invited"


def _tries(deployment) -> int:
    from quizsvc.models import DeliveryAttempt

    with deployment.app.app_context():
        return db.session.scalar(select(func.count()).select_from(DeliveryAttempt))


EVENTS = 6


def test_a_consumer_killed_in_mid_delivery_delivers_after_a_restart(deploy, record_property):
    deployment = deploy()
    receiver = Receiver().start()
    receiver.hold = 4  # answers slowly: the consumer is killed while it waits
    try:
        subscribe(deployment.flow.client, deployment.auth.headers(), receiver.url, event_types=["attempt.invited"])
        quiz = deployment.flow.quiz()
        first = deployment.worker()
        for i in range(EVENTS):
            deployment.flow.invite(quiz["id"], external_id=f"crash-{i}")
        assert receiver.arrived.wait(30)
        first.send_signal(signal.SIGKILL)
        first.wait()
        in_flight = len(receiver.requests)
        receiver.hold = 0
        deployment.worker()
        deployment.wait_delivered(EVENTS, timeout=90)
    finally:
        receiver.stop()
    ids = [json.loads(r["body"])["id"] for r in receiver.requests]
    assert len(set(ids)) == EVENTS  # every event arrived
    # Only the deliveries cut off by the kill arrived twice (at least once, never lost).
    assert len(ids) - EVENTS <= in_flight
    record_property("crash_events", EVENTS)
    record_property("crash_requests", len(ids))
    print(
        f"crash test: {EVENTS} events, {len(set(ids))} delivered, {len(ids)} requests, {in_flight} in flight at the kill"
    )


def test_two_consumers_on_postgresql_deliver_each_event_once(deploy):
    deployment = deploy(backend="postgresql", queue_kind="redis")
    receiver = Receiver().start()
    count = 30
    try:
        subscribe(deployment.flow.client, deployment.auth.headers(), receiver.url, event_types=["attempt.invited"])
        quiz = deployment.flow.quiz()
        for i in range(count):
            deployment.flow.invite(quiz["id"], external_id=f"pair-{i}")
        # Every delivery's task is in the queue twice: both consumers race for each one.
        with deployment.app.app_context():
            for delivery_id in db.session.scalars(select(Delivery.id)):
                queue.enqueue_delivery(delivery_id)
        deployment.worker(threads=4)
        deployment.worker(threads=4)
        deployment.wait_delivered(count, timeout=60)
        time.sleep(1)  # any second delivery would have arrived by now
    finally:
        receiver.stop()
    ids = [json.loads(r["body"])["id"] for r in receiver.requests]
    assert len(ids) == len(set(ids)) == count
    assert _tries(deployment) == count


def test_on_redis_submissions_are_graded_by_the_consumer(deploy):
    deployment = deploy(backend="postgresql", queue_kind="redis")  # a shared queue: QUIZSVC_GRADING is queue
    receiver = Receiver().start()
    flow = deployment.flow
    try:
        subscribe(flow.client, deployment.auth.headers(), receiver.url, event_types=["attempt.graded"])
        invited = flow.invite(flow.quiz()["id"])
        flow.start(invited["token"])
        flow.answer(invited["token"], 1, "自注意力讓每個詞關注序列中所有其他詞，以查詢、鍵、值計算權重。")
        assert flow.submit(invited["token"])["status"] == "submitted"  # stored at once, not graded
        consumer = deployment.worker()
        [graded] = receiver.wait(1, timeout=60)
        # QUIZSVC_WORKER_NICE: the consumer grades below the web processes.
        assert os.getpriority(os.PRIO_PROCESS, consumer.pid) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + 10)
    finally:
        receiver.stop()
    event = json.loads(graded["body"])
    assert (event["type"], event["data"]["attempt_id"], event["data"]["status"]) == (
        "attempt.graded",
        invited["id"],
        "graded",
    )
    attempt = flow.attempt(invited["id"])
    assert attempt["status"] == "graded" and attempt["score"] == event["data"]["score"]
