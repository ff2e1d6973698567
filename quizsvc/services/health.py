"""Dependency checks for the readiness probe."""

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from quizsvc.errors import ServiceError


class Unavailable(ServiceError):
    status = 503


def check_database(session: Session) -> None:
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        raise Unavailable("The database is not reachable.", errors={"database": [type(error).__name__]}) from None


def check_queue(huey) -> None:
    """The task queue's storage answers (the SQLite file, or Redis)."""
    try:
        huey.pending_count()
    except Exception as error:  # noqa: BLE001 - redis, sqlite3 and OS errors alike mean "not reachable"
        raise Unavailable("The task queue is not reachable.", errors={"queue": [type(error).__name__]}) from None
