"""Links handed out never follow a Host header the operator did not choose."""

import pytest

from tests.conftest import make_app


def _invite(client, flow_headers, quiz_id, host):
    body = {"quiz_id": quiz_id, "candidate": {"external_id": "h", "display_name": "H"}}
    return client.post("/api/v1/attempts", json=body, headers={**flow_headers, "Host": host})


def test_the_public_url_makes_every_link(app, flow, monkeypatch):
    monkeypatch.setitem(app.config, "QUIZSVC_PUBLIC_URL", "https://quiz.example.com")
    quiz = flow.quiz()
    invited = _invite(flow.client, flow.staff(), quiz["id"], "evil.example").get_json()
    assert invited["link"] == f"https://quiz.example.com/take?token={invited['token']}"
    assert invited["report_url"].startswith("https://quiz.example.com/api/v1/reports/")
    listed = flow.client.get("/api/v1/attempts", headers={**flow.staff(), "Host": "evil.example"}).get_json()
    assert listed[0]["report_url"].startswith("https://quiz.example.com/")


@pytest.fixture(scope="module")
def trusted_app(empty_database):
    """An app answering to quiz.example.com only."""
    from alembic import command

    from quizsvc.cli import alembic_config
    from quizsvc.db import db
    from tests.interview import load_bank

    app = make_app(empty_database("sqlite"), QUIZSVC_TRUSTED_HOSTS=("quiz.example.com",))
    with app.app_context():
        command.upgrade(alembic_config(), "head")
    load_bank(app, count=1)
    yield app
    db.engine(app).dispose()


@pytest.mark.parametrize(("host", "status"), [("evil.example", 400), ("quiz.example.com", 201)])
def test_trusted_hosts_refuse_any_other_host(trusted_app, host, status):
    from tests.conftest import AuthActions
    from tests.interview import Interview

    app = trusted_app
    flow = Interview(app.test_client(), AuthActions(app))
    client = app.test_client()
    quiz = client.post(
        "/api/v1/quizzes",
        json={"name": "Q", "feedback_policy": "mock", "rule": {"count": 1}},
        headers={**flow.staff(), "Host": "quiz.example.com"},
    ).get_json()
    response = _invite(client, flow.staff(), quiz["id"], host)
    assert response.status_code == status
    if status == 400:
        assert response.get_json()["code"] == 400  # in the envelope, and no link was made
    else:
        assert response.get_json()["link"].startswith("http://quiz.example.com/take?token=")


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_probes_answer_on_any_host(trusted_app, path):
    """A load balancer's health check and a Prometheus scrape name the instance's address."""
    client = trusted_app.test_client()
    assert client.get(path, headers={"Host": "10.0.0.7:8000"}).status_code == 200
    assert client.get("/api/v1/me", headers={"Host": "10.0.0.7:8000"}).status_code == 400
