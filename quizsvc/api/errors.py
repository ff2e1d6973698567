"""The one error envelope: ``{"code", "status", "message", "errors"?}``.

Every failure (HTTP errors raised by Flask or webargs, service errors, integrity errors
and anything unhandled) goes through :func:`error_payload`.
"""

import logging
from http import HTTPStatus

from flask import Flask
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, InternalServerError

from quizsvc.db import db
from quizsvc.errors import ServiceError

log = logging.getLogger(__name__)


def error_payload(code: int, message: str | None = None, errors: dict | None = None) -> dict:
    payload = {"code": code, "status": HTTPStatus(code).phrase, "message": message or HTTPStatus(code).description}
    if errors:
        payload["errors"] = errors
    return payload


def handle_http_exception(error: HTTPException):
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    message = data.get("message")
    if message is None:
        if error.code == 422:
            message = "Validation failed; see errors."
        elif errors:
            message = "Malformed request; see errors."
        else:
            message = error.description
    if isinstance(error, InternalServerError):
        original = getattr(error, "original_exception", None)
        if original is not None:
            log.error("unhandled error", exc_info=original)
        message = "Internal server error."
    # Werkzeug's own headers (Allow on a 405), not its HTML content type.
    headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
    headers.update(data.get("headers") or {})
    # webargs nests errors under the location ("json", "query"): keep that, it tells where.
    return error_payload(error.code, message, errors), error.code, headers


def handle_service_error(error: ServiceError):
    return error_payload(error.status, error.message, error.errors), error.status


def handle_integrity_error(error: IntegrityError):
    # A uniqueness constraint lost a race or a duplicate slipped past the service check.
    db.session.rollback()
    log.info("integrity error: %s", error.orig)
    return error_payload(409, "The request conflicts with existing data."), 409


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ServiceError, handle_service_error)
    app.register_error_handler(IntegrityError, handle_integrity_error)
