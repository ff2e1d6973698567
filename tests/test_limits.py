"""Rate limits: per API key, per candidate token, per client address for failed authentication."""

import uuid

import pytest
import redis
from alembic import command

from quizsvc import limits
from quizsvc.cli import alembic_config
from quizsvc.db import db
from tests.conftest import AuthActions, make_app
from tests.interview import Interview, load_bank

REDIS = "redis://127.0.0.1:6379/0"


def _migrated(url: str, **settings):
    app = make_app(url, **settings)
    with app.app_context():
        command.upgrade(alembic_config(), "head")
    return app


def _assert_429(response, message: str, limit: int):
    assert response.status_code == 429
    assert response.get_json() == {"code": 429, "status": "Too Many Requests", "message": message}
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert response.headers["X-RateLimit-Limit"] == str(limit)
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert int(response.headers["X-RateLimit-Reset"]) > 0


def test_each_api_key_has_its_own_limit(app, client, auth, monkeypatch):
    monkeypatch.setitem(app.config, "QUIZSVC_RATELIMIT_API_KEY", "3 per minute")
    headers = auth.headers("viewer")
    remaining = []
    for _ in range(3):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 200
        remaining.append(response.headers["X-RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]
    _assert_429(
        client.get("/api/v1/questions", headers=headers),
        "Too many requests with this API key; retry after the time in Retry-After.",
        3,
    )
    # Another key of the same organisation counts on its own; health checks are never limited.
    assert client.get("/api/v1/me", headers=auth.headers("admin")).status_code == 200
    assert client.get("/healthz").status_code == 200 and "X-RateLimit-Limit" not in client.get("/healthz").headers


def test_a_key_sent_as_http_basic_counts_against_the_same_limit(app, client, auth, monkeypatch):
    import base64

    monkeypatch.setitem(app.config, "QUIZSVC_RATELIMIT_API_KEY", "2 per minute")
    key = auth.key("viewer")
    basic = {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}
    assert client.get("/api/v1/partner/list_tests", headers=basic).status_code == 200
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    assert client.get("/api/v1/partner/list_tests", headers=basic).status_code == 429


def test_each_candidate_token_has_its_own_limit_on_the_api_and_the_page(app, flow, monkeypatch):
    monkeypatch.setitem(app.config, "QUIZSVC_RATELIMIT_CANDIDATE", "3 per minute")
    quiz = flow.quiz()
    a, b = flow.invite(quiz["id"], external_id="a"), flow.invite(quiz["id"], external_id="b")
    client = flow.client
    assert client.get("/api/v1/candidate/attempt", headers=flow.candidate(a["token"])).status_code == 200
    assert client.get(f"/take?token={a['token']}").status_code == 303  # the link, then the page's cookie
    assert client.get("/take").status_code == 200
    _assert_429(
        client.get("/take"), "Too many requests with this candidate token; retry after the time in Retry-After.", 3
    )
    assert client.get("/api/v1/candidate/attempt", headers=flow.candidate(b["token"])).status_code == 200


def test_failed_authentication_is_limited_per_client_address(app, client, auth, monkeypatch):
    monkeypatch.setitem(app.config, "QUIZSVC_RATELIMIT_AUTH_FAILURES", "3 per minute")
    good = auth.headers("viewer")
    for _ in range(5):  # successes do not count
        assert client.get("/api/v1/me", headers=good).status_code == 200
    wrong = [{"Authorization": f"Bearer qzk_wrong-{n}"} for n in range(3)]
    assert [client.get("/api/v1/me", headers=h).status_code for h in wrong] == [401, 401, 401]
    message = "Too many failed authentications from this address; retry after the time in Retry-After."
    # Over the limit, the address waits: wrong keys, candidate guesses and valid keys alike.
    for headers, path in ((wrong[0], "/api/v1/me"), ({}, "/api/v1/candidate/attempt"), (good, "/api/v1/me")):
        response = client.get(path, headers=headers)
        assert response.status_code == 429 and response.get_json()["message"] == message
    other = client.get("/api/v1/me", headers=good, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200


def test_behind_a_proxy_the_forwarded_address_counts(empty_database, monkeypatch):
    app = _migrated(empty_database("sqlite"), QUIZSVC_PROXY_COUNT=1, QUIZSVC_RATELIMIT_AUTH_FAILURES="1 per minute")
    client = app.test_client()
    wrong = {"Authorization": "Bearer qzk_wrong"}
    for address in ("198.51.100.1", "198.51.100.2"):
        forwarded = {**wrong, "X-Forwarded-For": address}
        assert client.get("/api/v1/me", headers=forwarded).status_code == 401
        assert client.get("/api/v1/me", headers=forwarded).status_code == 429
    db.engine(app).dispose()


def test_an_empty_setting_turns_a_limit_off(app, client, auth, monkeypatch):
    monkeypatch.setitem(app.config, "QUIZSVC_RATELIMIT_API_KEY", "")
    headers = auth.headers("viewer")
    assert all(client.get("/api/v1/me", headers=headers).status_code == 200 for _ in range(5))


@pytest.fixture
def redis_apps(empty_database):
    """Two apps (as two worker processes would be) counting in the local Redis, under a per-run prefix."""
    prefix = f"quizsvc-test-{uuid.uuid4().hex[:12]}"
    url = empty_database("sqlite")
    settings = {
        "QUIZSVC_RATELIMIT_STORAGE_URI": REDIS,
        "QUIZSVC_RATELIMIT_KEY_PREFIX": prefix,
        "QUIZSVC_RATELIMIT_API_KEY": "4 per minute",
    }
    first, second = _migrated(url, **settings), make_app(url, **settings)
    yield first, second, prefix
    limits.reset(first)
    for app in (first, second):
        db.engine(app).dispose()


def test_redis_shares_the_counts_between_processes_and_keeps_no_credential(redis_apps):
    first, second, prefix = redis_apps
    load_bank(first, count=1)
    key = AuthActions(first).key("viewer")
    headers = {"Authorization": f"Bearer {key}"}
    one, two = first.test_client(), second.test_client()
    assert [c.get("/api/v1/me", headers=headers).status_code for c in (one, two, one, two)] == [200] * 4
    assert two.get("/api/v1/me", headers=headers).status_code == 429
    assert one.get("/api/v1/me", headers=headers).status_code == 429
    store = redis.Redis.from_url(REDIS)
    names = [name.decode() for name in store.scan_iter(match=f"{prefix}*")]
    assert names and all(key not in name and key[4:] not in name for name in names)
    limits.reset(first)
    assert list(store.scan_iter(match=f"{prefix}*")) == []
    assert one.get("/api/v1/me", headers=headers).status_code == 200
    Interview(one, AuthActions(first))  # the app still serves after a reset


def test_a_redis_outage_falls_back_to_counting_in_memory(empty_database):
    app = _migrated(
        empty_database("sqlite"),
        QUIZSVC_RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",  # nothing listens there
        QUIZSVC_RATELIMIT_AUTH_FAILURES="2 per minute",
    )
    client = app.test_client()
    wrong = {"Authorization": "Bearer qzk_wrong"}
    assert [client.get("/api/v1/me", headers=wrong).status_code for _ in range(3)] == [401, 401, 429]
    db.engine(app).dispose()


def test_another_part_adds_its_own_limit_with_the_same_envelope(empty_database):
    from flask import Blueprint, request

    app = make_app(empty_database("sqlite"), QUIZSVC_RATELIMIT_AUTH_FAILURES="1 per minute")
    practice = Blueprint("practice", __name__, url_prefix="/practice")
    practice.add_url_rule("/ping", "ping", lambda: {"pong": True})
    app.register_blueprint(practice)
    app.config["QUIZSVC_RATELIMIT_PRACTICE"] = "2 per minute"
    limits.limit(
        app, practice, "QUIZSVC_RATELIMIT_PRACTICE", key=lambda: f"visitor:{request.remote_addr}", what="pings"
    )
    client = app.test_client()
    assert [client.get("/practice/ping").status_code for _ in range(2)] == [200, 200]
    _assert_429(client.get("/practice/ping"), "Too many pings; retry after the time in Retry-After.", 2)
    # The API's own limits are not spent by it, nor it by theirs.
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me").status_code == 429
    assert client.get("/practice/ping", environ_base={"REMOTE_ADDR": "192.0.2.9"}).status_code == 200
    db.engine(app).dispose()
