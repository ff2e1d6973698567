"""Prepared questions are cached per process: an edit made by another process must still count.

Two apps on one committed database stand for two gunicorn workers: each has its own
caches, and nothing clears them between the calls.
"""

import pytest
from alembic import command

from quizsvc.cli import alembic_config
from quizsvc.db import db
from tests.conftest import BACKENDS, AuthActions, make_app
from tests.interview import load_bank

# Unrelated to every seed reference (they are in Chinese).
ANSWER = "Gradient descent moves the weights against the gradient of the loss, step by step."


@pytest.fixture(scope="module", params=BACKENDS)
def two_workers(request, empty_database):
    url = empty_database(request.param)
    first = make_app(url)
    with first.app_context():
        command.upgrade(alembic_config(), "head")
    load_bank(first, count=3)
    second = make_app(url)
    yield first, second
    for app in (first, second):
        db.engine(app).dispose()


def _question(client, headers, question_id) -> dict:
    return client.get(f"/api/v1/questions/{question_id}", headers=headers).get_json()


def _content(question: dict, **changes) -> dict:
    keep = ("prompt", "category", "difficulty", "language", "tags", "references", "key_points", "keywords")
    return {**{k: question[k] for k in keep}, "misconceptions": question["misconceptions"], **changes}


def test_another_workers_edits_are_graded_with_their_new_version(two_workers):
    first, second = two_workers
    auth = AuthActions(first)
    headers = auth.headers("admin")
    one, two = first.test_client(), second.test_client()
    graded_id, neighbour_id = [q["id"] for q in one.get("/api/v1/questions", headers=headers).get_json()[:2]]

    def grade():
        response = one.post("/api/v1/score", json={"question_id": graded_id, "answer": ANSWER}, headers=headers)
        assert response.status_code == 200
        return response.get_json()

    before = grade()
    assert "off_topic" not in before["flags"]

    # The other worker rewrites a neighbouring question so that it is exactly this answer.
    neighbour = _question(two, headers, neighbour_id)
    edited = two.put(
        f"/api/v1/questions/{neighbour_id}", json=_content(neighbour, references=[ANSWER]), headers=headers
    )
    assert edited.status_code == 200 and edited.get_json()["version"] == 2
    after = grade()
    assert "off_topic" in after["flags"] and after["score"] <= 20

    # And an edit of the graded question itself: the new version's reference and key points count.
    graded = _question(two, headers, graded_id)
    new = _content(graded, references=[ANSWER], key_points=[{"text": ANSWER, "weight": 1.0}])
    assert two.put(f"/api/v1/questions/{graded_id}", json=new, headers=headers).get_json()["version"] == 2
    latest = grade()
    assert latest["version"] == 2 and latest["key_points"] == [
        {"text": ANSWER, "weight": 1.0, "similarity": latest["key_points"][0]["similarity"], "status": "covered"}
    ]
