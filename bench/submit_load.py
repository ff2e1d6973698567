"""50 submissions of 20 answers at once, while other candidates autosave and staff list
questions: their p95 against 200 ms, one run.

    .venv/bin/python bench/submit_load.py [--grading inline|queue] [--database sqlite|postgresql]
                                          [--submissions 50] [--autosavers 20] [--listers 5] [--seconds 40]

A real gunicorn in its default configuration serves a quiz of the 20 seed questions.
``--grading inline`` (the embedded default: SQLite queue, grading in the submitting
request) or ``queue`` (a Redis queue with one ``quizsvc worker`` consumer beside the
server, as ``quizsvc serve`` runs it: the response says ``submitted``). Before the clock
starts, ``--submissions`` candidates have started and saved 20 answers of about 60
characters each, and ``--autosavers`` others have started. Then locust, headless in a
process of its own, submits all of them at once while the autosavers save every 1-3 s and
``--listers`` staff list questions every 0.5-1.5 s, for ``--seconds``. Prints the p50 and
p95 of each kind of request, and how long until every submission was graded. The limit:
autosave and question listing p95 under 200 ms.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import BIN, ROOT, Server, load_average, locust  # noqa: E402

LIMIT_MS = 200
REDIS_URL = os.environ.get("QUIZSVC_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ANSWER = "自注意力讓每個詞關注序列中所有其他詞，用查詢、鍵、值計算注意力權重，可以並行並捕捉長距離依賴。"


def quiz_of_everything(server: Server) -> int:
    ids = [q["id"] for q in server.request("GET", "/api/v1/questions?page_size=100")]
    quiz = {"name": "all 20", "question_ids": ids, "feedback_policy": "hiring"}
    return server.request("POST", "/api/v1/quizzes", quiz)["id"]


def candidates(server: Server, quiz: int, count: int, *, answers: int, tag: str) -> list[dict]:
    """Invite and start ``count`` candidates, each saving ``answers`` answers; their attempts."""

    def one(n: int) -> dict:
        invited = server.request(
            "POST", "/api/v1/attempts", {"quiz_id": quiz, "candidate": {"external_id": f"{tag}-{n}", "display_name": tag}}
        )
        token = {"Authorization": f"Bearer {invited['token']}"}
        server.request("POST", "/api/v1/candidate/attempt/start", headers=token)
        for position in range(1, answers + 1):
            body = {"answer": f"{ANSWER}（{position}）"}
            server.request("PUT", f"/api/v1/candidate/attempt/answers/{position}", body, headers=token)
        return invited

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, range(count)))


def consumer(server: Server) -> subprocess.Popen:
    return subprocess.Popen(
        [BIN / "quizsvc", "worker", "--threads", "2"],
        cwd=ROOT,
        env=server.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


class GradedClock(threading.Thread):
    """From now, how long until ``count`` attempts of the quiz are graded (polled twice a second)."""

    def __init__(self, server: Server, quiz: int, count: int, timeout: float = 900):
        super().__init__(daemon=True)
        self.server, self.path, self.count, self.timeout = server, f"/api/v1/attempts?quiz_id={quiz}&status=graded", count, timeout
        self.started, self.seconds = time.perf_counter(), None

    def run(self):
        while time.perf_counter() - self.started < self.timeout:
            if self.server.total(self.path) >= self.count:
                self.seconds = time.perf_counter() - self.started
                return
            time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grading", choices=("inline", "queue"), default="inline")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--submissions", type=int, default=50)
    parser.add_argument("--autosavers", type=int, default=20)
    parser.add_argument("--listers", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=40)
    parser.add_argument("--threads", type=int, default=None, help="QUIZSVC_THREADS of the server (default: its default)")
    args = parser.parse_args()
    env = {} if args.threads is None else {"QUIZSVC_THREADS": str(args.threads)}
    if args.grading == "queue":
        env.update(QUIZSVC_QUEUE_URL=REDIS_URL, QUIZSVC_QUEUE_NAME=f"quizsvc-bench-{uuid.uuid4().hex[:8]}")
    with Server(env=env, backend=args.database).prepare() as server:
        server.start(ready_in_a_row=20)
        worker = consumer(server)
        try:
            quiz = quiz_of_everything(server)
            submitting = candidates(server, quiz, args.submissions, answers=20, tag="submit")
            typing = candidates(server, quiz, args.autosavers, answers=0, tag="type")
            data = Path(tempfile.mkdtemp(prefix="quizsvc-bench-")) / "data.json"
            data.write_text(
                json.dumps(
                    {
                        "key": server.key,
                        "quiz_questions": 20,
                        "submit": [a["token"] for a in submitting],
                        "autosave": [a["token"] for a in typing],
                    }
                )
            )
            load_before = load_average()
            clock = GradedClock(server, quiz, args.submissions)
            clock.start()
            rows = locust(
                ROOT / "bench" / "locust" / "candidates.py",
                host=server.url,
                users=args.submissions + args.autosavers + args.listers,
                spawn_rate=args.submissions + args.autosavers + args.listers,
                seconds=args.seconds,
                env={"BENCH_DATA": str(data)},
            )
            clock.join()
        finally:
            worker.send_signal(signal.SIGINT)
            worker.wait(30)
            if args.grading == "queue":
                from redis import Redis

                redis = Redis.from_url(REDIS_URL)
                for key in redis.scan_iter(f"*{env['QUIZSVC_QUEUE_NAME']}*"):
                    redis.delete(key)

    def stats(name: str) -> dict:
        row = rows[name]
        return {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "p50_ms": float(row["50%"]),
            "p95_ms": float(row["95%"]),
        }

    others = [stats("autosave")["p95_ms"], stats("questions")["p95_ms"]]
    print(
        json.dumps(
            {
                "grading": args.grading,
                "database": args.database,
                "submissions": args.submissions,
                "submit": stats("submit"),
                "autosave": stats("autosave"),
                "questions": stats("questions"),
                "all_graded_s": None if clock.seconds is None else round(clock.seconds, 1),
                "limit_p95_ms": LIMIT_MS,
                "met": max(others) < LIMIT_MS,
                "load_before": load_before,
                "load_after": load_average(),
            }
        )
    )


if __name__ == "__main__":
    main()
