from sqlalchemy.exc import OperationalError

from quizsvc.db import db


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
