"""No input crashes the API: NUL and lone surrogates, integers past their column, JSON nested deep.

Each test walks the OpenAPI document, so an operation or a field added later is covered
without touching this file.
"""

import base64
import json

import pytest

from quizsvc.schemas.fields import MAX_INT
from tests.spec import operations

NUL, SURROGATE = "pasted\x00text", "x\ud800"
UNSTORABLE = "Must not contain NUL or unpaired surrogate characters."
# Fields that hold what a candidate typed: cleaned and kept, never refused.
ANSWERS = {"answer"}


@pytest.fixture
def spec(client):
    return client.get("/openapi.json").get_json()


@pytest.fixture
def world(flow):
    """An organisation with a quiz, a started attempt and its token; ids to put in paths."""
    quiz = flow.quiz()
    invited = flow.invite(quiz["id"])
    flow.start(invited["token"])
    ids = {
        "question_id": quiz["question_ids"][0],
        "quiz_id": quiz["id"],
        "attempt_id": invited["id"],
        "candidate_id": invited["candidate"]["id"],
        "key_id": 1,
        "position": 1,
        "example_id": 1,
        "override_id": 1,
        "subscription_id": 1,
        "delivery_id": 1,
        "token": "not-a-report-token",
    }
    return {"flow": flow, "token": invited["token"], "ids": ids, "attempt_id": invited["id"]}


def _headers(world, operation) -> dict:
    """The credential the operation takes (its security scheme), of the world's organisation."""
    schemes = {name for requirement in operation.doc.get("security", []) for name in requirement}
    if "candidateToken" in schemes:
        return world["flow"].candidate(world["token"])
    key = world["flow"].auth.key("admin", org=world["flow"].org)
    if "basicAuth" in schemes:
        return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}
    return {"Authorization": f"Bearer {key}"}


def _send(world, operation, body=None, *, raw: str | None = None, url: str | None = None):
    data = raw if raw is not None else json.dumps(body)  # ensure_ascii: a lone surrogate travels as \\ud800
    return world["flow"].client.open(
        url or operation.url(**world["ids"]),
        method=operation.method.upper(),
        data=data,
        headers={**_headers(world, operation), "Content-Type": "application/json"},
    )


def _string_leaves(value, path=()):
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _string_leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _string_leaves(item, (*path, index))


def _replaced(value, path, new):
    if not path:
        return new
    head, *rest = path
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = _replaced(value[head], rest, new)
    return copy


def _error_at(errors: dict, path) -> list:
    for part in path:
        errors = errors[str(part)]
    return errors


def _json_operations(client):
    return [op for op in operations(client.get("/openapi.json").get_json()) if op.takes_json]


@pytest.mark.parametrize("text", [NUL, SURROGATE], ids=["nul", "surrogate"])
def test_every_text_field_refuses_what_no_database_stores_naming_the_field(world, spec, text):
    checked = 0
    for operation in operations(spec):
        if operation.body_example is None:
            continue
        for path in _string_leaves(operation.body_example):
            response = _send(world, operation, _replaced(operation.body_example, path, text))
            assert response.status_code < 500, (operation.id, path, response.get_json())
            if path[-1] in ANSWERS:
                errors = (response.get_json() or {}).get("errors", {}).get("json", {})
                assert path[-1] not in errors, (operation.id, path)  # an answer is cleaned, not refused
                continue
            assert response.status_code == 422, (operation.id, path, response.get_json())
            assert _error_at(response.get_json()["errors"]["json"], path) == [UNSTORABLE], (operation.id, path)
            checked += 1
    assert checked >= 30  # every text field of every body (the examples fill them all)


def test_every_text_filter_refuses_nul(world, spec):
    checked = 0
    for operation in operations(spec):
        for parameter in operation.query_parameters(spec):
            if parameter["schema"].get("type") != "string":
                continue
            url = operation.url(**world["ids"]) + f"?{parameter['name']}=a%00b"
            response = world["flow"].client.open(
                url, method=operation.method.upper(), headers=_headers(world, operation)
            )
            assert response.status_code == 422, (operation.id, parameter["name"], response.get_json())
            messages = response.get_json()["errors"]["query"][parameter["name"]]
            # A typed string (a date-time) is refused for its type first, plain text for NUL.
            assert messages == [UNSTORABLE] or "format" in parameter["schema"], (operation.id, messages)
            checked += 1
    assert checked >= 10  # q, category, external_id, tag, language, slug, difficulty, status, format...


@pytest.mark.parametrize("text", [NUL, SURROGATE], ids=["nul", "surrogate"])
def test_an_answer_is_saved_cleaned(world, text):
    flow = world["flow"]
    response = flow.client.put(
        "/api/v1/candidate/attempt/answers/1",
        data=json.dumps({"answer": text}),
        headers={**flow.candidate(world["token"]), "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.get_json()
    expected = {NUL: "pastedtext", SURROGATE: "x\ufffd"}[text]
    assert response.get_json()["answer"] == expected
    assert flow.attempt(world["attempt_id"])["responses"][0]["answer"] == expected
    graded = flow.client.post(
        "/api/v1/score",
        data=json.dumps({"answer": text, "references": ["pasted text"]}),
        headers={**flow.staff("viewer"), "Content-Type": "application/json"},
    )
    assert graded.status_code == 200, graded.get_json()


def test_an_unknown_field_named_with_a_surrogate_is_echoed_safely(world):
    flow = world["flow"]
    response = flow.client.put(
        "/api/v1/candidate/attempt/answers/1",
        data='{"answer": "a", "\\ud800\\u0000": 1}',
        headers={**flow.candidate(world["token"]), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert json.loads(response.get_data(as_text=True))["errors"]["json"] == {"\ud800\x00": ["Unknown field."]}


@pytest.mark.parametrize("value", [MAX_INT + 1, 2**63, 10**30])
def test_a_path_id_past_the_column_is_not_found(world, spec, value):
    checked = 0
    for operation in operations(spec):
        for name in operation.path_parameters:
            response = _send(
                world,
                operation,
                operation.body_example,
                url=operation.url(**{**world["ids"], name: value}),
            )
            assert response.status_code == 404, (operation.id, name, response.get_json())
            assert response.get_json()["code"] == 404
            checked += 1
    assert checked >= 20


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        (
            "post",
            "/api/v1/attempts",
            {"quiz_id": MAX_INT + 1, "candidate": {"external_id": "x", "display_name": "X"}},
            "quiz_id",
        ),
        (
            "post",
            "/api/v1/quizzes",
            {"name": "Q", "feedback_policy": "mock", "question_ids": [MAX_INT + 1]},
            "question_ids",
        ),
        ("post", "/api/v1/score", {"question_id": MAX_INT + 1, "answer": "a"}, "question_id"),
        ("post", "/api/v1/score", {"question_id": 1, "version": 10**20, "answer": "a"}, "version"),
        ("post", "/api/v1/score", {"question_id": 1e400, "answer": "a"}, "question_id"),
    ],
)
def test_a_body_integer_past_the_column_is_a_422(world, method, path, body, field):
    flow = world["flow"]
    response = flow.client.open(path, method=method.upper(), json=body, headers=flow.staff())
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]["json"]


def test_query_integers_past_the_column_are_a_422(world, spec):
    flow = world["flow"]
    for url, name in [
        (f"/api/v1/questions/{world['ids']['question_id']}?version={MAX_INT + 1}", "version"),
        (f"/api/v1/attempts?quiz_id={MAX_INT + 1}", "quiz_id"),
        (f"/api/v1/attempts?candidate_id={10**20}", "candidate_id"),
    ]:
        response = flow.client.get(url, headers=flow.staff("viewer"))
        assert response.status_code == 422 and name in response.get_json()["errors"]["query"], url
    lists = [op for op in operations(spec) if any(p["name"] == "page" for p in op.query_parameters(spec))]
    assert len(lists) >= 4
    for operation in lists:
        response = flow.client.get(f"{operation.path}?page=999999999999999999", headers=_headers(world, operation))
        assert response.status_code == 422, operation.id
        assert "page" in response.get_json()["errors"]["query"]


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_json_nested_deep_is_a_400_on_every_json_endpoint(world, spec, depth):
    json_operations = [op for op in operations(spec) if op.takes_json]
    assert len(json_operations) >= 9
    for operation in json_operations:
        response = _send(world, operation, raw="[" * depth + "]" * depth)
        assert response.status_code == 400, (operation.id, response.get_json())
        assert response.get_json() == {
            "code": 400,
            "status": "Bad Request",
            "message": "Malformed request; see errors.",
            "errors": {"json": ["JSON nested too deeply."]},
        }
