"""Alembic environment: the engine comes from the app (``quizsvc db ...``) or, when
alembic is run directly, from QUIZSVC_DATABASE_URL."""

from alembic import context

from quizsvc import models  # noqa: F401  (registers every table on Base.metadata)
from quizsvc.db import Base

config = context.config
target_metadata = Base.metadata


def _engine():
    engine = config.attributes.get("engine")
    if engine is None:
        from quizsvc import create_app
        from quizsvc.db import db

        engine = db.engine(create_app())
    return engine


def run_migrations_offline() -> None:
    context.configure(url=str(_engine().url), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with _engine().connect() as connection:
        # Batch mode lets ALTER-style migrations run on SQLite (it copies the table).
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True, compare_type=True
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
