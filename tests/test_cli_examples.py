"""``quizsvc examples ...`` and reviewed examples in bank files."""

import yaml


def _ok(result):
    assert result.exit_code == 0, result.output
    return result.output


def _examples(client, auth, question_id, org="default"):
    response = client.get(f"/api/v1/questions/{question_id}/examples", headers=auth.headers("recruiter", org))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _question_ids(client, auth, org="default"):
    listing = client.get("/api/v1/questions?page_size=100", headers=auth.headers("viewer", org)).get_json()
    return {q["slug"]: q["id"] for q in listing}


def test_examples_import_reads_the_eval_layout_and_matches_by_slug_or_prompt(runner, client, auth, seed_bank_path, tmp_path):
    _ok(runner.invoke(args=["bank", "import", str(seed_bank_path)]))
    ids = _question_ids(client, auth)
    data = tmp_path / "graded.csv"
    data.write_text(
        "question_id,question,reference_answer,student_answer,score,note\n"
        "bert-vs-gpt,whatever,ref,BERT 是自回歸模型,0,confuses BERT with GPT\n"
        ",什麼是位置編碼（Positional Encoding），為什麼在 Transformer 模型中需要它？,ref,不需要位置編碼,1,\n"
        "nothing-like-it,Unknown question?,ref,some answer,2,\n",
        encoding="utf-8",
    )
    out = _ok(runner.invoke(args=["examples", "import", "--data", str(data)]))
    assert out.endswith("2 examples added, 1 rows matched no question\n")
    [bert] = _examples(client, auth, ids["bert-vs-gpt"])
    assert (bert["answer"], bert["score"], bert["note"], bert["source"]) == ("BERT 是自回歸模型", 0.0, "confuses BERT with GPT", "import")
    [position] = _examples(client, auth, ids["positional-encoding"])
    assert position["score"] == 50.0  # 1 of the file's highest score, 2


def test_bank_files_carry_examples_both_ways(runner, client, auth, seed_bank_path, tmp_path):
    document = yaml.safe_load(seed_bank_path.read_text(encoding="utf-8"))
    document["questions"][0]["examples"] = [{"answer": "LLM 就是更大的 N-gram 模型", "score": 5, "note": "not an n-gram"}]
    bank = tmp_path / "bank.yaml"
    bank.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    _ok(runner.invoke(args=["bank", "import", str(bank)]))
    _ok(runner.invoke(args=["bank", "import", str(bank)]))  # again: not added twice
    slug = document["questions"][0]["slug"]
    [example] = _examples(client, auth, _question_ids(client, auth)[slug])
    assert example["source"] == "bank" and example["active"] is True
    exported = yaml.safe_load(_ok(runner.invoke(args=["bank", "export"])))
    first = next(q for q in exported["questions"] if q["slug"] == slug)
    assert first["examples"] == [{"answer": "LLM 就是更大的 N-gram 模型", "score": 5.0, "note": "not an n-gram"}]
    assert all("examples" not in q for q in exported["questions"] if q["slug"] != slug)
    # The file's examples replace the earlier bank ones; others (here one from the API) stay.
    question_id = _question_ids(client, auth)[slug]
    posted = client.post(
        f"/api/v1/questions/{question_id}/examples",
        json={"answer": "LLM 和 N-gram 完全一樣", "score": 0},
        headers=auth.headers("recruiter", "default"),
    )
    assert posted.status_code == 201
    document["questions"][0].pop("examples")
    bank.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    _ok(runner.invoke(args=["bank", "import", str(bank)]))
    assert [(e["source"], e["active"]) for e in _examples(client, auth, question_id)] == [("api", True)]
    # A version with other key points grades without the older examples: they stay, inactive.
    document["questions"][0]["key_points"] = [{"text": "LLM 參數極多", "weight": 1.0}]
    bank.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    _ok(runner.invoke(args=["bank", "import", str(bank)]))
    assert [(e["source"], e["active"]) for e in _examples(client, auth, question_id)] == [("api", False)]


def test_from_overrides_setting(runner, app):
    from quizsvc.db import db
    from quizsvc.services import accounts

    _ok(runner.invoke(args=["orgs", "create", "acme"]))
    assert "no longer become" in _ok(runner.invoke(args=["examples", "from-overrides", "off", "--org", "acme"]))
    with app.app_context():
        assert accounts.get_organisation(db.session, name="acme").examples_from_overrides is False
    _ok(runner.invoke(args=["examples", "from-overrides", "on", "--org", "acme"]))
    with app.app_context():
        assert accounts.get_organisation(db.session, name="acme").examples_from_overrides is True
