"""Question services: versioning rules, upsert, search, races on uniqueness."""

import pytest

from quizsvc.errors import Conflict, NotFound
from quizsvc.services import accounts, questions


@pytest.fixture
def org_id(session):
    return accounts.get_or_create_organisation(session, name="acme").id


def _content(question_in):
    return {k: v for k, v in question_in.items() if k != "slug"}


def test_content_hash_ignores_slug_and_key_order(question_in):
    reordered = dict(reversed(list(_content(question_in).items())))
    assert questions.content_hash(question_in) == questions.content_hash(reordered)
    changed = {**question_in, "prompt": question_in["prompt"] + "？"}
    assert questions.content_hash(changed) != questions.content_hash(question_in)


def test_upsert_actions(session, org_id, question_in):
    content = _content(question_in)
    version, action = questions.upsert(session, organisation_id=org_id, slug="s", question_in=content)
    assert (version.version, action) == (1, "created")
    assert questions.upsert(session, organisation_id=org_id, slug="s", question_in=content)[1] == "unchanged"
    changed = {**content, "keywords": []}
    version, action = questions.upsert(session, organisation_id=org_id, slug="s", question_in=changed)
    assert (version.version, action) == (2, "updated")
    assert questions.version_content(version) == {**changed, "keywords": []}


def test_reimport_reinstates_a_retired_question(session, org_id, question_in):
    version, _ = questions.upsert(session, organisation_id=org_id, slug="s", question_in=_content(question_in))
    questions.retire(session, organisation_id=org_id, question_id=version.question_id)
    again, action = questions.upsert(session, organisation_id=org_id, slug="s", question_in=_content(question_in))
    assert (again.version, action, again.question.retired_at) == (1, "updated", None)


def test_version_content_round_trips(session, org_id, question_in):
    version = questions.create(session, organisation_id=org_id, slug="s", question_in=_content(question_in))
    assert questions.version_content(version) == _content(question_in)


def test_duplicate_tags_are_stored_once(session, org_id, question_in):
    content = {**_content(question_in), "tags": ["a", "b", "a"]}
    version = questions.create(session, organisation_id=org_id, slug="s", question_in=content)
    assert version.tag_names == ["a", "b"]


def test_create_duplicate_slug_is_conflict(session, org_id, question_in):
    questions.create(session, organisation_id=org_id, slug="s", question_in=_content(question_in))
    with pytest.raises(Conflict):
        questions.create(session, organisation_id=org_id, slug="s", question_in=_content(question_in))


def test_get_from_another_organisation_is_not_found(session, org_id, question_in):
    version = questions.create(session, organisation_id=org_id, slug="s", question_in=_content(question_in))
    other = accounts.get_or_create_organisation(session, name="globex").id
    with pytest.raises(NotFound):
        questions.get(session, organisation_id=other, question_id=version.question_id)


def test_lost_race_on_slug_is_409(client, auth, question_in, monkeypatch):
    assert client.post("/api/v1/questions", json=question_in, headers=auth.headers()).status_code == 201
    # Two requests both pass the "slug free?" check; the database constraint decides.
    monkeypatch.setattr(questions, "get_by_slug", lambda session, **kwargs: None)
    response = client.post("/api/v1/questions", json=question_in, headers=auth.headers())
    assert response.status_code == 409
    assert response.get_json() == {
        "code": 409,
        "status": "Conflict",
        "message": "The request conflicts with existing data.",
    }
    assert client.get("/api/v1/questions", headers=auth.headers()).status_code == 200
