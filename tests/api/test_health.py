import threading
import time

from sqlalchemy.exc import OperationalError

from quizsvc.db import db
from tests.fakes import FakeEmbedder


def test_healthz(client):
    response = client.get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_readyz_when_database_answers(client):
    response = client.get("/readyz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ready"})


def test_readyz_when_database_is_down(client, app, monkeypatch):
    class DeadSession:
        def execute(self, *args, **kwargs):
            raise OperationalError("SELECT 1", {}, Exception("connection refused"))

        def close(self):
            pass

    monkeypatch.setattr(type(db), "session", property(lambda self: DeadSession()))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {
        "code": 503,
        "status": "Service Unavailable",
        "message": "The database is not reachable.",
        "errors": {"database": ["OperationalError"]},
    }


def test_docs_render_offline(client):
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<script src="/docs/static/swagger-ui-bundle.js">' in html
    assert 'url: "/openapi.json"' in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        with client.get(f"/docs/static/{asset}") as response:
            assert response.status_code == 200
    assert client.get("/openapi.json").get_json()["info"]["title"] == "quizsvc"


def _ready(app):
    with app.test_client() as client:
        response = client.get("/readyz")
        return response.status_code, response.get_json()


def test_readyz_checks_the_queue_storage(tmp_path):
    from tests.conftest import make_app

    database = f"sqlite:///{tmp_path / 'ready.db'}"
    assert _ready(make_app(database, QUIZSVC_QUEUE_URL=f"sqlite:///{tmp_path / 'queue.db'}"))[0] == 200
    down = make_app(database, QUIZSVC_QUEUE_URL="redis://127.0.0.1:1/0")  # nothing listens on port 1
    assert _ready(down) == (
        503,
        {
            "code": 503,
            "status": "Service Unavailable",
            "message": "The task queue is not reachable.",
            "errors": {"queue": ["ConnectionError"]},
        },
    )


def test_readyz_with_a_redis_queue(tmp_path):
    from tests.conftest import make_app
    from tests.test_worker import REDIS_URL

    app = make_app(f"sqlite:///{tmp_path / 'ready.db'}", QUIZSVC_QUEUE_URL=REDIS_URL, QUIZSVC_QUEUE_NAME=f"ready-{tmp_path.name}")
    assert _ready(app) == (200, {"status": "ready"})


class LoadingEmbedder(FakeEmbedder):
    """Loads its model on the first encoding, when a test lets it."""

    def __init__(self):
        super().__init__()
        self.loaded = False
        self.may_load = threading.Event()

    def encode(self, texts):
        assert self.may_load.wait(10)
        self.loaded = True
        return super().encode(texts)


def test_readyz_waits_for_the_encoder_and_starts_loading_it(tmp_path):
    from tests.conftest import make_app

    embedder = LoadingEmbedder()
    app = make_app(f"sqlite:///{tmp_path / 'ready.db'}", QUIZSVC_EMBEDDER=embedder)
    assert _ready(app) == (
        503,
        {
            "code": 503,
            "status": "Service Unavailable",
            "message": "The grader is still loading its model.",
            "errors": {"grader": ["loading"]},
        },
    )
    embedder.may_load.set()  # the check above started loading in the background
    deadline = time.monotonic() + 10
    while _ready(app)[0] != 200:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert embedder.calls == [["warm up"]]
