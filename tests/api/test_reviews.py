"""Reviews: an override sits beside the machine grade; a regrade adds to the history."""

import pytest


@pytest.fixture
def graded(flow):
    quiz = flow.quiz()
    return flow.graded(quiz["id"], ["自注意力讓每個詞關注所有詞", "不知道", ""])


def _override(flow, attempt_id, position, expect=201, **body):
    response = flow.client.post(
        f"/api/v1/attempts/{attempt_id}/responses/{position}/overrides", json=body, headers=flow.staff()
    )
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def test_override_is_kept_beside_the_machine_grade(flow, graded):
    machine = graded["responses"][1]["machine_score"]
    reviewed = _override(flow, graded["id"], 2, score=70, reason="Partly right: names the mechanism")
    assert reviewed["machine_score"] == machine and reviewed["score"] == 70
    override = reviewed["override"]
    assert override["score"] == 70 and override["reason"] == "Partly right: names the mechanism"
    assert override["reviewer"] == "recruiter" and override["key_id"] is not None
    assert override["grade_id"] == reviewed["grade"]["id"] and override["created_at"]
    detail = flow.attempt(graded["id"])
    scores = [r["score"] for r in detail["responses"]]
    assert scores[1] == 70
    assert detail["score"] == round(sum(scores) / 3, 1)
    # A second review adds to the history; the newest counts.
    again = _override(flow, graded["id"], 2, score=60, reason="On second reading")
    assert [o["score"] for o in again["overrides"]] == [70, 60] and again["score"] == 60


def test_override_survives_a_regrade(flow, graded):
    _override(flow, graded["id"], 1, score=90, reason="Reviewer agrees with more")
    response = flow.client.post(
        f"/api/v1/attempts/{graded['id']}/regrade", json={"force": True}, headers=flow.staff("admin")
    )
    assert response.status_code == 200
    first = response.get_json()["responses"][0]
    assert [g["trigger"] for g in first["grades"]] == ["submission", "regrade"]
    assert first["score"] == 90 and first["override"]["score"] == 90


def test_regrade_skips_what_this_grader_already_graded(flow, graded):
    response = flow.client.post(f"/api/v1/attempts/{graded['id']}/regrade", json={}, headers=flow.staff("admin"))
    assert [len(r["grades"]) for r in response.get_json()["responses"]] == [1, 1, 1]


def test_regrade_cli_uses_the_current_grader_and_keeps_history(flow, graded, app, runner, tmp_path):
    from quizsvc.scoring.calibration import DEFAULT_PARAMS

    # A new parameter file for the organisation: a new grader, whose grades are added.
    params = tmp_path / "params.json"
    params.write_text(DEFAULT_PARAMS.read_text().replace('"name": "', '"name": "org-', 1))
    assert runner.invoke(args=["grader", "use", str(params), "--org", "acme"]).exit_code == 0
    result = runner.invoke(args=["regrade", "--quiz", str(graded["quiz_id"]), "--org", "acme"])
    assert result.exit_code == 0, result.output
    assert "3 new grades for 1 of 1 graded attempts" in result.output
    responses = flow.attempt(graded["id"])["responses"]
    for response in responses:
        digests = [g["params_digest"] for g in response["grades"]]
        assert len(digests) == 2 and digests[0] != digests[1]
    # Run again: nothing new, this grader already graded everything.
    again = runner.invoke(args=["regrade", "--all"])
    assert "0 new grades for 0 of 1 graded attempts" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Give exactly one of --attempt, --quiz or --all."),
        (["--all", "--quiz", "1"], "Give exactly one of --attempt, --quiz or --all."),
        (["--attempt", "999", "--org", "acme"], "No graded attempt 999 in this organisation."),
    ],
)
def test_regrade_cli_errors(runner, flow, args, message):
    result = runner.invoke(args=["regrade", *args])
    assert result.exit_code != 0 and message in result.output


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"score": 101, "reason": "x"},
            {"score": ["Must be greater than or equal to 0 and less than or equal to 100."]},
        ),
        ({"score": 50}, {"reason": ["Missing data for required field."]}),
        ({"score": 50, "reason": ""}, {"reason": ["Length must be between 1 and 2000."]}),
        ({"score": 50, "reason": "x" * 2001}, {"reason": ["Length must be between 1 and 2000."]}),
    ],
)
def test_override_validation(flow, graded, body, errors):
    response = _override(flow, graded["id"], 1, expect=422, **body)
    assert response["errors"] == {"json": errors}


def test_override_of_a_missing_question_is_a_404(flow, graded):
    response = _override(flow, graded["id"], 9, expect=404, score=5, reason="x")
    assert response["message"] == "The attempt has no question 9; it has 3."
