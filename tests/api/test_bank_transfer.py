"""Bank import (multipart, recruiter) and export (every format) over the API, on both databases."""

import io

import pytest

from quizsvc.bank import EXPORT_FORMATS
from tests.bank.conftest import FILES

MEDIA = {
    "yaml": ("application/yaml", "acme.yaml"),
    "json": ("application/json", "acme.json"),
    "gift": ("text/plain; charset=utf-8", "acme.gift.txt"),
    "moodle": ("application/xml", "acme.moodle.xml"),
    "qti": ("application/zip", "acme.qti.zip"),
}


def _import(client, auth, data: bytes, filename: str, role: str = "recruiter", query: str = "", **headers):
    return client.post(
        f"/api/v1/questions/import{query}",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
        headers={**auth.headers(role), **headers},
    )


def _listed(client, auth) -> list[dict]:
    return client.get("/api/v1/questions?page_size=100", headers=auth.headers("viewer")).get_json()


def test_every_export_format_imports_back_unchanged(client, auth, seed_bank_path):
    first = _import(client, auth, seed_bank_path.read_bytes(), "seed.yaml")
    assert first.status_code == 200, first.get_json()
    assert first.get_json() == {
        "name": "llm_interview_zh",
        "format": "yaml",
        "questions": 20,
        "created": 20,
        "updated": 0,
        "unchanged": 0,
        "skipped": [],
    }
    stored = _listed(client, auth)
    for fmt in EXPORT_FORMATS:
        exported = client.get(f"/api/v1/questions/export?format={fmt}", headers=auth.headers("viewer"))
        assert exported.status_code == 200
        assert (exported.content_type, exported.headers["Content-Disposition"]) == (
            MEDIA[fmt][0],
            f'attachment; filename="{MEDIA[fmt][1]}"',
        )
        again = _import(client, auth, exported.data, MEDIA[fmt][1]).get_json()
        assert (again["format"], again["created"], again["updated"], again["unchanged"]) == (fmt, 0, 0, 20)
    assert _listed(client, auth) == stored


def test_a_foreign_file_is_imported_and_upserted_by_slug(client, auth):
    data = (FILES / "moodle.xml").read_bytes()
    body = _import(client, auth, data, "course.xml").get_json()
    assert (body["format"], body["created"], body["skipped"]) == ("moodle", 3, ["line 117: multichoice"])
    changed = data.replace(b"&amp; \xe5\x8a\xa0\xe6\xac\x8a\xe6\xb1\x82\xe5\x92\x8c", b"")
    assert changed != data
    body = _import(client, auth, changed, "course.xml").get_json()
    assert (body["created"], body["updated"], body["unchanged"]) == (0, 1, 2)
    [question] = [q for q in _listed(client, auth) if q["slug"] == "self-attention"]
    assert question["version"] == 2
    audit = client.get("/api/v1/audit?action=question.import", headers=auth.headers("admin")).get_json()
    assert [(e["actor"], e["detail"]) for e in audit] == [
        ("recruiter", {"file": "course.xml", "format": "moodle", "created": 0, "updated": 1, "unchanged": 2}),
        ("recruiter", {"file": "course.xml", "format": "moodle", "created": 3, "updated": 0, "unchanged": 0}),
    ]


def test_an_import_with_one_bad_question_stores_nothing(client, auth):
    good = "::q{n}::Question {n}?{{####Answer {n}.}}\n\n"
    text = "".join(good.format(n=n) for n in range(3)) + "::q3::{####no prompt}\n"
    response = _import(client, auth, text.encode(), "bank.gift")
    assert response.status_code == 422
    body = response.get_json()
    assert body["message"] == "bank.gift: question 4 (q3), line 7: field 'prompt': Length must be between 1 and 2000."
    assert (body["code"], body["status"]) == (422, "Unprocessable Entity")
    assert _listed(client, auth) == []


@pytest.mark.parametrize(
    "data, filename, query, message",
    [
        (b"<quiz><question", "b.xml", "", "b.xml: line 1: not well-formed XML: "),
        (b"hello", "notes", "", "notes: cannot tell the format; name one of yaml, json, gift, moodle, qti, markdown"),
        (
            b"format: quizsvc-bank/1\nquestions: []\n",
            "b.txt",
            "?format=yaml",
            "b.txt: 'questions' must be a non-empty list",
        ),
    ],
)
def test_malformed_uploads_are_a_422_naming_the_file(client, auth, data, filename, query, message):
    response = _import(client, auth, data, filename, query=query)
    assert (response.status_code, response.get_json()["message"][: len(message)]) == (422, message)
    assert _listed(client, auth) == []


def test_import_needs_a_recruiter_and_a_multipart_file(client, auth, app):
    assert _import(client, auth, b"::a::b?{####c}", "a.gift", role="viewer").status_code == 403
    as_json = client.post("/api/v1/questions/import", json={"file": "x"}, headers=auth.headers("recruiter"))
    assert (as_json.status_code, as_json.get_json()["message"]) == (
        415,
        "Send the file as multipart/form-data (got application/json).",
    )
    missing = client.post(
        "/api/v1/questions/import", data={}, content_type="multipart/form-data", headers=auth.headers("recruiter")
    )
    assert (missing.status_code, missing.get_json()["errors"]) == (
        422,
        {"files": {"file": ["Missing data for required field."]}},
    )
    unknown = _import(client, auth, b"::a::b?{####c}", "a.gift", query="?format=docx")
    assert unknown.status_code == 422 and "format" in unknown.get_json()["errors"]["query"]


def test_the_bank_size_limit_is_its_own(client, auth, app, seed_bank_path):
    data = seed_bank_path.read_bytes()  # about 100 KB: above a 64 KiB limit, far above the JSON body limit's share
    app.config["QUIZSVC_MAX_BANK_BYTES"], default = 64 * 1024, app.config["QUIZSVC_MAX_BANK_BYTES"]
    try:
        too_big = _import(client, auth, data, "seed.yaml")
    finally:
        app.config["QUIZSVC_MAX_BANK_BYTES"] = default
    assert (too_big.status_code, too_big.get_json()["code"]) == (413, 413)
    app.config["MAX_CONTENT_LENGTH"], limit = 1024, app.config["MAX_CONTENT_LENGTH"]
    try:
        assert _import(client, auth, data, "seed.yaml").status_code == 200  # JSON bodies' limit does not apply
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit


def test_export_of_another_organisation_shows_nothing_of_ours(client, auth, seed_bank_path):
    _import(client, auth, seed_bank_path.read_bytes(), "seed.yaml")
    other = client.get("/api/v1/questions/export?format=json", headers=auth.headers("viewer", org="other")).get_json()
    assert (other["name"], other["questions"]) == ("other", [])


def test_reviewed_examples_travel_through_every_export_format(client, auth, seed_bank_path):
    assert _import(client, auth, seed_bank_path.read_bytes(), "seed.yaml").status_code == 200
    question_id = _listed(client, auth)[0]["id"]
    url = f"/api/v1/questions/{question_id}/examples"
    given = [
        {"answer": "BERT 是自回歸模型，一個字一個字往後生成。", "score": 5, "note": "confuses BERT with GPT | not autoregressive"},
        {"answer": "It attends to every token at once.\nIn parallel.", "score": 85, "note": ""},
    ]
    for body in given:
        assert client.post(url, json=body, headers=auth.headers("recruiter")).status_code == 201

    def examples() -> list[tuple]:
        listed = client.get(url, headers=auth.headers("recruiter")).get_json()
        return sorted((e["answer"], e["score"], e["note"]) for e in listed)

    assert examples() == sorted((e["answer"], float(e["score"]), e["note"]) for e in given)
    expected = examples()
    for fmt in EXPORT_FORMATS:
        exported = client.get(f"/api/v1/questions/export?format={fmt}", headers=auth.headers("viewer")).data
        # Gone from the database, then back from the file alone.
        for example in client.get(url, headers=auth.headers("recruiter")).get_json():
            assert client.delete(f"{url}/{example['id']}", headers=auth.headers("recruiter")).status_code == 204
        assert examples() == []
        assert _import(client, auth, exported, MEDIA[fmt][1]).status_code == 200, fmt
        assert examples() == expected, fmt
