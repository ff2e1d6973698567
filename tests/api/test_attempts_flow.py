"""The whole flow through the API: quiz, invitation, candidate answers, submission, grades."""

import pytest

from tests.interview import Interview, load_bank


@pytest.fixture
def flow(app, client, auth):
    load_bank(app)
    return Interview(client, auth)


def test_a_candidate_takes_a_quiz_and_it_is_graded(flow, client):
    quiz = flow.quiz(time_limit_minutes=30, pass_mark=50)
    invited = flow.invite(quiz["id"])
    assert invited["status"] == "invited"
    assert invited["token"].startswith("qza_")
    assert invited["link"] == f"http://localhost/take?token={invited['token']}"
    # A signed link: a browser opens the report without any header.
    assert invited["report_url"].startswith("http://localhost/api/v1/reports/")
    report = client.get(invited["report_url"].removeprefix("http://localhost"))
    assert report.status_code == 200 and report.mimetype == "text/html"
    pdf = client.get(invited["report_url"].removeprefix("http://localhost") + "?format=pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    assert [q["question_id"] for q in invited["questions"]] == quiz["question_ids"]

    # The candidate API takes the token in the query too, as the link carries it.
    seen = client.get(f"/api/v1/candidate/attempt?token={invited['token']}")
    assert seen.status_code == 200
    assert seen.get_json()["status"] == "invited"
    assert seen.get_json()["questions"] == []  # nothing is revealed before the start
    assert seen.get_json()["question_count"] == 3

    token = invited["token"]
    started = flow.start(token)
    assert started["status"] == "started"
    assert 29 * 60 < started["seconds_left"] <= 30 * 60
    assert [q["position"] for q in started["questions"]] == [1, 2, 3]
    assert "references" not in started["questions"][0] and "key_points" not in started["questions"][0]

    reference = flow.client.get(
        f"/api/v1/questions/{quiz['question_ids'][0]}", headers=flow.staff("viewer")
    ).get_json()["references"][0]
    saved = flow.answer(token, 1, "first draft", time_spent_seconds=30)
    assert (saved["answer"], saved["saves"], saved["time_spent_seconds"]) == ("first draft", 1, 30)
    saved = flow.answer(token, 1, reference, time_spent_seconds=95)
    assert (saved["answer"], saved["saves"], saved["time_spent_seconds"]) == (reference, 2, 95)
    assert saved["result"] is None  # hiring quiz: no score for the candidate
    flow.answer(token, 2, "不知道")

    submitted = flow.submit(token)
    assert submitted["status"] == "graded"
    assert submitted["score"] is None and submitted["passed"] is None  # hiring: the candidate sees no score
    assert all(q["result"] is None for q in submitted["questions"])

    detail = flow.attempt(invited["id"])
    assert detail["status"] == "graded"
    responses = detail["responses"]
    assert [r["answer"] for r in responses] == [reference, "不知道", ""]  # the unanswered one is graded too
    first, second, third = responses
    assert first["machine_score"] >= 85 and first["score"] == first["machine_score"]
    assert third["machine_score"] == 0 and third["grade"]["flags"] == ["empty"]
    for response in responses:
        assert len(response["grades"]) == 1
        grade = response["grade"]
        assert grade["trigger"] == "submission"
        assert grade["model_id"] == "fake-bigram-256" and len(grade["params_digest"]) == 64
        assert grade["grader_version"]
    expected = round(sum(r["score"] for r in responses) / 3, 1)
    assert detail["score"] == expected
    assert detail["passed"] is (expected >= 50)


def test_one_answer_pasted_under_several_questions_is_flagged_in_the_grades(flow):
    quiz = flow.quiz()
    invited = flow.invite(quiz["id"])
    token = invited["token"]
    flow.start(token)
    essay = (
        "Transformer 用自注意力讓每個詞關注所有其他詞，可以並行訓練；BERT 是雙向編碼器，"
        "GPT 是自回歸解碼器；預訓練學通用知識，微調再適應具體任務。"
    )
    flow.answer(token, 1, essay)
    flow.answer(token, 2, essay + "以上就是我的回答。")
    flow.answer(token, 3, "位置編碼給每個位置一個向量，讓模型知道詞的順序。")
    flow.submit(token)
    first, second, third = (r["grade"] for r in flow.attempt(invited["id"])["responses"])
    assert "repeated_answer" in first["flags"] and "repeated_answer" in second["flags"]
    assert first["score"] <= 50 and second["score"] <= 50
    assert "repeated_answer" not in third["flags"]


def test_mock_quiz_shows_feedback_after_each_answer(flow):
    quiz = flow.quiz(feedback_policy="mock", feedback_timing="after_answer")
    invited = flow.invite(quiz["id"])
    token = invited["token"]
    flow.start(token)
    saved = flow.answer(token, 1, "Transformer 是一種基於自注意力機制的模型")
    assert 0 <= saved["result"]["score"] <= 100
    assert saved["result"]["feedback"]
    submitted = flow.submit(token)
    assert submitted["score"] is not None
    assert all(q["result"] is not None for q in submitted["questions"])
    # The practice grade is not stored: only submission stores grades.
    responses = flow.attempt(invited["id"])["responses"]
    assert [len(r["grades"]) for r in responses] == [1, 1, 1]


def test_mock_quiz_at_end_shows_feedback_only_after_submission(flow):
    quiz = flow.quiz(feedback_policy="mock")
    token = flow.invite(quiz["id"])["token"]
    flow.start(token)
    assert flow.answer(token, 1, "some answer")["result"] is None
    submitted = flow.submit(token)
    assert isinstance(submitted["score"], float)
    assert submitted["questions"][0]["result"]["key_points"]


def test_rule_quiz_draws_per_attempt_with_a_recorded_seed(flow, app):
    from quizsvc.db import db
    from quizsvc.models import Quiz
    from quizsvc.services import quizzes

    quiz = flow.quiz(rule={"count": 3})
    assert quiz["selection"] == "rule" and quiz["question_ids"] is None
    drawn = {}
    for n in range(6):
        invited = flow.invite(quiz["id"], external_id=f"cand-{n}")
        drawn[invited["seed"]] = [q["question_id"] for q in invited["questions"]]
    assert len({tuple(ids) for ids in drawn.values()}) > 1  # different candidates, different draws
    # Replay: the recorded seed draws the same questions again.
    with app.app_context():
        stored = db.session.get(Quiz, quiz["id"])
        for seed, ids in drawn.items():
            assert [v.question_id for v in quizzes.draw(db.session, quiz=stored, seed=seed)] == ids


def test_rule_quiz_filters_by_category_and_difficulty(flow):
    questions = flow.client.get("/api/v1/questions?page_size=100", headers=flow.staff("viewer")).get_json()
    category = questions[0]["category"]
    matching = [q["id"] for q in questions if q["category"] == category]
    quiz = flow.quiz(rule={"categories": [category], "count": len(matching)})
    invited = flow.invite(quiz["id"])
    assert sorted(q["question_id"] for q in invited["questions"]) == sorted(matching)
    error = flow.quiz(rule={"categories": [category], "count": len(matching) + 1}, expect=422)
    assert error["errors"]["rule"]["count"] == [f"At most {len(matching)} with these filters."]
    easy = [q["id"] for q in questions if q["difficulty"] == "easy"]
    assert 0 < len(easy) < len(questions)
    quiz = flow.quiz(rule={"difficulties": ["easy"], "count": len(easy)})
    assert sorted(q["question_id"] for q in flow.invite(quiz["id"], external_id="easy")["questions"]) == sorted(easy)


def test_candidate_is_upserted_by_external_id(flow):
    quiz = flow.quiz()
    first = flow.invite(quiz["id"], external_id="ext-9")
    second = flow.client.post(
        "/api/v1/attempts",
        json={
            "quiz_id": quiz["id"],
            "candidate": {"external_id": "ext-9", "display_name": "Wang", "email": "wang@example.com"},
        },
        headers=flow.staff(),
    ).get_json()
    assert first["candidate"]["id"] == second["candidate"]["id"]
    assert second["candidate"]["display_name"] == "Wang" and second["candidate"]["email"] == "wang@example.com"
    found = flow.client.get("/api/v1/candidates?external_id=ext-9", headers=flow.staff("viewer")).get_json()
    assert [c["id"] for c in found] == [first["candidate"]["id"]]


def test_attempts_list_filters(flow):
    quiz = flow.quiz()
    a = flow.invite(quiz["id"], external_id="a")
    b = flow.invite(quiz["id"], external_id="b")
    flow.start(b["token"])
    listed = flow.client.get(f"/api/v1/attempts?quiz_id={quiz['id']}", headers=flow.staff("viewer"))
    assert [x["id"] for x in listed.get_json()] == [a["id"], b["id"]]
    assert "token" not in listed.get_json()[0]
    started = flow.client.get("/api/v1/attempts?status=started", headers=flow.staff("viewer")).get_json()
    assert [x["id"] for x in started] == [b["id"]]
    by_candidate = flow.client.get(
        f"/api/v1/attempts?candidate_id={a['candidate']['id']}", headers=flow.staff("viewer")
    ).get_json()
    assert [x["id"] for x in by_candidate] == [a["id"]]


def test_archived_quiz_takes_no_new_attempts(flow):
    quiz = flow.quiz()
    invited = flow.invite(quiz["id"])
    assert flow.client.delete(f"/api/v1/quizzes/{quiz['id']}", headers=flow.staff()).status_code == 204
    error = flow.invite(quiz["id"], expect=409)
    assert error["message"] == f"Quiz {quiz['id']} is archived; it takes no new attempts."
    flow.start(invited["token"])  # attempts already made go on
    listed = flow.client.get("/api/v1/quizzes", headers=flow.staff("viewer")).get_json()
    assert quiz["id"] not in [q["id"] for q in listed]


def test_retired_question_leaves_fixed_quiz_draws(flow):
    quiz = flow.quiz()
    retired = quiz["question_ids"][1]
    assert flow.client.delete(f"/api/v1/questions/{retired}", headers=flow.staff()).status_code == 204
    invited = flow.invite(quiz["id"])
    assert [q["question_id"] for q in invited["questions"]] == [quiz["question_ids"][0], quiz["question_ids"][2]]


def test_attempt_keeps_the_version_it_drew(flow):
    quiz = flow.quiz()
    invited = flow.invite(quiz["id"])
    question_id = quiz["question_ids"][0]
    current = flow.client.get(f"/api/v1/questions/{question_id}", headers=flow.staff("viewer")).get_json()
    content = {k: current[k] for k in ("category", "difficulty", "language", "tags", "references")}
    content["prompt"] = current["prompt"] + "（修訂）"
    assert flow.client.put(f"/api/v1/questions/{question_id}", json=content, headers=flow.staff()).status_code == 200
    token = invited["token"]
    assert flow.start(token)["questions"][0]["prompt"] == current["prompt"]
    newer = flow.invite(quiz["id"], external_id="later")
    assert newer["questions"][0]["version"] == 2
