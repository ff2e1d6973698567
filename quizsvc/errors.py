"""Errors the services raise; the API maps each to its HTTP status in one place.

Kept free of Flask so that services and the CLI can raise and catch them too.
"""


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str, *, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors


class Unauthorized(ServiceError):
    status = 401


class Forbidden(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409


class Invalid(ServiceError):
    """Input that passed the schema but breaks a rule of the domain."""

    status = 422
