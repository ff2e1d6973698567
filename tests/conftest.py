"""Shared fixtures.

Storage and API tests run once per database backend: SQLite (a temporary file) and
PostgreSQL (a throw-away schema in QUIZSVC_TEST_POSTGRES_URL, default the local server's
``test`` database). A PostgreSQL that cannot be reached fails the run: it is never
skipped silently. ``QUIZSVC_TEST_BACKENDS=sqlite`` narrows the run on purpose.

Each test runs inside an outer transaction that is rolled back afterwards; the app's
sessions join it through savepoints, so commits in views and commands stay private.
"""

import os
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from quizsvc import create_app, limits
from quizsvc.cli import alembic_config
from quizsvc.db import db
from quizsvc.grading import grading
from quizsvc.services import accounts
from tests.fakes import FakeEmbedder

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
POSTGRES_URL = os.environ.get("QUIZSVC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = [b.strip() for b in os.environ.get("QUIZSVC_TEST_BACKENDS", "sqlite,postgresql").split(",") if b.strip()]


def _postgres_schema_url(schema: str) -> str:
    url = make_url(POSTGRES_URL)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def empty_database(tmp_path_factory):
    """Return a factory of empty databases: ``empty_database(backend) -> url``."""
    created = []

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp('db') / 'quizsvc.db'}"
        from sqlalchemy import create_engine

        schema = f"quizsvc_test_{uuid.uuid4().hex[:12]}"
        engine = create_engine(POSTGRES_URL)
        try:
            with engine.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        except Exception as error:  # noqa: BLE001 - any failure here means "no PostgreSQL"
            pytest.fail(
                f"PostgreSQL is required for the storage tests and is not reachable at {POSTGRES_URL}: {error}. "
                "Start it, point QUIZSVC_TEST_POSTGRES_URL at one, or set QUIZSVC_TEST_BACKENDS=sqlite.",
                pytrace=False,
            )
        finally:
            engine.dispose()
        created.append(schema)
        return _postgres_schema_url(schema)

    yield make

    if created:
        from sqlalchemy import create_engine

        engine = create_engine(POSTGRES_URL)
        with engine.begin() as connection:
            for schema in created:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def make_app(database_url: str, **overrides):
    config = {
        # Unit and API tests grade with a deterministic fake; tests marked `model` load the real one.
        "QUIZSVC_EMBEDDER": FakeEmbedder(),
        # Never the project's own instance/ folder: tests write bootstrap keys there.
        "QUIZSVC_INSTANCE_PATH": tempfile.mkdtemp(prefix="quizsvc-instance-"),
        "QUIZSVC_ENV": "testing",
        "QUIZSVC_DATABASE_URL": database_url,
        "QUIZSVC_LOG_LEVEL": "WARNING",
        "QUIZSVC_BOOTSTRAP_KEY": None,
        # Tasks wait in the process until a test runs them (queue.run_pending).
        "QUIZSVC_QUEUE_URL": "memory://",
        "QUIZSVC_SECRET_KEY": "test-secret-key-that-signs-links-0123456789",
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session", params=BACKENDS)
def migrated_app(request, empty_database):
    """An app on a migrated database, one per backend for the whole run."""
    app = make_app(empty_database(request.param))
    from alembic import command

    with app.app_context():
        command.upgrade(alembic_config(), "head")
    app.config["BACKEND"] = request.param
    yield app
    db.engine(app).dispose()


@pytest.fixture
def app(migrated_app):
    """The migrated app, its sessions joined to a transaction rolled back after the test."""
    engine = db.engine(migrated_app)
    connection = engine.connect()
    outer = connection.begin()
    factory = db.sessionmaker(migrated_app)
    factory.configure(bind=connection, join_transaction_mode="create_savepoint")
    # In-process grading caches mirror rows that the rollback below removes; every test
    # starts with fresh rate-limit counts (all of them come from 127.0.0.1).
    grading.clear_caches(migrated_app)
    limits.reset(migrated_app)
    yield migrated_app
    factory.configure(bind=engine, join_transaction_mode="conservative_savepoint")
    outer.rollback()
    connection.close()


@pytest.fixture
def session(app):
    with app.app_context():
        yield db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Keys for tests: ``auth.headers("viewer", org="acme")`` (created on first use)."""

    def __init__(self, app):
        self._app = app
        self._keys = {}

    def key(self, role: str = "admin", org: str = "acme") -> str:
        if (role, org) not in self._keys:
            with self._app.app_context():
                session = db.session
                organisation = accounts.get_or_create_organisation(session, name=org)
                _, plaintext = accounts.create_key(session, organisation_id=organisation.id, role=role, name=role)
                session.commit()
            self._keys[role, org] = plaintext
        return self._keys[role, org]

    def headers(self, role: str = "admin", org: str = "acme") -> dict:
        return {"Authorization": f"Bearer {self.key(role, org)}"}


@pytest.fixture
def auth(app):
    return AuthActions(app)


@pytest.fixture
def question_in():
    """A valid question body, in the shape POST /api/v1/questions takes."""
    return {
        "slug": "self-attention",
        "prompt": "什麼是自注意力機制（Self-Attention）？",
        "category": "基本概念與理論",
        "difficulty": "medium",
        "language": "zh-Hant",
        "tags": ["transformer", "attention"],
        "references": ["自注意力機制讓序列中每個詞關注所有其他詞，以查詢、鍵、值計算注意力權重。"],
        "key_points": [
            {"text": "每個詞關注序列中所有其他詞", "weight": 2.0},
            {"text": "以查詢、鍵和值向量計算注意力權重", "weight": 1.0},
        ],
        "keywords": [
            {"term": "自注意力機制", "aliases": ["自注意力机制", "self-attention"], "weight": 2.0, "required": True},
            {"term": "查詢", "aliases": ["查询", "query"], "weight": 1.0, "required": False},
        ],
        "misconceptions": [{"text": "自注意力按順序逐個處理詞，像 RNN 一樣", "aliases": []}],
    }


@pytest.fixture
def fake_embedder():
    return FakeEmbedder()


@pytest.fixture
def grader(fake_embedder):
    from quizsvc.scoring.grader import Grader

    return Grader(fake_embedder)


@pytest.fixture
def seed_bank_path():
    return ROOT / "seed" / "llm_interview_zh.yaml"


@pytest.fixture
def flow(app, client, auth):
    """Three seed questions in organisation "acme", and the calls of the interview flow."""
    from tests.interview import Interview, load_bank

    load_bank(app, count=3)
    return Interview(client, auth)
