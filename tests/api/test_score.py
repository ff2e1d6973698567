"""POST /api/v1/score: grade against a stored question or an ad-hoc reference, storing nothing."""

import pytest

from quizsvc.schemas.score import MAX_ANSWER
from quizsvc.scoring.embedding import text_key
from quizsvc.scoring.text import clean


@pytest.fixture
def stored(client, auth, question_in):
    response = client.post("/api/v1/questions", json=question_in, headers=auth.headers())
    return response.get_json()


def test_score_a_stored_question(client, auth, stored, question_in):
    answer = question_in["references"][0]
    response = client.post(
        "/api/v1/score", json={"question_id": stored["id"], "answer": answer}, headers=auth.headers("viewer")
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["question_id"], body["version"]) == (stored["id"], 1)
    assert body["score"] >= 85 and body["band"] == "strong"
    assert [p["text"] for p in body["key_points"]] == [p["text"] for p in question_in["key_points"]]
    assert body["model_id"] == "fake-bigram-256"
    assert len(body["params_digest"]) == 64 and body["grader_version"]
    assert set(body) >= {
        "confidence",
        "keywords_matched",
        "keywords_missing",
        "misconceptions",
        "flags",
        "feedback",
        "breakdown",
    }


def test_score_a_given_version(client, auth, stored, question_in):
    content = {k: v for k, v in question_in.items() if k != "slug"}
    client.put(
        f"/api/v1/questions/{stored['id']}",
        json={**content, "references": ["完全不同的新參考答案內容"]},
        headers=auth.headers(),
    )
    old = client.post(
        "/api/v1/score",
        json={"question_id": stored["id"], "version": 1, "answer": question_in["references"][0]},
        headers=auth.headers(),
    )
    new = client.post(
        "/api/v1/score",
        json={"question_id": stored["id"], "answer": question_in["references"][0]},
        headers=auth.headers(),
    )
    assert old.get_json()["version"] == 1 and new.get_json()["version"] == 2
    assert old.get_json()["score"] > new.get_json()["score"]


def test_score_ad_hoc(client, auth):
    body = {
        "prompt": "What is overfitting?",
        "references": [
            "Overfitting is when a model fits the training data too closely and fails to generalise to new data."
        ],
        "keywords": [{"term": "generalise", "aliases": ["generalize"], "required": True}],
        "answer": "The model memorises the training data and fails to generalize to unseen data.",
    }
    response = client.post("/api/v1/score", json=body, headers=auth.headers("viewer"))
    assert response.status_code == 200
    result = response.get_json()
    assert (result["question_id"], result["version"]) == (None, None)
    assert result["keywords_matched"] == ["generalise"]


def test_scoring_keeps_reference_vectors_but_never_the_answer(client, auth, stored, app, monkeypatch):
    store = app.extensions["quizsvc.grading"]["reference_embedder"].store
    kept = []
    real_put = store.put_many
    monkeypatch.setattr(
        store, "put_many", lambda model_id, vectors: (kept.extend(vectors), real_put(model_id, vectors))
    )
    answer = "任意的一個回答"
    client.post("/api/v1/score", json={"question_id": stored["id"], "answer": answer}, headers=auth.headers())
    assert kept  # question, references, key points, misconceptions
    assert text_key(clean(answer)) not in kept
    listed = client.get("/api/v1/questions", headers=auth.headers()).get_json()
    assert [q["version"] for q in listed] == [1]


def test_second_grading_reads_reference_vectors_from_cache(client, auth, stored, app):
    fake = app.extensions["quizsvc.grading"]["embedder"]
    client.post("/api/v1/score", json={"question_id": stored["id"], "answer": "第一個回答"}, headers=auth.headers())
    before = len(fake.encoded_texts)
    client.post(
        "/api/v1/score", json={"question_id": stored["id"], "answer": "第二個不同的回答"}, headers=auth.headers()
    )
    new_texts = fake.encoded_texts[before:]
    assert new_texts and all(text in clean("第二個不同的回答") for text in new_texts)


@pytest.mark.parametrize(
    "body, errors",
    [
        ({"answer": "x"}, {"_schema": ["Give either question_id or references."]}),
        (
            {"answer": "x", "question_id": 1, "references": ["r"]},
            {"_schema": ["Give either question_id or references."]},
        ),
        ({"answer": "x", "references": ["r"], "version": 2}, {"version": ["Only with question_id."]}),
        ({"answer": "x", "question_id": 1, "keywords": [{"term": "t"}]}, {"keywords": ["Only with references."]}),
        (
            {"answer": "x" * (MAX_ANSWER + 1), "references": ["r"]},
            {"answer": [f"Longer than maximum length {MAX_ANSWER}."]},
        ),
        ({"references": ["r"]}, {"answer": ["Missing data for required field."]}),
        ({"answer": "x", "references": []}, {"references": ["Length must be between 1 and 5."]}),
        ({"answer": "x", "references": ["r"], "extra": 1}, {"extra": ["Unknown field."]}),
    ],
)
def test_bad_requests_are_422(client, auth, body, errors):
    response = client.post("/api/v1/score", json=body, headers=auth.headers())
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"json": errors}


def test_unknown_or_foreign_question_is_404(client, auth, stored):
    response = client.post(
        "/api/v1/score", json={"question_id": stored["id"], "answer": "x"}, headers=auth.headers(org="globex")
    )
    assert response.status_code == 404
    response = client.post("/api/v1/score", json={"question_id": 999999, "answer": "x"}, headers=auth.headers())
    assert response.status_code == 404


def test_empty_answer_scores_zero(client, auth, stored):
    body = client.post(
        "/api/v1/score", json={"question_id": stored["id"], "answer": "   "}, headers=auth.headers()
    ).get_json()
    assert (body["score"], body["flags"]) == (0, ["empty"])


def test_score_requires_a_key(client):
    assert client.post("/api/v1/score", json={"answer": "x", "references": ["r"]}).status_code == 401


def test_an_organisations_own_parameters_grade_its_answers(client, auth, stored, app):
    from quizsvc.db import db
    from quizsvc.scoring.calibration import load_parameters
    from quizsvc.services import accounts, grading

    default = load_parameters()
    own = default.to_json().replace('"name": "default"', '"name": "acme-own"')
    with app.app_context():
        organisation_id = accounts.get_organisation(db.session, name="acme").id
        grading.set_organisation_parameters(db.session, organisation_id=organisation_id, body=own, name="own.json")
        db.session.commit()
    body = {"question_id": stored["id"], "answer": "任意回答"}
    first = client.post("/api/v1/score", json=body, headers=auth.headers()).get_json()
    second = client.post("/api/v1/score", json=body, headers=auth.headers()).get_json()
    assert first["params_digest"] == second["params_digest"] != default.digest
    other = client.post("/api/v1/score", json={"answer": "x", "references": ["r"]}, headers=auth.headers(org="globex"))
    assert other.get_json()["params_digest"] == default.digest


def test_grader_description(client, auth):
    from quizsvc.scoring.calibration import load_parameters
    from quizsvc.scoring.grader import GRADER_VERSION

    body = client.get("/api/v1/grader", headers=auth.headers("viewer")).get_json()
    assert body["grader_version"] == GRADER_VERSION and body["model_id"] == "fake-bigram-256"
    assert body["parameters"]["digest"] == load_parameters().digest
    assert [b["name"] for b in body["bands"]] == ["strong", "adequate", "weak", "insufficient"]
    flags = {f["name"]: f for f in body["flags"]}
    assert (flags["off_topic"]["cap"], flags["reference_copy"]["cap"], flags["empty"]["cap"]) == (20, None, 0)
    assert all(f["meaning"] for f in body["flags"])
