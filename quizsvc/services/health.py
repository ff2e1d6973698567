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
