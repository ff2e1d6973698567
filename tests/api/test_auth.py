"""Keys, roles and organisation isolation."""

import pytest

from quizsvc.db import db
from quizsvc.models import ApiKey
from quizsvc.services import accounts


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer qzk_not-a-real-key"],
)
def test_missing_or_unknown_key_is_401(client, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.get("/api/v1/questions", headers=headers)
    assert response.status_code == 401


@pytest.mark.parametrize(
    "role, method, path, expected",
    [
        ("viewer", "get", "/api/v1/questions", 200),
        ("viewer", "post", "/api/v1/questions", 403),
        ("recruiter", "post", "/api/v1/questions", 201),
        ("recruiter", "get", "/api/v1/keys", 403),
        ("admin", "get", "/api/v1/keys", 200),
        ("admin", "post", "/api/v1/questions", 201),
    ],
)
def test_roles(client, auth, question_in, role, method, path, expected):
    kwargs = {"json": question_in} if method == "post" else {}
    response = getattr(client, method)(path, headers=auth.headers(role), **kwargs)
    assert response.status_code == expected


def test_only_the_hash_is_stored(app, auth):
    plaintext = auth.key("admin")
    with app.app_context():
        key = accounts.find_key(db.session, plaintext=plaintext)
        assert key.key_hash == accounts.hash_key(plaintext)
        assert plaintext not in {key.key_hash, key.prefix, key.name}
        assert key.prefix == plaintext[:12]


def test_other_organisations_question_is_404(client, auth, question_in):
    created = client.post("/api/v1/questions", json=question_in, headers=auth.headers(org="acme")).get_json()
    other = auth.headers(org="globex")
    assert client.get(f"/api/v1/questions/{created['id']}", headers=other).status_code == 404
    assert client.put(f"/api/v1/questions/{created['id']}", json={}, headers=other).status_code == 422
    content = {k: v for k, v in question_in.items() if k != "slug"}
    assert client.put(f"/api/v1/questions/{created['id']}", json=content, headers=other).status_code == 404
    assert client.delete(f"/api/v1/questions/{created['id']}", headers=other).status_code == 404
    assert client.get("/api/v1/questions", headers=other).get_json() == []
    # The same slug is free in another organisation.
    assert client.post("/api/v1/questions", json=question_in, headers=other).status_code == 201


def test_key_lifecycle_over_the_api(client, auth):
    created = client.post("/api/v1/keys", json={"name": "ci", "role": "viewer"}, headers=auth.headers())
    assert created.status_code == 201
    body = created.get_json()
    assert body["key"].startswith("qzk_") and body["role"] == "viewer" and body["revoked_at"] is None
    new_key = {"Authorization": f"Bearer {body['key']}"}
    assert client.get("/api/v1/me", headers=new_key).get_json() == {
        "organisation": "acme",
        "role": "viewer",
        "key_id": body["id"],
    }
    listed = client.get("/api/v1/keys", headers=auth.headers()).get_json()
    assert "key" not in listed[0]
    assert body["id"] in {k["id"] for k in listed}

    assert client.delete(f"/api/v1/keys/{body['id']}", headers=auth.headers()).status_code == 204
    assert client.get("/api/v1/me", headers=new_key).status_code == 401


def test_key_of_another_organisation_cannot_be_revoked(client, auth):
    theirs = client.post("/api/v1/keys", json={"name": "x", "role": "viewer"}, headers=auth.headers(org="globex"))
    response = client.delete(f"/api/v1/keys/{theirs.get_json()['id']}", headers=auth.headers(org="acme"))
    assert response.status_code == 404


def test_invalid_role_is_422(client, auth):
    response = client.post("/api/v1/keys", json={"name": "x", "role": "owner"}, headers=auth.headers())
    assert response.get_json()["errors"] == {"json": {"role": ["Must be one of: viewer, recruiter, admin."]}}


def test_keys_table_has_no_plaintext_column(app):
    assert set(ApiKey.__table__.columns.keys()) == {
        "id",
        "organisation_id",
        "name",
        "prefix",
        "key_hash",
        "role",
        "created_at",
        "revoked_at",
    }
