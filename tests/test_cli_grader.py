"""quizsvc grader eval | calibrate | use, and quizsvc score."""

import csv
import json

import pytest

from quizsvc.db import db
from quizsvc.scoring.calibration import load_parameters
from quizsvc.services import accounts, grading, questions


@pytest.fixture
def dataset(tmp_path):
    """Four questions, four graded answers each (scores 0-5), written as a CSV."""
    rows = []
    for q in range(4):
        reference = f"第{q}題的參考答案：緩存可以減少重複計算並降低延遲，第{q}種方法"
        for answer, score in [(reference, 5), (reference[:14], 3), ("完全無關的內容", 0), ("", 0)]:
            rows.append(
                {
                    "question_id": f"q{q}",
                    "question": f"問題{q}",
                    "reference_answer": reference,
                    "student_answer": answer,
                    "score": score,
                }
            )
    path = tmp_path / "graded.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _ok(result):
    assert result.exit_code == 0, result.output
    return result.output


def test_eval_prints_the_figures_as_json(runner, dataset):
    report = json.loads(_ok(runner.invoke(args=["grader", "eval", "--data", str(dataset), "--json"])))
    assert (report["n"], report["questions"], report["scale"]) == (16, 4, 5.0)
    assert report["pearson"] > 0.5
    assert {"spearman", "pearson_per_question", "spearman_per_question", "rmse", "flags"} <= set(report)
    assert "roc_auc" not in report  # grades are not 0/1


def test_eval_with_grouped_cross_validation(runner, dataset):
    report = json.loads(
        _ok(runner.invoke(args=["grader", "eval", "--data", str(dataset), "--group-cv", "2", "--json"]))
    )
    assert report["parameters"] == "group-cv 2"
    bad = runner.invoke(args=["grader", "eval", "--data", str(dataset), "--group-cv", "9"])
    assert bad.exit_code == 1 and "--group-cv needs 2 to 4 folds for 4 questions" in bad.output


def test_eval_rejects_a_malformed_dataset(runner, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("question,answer\nq,a\n", encoding="utf-8")
    result = runner.invoke(args=["grader", "eval", "--data", str(path)])
    assert result.exit_code == 1 and "row 1: needs question, reference_answer" in result.output


def test_calibrate_writes_a_loadable_parameter_file(runner, dataset, tmp_path):
    output = tmp_path / "acme.json"
    out = _ok(runner.invoke(args=["grader", "calibrate", "--data", str(dataset), "-o", str(output)]))
    parameters = load_parameters(output)
    assert out.startswith(f"{output}: acme, sha256 {parameters.digest[:12]}, fitted on 16 answers")
    assert parameters.trained_on == (f"{dataset.parent.name}/graded.csv",)
    assert 0.2 <= parameters.cross_lingual.slope <= 5.0 and parameters.cross_lingual.length_ratio > 0
    report = json.loads(
        _ok(runner.invoke(args=["grader", "eval", "--data", str(dataset), "--params", str(output), "--json"]))
    )
    assert report["parameters"] == "acme"


def test_use_sets_and_resets_an_organisations_parameters(runner, app, dataset, tmp_path):
    output = tmp_path / "acme.json"
    _ok(runner.invoke(args=["grader", "calibrate", "--data", str(dataset), "-o", str(output)]))
    _ok(runner.invoke(args=["orgs", "create", "acme"]))
    assert _ok(runner.invoke(args=["grader", "use", str(output), "--org", "acme"])) == f"acme: grading with {output}\n"
    with app.app_context():
        organisation_id = accounts.get_organisation(db.session, name="acme").id
        assert grading.organisation_parameters(db.session, organisation_id=organisation_id).name == "acme"
    _ok(runner.invoke(args=["grader", "use", "--default", "--org", "acme"]))
    with app.app_context():
        assert grading.organisation_parameters(db.session, organisation_id=organisation_id) is None
    assert runner.invoke(args=["grader", "use", "--org", "acme"]).exit_code == 2


def test_use_refuses_a_file_over_signals_this_grader_does_not_compute(runner, app, dataset, tmp_path):
    output = tmp_path / "old.json"
    _ok(runner.invoke(args=["grader", "calibrate", "--data", str(dataset), "-o", str(output)]))
    payload = json.loads(output.read_text(encoding="utf-8"))
    payload["models"]["full"]["features"][0] = "lexical_overlap"  # as from another grader version
    output.write_text(json.dumps(payload), encoding="utf-8")
    _ok(runner.invoke(args=["orgs", "create", "acme"]))
    refused = runner.invoke(args=["grader", "use", str(output), "--org", "acme"])
    assert refused.exit_code != 0
    assert "uses signals this grader does not compute: lexical_overlap" in refused.output
    with app.app_context():
        organisation_id = accounts.get_organisation(db.session, name="acme").id
        assert grading.organisation_parameters(db.session, organisation_id=organisation_id) is None


def test_score_against_a_stored_question(runner, app, seed_bank_path):
    _ok(runner.invoke(args=["bank", "import", str(seed_bank_path)]))
    with app.app_context():
        organisation_id = accounts.get_organisation(db.session, name="default").id
        first = questions.get_by_slug(db.session, organisation_id=organisation_id, slug="llm-vs-traditional-lm").id
    answer = "大型語言模型是參數量很大的深度學習模型"
    result = json.loads(_ok(runner.invoke(args=["score", "--question-id", str(first), answer])))
    assert (result["question_id"], result["version"]) == (first, 1)
    assert 0 <= result["score"] <= 100 and result["model_id"] == "fake-bigram-256"


def test_score_against_an_ad_hoc_reference(runner):
    out = _ok(
        runner.invoke(
            args=[
                "score",
                "--reference",
                "Caching avoids recomputation.",
                "--keyword",
                "cache=caching,cached",
                "We cache results to avoid recomputation.",
            ]
        )
    )
    result = json.loads(out)
    assert result["keywords_matched"] == ["cache"]


def test_score_needs_exactly_one_source(runner):
    assert runner.invoke(args=["score", "x"]).exit_code == 2
    assert runner.invoke(args=["score", "--question-id", "1", "--reference", "r", "x"]).exit_code == 2
