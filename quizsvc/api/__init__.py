"""The HTTP API: flask-smorest blueprints under /api/v1, OpenAPI at /openapi.json, docs at /docs."""

from flask import Blueprint as FlaskBlueprint
from flask import Flask, current_app, request
from flask_smorest import Api
from swagger_ui_bundle import swagger_ui_path

from quizsvc.api import (
    attempts,
    audit,
    candidate,
    candidates,
    errors,
    examples,
    health,
    keys,
    partner,
    questions,
    quizzes,
    reports,
    score,
    webhooks,
)
from quizsvc.errors import ServiceError

JSON_METHODS = {"POST", "PUT", "PATCH"}


class UnsupportedMediaType(ServiceError):
    status = 415


class QuizApi(Api):
    def handle_http_exception(self, error):
        return errors.handle_http_exception(error)


def _upload_limit_setting() -> str | None:
    """The size setting of a view marked with ``base.accepts_upload``, if this request's view is one."""
    view = current_app.view_functions.get(request.endpoint)
    method = getattr(getattr(view, "view_class", None), request.method.lower(), None)
    return getattr(method, "upload_limit_setting", None)


def _require_json() -> None:
    setting = _upload_limit_setting()
    if setting is not None:
        # A file upload: multipart, and its own size limit instead of the JSON body's.
        request.max_content_length = current_app.config[setting]
        if _has_body() and request.mimetype != "multipart/form-data":
            got = request.mimetype or "no Content-Type"
            raise UnsupportedMediaType(f"Send the file as multipart/form-data (got {got}).")
        return
    if request.method in JSON_METHODS and request.path.startswith("/api/") and _has_body() and not request.is_json:
        raise UnsupportedMediaType(f"Send the body as application/json (got {request.mimetype or 'no Content-Type'}).")


def _has_body() -> bool:
    return bool(request.content_length) or request.headers.get("Transfer-Encoding", "") == "chunked"


def init_app(app: Flask) -> None:
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
            "info": {
                "description": "Auto-graded interview quizzes. Every /api/v1 call needs a bearer API key, except /api/v1/candidate, which takes the candidate's attempt token."
            },
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
    errors.init_app(app)
    app.before_request(_require_json)
    modules = (health, questions, examples, score, quizzes, attempts, candidate, candidates, keys)
    for module in (*modules, webhooks, partner, audit, reports):
        api.register_blueprint(module.blp)
