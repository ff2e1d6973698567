"""locustfile: candidates and staff on a running server, for bench/submit_load.py and
bench/autosave_load.py (which pick the user classes).

BENCH_DATA names a JSON file: {"key": an API key, "quiz_questions": 20,
"submit": [candidate tokens of started attempts with every answer saved],
"autosave": [candidate tokens of started attempts]}: one Submitter per submit token, one
Autosaver per autosave token, the rest of ``--users`` Listers.
"""

import json
import os
import random

from locust import FastHttpUser, between, constant, task

DATA = json.loads(open(os.environ["BENCH_DATA"], encoding="utf-8").read())
SUBMIT = list(DATA["submit"])
AUTOSAVE = list(DATA["autosave"])
TEXT = "自注意力機制讓序列中的每個詞都能直接關注其他所有詞，用查詢、鍵和值計算注意力權重，並行計算並捕捉長距離依賴。"


class Submitter(FastHttpUser):
    """Submits one attempt of 20 saved answers, once."""

    fixed_count = len(SUBMIT)
    wait_time = constant(1)

    def on_start(self):
        self.token = SUBMIT.pop() if SUBMIT else None

    @task
    def submit(self):
        if self.token is None:
            return
        token, self.token = self.token, None
        self.client.post(
            "/api/v1/candidate/attempt/submit", headers={"Authorization": f"Bearer {token}"}, name="submit"
        )


class Autosaver(FastHttpUser):
    """A candidate typing: saves one of their answers every one to three seconds."""

    fixed_count = len(AUTOSAVE)
    wait_time = between(1, 3)

    def on_start(self):
        self.token = AUTOSAVE.pop()
        self.typed = 0

    @task
    def save(self):
        self.typed = self.typed % len(TEXT) + 1
        position = random.randint(1, DATA["quiz_questions"])
        self.client.put(
            f"/api/v1/candidate/attempt/answers/{position}",
            json={"answer": TEXT[: self.typed], "time_spent_seconds": self.typed},
            headers={"Authorization": f"Bearer {self.token}"},
            name="autosave",
        )


class Lister(FastHttpUser):
    """Staff browsing the question bank."""

    wait_time = between(0.5, 1.5)

    @task
    def questions(self):
        self.client.get(
            "/api/v1/questions?page_size=20", headers={"Authorization": f"Bearer {DATA['key']}"}, name="questions"
        )
