"""Where a submission is graded (QUIZSVC_GRADING): in the submitting request (the embedded
default), or by the queue's consumers (the default on a Redis queue): the submission is
stored at once, the response says ``submitted``, and ``attempt.graded`` follows.

Here the queue is in memory and a test runs what it holds, as a consumer would;
tests/test_worker.py grades through a real ``quizsvc worker`` on Redis.
"""

import re
import threading
import time

import pytest

from quizsvc.config import ConfigError, Settings, grading_mode
from tests.fakes import FakeEmbedder
from tests.integration import run_queue
from tests.interview import Interview, load_bank

ANSWERS = ["自注意力讓每個詞關注序列中所有其他詞。", "不知道", "Transformer 用多頭注意力。"]


@pytest.mark.parametrize(
    "config, mode",
    [
        ({}, "inline"),
        ({"QUIZSVC_QUEUE_URL": "sqlite:////srv/queue.db"}, "inline"),
        ({"QUIZSVC_QUEUE_URL": "memory://"}, "inline"),
        ({"QUIZSVC_QUEUE_URL": "redis://redis:6379/0"}, "queue"),
        ({"QUIZSVC_QUEUE_URL": "rediss://redis:6380/0"}, "queue"),
        ({"QUIZSVC_QUEUE_URL": "redis://redis:6379/0", "QUIZSVC_GRADING": "inline"}, "inline"),
        ({"QUIZSVC_GRADING": "queue"}, "queue"),
    ],
)
def test_the_grading_mode(config, mode):
    assert grading_mode(config) == mode


def test_an_unknown_grading_mode_is_refused(monkeypatch):
    monkeypatch.setenv("QUIZSVC_GRADING", "later")
    with pytest.raises(ConfigError, match="QUIZSVC_GRADING must be one of inline, queue, got 'later'"):
        Settings.from_env()


@pytest.fixture
def flow(app, client, auth, monkeypatch):
    monkeypatch.setitem(app.config, "QUIZSVC_GRADING", "queue")
    load_bank(app, count=3)
    run_queue(app)
    return Interview(client, auth)


def _events(flow, attempt_id: int) -> list[str]:
    events = flow.client.get(f"/api/v1/events?attempt_id={attempt_id}", headers=flow.staff("admin")).get_json()
    return [event["type"] for event in reversed(events)]


def test_the_api_stores_the_submission_and_a_consumer_grades_it(app, flow):
    invited = flow.invite(flow.quiz()["id"])
    flow.start(invited["token"])
    for position, text in enumerate(ANSWERS, 1):
        flow.answer(invited["token"], position, text)
    submitted = flow.submit(invited["token"])
    assert submitted["status"] == "submitted"
    assert flow.attempt(invited["id"])["status"] == "submitted"
    assert _events(flow, invited["id"])[-1] == "attempt.submitted"
    assert run_queue(app) == 1  # the grade task
    graded = flow.attempt(invited["id"])
    assert graded["status"] == "graded" and graded["score"] is not None
    assert _events(flow, invited["id"])[-2:] == ["attempt.submitted", "attempt.graded"]
    assert flow.submit(invited["token"])["status"] == "graded"  # a retry confirms
    assert run_queue(app) == 0


def test_the_candidate_page_submits_the_same_way(app, flow):
    from tests.web.test_take import _open, _post

    invited = flow.invite(flow.quiz()["id"])
    flow.start(invited["token"])
    flow.answer(invited["token"], 1, ANSWERS[0])
    page = _post(flow.client, "/take/submit", _open(flow.client, invited))
    assert page.status_code == 303
    assert flow.attempt(invited["id"])["status"] == "submitted"
    run_queue(app)
    assert flow.attempt(invited["id"])["status"] == "graded"


def test_a_rolled_back_submission_queues_nothing(app, flow, monkeypatch):
    invited = flow.invite(flow.quiz()["id"])
    flow.start(invited["token"])

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("quizsvc.api.candidate._view", fail)
    response = flow.client.post("/api/v1/candidate/attempt/submit", headers=flow.candidate(invited["token"]))
    assert response.status_code == 500
    assert run_queue(app) == 0
    assert flow.attempt(invited["id"])["status"] == "started"  # the submission rolled back with it


class GatedEmbedder(FakeEmbedder):
    """Holds any encoding of a text containing GATE until the test opens the gate."""

    def __init__(self):
        super().__init__()
        self.reached, self.open = threading.Event(), threading.Event()

    def encode(self, texts):
        if any("GATE" in t for t in texts):
            self.reached.set()
            self.open.wait(10)
        return super().encode(texts)


def _one_grading_one_typing(tmp_path, grading_mode: str):
    """A SQLite deployment with a gated encoder; two started candidates, the first with an
    answer whose encoding waits for the gate."""
    from alembic import command

    from quizsvc.cli import alembic_config
    from tests.conftest import AuthActions, make_app

    embedder = GatedEmbedder()
    app = make_app(f"sqlite:///{tmp_path / 'lock.db'}", QUIZSVC_EMBEDDER=embedder, QUIZSVC_GRADING=grading_mode)
    with app.app_context():
        command.upgrade(alembic_config(), "head")
    load_bank(app, count=3)
    flow = Interview(app.test_client(), AuthActions(app))
    quiz = flow.quiz()
    grading, typing = flow.invite(quiz["id"], external_id="a"), flow.invite(quiz["id"], external_id="b")
    for invited in (grading, typing):
        flow.start(invited["token"])
    flow.answer(grading["token"], 1, "GATE 自注意力讓每個詞關注所有其他詞。")
    return app, embedder, flow, grading, typing


def _autosave_while_encoding(embedder, flow, typing, grade) -> float:
    """Run ``grade`` in a thread; while its encoding waits at the gate, the other candidate
    autosaves: how long that took (seconds)."""
    worker = threading.Thread(target=grade)
    worker.start()
    try:
        assert embedder.reached.wait(10)
        started = time.monotonic()
        flow.answer(typing["token"], 1, "Saved while the other attempt is being graded.")
        return time.monotonic() - started
    finally:
        embedder.open.set()
        worker.join(30)


def test_grading_holds_no_writer_lock_while_it_encodes(tmp_path):
    """On SQLite (one writer) other candidates' autosaves go on while a consumer grades."""
    from quizsvc import jobs

    app, embedder, flow, grading, typing = _one_grading_one_typing(tmp_path, "queue")
    flow.submit(grading["token"])
    waited = _autosave_while_encoding(embedder, flow, typing, lambda: jobs.settle(app, grading["id"]))
    assert waited < 2  # the writer's lock was free: no wait for the encoder (up to 10 s)
    assert flow.attempt(grading["id"])["status"] == "graded"


@pytest.mark.parametrize("page", [False, True], ids=["api", "take-page"])
def test_inline_grading_encodes_before_the_submitting_transaction(tmp_path, page):
    """The embedded default grades in the submitting request, but encodes the saved answers
    before its writer's transaction: another candidate's autosave goes on meanwhile, and
    the submission still answers ``graded``."""
    from tests.conftest import AuthActions

    app, embedder, flow, grading, typing = _one_grading_one_typing(tmp_path, "inline")
    submitting = Interview(app.test_client(), AuthActions(app))
    answered = {}

    def submit():
        if page:
            client = submitting.client
            assert client.get(grading["link"].removeprefix("http://localhost")).status_code == 303  # token to cookie
            check = re.search(r'name="check" value="([0-9a-f]+)"', client.get("/take").get_data(as_text=True)).group(1)
            answered["status"] = client.post("/take/submit", data={"check": check}).status_code
        else:
            answered["status"] = submitting.submit(grading["token"])["status"]

    waited = _autosave_while_encoding(embedder, flow, typing, submit)
    assert waited < 2  # the writer's lock was free: no wait for the encoder (up to 10 s)
    assert answered["status"] == (303 if page else "graded")
    assert flow.attempt(grading["id"])["status"] == "graded"
    responses = flow.attempt(grading["id"])["responses"]
    assert responses[0]["grade"]["score"] > 0 and "empty" in responses[1]["grade"]["flags"]


def test_an_answer_saved_after_it_was_graded_first_is_graded_as_saved(app, client, auth):
    """Grades computed before the submitting transaction are kept only for answers that
    have not changed since: one saved in between is graded as it stands."""
    from quizsvc.grading import grading

    load_bank(app, count=3)
    flow = Interview(client, auth)
    invited = flow.invite(flow.quiz()["id"])
    flow.start(invited["token"])
    flow.answer(invited["token"], 1, "不知道")
    with app.test_request_context():
        from flask import g

        grading.before_submit(invited["id"])
        first = g.quizsvc_graded_first[invited["id"]]
    assert [answer for _, answer in first] == ["不知道"]
    flow.answer(invited["token"], 1, ANSWERS[0])
    with app.test_request_context():
        from flask import g

        from quizsvc.db import db, unit_of_work
        from quizsvc.services import attempts

        g.quizsvc_graded_first = {invited["id"]: first}
        with unit_of_work(db.session):
            attempts.submit(db.session, attempt_id=invited["id"], grading=grading)
    graded = flow.attempt(invited["id"])["responses"][0]
    assert graded["answer"] == ANSWERS[0]
    assert graded["grade"]["score"] > first[next(iter(first))].score


def test_inline_a_submission_arriving_while_another_is_graded_goes_to_the_queue(app, client, auth):
    load_bank(app, count=3)
    run_queue(app)
    flow = Interview(client, auth)
    quiz = flow.quiz()
    first, second = flow.invite(quiz["id"], external_id="first"), flow.invite(quiz["id"], external_id="second")
    for invited in (first, second):
        flow.start(invited["token"])
        flow.answer(invited["token"], 1, ANSWERS[0])
    assert flow.submit(first["token"])["status"] == "graded"  # inline: graded in the request
    slot = app.extensions["quizsvc.grading"]["inline"]
    with slot:  # this process is grading another submission
        assert flow.submit(second["token"])["status"] == "submitted"
    assert run_queue(app) == 1
    assert flow.attempt(second["id"])["status"] == "graded"


def test_the_worker_nice_value_is_checked(monkeypatch):
    monkeypatch.setenv("QUIZSVC_WORKER_NICE", "20")
    with pytest.raises(ConfigError, match="QUIZSVC_WORKER_NICE must be at most 19, got 20"):
        Settings.from_env()
    monkeypatch.setenv("QUIZSVC_WORKER_NICE", "-1")
    with pytest.raises(ConfigError, match="QUIZSVC_WORKER_NICE must be at least 0, got -1"):
        Settings.from_env()
