"""The HTTP API: flask-smorest blueprints under /api/v1, OpenAPI at /openapi.json, docs at /docs."""

from flask import Blueprint as FlaskBlueprint
from flask import Flask, request
from flask_smorest import Api
from swagger_ui_bundle import swagger_ui_path

from quizsvc.api import attempts, candidate, candidates, errors, examples, health, keys, questions, quizzes, score
from quizsvc.errors import ServiceError

JSON_METHODS = {"POST", "PUT", "PATCH"}


class UnsupportedMediaType(ServiceError):
    status = 415


class QuizApi(Api):
    def handle_http_exception(self, error):
        return errors.handle_http_exception(error)


def _require_json() -> None:
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
    errors.init_app(app)
    app.before_request(_require_json)
    for module in (health, questions, examples, score, quizzes, attempts, candidate, candidates, keys):
        api.register_blueprint(module.blp)
