"""The questions API: list and filter, get, create, new version, retire."""

import json

import pytest

from quizsvc.schemas.question import MAX_PROMPT, MAX_REFERENCES


def _create(client, auth, body, **changes):
    response = client.post("/api/v1/questions", json={**body, **changes}, headers=auth.headers())
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _content(body):
    return {k: v for k, v in body.items() if k != "slug"}


def test_create_returns_the_stored_question(client, auth, question_in):
    created = _create(client, auth, question_in)
    assert created["version"] == created["latest_version"] == 1
    assert {k: created[k] for k in question_in} == question_in
    assert created["retired_at"] is None
    fetched = client.get(f"/api/v1/questions/{created['id']}", headers=auth.headers("viewer")).get_json()
    assert fetched == created


def test_defaults_for_optional_fields(client, auth, question_in):
    for field in ("tags", "key_points", "keywords", "misconceptions"):
        del question_in[field]
    question_in["keywords"] = [{"term": "attention"}]
    created = _create(client, auth, question_in)
    assert created["tags"] == created["key_points"] == created["misconceptions"] == []
    assert created["keywords"] == [{"term": "attention", "aliases": [], "weight": 1.0, "required": False}]


def test_update_adds_a_version_and_keeps_the_old_one(client, auth, question_in):
    created = _create(client, auth, question_in)
    url = f"/api/v1/questions/{created['id']}"
    changed = {**_content(question_in), "references": ["新的參考答案"]}
    updated = client.put(url, json=changed, headers=auth.headers())
    assert updated.status_code == 200
    assert (updated.get_json()["version"], updated.get_json()["references"]) == (2, ["新的參考答案"])

    old = client.get(f"{url}?version=1", headers=auth.headers()).get_json()
    assert (old["version"], old["latest_version"], old["references"]) == (1, 2, question_in["references"])
    assert client.get(url, headers=auth.headers()).get_json()["version"] == 2
    versions = client.get(f"{url}/versions", headers=auth.headers()).get_json()
    assert [v["version"] for v in versions] == [1, 2]
    missing = client.get(f"{url}?version=3", headers=auth.headers())
    assert missing.status_code == 404
    assert missing.get_json()["message"] == f"Question {created['id']} has no version 3; the latest is 2."


def test_update_without_change_adds_no_version(client, auth, question_in):
    created = _create(client, auth, question_in)
    again = client.put(f"/api/v1/questions/{created['id']}", json=_content(question_in), headers=auth.headers())
    assert again.get_json()["version"] == 1


def test_update_rejects_slug_change(client, auth, question_in):
    created = _create(client, auth, question_in)
    response = client.put(f"/api/v1/questions/{created['id']}", json=question_in, headers=auth.headers())
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"json": {"slug": ["Unknown field."]}}


def test_retire_hides_from_listing_but_stays_readable(client, auth, question_in):
    created = _create(client, auth, question_in)
    url = f"/api/v1/questions/{created['id']}"
    assert client.delete(url, headers=auth.headers()).status_code == 204
    assert client.get("/api/v1/questions", headers=auth.headers()).get_json() == []
    listed = client.get("/api/v1/questions?include_retired=true", headers=auth.headers()).get_json()
    assert [q["id"] for q in listed] == [created["id"]]
    assert client.get(url, headers=auth.headers()).get_json()["retired_at"] is not None
    assert client.delete(url, headers=auth.headers()).status_code == 204


def test_unknown_question_is_404(client, auth):
    response = client.get("/api/v1/questions/999999", headers=auth.headers())
    assert (response.status_code, response.get_json()["message"]) == (404, "Question 999999 not found.")


@pytest.fixture
def three_questions(client, auth, question_in):
    return [
        _create(client, auth, question_in),
        _create(
            client,
            auth,
            question_in,
            slug="bert-vs-gpt",
            prompt="BERT 和 GPT 有什麼區別？",
            category="模型比較",
            difficulty="easy",
            tags=["bert", "gpt"],
            references=["BERT 是雙向編碼器，GPT 是自回歸解碼器。"],
        ),
        _create(
            client,
            auth,
            question_in,
            slug="positional-encoding",
            prompt="Why does a Transformer need positional encoding?",
            language="en",
            difficulty="hard",
            tags=["transformer"],
            references=["Self-attention is order-blind; positional encodings inject token order."],
        ),
    ]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", ["self-attention", "bert-vs-gpt", "positional-encoding"]),
        ("category=模型比較", ["bert-vs-gpt"]),
        ("difficulty=hard", ["positional-encoding"]),
        ("tag=transformer", ["self-attention", "positional-encoding"]),
        ("language=en", ["positional-encoding"]),
        ("slug=bert-vs-gpt", ["bert-vs-gpt"]),
        ("q=自注意力機制", ["self-attention"]),
        ("q=自注意力机制", ["self-attention"]),  # Simplified finds Traditional
        ("q=双向编码器", ["bert-vs-gpt"]),  # matches inside reference answers too
        ("q=ORDER-BLIND", ["positional-encoding"]),
        ("q=100%", []),
        ("tag=transformer&difficulty=medium", ["self-attention"]),
    ],
)
def test_filters(client, auth, three_questions, query, expected):
    response = client.get(f"/api/v1/questions?{query}", headers=auth.headers("viewer"))
    assert response.status_code == 200
    assert [q["slug"] for q in response.get_json()] == expected


def test_pagination(client, auth, three_questions):
    response = client.get("/api/v1/questions?page=2&page_size=2", headers=auth.headers())
    assert [q["slug"] for q in response.get_json()] == ["positional-encoding"]
    assert json.loads(response.headers["X-Pagination"]) == {
        "total": 3,
        "total_pages": 2,
        "first_page": 1,
        "last_page": 2,
        "page": 2,
        "previous_page": 1,
    }


@pytest.mark.parametrize(
    "query, field",
    [("page_size=101", "page_size"), ("page=0", "page"), ("difficulty=trivial", "difficulty"), ("tag=Bad Tag", "tag")],
)
def test_bad_query_is_422(client, auth, query, field):
    response = client.get(f"/api/v1/questions?{query}", headers=auth.headers())
    assert response.status_code == 422
    assert list(response.get_json()["errors"]["query"]) == [field]


@pytest.mark.parametrize(
    "change, error",
    [
        ({"prompt": "x" * (MAX_PROMPT + 1)}, {"prompt": [f"Length must be between 1 and {MAX_PROMPT}."]}),
        ({"prompt": ""}, {"prompt": [f"Length must be between 1 and {MAX_PROMPT}."]}),
        ({"references": []}, {"references": [f"Length must be between 1 and {MAX_REFERENCES}."]}),
        (
            {"references": ["a"] * (MAX_REFERENCES + 1)},
            {"references": [f"Length must be between 1 and {MAX_REFERENCES}."]},
        ),
        ({"slug": "Not A Slug"}, {"slug": ["Use 1-100 lowercase letters, digits and hyphens."]}),
        ({"language": "chinese!"}, {"language": ["Use a language tag such as zh-Hant, zh-Hans or en."]}),
        (
            {"keywords": [{"term": "x", "weight": 0}]},
            {"keywords": {"0": {"weight": ["Must be greater than 0 and less than or equal to 10."]}}},
        ),
        ({"keywords": [{"term": "x", "colour": "red"}]}, {"keywords": {"0": {"colour": ["Unknown field."]}}}),
        ({"key_points": [{"weight": 1}]}, {"key_points": {"0": {"text": ["Missing data for required field."]}}}),
    ],
)
def test_validation(client, auth, question_in, change, error):
    response = client.post("/api/v1/questions", json={**question_in, **change}, headers=auth.headers())
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"json": error}
