"""Engine and session per application.

The session's life is owned outside the code that uses it: one session per request
(opened lazily, closed at teardown) or per CLI command; views and commands commit once,
services only flush.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

from flask import Flask, current_app, g
from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use utcnow()")
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


WRITE_INTENT = "quizsvc_write"
# How long a SQLite connection waits for another writer before "database is locked".
SQLITE_BUSY_MS = 30_000


def begin_write(session: Session) -> None:
    """Open the session's transaction as a writer (SQLite: BEGIN IMMEDIATE; others: as usual).

    A transaction that has only read so far (authentication) is ended first.
    """
    if session.get_bind().dialect.name != "sqlite":
        return  # row locks (SELECT ... FOR UPDATE) do the work there
    if session.in_transaction():
        if session.connection().get_execution_options().get(WRITE_INTENT):
            return
        session.commit()
    session.connection(execution_options={WRITE_INTENT: True})


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    """The block as one writer transaction: committed once at its end, rolled back on any error.

    Every request that writes (``api.idempotency.mutation``, the candidate's page) and every
    job step runs in one of these: nothing commits part-way.
    """
    begin_write(session)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def in_transaction(app: Flask, work):
    """Run ``work(session)`` as one unit of work in a session of its own, outside any request."""
    with app.app_context(), db.sessionmaker()() as session, unit_of_work(session):
        return work(session)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT and transactional DDL; the
    # SQLAlchemy docs' recipe hands transaction control back to SQLAlchemy.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            # Readers do not block the writer; several gunicorn workers share the file.
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A writer takes the write lock up front: a deferred transaction that reads and then
        # writes fails at once ("database is locked") when another writer got there first,
        # instead of waiting its turn.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_INTENT) else "BEGIN")


class Database:
    """Flask extension: ``db.init_app(app)``, then ``db.session`` inside a request."""

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["QUIZSVC_DATABASE_URL"])
        app.extensions["quizsvc.db"] = {
            "engine": engine,
            "sessionmaker": sessionmaker(bind=engine, expire_on_commit=False),
        }
        app.teardown_appcontext(self._close_session)

    @staticmethod
    def _state(app: Flask | None = None) -> dict:
        return (app or current_app).extensions["quizsvc.db"]

    def engine(self, app: Flask | None = None) -> Engine:
        return self._state(app)["engine"]

    def sessionmaker(self, app: Flask | None = None) -> sessionmaker:
        return self._state(app)["sessionmaker"]

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = self.sessionmaker()()
        return g.db_session

    @staticmethod
    def _close_session(_exc=None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


db = Database()
