"""Concurrent requests against one attempt, on databases that really commit.

These tests do not use the rolled-back test transaction: each backend gets a fresh
migrated database, and requests run in threads with their own connections, released
together by a barrier.
"""

import threading

import pytest
from alembic import command
from sqlalchemy import func, select

from quizsvc.cli import alembic_config
from quizsvc.db import db
from quizsvc.models import Attempt, AttemptQuestion, IdempotencyRecord, Response
from tests.conftest import BACKENDS, AuthActions, make_app
from tests.interview import Interview, load_bank

ROUNDS = 5


@pytest.fixture(scope="module", params=BACKENDS)
def live_app(request, empty_database):
    app = make_app(empty_database(request.param))
    with app.app_context():
        command.upgrade(alembic_config(), "head")
    load_bank(app, count=3)
    yield app
    db.engine(app).dispose()


@pytest.fixture
def flow(live_app):
    return Interview(live_app.test_client(), AuthActions(live_app))


def _together(calls) -> list:
    """Run the calls at the same moment in threads; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _started(flow, quiz_id: int, name: str) -> dict:
    invited = flow.invite(quiz_id, external_id=name)
    flow.start(invited["token"])
    return invited


def test_concurrent_autosaves_of_one_answer_keep_one_row_and_count_every_save(flow, live_app):
    quiz = flow.quiz()
    for n in range(ROUNDS):
        invited = _started(flow, quiz["id"], f"saver-{n}")
        texts = [f"draft {i} of round {n}" for i in range(4)]
        client = live_app.test_client()
        results = _together(
            [
                lambda text=text, client=client, invited=invited: client.put(
                    "/api/v1/candidate/attempt/answers/1",
                    json={"answer": text},
                    headers=flow.candidate(invited["token"]),
                )
                for text in texts
            ]
        )
        assert [r.status_code for r in results] == [200] * 4
        detail = flow.attempt(invited["id"])
        first = detail["responses"][0]
        assert first["saves"] == 4 and first["answer"] in texts  # last write wins, none lost or doubled
        rows = _count(
            live_app,
            Response,
            Response.attempt_question_id.in_(
                select(AttemptQuestion.id).where(
                    AttemptQuestion.attempt_id == invited["id"], AttemptQuestion.position == 1
                )
            ),
        )
        assert rows == 1
        # The answer kept is the one saved last.
        assert first["answer"] == max(results, key=lambda r: r.get_json()["saves"]).get_json()["answer"]


def test_concurrent_autosaves_of_different_answers_all_land(flow, live_app):
    quiz = flow.quiz()
    invited = _started(flow, quiz["id"], "parallel")
    client = live_app.test_client()
    results = _together(
        [
            lambda p=p: client.put(
                f"/api/v1/candidate/attempt/answers/{p}",
                json={"answer": f"answer {p}"},
                headers=flow.candidate(invited["token"]),
            )
            for p in (1, 2, 3)
        ]
    )
    assert [r.status_code for r in results] == [200, 200, 200]
    assert [r["answer"] for r in flow.attempt(invited["id"])["responses"]] == ["answer 1", "answer 2", "answer 3"]


def test_double_submission_grades_once(flow, live_app):
    quiz = flow.quiz()
    for n in range(ROUNDS):
        invited = _started(flow, quiz["id"], f"double-{n}")
        flow.answer(invited["token"], 1, "自注意力讓每個詞關注序列中所有其他詞")
        client = live_app.test_client()
        results = _together(
            [
                lambda client=client, invited=invited: client.post(
                    "/api/v1/candidate/attempt/submit", headers=flow.candidate(invited["token"])
                )
                for _ in range(3)
            ]
        )
        # Every one of them confirms the submission (submitting is naturally idempotent).
        assert [r.status_code for r in results] == [200, 200, 200]
        assert {r.get_json()["status"] for r in results} == {"graded"}
        detail = flow.attempt(invited["id"])
        assert detail["status"] == "graded"
        assert [len(r["grades"]) for r in detail["responses"]] == [1, 1, 1]


def test_autosave_racing_submission_is_either_in_or_refused(flow, live_app):
    quiz = flow.quiz()
    for n in range(ROUNDS):
        invited = _started(flow, quiz["id"], f"race-{n}")
        token = invited["token"]
        client = live_app.test_client()
        save, submit = _together(
            [
                lambda client=client, token=token: client.put(
                    "/api/v1/candidate/attempt/answers/2", json={"answer": "last second"}, headers=flow.candidate(token)
                ),
                lambda client=client, token=token: client.post(
                    "/api/v1/candidate/attempt/submit", headers=flow.candidate(token)
                ),
            ]
        )
        assert submit.status_code == 200
        stored = flow.attempt(invited["id"])["responses"][1]
        if save.status_code == 200:
            # Saved before the submission: graded as saved.
            assert stored["answer"] == "last second" and len(stored["grades"]) == 1
        else:
            assert save.status_code == 409 and stored["answer"] == ""


def test_concurrent_retries_with_one_idempotency_key_create_one_attempt(flow, live_app):
    quiz = flow.quiz()
    body = {"quiz_id": quiz["id"], "candidate": {"external_id": "retry", "display_name": "R"}}
    headers = {**flow.staff(), "Idempotency-Key": "invite-retry"}
    client = live_app.test_client()
    results = _together([lambda: client.post("/api/v1/attempts", json=body, headers=headers) for _ in range(4)])
    # The retries that lost the race on the key's unique index wait for the first call, then
    # replay its response: every caller gets the first response, none a 409.
    assert [r.status_code for r in results] == [201] * 4, [r.get_json() for r in results]
    [first] = [r for r in results if "Idempotent-Replayed" not in r.headers]
    created = first.get_json()
    for replay in results:
        if replay is not first:
            assert replay.headers["Idempotent-Replayed"] == "true"
            assert replay.get_json() == {k: v for k, v in created.items() if k not in ("token", "link")}
    candidate_id = created["candidate"]["id"]
    assert _count(live_app, Attempt, Attempt.candidate_id == candidate_id) == 1
    assert _count(live_app, IdempotencyRecord, IdempotencyRecord.key == "invite-retry") == 1


def test_a_queue_consumer_applies_deadlines_with_nobody_calling(flow, live_app):
    import signal
    import time

    from quizsvc.queue import queue
    from tests.interview import move_clock

    quiz = flow.quiz(time_limit_minutes=5)
    stale = flow.invite(quiz["id"], external_id="never-started")
    late = _started(flow, quiz["id"], "timed-out")
    flow.answer(late["token"], 1, "saved before the deadline")
    move_clock(live_app, stale["id"], days=8)
    move_clock(live_app, late["id"], minutes=6)

    def stored_status(attempt_id):
        with live_app.app_context():
            return db.session.get(Attempt, attempt_id).status

    # The consumer's periodic sweep runs as it starts, then every minute.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = queue.consumer(live_app, workers=1)
    consumer.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (stored_status(stale["id"]), stored_status(late["id"])) != (
            "expired",
            "graded",
        ):
            time.sleep(0.05)
    finally:
        consumer.stop(graceful=True)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert (stored_status(stale["id"]), stored_status(late["id"])) == ("expired", "graded")
    detail = flow.attempt(late["id"])
    assert detail["auto_submitted"] is True
    assert [r["answer"] for r in detail["responses"]] == ["saved before the deadline", "", ""]
