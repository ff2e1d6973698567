"""Examples for the OpenAPI document: one request and one response per operation.

Shown by /docs and by generated clients; tests/api/test_contract.py checks every one
against its schema, so they stay true as the schemas change. Ids are those of a fresh
install with the seed bank (`make run`).
"""

from quizsvc.scoring.grader import GRADER_VERSION

NOW = "2026-11-30T09:00:00+00:00"
PROMPT = "什麼是自注意力機制（Self-Attention）？"
REFERENCE = "自注意力機制讓序列中每個詞關注所有其他詞，以查詢、鍵、值計算注意力權重。"
ANSWER = "Self-attention lets every token attend to all other tokens, weighting them by query-key similarity."

QUESTION_IN = {
    "prompt": PROMPT,
    "category": "基本概念與理論",
    "difficulty": "medium",
    "language": "zh-Hant",
    "tags": ["transformer", "attention"],
    "references": [REFERENCE],
    "key_points": [{"text": "每個詞關注序列中所有其他詞", "weight": 2.0}],
    "keywords": [{"term": "自注意力機制", "aliases": ["self-attention"], "weight": 2.0, "required": True}],
    "misconceptions": [{"text": "自注意力按順序逐個處理詞，像 RNN 一樣", "aliases": []}],
}
NEW_QUESTION = {"slug": "self-attention", **QUESTION_IN}
QUESTION = {
    "id": 21,
    "slug": "self-attention",
    "version": 1,
    "latest_version": 1,
    **QUESTION_IN,
    "created_at": NOW,
    "version_created_at": NOW,
    "retired_at": None,
}
VERSIONS = [
    {
        "version": 1,
        "created_at": NOW,
        "content_hash": "927225c018088e6c73c4565431b079113e690f7ca943428112be6c82a8e94003",
    }
]

GRADE = {
    "score": 72,
    "band": "adequate",
    "confidence": 0.75,
    "key_points": [{"text": "每個詞關注序列中所有其他詞", "weight": 2.0, "similarity": 0.81, "status": "covered"}],
    "keywords_matched": ["自注意力機制"],
    "keywords_missing": [],
    "misconceptions": [],
    "flags": [],
    "feedback": ["Covered: 每個詞關注序列中所有其他詞"],
    "breakdown": {"signals": {"cosine": 0.71, "recall": 0.81}},
    "grader_version": GRADER_VERSION,
    "model_id": "usem3",
    "params_digest": "eff75b0b585bfe33109f959fd3dae2c9c4e365329ee24d75a61a449891ce0346",
}
SCORE_IN = {"question_id": 4, "answer": ANSWER}
SCORE = {"question_id": 4, "version": 1, **GRADE}
GRADER = {
    "grader_version": GRADER_VERSION,
    "model_id": "usem3",
    "parameters": {"name": "default", "digest": GRADE["params_digest"], "trained_on": ["ads_zh/train.csv"]},
    "bands": [{"name": "strong", "from_score": 80}, {"name": "adequate", "from_score": 60}],
    "flags": [{"name": "empty", "cap": 0, "review": False, "meaning": "No answer: graded 0."}],
}

QUIZ_IN = {
    "name": "LLM screening",
    "question_ids": [1, 2, 3],
    "time_limit_minutes": 30,
    "pass_mark": 60,
    "feedback_policy": "hiring",
}
QUIZ = {
    "id": 1,
    "name": "LLM screening",
    "description": "",
    "selection": "fixed",
    "question_ids": [1, 2, 3],
    "rule": None,
    "time_limit_minutes": 30,
    "pass_mark": 60,
    "feedback_policy": "hiring",
    "feedback_timing": "at_end",
    "link_valid_hours": 168,
    "practice_url": None,
    "created_at": NOW,
    "archived_at": None,
}
PRACTICE_QUIZ = {
    **QUIZ,
    "feedback_policy": "mock",
    "practice_url": "https://quiz.example.com/practice/Jx2bK9qLmW4vT7yR1nP5sD8fH3gA6cE0",
}

CANDIDATE = {
    "id": 1,
    "external_id": "cand-42",
    "display_name": "王小明",
    "email": "wang@example.com",
    "created_at": NOW,
}
ATTEMPT = {
    "id": 1,
    "quiz_id": 1,
    "candidate": CANDIDATE,
    "status": "invited",
    "seed": 1937684204,
    "created_at": NOW,
    "expires_at": "2026-12-07T09:00:00+00:00",
    "started_at": None,
    "deadline": None,
    "submitted_at": None,
    "auto_submitted": False,
    "graded_at": None,
    "cancelled_at": None,
    "score": None,
    "passed": None,
    "questions": [{"position": 1, "question_id": 4, "version": 1, "prompt": PROMPT}],
    "report_url": "https://quiz.example.com/api/v1/reports/eyJhIjoxLCJvIjoxfQ.Z3QyYQ.kA1b2C3d4E5f6G7h8I9j0KlMnOp",
}
INVITE_IN = {
    "quiz_id": 1,
    "candidate": {"external_id": "cand-42", "display_name": "王小明", "email": "wang@example.com"},
}
TOKEN = "qza_BLkwqubVh1PBGhgqxSqHgYUXwBP3HIzWxY8lfbQLpyo"
NEW_ATTEMPT = {**ATTEMPT, "token": TOKEN, "link": f"https://quiz.example.com/take?token={TOKEN}"}
CANCELLED = {**ATTEMPT, "status": "cancelled", "cancelled_at": NOW}
OVERRIDE = {
    "id": 1,
    "score": 30,
    "reason": "Explained the idea orally",
    "reviewer": "recruiter",
    "key_id": 2,
    "grade_id": 1,
    "revoked_at": None,
}
RESPONSE = {
    "position": 1,
    "question_id": 4,
    "version": 1,
    "prompt": PROMPT,
    "category": "基本概念與理論",
    "answer": ANSWER,
    "time_spent_seconds": 95,
    "saves": 2,
    "updated_at": NOW,
    "machine_score": 72,
    "score": 72,
    "override": None,
    "grade": {**GRADE, "id": 1, "trigger": "submission", "created_at": NOW},
    "grades": [{**GRADE, "id": 1, "trigger": "submission", "created_at": NOW}],
    "overrides": [],
}
OVERRIDDEN = {
    **RESPONSE,
    "score": 30,
    "override": {**OVERRIDE, "created_at": NOW},
    "overrides": [{**OVERRIDE, "created_at": NOW}],
}
GRADED = {
    **ATTEMPT,
    "status": "graded",
    "started_at": NOW,
    "deadline": "2026-11-30T09:30:00+00:00",
    "submitted_at": NOW,
    "graded_at": NOW,
    "score": 72.0,
    "passed": True,
    "responses": [RESPONSE],
}
OVERRIDE_IN = {"score": 30, "reason": "Explained the idea orally in the follow-up call"}
REVOKED = {**RESPONSE, "overrides": [{**OVERRIDE, "created_at": NOW, "revoked_at": NOW}]}
EXAMPLE_IN = {"answer": "BERT 是自回歸模型，和 GPT 一樣從左到右生成。", "score": 5, "note": "BERT is not autoregressive"}
EXAMPLE = {
    "id": 1,
    "question_id": 4,
    **EXAMPLE_IN,
    "source": "api",
    "override_id": None,
    "active": True,
    "created_at": NOW,
}
REGRADE_IN = {"force": False}

HISTOGRAM = [{"from": 70, "to": 80, "count": 1}]
REPORT = {
    "generated_at": NOW,
    "attempt": {"id": 1, "status": "graded", "submitted_at": NOW},
    "candidate": {"id": 1, "external_id": "cand-42", "display_name": "王小明"},
    "quiz": {"id": 1, "name": "LLM screening", "pass_mark": 60},
    "score": 72.0,
    "passed": True,
    "band": "adequate",
    "categories": [{"category": "基本概念與理論", "score": 72.0, "questions": 1}],
    "cohort": {"attempts": 1, "mean": 72.0, "percentile": 50.0},
    "questions": [{"position": 1, "prompt": PROMPT, "score": 72, "flags": []}],
}
QUIZ_REPORT = {
    "attempts": 1,
    "mean": 72.0,
    "median": 72.0,
    "stdev": None,
    "histogram": HISTOGRAM,
    "quiz": {"id": 1, "name": "LLM screening", "pass_mark": 60},
    "pass_rate": 1.0,
    "candidates": [
        {
            "attempt_id": 1,
            "candidate_id": 1,
            "external_id": "cand-42",
            "display_name": "王小明",
            "submitted_at": NOW,
            "score": 72.0,
            "passed": True,
            "percentile": 50.0,
        }
    ],
    "questions": [
        {
            "question_id": 4,
            "slug": "self-attention",
            "prompt": PROMPT,
            "category": "基本概念與理論",
            "answers": 1,
            "mean": 72.0,
            "stdev": None,
            "discrimination": None,
            "flag_rates": {},
            "override_rate": 0.0,
        }
    ],
}
PROGRESS = {
    "candidate": CANDIDATE,
    "attempts": [
        {
            "attempt_id": 1,
            "quiz_id": 1,
            "quiz": "LLM screening",
            "status": "graded",
            "created_at": NOW,
            "submitted_at": NOW,
            "score": 72.0,
            "passed": True,
            "categories": [{"category": "基本概念與理論", "score": 72.0, "questions": 1}],
        }
    ],
    "overall": {"graded_attempts": 1, "mean": 72.0, "best": 72.0, "first": 72.0, "latest": 72.0, "change": None},
    "categories": [
        {
            "category": "基本概念與理論",
            "mean": 72.0,
            "attempts": 1,
            "first": 72.0,
            "latest": 72.0,
            "points": [{"attempt_id": 1, "at": NOW, "score": 72.0}],
        }
    ],
}

CANDIDATE_QUESTION = {
    "position": 1,
    "prompt": PROMPT,
    "category": "基本概念與理論",
    "difficulty": "medium",
    "language": "zh-Hant",
    "answer": ANSWER,
    "time_spent_seconds": 95,
    "saved_at": NOW,
    "result": None,
}
CANDIDATE_ATTEMPT = {
    "id": 1,
    "quiz": "LLM screening",
    "status": "started",
    "feedback_policy": "hiring",
    "feedback_timing": "at_end",
    "practice": False,
    "time_limit_minutes": 30,
    "expires_at": "2026-12-07T09:00:00+00:00",
    "started_at": NOW,
    "deadline": "2026-11-30T09:30:00+00:00",
    "seconds_left": 1740,
    "submitted_at": None,
    "auto_submitted": False,
    "max_answer_length": 5000,
    "question_count": 1,
    "questions": [CANDIDATE_QUESTION],
    "score": None,
    "passed": None,
}
SUBMITTED = {**CANDIDATE_ATTEMPT, "status": "graded", "seconds_left": None, "submitted_at": NOW}
ANSWER_IN = {"answer": ANSWER, "time_spent_seconds": 95}
SAVED = {**CANDIDATE_QUESTION, "saves": 2}

KEY = {
    "id": 2,
    "name": "ats-integration",
    "role": "recruiter",
    "prefix": "qzk_sst3_CWC",
    "created_at": NOW,
    "revoked_at": None,
}
KEY_IN = {"name": "ats-integration", "role": "recruiter"}
NEW_KEY = {**KEY, "key": "qzk_sst3_CWCxG0kYF5bQ3l6tYm2wE9aZrQ8pVn1uHjKdLs4"}
ME = {"organisation": "default", "role": "admin", "key_id": 1}
HEALTH = {"status": "ok"}
READY = {"status": "ready"}

METRICS = (
    "# HELP quizsvc_answers_graded_total Answers graded\n"
    "# TYPE quizsvc_answers_graded_total counter\n"
    "quizsvc_answers_graded_total 1280.0\n"
    "# HELP quizsvc_queue_depth Tasks waiting in the queue\n"
    "# TYPE quizsvc_queue_depth gauge\n"
    "quizsvc_queue_depth 3.0\n"
)
