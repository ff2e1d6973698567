"""locustfile: clients grading answers through ``POST /api/v1/score``, back to back.

Run by bench/throughput.py (BENCH_KEY: an API key; BENCH_QUESTION: a stored question id).
Every request grades an answer the server has not seen: the clauses of one 300-character
answer (bench/grade_latency.py) in another order, so no per-text cache helps it.
"""

import itertools
import os
import random
import re
import sys
from pathlib import Path

from locust import FastHttpUser, constant, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from bench.grade_latency import ANSWER  # noqa: E402


def clause_orders(text: str, count: int, seed: int = 0) -> list[str]:
    clauses = re.findall(r"[^，。]+[，。]", text)
    rng, seen = random.Random(seed), set()
    while len(seen) < count:
        rng.shuffle(clauses)
        seen.add("".join(clauses))
    return sorted(seen)


ANSWERS = itertools.cycle(clause_orders(ANSWER, 20000))


class Grader(FastHttpUser):
    wait_time = constant(0)

    @task
    def score(self):
        body = {"question_id": int(os.environ["BENCH_QUESTION"]), "answer": next(ANSWERS)}
        self.client.post("/api/v1/score", json=body, headers={"Authorization": f"Bearer {os.environ['BENCH_KEY']}"})
