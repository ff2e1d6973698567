"""Grading services: the vector store, organisation parameters, stored-question specs."""

import numpy as np
import pytest

from quizsvc.db import db
from quizsvc.errors import Invalid
from quizsvc.scoring.calibration import load_parameters
from quizsvc.services import accounts, grading, questions


@pytest.fixture
def store(app):
    return grading.SqlVectorStore(db.sessionmaker(app))


def test_vector_store_round_trip(store, session):
    vector = np.array([0.25, -0.5, 1.0], np.float32)
    store.put_many("m", {"k1": vector})
    found = store.get_many("m", ["k1", "k2"])
    assert list(found) == ["k1"] and np.array_equal(found["k1"], vector)
    assert store.get_many("other-model", ["k1"]) == {}


def test_vector_store_ignores_a_lost_race(store, session):
    store.put_many("m", {"k1": np.ones(2, np.float32)})
    store.put_many("m", {"k1": np.zeros(2, np.float32)})  # another process got there first
    assert np.array_equal(store.get_many("m", ["k1"])["k1"], np.ones(2, np.float32))


def test_organisation_parameters(session):
    organisation_id = accounts.get_or_create_organisation(session, name="acme").id
    assert grading.organisation_parameters(session, organisation_id=organisation_id) is None
    default = load_parameters()
    own = default.to_json().replace('"name": "default"', '"name": "acme-2026"')
    grading.set_organisation_parameters(session, organisation_id=organisation_id, body=own, name="acme.json")
    chosen = grading.organisation_parameters(session, organisation_id=organisation_id)
    assert chosen.name == "acme-2026" and chosen.digest != default.digest
    grading.set_organisation_parameters(session, organisation_id=organisation_id, body=None)
    assert grading.organisation_parameters(session, organisation_id=organisation_id) is None


def test_bad_parameters_are_refused(session):
    organisation_id = accounts.get_or_create_organisation(session, name="acme").id
    with pytest.raises(Invalid) as error:
        grading.set_organisation_parameters(session, organisation_id=organisation_id, body="{}", name="bad.json")
    assert error.value.message.startswith("bad.json: not a usable grader parameter file")


def test_spec_of_a_stored_version(session, question_in):
    organisation_id = accounts.get_or_create_organisation(session, name="acme").id
    content = {k: v for k, v in question_in.items() if k != "slug"}
    version = questions.create(session, organisation_id=organisation_id, slug="s", question_in=content)
    spec = grading.spec_of(version)
    assert spec.prompt == question_in["prompt"]
    assert spec.references == tuple(question_in["references"])
    assert [(p.text, p.weight) for p in spec.key_points] == [
        (p["text"], p["weight"]) for p in question_in["key_points"]
    ]
    assert spec.keywords[0].forms == ("自注意力機制", "自注意力机制", "self-attention")
    assert spec.keywords[0].required is True
    assert spec.misconceptions[0].text == question_in["misconceptions"][0]["text"]


def test_neighbours_are_the_other_live_questions(session, question_in):
    organisation_id = accounts.get_or_create_organisation(session, name="acme").id
    content = {k: v for k, v in question_in.items() if k != "slug"}
    first = questions.create(session, organisation_id=organisation_id, slug="a", question_in=content)
    questions.create(
        session, organisation_id=organisation_id, slug="b", question_in={**content, "references": ["B 的答案"]}
    )
    retired = questions.create(
        session, organisation_id=organisation_id, slug="c", question_in={**content, "references": ["C"]}
    )
    questions.retire(session, organisation_id=organisation_id, question_id=retired.question_id)
    assert grading.neighbour_references(session, organisation_id=organisation_id, question_id=first.question_id) == [
        "B 的答案"
    ]


def test_bank_fingerprint_changes_with_the_bank(session, question_in):
    organisation_id = accounts.get_or_create_organisation(session, name="acme").id
    content = {k: v for k, v in question_in.items() if k != "slug"}
    before = grading.bank_fingerprint(session, organisation_id=organisation_id)
    version = questions.create(session, organisation_id=organisation_id, slug="a", question_in=content)
    created = grading.bank_fingerprint(session, organisation_id=organisation_id)
    questions.update(
        session,
        organisation_id=organisation_id,
        question_id=version.question_id,
        question_in={**content, "prompt": "新"},
    )
    updated = grading.bank_fingerprint(session, organisation_id=organisation_id)
    assert len({before, created, updated}) == 3
