"""GET /metrics (Prometheus text format) and the JSON logs' fields.

In one process the metrics are the process's own; tests/test_serving.py checks that under
gunicorn every worker counts.
"""

import io
import json
import logging

import pytest
from prometheus_client.parser import text_string_to_metric_families

from quizsvc import logs
from tests.integration import run_queue, subscribe
from tests.interview import Interview, load_bank
from tests.receiver import Receiver


def scrape(client) -> dict:
    """Every sample: {(name, frozenset(labels)): value}."""
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def delta(before: dict, after: dict, name: str, **labels) -> float:
    key = (name, frozenset(labels.items()))
    return after.get(key, 0.0) - before.get(key, 0.0)


@pytest.fixture
def flow(app, client, auth):
    load_bank(app)
    return Interview(client, auth)


def test_requests_are_timed_by_endpoint_method_and_status(client, auth, flow):
    before = scrape(client)
    [first, *_] = flow.question_ids()
    client.get(f"/api/v1/questions/{first}", headers=auth.headers())
    client.get("/api/v1/questions/999999", headers=auth.headers())
    client.get("/no/such/page")
    after = scrape(client)
    count = "quizsvc_http_request_duration_seconds_count"
    assert delta(before, after, count, endpoint="/api/v1/questions", method="GET", status="200") == 1
    assert delta(before, after, count, endpoint="/api/v1/questions/<id:question_id>", method="GET", status="200") == 1
    assert delta(before, after, count, endpoint="/api/v1/questions/<id:question_id>", method="GET", status="404") == 1
    assert delta(before, after, count, endpoint="unmatched", method="GET", status="404") == 1
    bucket = ("quizsvc_http_request_duration_seconds_bucket", "/api/v1/questions", "GET", "200", "+Inf")
    name, endpoint, method, status, le = bucket
    assert delta(before, after, name, endpoint=endpoint, method=method, status=status, le=le) == 1


def test_grading_is_counted_and_timed(client, auth, flow):
    before = scrape(client)
    quiz = flow.quiz()
    flow.graded(quiz["id"], ["自注意力讓每個詞關注所有其他詞。", "不知道", "多頭注意力。"])
    [question, *_] = flow.question_ids()
    client.post("/api/v1/score", json={"question_id": question, "answer": "注意力"}, headers=auth.headers())
    after = scrape(client)
    assert delta(before, after, "quizsvc_answers_graded_total") == 4  # a submission of 3, then one answer
    assert delta(before, after, "quizsvc_grading_duration_seconds_count") == 2
    assert delta(before, after, "quizsvc_grading_duration_seconds_sum") > 0


def test_queue_depth_task_failures_and_delivery_failures(app, client, auth, flow, monkeypatch):
    monkeypatch.setitem(app.config, "QUIZSVC_WEBHOOK_ALLOW_PRIVATE", True)
    receiver = Receiver(status=500).start()
    try:
        subscribe(client, auth.headers(), receiver.url, event_types=["attempt.invited"])
        run_queue(app)
        before = scrape(client)
        flow.invite(flow.quiz()["id"])
        waiting = scrape(client)
        assert waiting[("quizsvc_queue_depth", frozenset())] == before[("quizsvc_queue_depth", frozenset())] + 1
        run_queue(app)
        receiver.wait(1)
    finally:
        receiver.stop()
    after = scrape(client)
    assert after[("quizsvc_queue_depth", frozenset())] == 0
    assert delta(before, after, "quizsvc_delivery_failures_total", channel="webhook") == 1

    tasks = app.extensions["quizsvc.queue"]["tasks"]
    monkeypatch.setattr("quizsvc.jobs.sweep", lambda app: 1 / 0)
    tasks["sweep"]()
    run_queue(app)
    assert delta(after, scrape(client), "quizsvc_task_failures_total", task="sweep") == 1


def test_database_pool_usage(client, flow):
    flow.question_ids()
    samples = scrape(client)
    assert samples[("quizsvc_db_pool_connections", frozenset({("state", "open")}))] >= 1
    assert samples[("quizsvc_db_pool_connections", frozenset({("state", "in_use")}))] >= 0
    assert samples[("quizsvc_db_pool_capacity", frozenset())] >= 1


def test_json_logs_keep_the_request_id_and_grading_logs_the_grader_version(client, auth, flow):
    [question, *_] = flow.question_ids()
    logger = logging.getLogger("quizsvc")
    [handler] = [h for h in logger.handlers if any(isinstance(f, logs.RequestId) for f in h.filters)]
    written, formatter, level = io.StringIO(), handler.formatter, logger.level
    stream = handler.setStream(written)
    handler.setFormatter(logs.json_formatter())
    logger.setLevel(logging.INFO)
    try:
        body = {"question_id": question, "answer": "自注意力"}
        client.post("/api/v1/score", json=body, headers={**auth.headers(), "X-Request-ID": "req-42"})
    finally:
        handler.setStream(stream)
        handler.setFormatter(formatter)
        logger.setLevel(level)
    lines = [json.loads(line) for line in written.getvalue().splitlines()]
    graded = next(line for line in lines if line["message"] == "graded")
    access = next(line for line in lines if line["message"] == "request")
    assert graded["request_id"] == access["request_id"] == "req-42"
    from quizsvc.scoring.grader import GRADER_VERSION

    assert (graded["grader_version"], graded["answers"], graded["model_id"]) == (GRADER_VERSION, 1, "fake-bigram-256")
    assert len(graded["params_digest"]) == 64 and graded["level"] == "INFO" and graded["logger"] == "quizsvc.grading"
    assert (access["path"], access["status"]) == ("/api/v1/score", 200)
