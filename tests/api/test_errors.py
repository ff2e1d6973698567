"""Every failure answers in the one envelope, and the spec documents it."""

import pytest

from tests.conftest import make_app

ENVELOPE_KEYS = {"code", "status", "message"}


def _assert_envelope(response, code, status):
    assert response.status_code == code
    body = response.get_json()
    assert {"code": body["code"], "status": body["status"]} == {"code": code, "status": status}
    assert set(body) - {"errors"} == ENVELOPE_KEYS
    assert isinstance(body["message"], str) and body["message"]
    return body


@pytest.fixture
def crashing_app(tmp_path):
    # A route that fails the way a bug would; exceptions are not propagated, as in production.
    app = make_app(f"sqlite:///{tmp_path / 'crash.db'}", PROPAGATE_EXCEPTIONS=False)
    app.add_url_rule("/boom", "boom", lambda: 1 / 0)
    return app


def test_400_malformed_json(client, auth):
    response = client.post(
        "/api/v1/questions", data="{not json", headers={**auth.headers(), "Content-Type": "application/json"}
    )
    body = _assert_envelope(response, 400, "Bad Request")
    assert body["errors"] == {"json": ["Invalid JSON body."]}


def test_401_without_key(client):
    body = _assert_envelope(client.get("/api/v1/questions"), 401, "Unauthorized")
    assert "Bearer" in body["message"]


def test_403_role_too_low(client, auth, question_in):
    body = _assert_envelope(
        client.post("/api/v1/questions", json=question_in, headers=auth.headers("viewer")), 403, "Forbidden"
    )
    assert body["message"] == "This action needs the 'recruiter' role; the key has 'viewer'."


def test_404_unknown_route(client):
    _assert_envelope(client.get("/api/v1/nothing-here"), 404, "Not Found")


def test_405_wrong_method(client):
    _assert_envelope(client.delete("/healthz"), 405, "Method Not Allowed")


def test_409_duplicate_slug(client, auth, question_in):
    assert client.post("/api/v1/questions", json=question_in, headers=auth.headers()).status_code == 201
    body = _assert_envelope(client.post("/api/v1/questions", json=question_in, headers=auth.headers()), 409, "Conflict")
    assert body["errors"] == {"slug": ["Already in use."]}


def test_413_body_too_large(client, auth, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post(
        "/api/v1/questions", data=b"x" * (limit + 1), headers={**auth.headers(), "Content-Type": "application/json"}
    )
    _assert_envelope(response, 413, "Request Entity Too Large")


def test_415_not_json(client, auth):
    response = client.post(
        "/api/v1/questions", data="prompt=hi", headers={**auth.headers(), "Content-Type": "text/plain"}
    )
    body = _assert_envelope(response, 415, "Unsupported Media Type")
    assert "text/plain" in body["message"]


def test_422_field_errors(client, auth, question_in):
    question_in["difficulty"] = "trivial"
    question_in["surprise"] = 1
    body = _assert_envelope(
        client.post("/api/v1/questions", json=question_in, headers=auth.headers()), 422, "Unprocessable Entity"
    )
    assert body["errors"] == {
        "json": {"difficulty": ["Must be one of: easy, medium, hard."], "surprise": ["Unknown field."]}
    }


def test_500_hides_the_traceback(crashing_app):
    response = crashing_app.test_client().get("/boom")
    body = _assert_envelope(response, 500, "Internal Server Error")
    assert body["message"] == "Internal server error."
    assert "ZeroDivision" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "code, name",
    [
        (401, "UNAUTHORIZED"),
        (403, "FORBIDDEN"),
        (404, "NOT_FOUND"),
        (409, "CONFLICT"),
        (413, "REQUEST_ENTITY_TOO_LARGE"),
        (415, "UNSUPPORTED_MEDIA_TYPE"),
        (422, "UNPROCESSABLE_ENTITY"),
        (500, "INTERNAL_SERVER_ERROR"),
    ],
)
def test_error_responses_are_documented(client, code, name):
    spec = client.get("/openapi.json").get_json()
    post = spec["paths"]["/api/v1/questions"]["post"]
    put = spec["paths"]["/api/v1/questions/{question_id}"]["put"]
    documented = set(post["responses"]) | set(put["responses"])
    assert str(code) in documented
    schema = spec["components"]["responses"][name]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Error"}
    assert set(spec["components"]["schemas"]["Error"]["properties"]) == {"code", "status", "message", "errors"}


def test_every_operation_has_a_summary_and_error_default(client):
    spec = client.get("/openapi.json").get_json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"
            assert operation["responses"]["default"] == {"$ref": "#/components/responses/DEFAULT_ERROR"}


def test_request_id_is_echoed_or_made(client):
    echoed = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["X-Request-ID"] == "abc-123"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert len(made.headers["X-Request-ID"]) == 32
    assert client.get("/nothing").headers["X-Request-ID"]
