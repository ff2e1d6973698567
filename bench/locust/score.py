"""locustfile: clients grading answers through ``POST /api/v1/score``, back to back.

Run by bench/throughput.py (BENCH_KEY: an API key; BENCH_QUESTION: a stored question id).
Every request grades an answer the server has not seen: the sentences of one answer in
another order (bench/grade_latency.py).
"""

import itertools
import os
import sys
from pathlib import Path

from locust import FastHttpUser, constant, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from bench.grade_latency import ANSWER, variants  # noqa: E402

ANSWERS = itertools.cycle(variants(ANSWER, 5000))


class Grader(FastHttpUser):
    wait_time = constant(0)

    @task
    def score(self):
        body = {"question_id": int(os.environ["BENCH_QUESTION"]), "answer": next(ANSWERS)}
        self.client.post("/api/v1/score", json=body, headers={"Authorization": f"Bearer {os.environ['BENCH_KEY']}"})
