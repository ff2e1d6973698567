"""The HTTP API: flask-smorest blueprints under /api/v1, OpenAPI at /openapi.json, docs at /docs."""

import re
from http import HTTPStatus

from flask import Blueprint as FlaskBlueprint
from flask import Flask, current_app, request
from flask.json.provider import DefaultJSONProvider
from flask_smorest import Api
from flask_smorest.pagination import PaginationMetadataSchema
from flask_smorest.utils import prepare_response
from swagger_ui_bundle import swagger_ui_path
from werkzeug.exceptions import RequestEntityTooLarge

from quizsvc.api import (
    attempts,
    audit,
    candidate,
    candidates,
    errors,
    health,
    keys,
    partner,
    questions,
    quizzes,
    reports,
    reviewed_examples,
    score,
    webhooks,
)
from quizsvc.api.base import IdConverter
from quizsvc.errors import ServiceError
from quizsvc.schemas.quiz import QuizCreateSchema
from quizsvc.schemas.score import ScoreRequestSchema

JSON_METHODS = {"POST", "PUT", "PATCH"}
# Rules a schema enforces in code (validates_schema) that JSON Schema can state as well.
SCHEMA_RULES = (QuizCreateSchema, ScoreRequestSchema)
_SURROGATE = re.compile("[\ud800-\udfff]")

DESCRIPTION = """Auto-graded interview quizzes. Every /api/v1 call needs a bearer API key, except
/api/v1/candidate, which takes the candidate's attempt token. Every failure answers in one
JSON envelope (`Error`). Calls are rate-limited (429 with `Retry-After`).

The HTTP server (gunicorn) answers some requests itself, before the API sees them, with a
small HTML page instead of the envelope: malformed HTTP (400), a request line over 8,190
bytes (414), more than 100 header fields or a header field over 8,190 bytes (431), an
unknown transfer coding (501). No request this document describes comes near those sizes."""

RATE_HEADERS = {
    "Retry-After": {"description": "Seconds until the limit resets.", "schema": {"type": "integer"}, "required": True},
    "X-RateLimit-Limit": {"description": "Requests allowed in the window.", "schema": {"type": "integer"}},
    "X-RateLimit-Remaining": {"description": "Requests left in the window.", "schema": {"type": "integer"}},
    "X-RateLimit-Reset": {"description": "When the window resets (Unix time).", "schema": {"type": "integer"}},
}
ERROR_HEADERS = {
    HTTPStatus.TOO_MANY_REQUESTS: RATE_HEADERS,
    HTTPStatus.METHOD_NOT_ALLOWED: {
        "Allow": {"description": "The methods the path takes.", "schema": {"type": "string"}, "required": True}
    },
}


class UnsupportedMediaType(ServiceError):
    status = 415


class JsonProvider(DefaultJSONProvider):
    ensure_ascii = False
    sort_keys = False

    def dumps(self, obj, **kwargs) -> str:
        # A lone surrogate (say, an unknown field's name echoed in an error) has no UTF-8
        # form; its JSON escape does.
        return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", super().dumps(obj, **kwargs))


class QuizApi(Api):
    def handle_http_exception(self, error):
        return errors.handle_http_exception(error)

    def _register_responses(self):
        """flask-smorest's error responses, with the headers some of them carry."""
        for status in HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            if status in ERROR_HEADERS:
                response["headers"] = ERROR_HEADERS[status]
            prepare_response(response, self.spec, self.DEFAULT_RESPONSE_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, self.DEFAULT_RESPONSE_CONTENT_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def _register_pagination_header(self):
        # Sent as a JSON object in one header: OpenAPI says so with `content`, not `schema`.
        header = {
            "description": "Pagination metadata, a JSON object.",
            "required": True,
            "content": {"application/json": {"schema": PaginationMetadataSchema}},
        }
        self.spec.components.header("PAGINATION", header, lazy=True)


def _upload_limit_setting() -> str | None:
    """The size setting of a view marked with ``base.accepts_upload``, if this request's view is one."""
    view = current_app.view_functions.get(request.endpoint)
    method = getattr(getattr(view, "view_class", None), request.method.lower(), None)
    return getattr(method, "upload_limit_setting", None)


def _require_json() -> None:
    if request.method not in JSON_METHODS or not request.path.startswith("/api/"):
        return
    setting = _upload_limit_setting()
    if setting is not None:
        # A file upload: its own size limit instead of the JSON body's.
        request.max_content_length = current_app.config[setting]
    if request.headers.get("Transfer-Encoding", "").lower() == "chunked":
        # No Content-Length to check up front, and Werkzeug stops reading a streamed body at
        # the limit without a word: read it now, and if more is waiting, it is too large.
        body = request.get_data(cache=True)
        if len(body) >= request.max_content_length and request.input_stream.read(1):
            raise RequestEntityTooLarge()
    if setting is not None:
        if _has_body() and request.mimetype != "multipart/form-data":
            got = request.mimetype or "no Content-Type"
            raise UnsupportedMediaType(f"Send the file as multipart/form-data (got {got}).")
    elif _has_body() and not request.is_json:
        raise UnsupportedMediaType(f"Send the body as application/json (got {request.mimetype or 'no Content-Type'}).")


def _has_body() -> bool:
    return bool(request.content_length) or request.headers.get("Transfer-Encoding", "").lower() == "chunked"


def init_app(app: Flask) -> None:
    app.json = JsonProvider(app)
    app.url_map.converters["id"] = IdConverter
    app.config.update(
        API_TITLE="quizsvc",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        # Served from the installed swagger-ui-bundle package: the docs work offline.
        OPENAPI_SWAGGER_UI_URL="/docs/static/",
        API_SPEC_OPTIONS={
            "info": {"description": DESCRIPTION},
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer", "description": "An API key (qzk_...)."},
                    "basicAuth": {
                        "type": "http",
                        "scheme": "basic",
                        "description": "The assessment-partner endpoints: an API key as the user name, no password.",
                    },
                    "candidateToken": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "A candidate's attempt token (qza_...), or ?token= as in the link.",
                    },
                }
            },
        },
    )
    app.register_blueprint(
        FlaskBlueprint("swagger_ui_static", __name__, static_folder=swagger_ui_path, static_url_path="/docs/static")
    )
    api = QuizApi(app)
    # Named in the invitation's documented answer (one attempt, or a batch), not by a decorator.
    from quizsvc.schemas.attempt import BatchCandidateSchema, BatchInviteSchema, NewAttemptSchema

    api.spec.components.schema("NewAttempt", schema=NewAttemptSchema)
    api.spec.components.schema("BatchInvite", schema=BatchInviteSchema)
    api.spec.components.schema("BatchCandidate", schema=BatchCandidateSchema)
    # A path id's example is what a request on a fresh install (`make run`) can use.
    api.register_converter(IdConverter, lambda c: {"type": "integer", "minimum": c.min, "maximum": c.max, "example": 1})
    for schema in SCHEMA_RULES:
        api.spec.components.schema(schema.__name__.removesuffix("Schema"), schema.JSON_SCHEMA_RULES, schema=schema)
    errors.init_app(app)
    app.before_request(_require_json)
    modules = (health, questions, reviewed_examples, score, quizzes, attempts, candidate, candidates, keys)
    for module in (*modules, webhooks, partner, audit, reports):
        api.register_blueprint(module.blp)
