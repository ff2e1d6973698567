"""The OpenAPI document says what the API does: names, examples, media types, headers, rules.

Each test walks every operation, so one added later is held to the same contract.
"""

import io
import json

import jsonschema_rs
import pytest

from quizsvc.schemas.fields import MAX_INT
from tests.spec import json_schema, operations, resolve


@pytest.fixture
def spec(client):
    return client.get("/openapi.json").get_json()


def _validator(spec, schema):
    return jsonschema_rs.Draft4Validator(json_schema(spec, schema))


def _examples(spec, operation):
    """(where, schema, example) of every example the operation documents."""
    body = operation.doc.get("requestBody", {}).get("content", {}).get("application/json")
    if body is not None:
        yield "request body", body["schema"], body.get("example")
    for status, response in operation.doc["responses"].items():
        content = resolve(spec, response).get("content", {}).get("application/json")
        if status.startswith("2") and content is not None:
            yield f"{status} response", content["schema"], content.get("example")


def test_every_operation_has_a_unique_operation_id(spec):
    ids = [operation.doc.get("operationId") for operation in operations(spec)]
    missing = [op.id for op in operations(spec) if not op.doc.get("operationId")]
    assert missing == [], "operations without an operationId"
    assert len(set(ids)) == len(ids)


def test_every_operation_has_an_example_that_fits_its_schema(spec):
    for operation in operations(spec):
        found = list(_examples(spec, operation))
        if not found:
            # No body either way (a DELETE): the example is the request's own path.
            parameters = [resolve(spec, p) for p in operation.doc.get("parameters", [])]
            parameters += spec["paths"][operation.path].get("parameters", [])
            assert any("example" in p.get("schema", {}) for p in parameters), f"{operation.id} has no example"
        for where, schema, example in found:
            assert example is not None, f"{operation.id}: no example for its {where}"
            errors = [error.message for error in _validator(spec, schema).iter_errors(example)]
            assert errors == [], f"{operation.id}: the {where} example does not fit: {errors}"


def test_the_pagination_header_is_documented_as_sent(flow, spec):
    header = spec["components"]["headers"]["PAGINATION"]
    assert "schema" not in header and list(header["content"]) == ["application/json"]
    validator = _validator(spec, header["content"]["application/json"]["schema"])
    lists = [
        op
        for op in operations(spec)
        if "X-Pagination" in resolve(spec, op.doc["responses"].get("200", {})).get("headers", {})
    ]
    assert {op.id for op in lists} >= {"listQuestions", "listQuizzes", "listAttempts", "listCandidates"}
    for operation in lists:
        response = flow.client.get(operation.path + "?page_size=2", headers=flow.staff("admin"))
        metadata = json.loads(response.headers["X-Pagination"])
        assert validator.is_valid(metadata) and metadata["total"] >= 0, operation.id


def test_report_media_types_are_documented_and_sent(flow, spec):
    quiz = flow.quiz()
    invited = flow.invite(quiz["id"])
    cases = {
        f"/api/v1/attempts/{invited['id']}/report": ("getAttemptReport", ["json", "csv", "html", "pdf"]),
        f"/api/v1/quizzes/{quiz['id']}/report": ("getQuizReport", ["json", "html"]),
        f"/api/v1/candidates/{invited['candidate']['id']}/progress": ("getCandidateProgress", ["json", "html"]),
    }
    by_id = {op.id: op for op in operations(spec)}
    for url, (operation_id, formats) in cases.items():
        documented = set(by_id[operation_id].doc["responses"]["200"]["content"])
        sent = set()
        for name in formats:
            response = flow.client.get(f"{url}?format={name}", headers=flow.staff("viewer"))
            assert response.status_code == 200
            sent.add(response.mimetype)
        assert sent == documented, operation_id


def test_rules_in_code_are_rules_in_the_document(spec):
    schemas = spec["components"]["schemas"]
    assert schemas["QuizCreate"]["oneOf"] == [{"required": ["question_ids"]}, {"required": ["rule"]}]
    assert schemas["ScoreRequest"]["oneOf"] == [{"required": ["question_id"]}, {"required": ["references"]}]
    for name in ("KeyPoint", "Keyword"):
        weight = schemas[name]["properties"]["weight"]
        assert (weight["minimum"], weight["exclusiveMinimum"], weight["maximum"]) == (0, True, 10)
    quiz = _validator(spec, {"$ref": "#/components/schemas/QuizCreate"})
    base = {"name": "Q", "feedback_policy": "mock"}
    assert not quiz.is_valid(base) and not quiz.is_valid({**base, "question_ids": [1], "rule": {"count": 1}})
    assert quiz.is_valid({**base, "rule": {"count": 1}})
    # Every path id is a positive 32-bit integer.
    for operation in operations(spec):
        for parameter in spec["paths"][operation.path].get("parameters", []):
            if parameter["schema"]["type"] == "integer":
                assert (parameter["schema"]["minimum"], parameter["schema"]["maximum"]) == (1, MAX_INT)


def test_every_api_operation_documents_the_429_with_its_headers(spec):
    too_many = spec["components"]["responses"]["TOO_MANY_REQUESTS"]
    assert too_many["headers"]["Retry-After"]["required"] is True
    assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} <= set(too_many["headers"])
    for operation in operations(spec):
        if operation.path.startswith("/api/"):
            assert "429" in operation.doc["responses"], operation.id


def test_405_names_the_allowed_methods(client):
    response = client.delete("/healthz")
    assert response.status_code == 405 and response.get_json()["code"] == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    response = client.put("/api/v1/questions")
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}


def test_a_chunked_body_over_the_limit_is_a_413(client, auth, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    for size, expected in ((limit + 1, 413), (200, 422)):
        response = client.post(
            "/api/v1/quizzes",
            input_stream=io.BytesIO(b'{"name": "' + b"x" * size + b'"}'),
            headers={**auth.headers(), "Content-Type": "application/json", "Transfer-Encoding": "chunked"},
            environ_overrides={"wsgi.input_terminated": True},
        )
        assert response.status_code == expected, response.get_json()
        assert response.get_json()["code"] == expected


def test_the_document_says_what_the_http_server_refuses_itself(spec):
    # gunicorn answers these before the API: the limits are stated, and no request the
    # document allows comes near them (gunicorn_conf.py sets them).
    from quizsvc import gunicorn_conf

    description = spec["info"]["description"]
    assert all(text in description for text in ("8,190 bytes", "(400)", "(414)", "(431)", "(501)"))
    assert (gunicorn_conf.limit_request_line, gunicorn_conf.limit_request_fields) == (8190, 100)
    assert gunicorn_conf.limit_request_field_size == 8190
