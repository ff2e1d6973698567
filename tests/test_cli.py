"""The quizsvc command: keys, banks, one-step init."""

import pytest
import yaml

from quizsvc.bank.bank_file import parse_bank, read_bank
from quizsvc.db import db
from quizsvc.services import accounts, questions


def _ok(result):
    assert result.exit_code == 0, result.output
    return result.output


def _org_id(app, name="default"):
    with app.app_context():
        return accounts.get_organisation(db.session, name=name).id


def test_keys_create_prints_the_key_once(runner, client):
    key = _ok(runner.invoke(args=["keys", "create", "--org", "acme", "--role", "recruiter"])).strip()
    assert key.startswith("qzk_")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).get_json()
    assert (me["organisation"], me["role"]) == ("acme", "recruiter")
    listing = _ok(runner.invoke(args=["keys", "list", "--org", "acme"]))
    assert key not in listing and key[:12] in listing and "recruiter" in listing


def test_keys_create_rejects_unknown_role(runner):
    result = runner.invoke(args=["keys", "create", "--org", "acme", "--role", "owner"])
    assert result.exit_code == 2
    assert "'owner' is not one of 'viewer', 'recruiter', 'admin'" in result.output


def test_keys_revoke(runner, client):
    key = _ok(runner.invoke(args=["keys", "create", "--org", "acme", "--role", "admin"])).strip()
    key_id = client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).get_json()["key_id"]
    assert _ok(runner.invoke(args=["keys", "revoke", str(key_id), "--org", "acme"])) == f"key {key_id} revoked\n"
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    missing = runner.invoke(args=["keys", "revoke", "999999", "--org", "acme"])
    assert (missing.exit_code, missing.output) == (1, "Error: API key 999999 not found.\n")


def test_unknown_organisation_is_a_clean_error(runner):
    result = runner.invoke(args=["keys", "list", "--org", "nobody"])
    assert result.exit_code == 1
    assert "No organisation named 'nobody'" in result.output


def test_bank_import_is_idempotent(runner, client, auth, seed_bank_path):
    first = _ok(runner.invoke(args=["bank", "import", str(seed_bank_path)]))
    assert first.endswith(": 20 created, 0 updated, 0 unchanged\n")
    again = _ok(runner.invoke(args=["bank", "import", str(seed_bank_path)]))
    assert again.endswith(": 0 created, 0 updated, 20 unchanged\n")

    listed = client.get("/api/v1/questions", headers=auth.headers(org="default"))
    body = listed.get_json()
    _, expected = read_bank(seed_bank_path)
    assert [q["slug"] for q in body] == [q["slug"] for q in expected]
    assert [q["prompt"] for q in body] == [q["prompt"] for q in expected]
    assert body[0]["prompt"] == "什麼是大型語言模型（LLM）？它們與傳統語言模型有什麼區別？"
    assert all(q["version"] == 1 for q in body)


def test_changed_reference_makes_a_new_version(runner, app, seed_bank_path, tmp_path):
    _ok(runner.invoke(args=["bank", "import", str(seed_bank_path)]))
    document = yaml.safe_load(seed_bank_path.read_text(encoding="utf-8"))
    document["questions"][3]["references"][0] += "\n- 補充：注意力權重可視化有助於解釋模型。"
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    assert _ok(runner.invoke(args=["bank", "import", str(changed)])).endswith(": 0 created, 1 updated, 19 unchanged\n")
    with app.app_context():
        slug = document["questions"][3]["slug"]
        question = questions.get_by_slug(db.session, organisation_id=_org_id(app), slug=slug)
        assert question.latest_version == 2
        old = questions.get(db.session, organisation_id=_org_id(app), question_id=question.id, version=1)
        assert "補充" not in old.references[0].text


def test_bad_bank_file_imports_nothing(runner, app, seed_bank_path, tmp_path):
    document = yaml.safe_load(seed_bank_path.read_text(encoding="utf-8"))
    del document["questions"][7]["category"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(bad), "--org", "fresh"])
    slug = document["questions"][7]["slug"]
    assert result.exit_code == 1
    assert result.output == f"Error: {bad}: question 8 ({slug}): field 'category': Missing data for required field.\n"
    with app.app_context():
        assert accounts.get_organisation(db.session, name="fresh") is None


def test_import_is_one_transaction(runner, app, seed_bank_path, monkeypatch):
    real = questions.add_many

    def failing_add_many(session, **kwargs):
        real(session, **kwargs)  # the rows are written, then the import fails
        raise questions.Conflict("simulated failure in the middle of an import")

    monkeypatch.setattr(questions, "add_many", failing_add_many)
    result = runner.invoke(args=["bank", "import", str(seed_bank_path)])
    assert (result.exit_code, result.output.splitlines()[-1]) == (
        1,
        "Error: simulated failure in the middle of an import",
    )
    with app.app_context():
        organisation = accounts.get_organisation(db.session, name="default")
        assert organisation is None or questions.get_all(db.session, organisation_id=organisation.id)[1] == 0


def test_export_round_trips(runner, seed_bank_path, tmp_path):
    _ok(runner.invoke(args=["bank", "import", str(seed_bank_path)]))
    out = tmp_path / "out.yaml"
    _ok(runner.invoke(args=["bank", "export", "-o", str(out)]))
    assert parse_bank(out.read_text(encoding="utf-8"))[1] == read_bank(seed_bank_path)[1]
    stdout = _ok(runner.invoke(args=["bank", "export"]))
    assert stdout == out.read_text(encoding="utf-8")


def test_init_migrates_seeds_and_prints_the_same_key(runner, client, app):
    first = _ok(runner.invoke(args=["init"]))
    [key] = [line for line in first.splitlines() if line.startswith("qzk_")]
    second = _ok(runner.invoke(args=["init"]))
    assert key in second.splitlines()
    assert "not imported: organisation 'default' already has questions" in second
    response = client.get("/api/v1/questions?page_size=100", headers={"Authorization": f"Bearer {key}"})
    assert len(response.get_json()) == 20


def test_bootstrap_key_from_settings(runner, client, app):
    configured = "qzk_" + "x" * 40
    app.config["QUIZSVC_BOOTSTRAP_KEY"] = configured
    try:
        assert _ok(runner.invoke(args=["keys", "bootstrap"])).splitlines()[0] == configured
        assert _ok(runner.invoke(args=["keys", "bootstrap"])).splitlines()[0] == configured
    finally:
        app.config["QUIZSVC_BOOTSTRAP_KEY"] = None
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {configured}"}).get_json()
    assert (me["organisation"], me["role"]) == ("default", "admin")


def test_a_second_init_keeps_a_recruiters_edit_and_a_retired_seed_question(runner, client, app):
    key = [line for line in _ok(runner.invoke(args=["init"])).splitlines() if line.startswith("qzk_")][0]
    staff = {"Authorization": f"Bearer {key}"}
    edited, retired = client.get("/api/v1/questions?page_size=2", headers=staff).get_json()
    content = {k: v for k, v in edited.items() if k in ("prompt", "category", "difficulty", "language", "tags")}
    content.update({k: edited[k] for k in ("references", "key_points", "keywords", "misconceptions")})
    content["references"] = ["A recruiter's own reference answer."]
    assert client.put(f"/api/v1/questions/{edited['id']}", json=content, headers=staff).status_code == 200
    assert client.delete(f"/api/v1/questions/{retired['id']}", headers=staff).status_code == 204
    assert "not imported" in _ok(runner.invoke(args=["init"]))
    now = client.get(f"/api/v1/questions/{edited['id']}", headers=staff).get_json()
    assert (now["version"], now["references"]) == (2, ["A recruiter's own reference answer."])
    listed = client.get("/api/v1/questions?page_size=100", headers=staff).get_json()
    assert retired["id"] not in [q["id"] for q in listed] and len(listed) == 19


def test_bank_seed_fills_only_an_empty_organisation(runner, seed_bank_path):
    assert _ok(runner.invoke(args=["bank", "seed", "--org", "fresh"])).endswith(": 20 created\n")
    assert "not imported: organisation 'fresh' already has questions" in _ok(
        runner.invoke(args=["bank", "seed", "--org", "fresh"])
    )


def test_production_init_never_prints_a_key(runner, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "QUIZSVC_ENV", "production")
    result = runner.invoke(args=["init", "--no-seed"])
    assert result.exit_code == 0 and "qzk_" not in result.output
    assert "set QUIZSVC_BOOTSTRAP_KEY, or run 'quizsvc keys create --org default --role admin' once" in result.output
    configured = "qzk_" + "p" * 40
    monkeypatch.setitem(app.config, "QUIZSVC_BOOTSTRAP_KEY", configured)
    result = runner.invoke(args=["init", "--no-seed"])
    assert result.exit_code == 0 and configured not in result.output
    assert "admin key of 'default' from QUIZSVC_BOOTSTRAP_KEY is ready" in result.output
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {configured}"}).get_json()["role"] == "admin"


@pytest.mark.parametrize("args", [["bank", "import", "/nonexistent.yaml"]])
def test_missing_file(runner, args):
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert result.output.startswith("Error: /nonexistent.yaml: cannot read")


def test_bank_from_markdown_writes_an_importable_bank(runner, tmp_path):
    source = tmp_path / "mini.md"
    source.write_text(
        "## 1. 什麼是自注意力機制（Self-Attention）？\n\n"
        "- **自注意力機制**讓每個詞關注序列中的所有詞。\n"
        "- 使用查詢（Query）和鍵（Key）計算權重。\n",
        encoding="utf-8",
    )
    out = tmp_path / "mini.yaml"
    result = runner.invoke(args=["bank", "from-markdown", str(source), "-o", str(out)])
    assert (result.exit_code, result.output) == (0, f"1 question written to {out}\n")
    name, [item] = parse_bank(out.read_text(encoding="utf-8"))
    assert (name, item["prompt"]) == ("mini", "什麼是自注意力機制（Self-Attention）？")
    assert {"自注意力机制", "Self-Attention"} <= set(item["keywords"][0]["aliases"])


def test_bank_import_reads_every_format_guessed_or_named(runner, tmp_path, seed_bank_path):
    _ok(runner.invoke(args=["bank", "import", str(seed_bank_path)]))
    for fmt, name in (("gift", "bank.gift.txt"), ("moodle", "bank.xml"), ("qti", "bank.zip"), ("json", "bank.json")):
        out = tmp_path / name
        written = _ok(runner.invoke(args=["bank", "export", "-o", str(out)]))  # format from the extension
        assert written == f"20 questions written to {out} ({fmt})\n"
        assert out.read_bytes() == _ok_bytes(runner, ["bank", "export", "--format", fmt])
        again = _ok(runner.invoke(args=["bank", "import", str(out)]))
        assert again.endswith(f"{out}: 0 created, 0 updated, 20 unchanged\n"), fmt
        renamed = tmp_path / f"upload-{fmt}"
        renamed.write_bytes(out.read_bytes())
        named = _ok(runner.invoke(args=["bank", "import", str(renamed), "--format", fmt]))
        assert named.endswith(": 0 created, 0 updated, 20 unchanged\n")


def _ok_bytes(runner, args) -> bytes:
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def test_bank_import_reports_skipped_questions_and_errors_without_traceback(runner, app, tmp_path):
    gift = tmp_path / "quiz.gift"
    gift.write_text("::a::Which?{=yes ~no}\n\n::b::Why?{####Because.}\n", encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(gift), "--org", "gifted"])
    assert result.exit_code == 0, result.output
    assert (
        result.stderr == f"{gift}: skipped line 1: multiple choice (quizsvc keeps essay and short-answer questions)\n"
    )
    assert result.stdout.endswith(f"{gift}: 1 created, 0 updated, 0 unchanged\n")
    bad = tmp_path / "bad.xml"
    bad.write_text("<quiz><question type='essay'><name><text>q</text></name></question></quiz>", encoding="utf-8")
    failed = runner.invoke(args=["bank", "import", str(bad), "--org", "fresh"])
    assert (failed.exit_code, failed.output) == (
        1,
        f"Error: {bad}: question 1 (q), <question type=\"essay\"> at line 1: field 'prompt' (<questiontext>): "
        "Length must be between 1 and 2000.\n",
    )
    with app.app_context():
        assert accounts.get_organisation(db.session, name="fresh") is None


def test_a_bank_with_unstorable_text_is_a_clean_error(runner, app, question_in, tmp_path):
    import json

    bad = tmp_path / "bank.json"
    body = {"format": "quizsvc-bank/1", "name": "b", "questions": [{**question_in, "prompt": "a\x00b"}]}
    bad.write_text(json.dumps(body), encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(bad), "--org", "fresh"])
    assert result.exit_code == 1 and result.exception.__class__ is SystemExit
    assert result.output == (
        f"Error: {bad}: question 1 (self-attention): field 'prompt': "
        "Must not contain NUL or unpaired surrogate characters.\n"
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["orgs", "create", "x" * 101], "Invalid value for 'NAME': must be at most 100 characters"),
        # A byte that is not UTF-8 reaches Python as a lone surrogate (surrogateescape).
        (["orgs", "create", "acme\udcff"], "Invalid value for 'NAME': must be UTF-8 text without NUL characters"),
        (["keys", "create", "--org", "a", "--role", "viewer", "--name", "n" * 101], "must be at most 100 characters"),
        (
            ["keys", "revoke", str(2**31)],
            "Invalid value for 'KEY_ID': 2147483648 is not in the range 1<=x<=2147483647.",
        ),
        (["regrade", "--attempt", str(2**40)], "is not in the range 1<=x<=2147483647"),
        (["score", "--question-id", "1", "--org", "\udcff", "a"], "Invalid value for '--org'"),
    ],
)
def test_command_line_text_and_ids_are_checked_before_the_database(runner, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert message in result.output


def test_a_pasted_answer_is_graded_cleaned_from_the_shell(runner):
    result = runner.invoke(args=["score", "--reference", "pasted text", "pasted\x00text\ud800"])
    assert result.exit_code == 0, result.output
    assert '"score"' in result.output
