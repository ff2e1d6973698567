"""Reviewed examples: the API, overrides becoming examples, revocation, organisations apart."""

import pytest


@pytest.fixture
def graded(flow):
    quiz = flow.quiz()
    return flow.graded(quiz["id"], ["自注意力讓每個詞關注所有詞", "不知道", ""])


def _examples(flow, question_id, org="acme", expect=200):
    response = flow.client.get(
        f"/api/v1/questions/{question_id}/examples", headers=flow.auth.headers("recruiter", org)
    )
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def test_an_override_becomes_an_example_and_revoking_it_removes_it(flow, graded):
    question_id = flow.question_ids()[0]
    machine = graded["responses"][0]["machine_score"]
    url = f"/api/v1/attempts/{graded['id']}/responses/1/overrides"
    reviewed = flow.client.post(url, json={"score": 5, "reason": "wrong claim"}, headers=flow.staff())
    assert reviewed.status_code == 201
    override_id = reviewed.get_json()["override"]["id"]
    [example] = _examples(flow, question_id)
    assert example["answer"] == "自注意力讓每個詞關注所有詞" and example["score"] == 5.0
    assert example["note"] == "wrong claim" and example["source"] == "override" and example["active"] is True
    assert example["override_id"] == override_id
    # The question's examples changed: a regrade grades it again (adds, never replaces).
    regraded = flow.client.post(f"/api/v1/attempts/{graded['id']}/regrade", json={}, headers=flow.staff("admin"))
    first = regraded.get_json()["responses"][0]
    assert [g["trigger"] for g in first["grades"]] == ["submission", "regrade"]
    assert first["grades"][0]["examples_digest"] == "" and len(first["grades"][-1]["examples_digest"]) == 64
    revoked = flow.client.delete(f"{url}/{override_id}", headers=flow.staff())
    assert revoked.status_code == 200
    body = revoked.get_json()
    assert body["override"] is None and body["score"] == body["machine_score"]
    assert body["overrides"][0]["revoked_at"] is not None
    assert _examples(flow, question_id) == []
    assert machine is not None


def test_examples_are_added_listed_and_deleted_and_never_cross_organisations(flow, graded):
    question_id = flow.question_ids()[0]
    body = {"answer": "BERT 是自回歸模型", "score": 0, "note": "confuses BERT with GPT"}
    created = flow.client.post(f"/api/v1/questions/{question_id}/examples", json=body, headers=flow.staff())
    assert created.status_code == 201
    example = created.get_json()
    assert example["source"] == "api" and example["active"] is True
    assert [e["id"] for e in _examples(flow, question_id)] == [example["id"]]
    # Another organisation sees neither the question nor its examples.
    _examples(flow, question_id, org="globex", expect=404)
    other = flow.client.delete(
        f"/api/v1/questions/{question_id}/examples/{example['id']}", headers=flow.auth.headers("recruiter", "globex")
    )
    assert other.status_code == 404
    # Viewers cannot read them; recruiters delete them.
    viewer = flow.client.get(f"/api/v1/questions/{question_id}/examples", headers=flow.staff("viewer"))
    assert viewer.status_code == 403
    gone = flow.client.delete(f"/api/v1/questions/{question_id}/examples/{example['id']}", headers=flow.staff())
    assert gone.status_code == 204 and _examples(flow, question_id) == []


@pytest.mark.parametrize("body", [{"answer": "", "score": 5}, {"answer": "x", "score": 101}, {"score": 5}])
def test_invalid_examples_are_422(flow, body):
    question_id = flow.question_ids()[0]
    response = flow.client.post(f"/api/v1/questions/{question_id}/examples", json=body, headers=flow.staff())
    assert response.status_code == 422 and response.get_json()["code"] == 422
