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
    assert invited["report_url"] == f"https://quiz.example.com/api/v1/attempts/{invited['id']}/report"
    listed = flow.client.get("/api/v1/attempts", headers={**flow.staff(), "Host": "evil.example"}).get_json()
    assert listed[0]["report_url"].startswith("https://quiz.example.com/")


@pytest.mark.parametrize(("host", "status"), [("evil.example", 400), ("quiz.example.com", 201)])
def test_trusted_hosts_refuse_any_other_host(empty_database, host, status):
    from alembic import command

    from quizsvc.cli import alembic_config
    from quizsvc.db import db
    from tests.conftest import AuthActions
    from tests.interview import Interview, load_bank

    app = make_app(empty_database("sqlite"), TRUSTED_HOSTS=["quiz.example.com"])
    with app.app_context():
        command.upgrade(alembic_config(), "head")
    load_bank(app, count=1)
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
    db.engine(app).dispose()
