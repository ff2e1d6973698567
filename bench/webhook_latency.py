"""Delivery latency from grade to webhook: how long after an attempt is graded its
``attempt.graded`` webhook reaches a receiver.

    .venv/bin/python bench/webhook_latency.py [--rounds 40] [--queue sqlite|redis]

A throw-away SQLite database, the queue on a SQLite file (the embedded default) or on the
local Redis (a throw-away name), one ``quizsvc worker`` process, and a local HTTP receiver
subscribed to ``attempt.graded``. Each round invites, starts, answers and submits one
attempt through the API (graded in the request, with the deterministic test encoder so
that grading time stays out of the figure) and waits for its webhook. The latency is the
receiver's arrival time minus the event's timestamp (taken in the grading transaction,
just before its commit). Prints JSON with p50, p95 and max, in milliseconds.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alembic import command  # noqa: E402

from quizsvc.cli import alembic_config  # noqa: E402
from tests.conftest import AuthActions, make_app  # noqa: E402
from tests.integration import subscribe  # noqa: E402
from tests.interview import Interview, load_bank  # noqa: E402
from tests.receiver import Receiver  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--queue", choices=("sqlite", "redis"), default="sqlite")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="quizsvc-bench-"))
    database = f"sqlite:///{folder / 'bench.db'}"
    queue_url = "redis://127.0.0.1:6379/0" if args.queue == "redis" else f"sqlite:///{folder / 'queue.db'}"
    settings = {
        "QUIZSVC_DATABASE_URL": database,
        "QUIZSVC_QUEUE_URL": queue_url,
        "QUIZSVC_QUEUE_NAME": f"quizsvc-bench-{uuid.uuid4().hex[:8]}",
        "QUIZSVC_INSTANCE_PATH": str(folder),
        "QUIZSVC_SECRET_KEY": "bench-secret-key-0123456789abcdef0123",
    }
    app = make_app(database, **settings, QUIZSVC_WEBHOOK_ALLOW_PRIVATE=True)
    with app.app_context():
        command.upgrade(alembic_config(), "head")
    load_bank(app, count=3)
    flow = Interview(app.test_client(), AuthActions(app))
    receiver = Receiver().start()
    subscribe(flow.client, flow.auth.headers(), receiver.url, event_types=["attempt.graded"])
    quiz = flow.quiz()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("QUIZSVC_")},
        **settings,
        "QUIZSVC_WEBHOOK_ALLOW_PRIVATE": "true",
        "QUIZSVC_LOG_LEVEL": "WARNING",
    }
    worker = subprocess.Popen([sys.executable, "-m", "quizsvc", "worker"], cwd=ROOT, env=env)
    latencies = []
    try:
        time.sleep(2)  # the consumer's start-up (imports, the first periodic round)
        for n in range(args.rounds):
            flow.graded(quiz["id"], ["自注意力讓每個詞關注所有其他詞。", "不知道", "多頭注意力。"], external_id=f"b{n}")
            receiver.wait(n + 1, timeout=30)
            request = receiver.requests[n]
            body = json.loads(request["body"])
            graded_at = datetime.fromisoformat(body["timestamp"]).timestamp()
            latencies.append((request["at"] - graded_at) * 1000)
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(30)
        receiver.stop()
        if args.queue == "redis":
            from quizsvc.queue import queue

            queue.huey(app).flush()
    print(
        json.dumps(
            {
                "queue": args.queue,
                "rounds": len(latencies),
                "p50_ms": round(percentile(latencies, 0.5), 1),
                "p95_ms": round(percentile(latencies, 0.95), 1),
                "max_ms": round(max(latencies), 1),
                "mean_ms": round(statistics.fmean(latencies), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
