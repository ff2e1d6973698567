"""Report dicts in the shape services.reports builds: one graded attempt, one not graded yet."""

DIGEST = "40b2d722c0ffee5e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80"
GRADER = {"grader_version": "1.0.0", "model_id": "usem3", "params_digest": DIGEST}
HISTOGRAM_COUNTS = [0, 1, 0, 1, 2, 2, 3, 3, 0, 2]


def _point(text, status, similarity, weight=1.0):
    return {"text": text, "status": status, "similarity": similarity, "weight": weight}


def _question(position, slug, prompt, category, difficulty, answer, **graded):
    question = {
        "position": position,
        "question_id": 10 + position,
        "version": 1,
        "slug": slug,
        "prompt": prompt,
        "category": category,
        "difficulty": difficulty,
        "answer": answer,
        "time_spent_seconds": 60 + position,
        "machine_score": None,
        "score": None,
        "override": None,
        "band": None,
        "confidence": None,
        "flags": [],
        "misconceptions": [],
        "key_points": [],
        "keywords_matched": [],
        "keywords_missing": [],
        "feedback": [],
        "evidence": [],
        "grader": None,
        "graded_at": None,
    }
    question.update(graded)
    return question


def graded_report():
    """A graded attempt: an override on Q1, raw HTML in Q2, a flagged formula in Q3, Q4 unanswered."""
    graded = {"grader": GRADER, "graded_at": "2026-11-29T11:40:00+00:00"}
    questions = [
        _question(
            1,
            "self-attention",
            "什麼是自注意力機制（Self-Attention）？",
            "基本概念與理論",
            "medium",
            "自注意力讓每個詞關注序列中所有其他詞，\n並以縮放點積計算權重。",
            machine_score=78,
            score=85,
            override={
                "score": 85,
                "reason": "Covers the scaling factor too",
                "reviewer": "alice",
                "created_at": "2026-11-29T11:55:00+00:00",
            },
            band="strong",
            confidence=0.82,
            key_points=[
                _point("每個詞關注序列中所有其他詞", "covered", 0.81, 2.0),
                _point("以縮放點積計算注意力權重", "covered", 0.77),
                _point("由查詢、鍵、值三個投影計算", "partly", 0.52),
            ],
            keywords_matched=["自注意力機制", "縮放點積"],
            keywords_missing=["查詢"],
            feedback=["Covered: 每個詞關注序列中所有其他詞", "Partly: 由查詢、鍵、值三個投影計算"],
            **graded,
        ),
        _question(
            2,
            "positional-encoding",
            "為什麼 Transformer 需要位置編碼（Positional Encoding）？",
            "基本概念與理論",
            "easy",
            "<b>位置編碼</b>讓模型知道詞的順序",
            machine_score=75,
            score=75,
            band="adequate",
            confidence=0.7,
            key_points=[
                _point("注意力本身不考慮順序", "covered", 0.74),
                _point("把位置資訊加進詞向量", "partly", 0.5),
                _point("可用正弦函數或可學習的向量", "missed", 0.21),
            ],
            keywords_matched=["位置編碼"],
            keywords_missing=["正弦"],
            feedback=["Missed: 可用正弦函數或可學習的向量"],
            **graded,
        ),
        _question(
            3,
            "rlhf-steps",
            "請說明 RLHF（基於人類回饋的強化學習）的主要步驟。",
            "訓練與對齊",
            "hard",
            "=1+1 我不知道",
            machine_score=20,
            score=20,
            band="insufficient",
            confidence=0.4,
            flags=["off_topic", "misconception"],
            misconceptions=["RLHF 不需要獎勵模型"],
            key_points=[
                _point("先做監督式微調", "missed", 0.12),
                _point("訓練獎勵模型", "missed", 0.08),
                _point("以 PPO 最佳化策略", "missed", 0.05),
            ],
            keywords_missing=["獎勵模型", "PPO"],
            feedback=["Off topic: the answer does not address the question"],
            **graded,
        ),
        _question(
            4,
            "hallucination",
            "大型語言模型的「幻覺」（Hallucination）是什麼？如何減輕？",
            "應用與評估",
            "medium",
            "",
            machine_score=0,
            score=0,
            band="insufficient",
            confidence=1.0,
            flags=["empty"],
            feedback=["No answer was given."],
            **graded,
        ),
    ]
    return {
        "generated_at": "2026-11-29T12:00:00+00:00",
        "attempt": {
            "id": 7,
            "status": "graded",
            "created_at": "2026-11-29T10:00:00+00:00",
            "started_at": "2026-11-29T11:00:00+00:00",
            "submitted_at": "2026-11-29T11:21:00+00:00",
            "graded_at": "2026-11-29T11:40:00+00:00",
            "auto_submitted": False,
            "seed": 12345,
            "time_taken_seconds": 1260,
        },
        "candidate": {"id": 3, "external_id": "cand-42", "display_name": "王小明", "email": "x@example.com"},
        "quiz": {"id": 2, "name": "LLM basics", "pass_mark": 60, "feedback_policy": "hiring", "time_limit_minutes": 30},
        "score": 45.0,
        "passed": False,
        "band": "weak",
        "categories": [
            {"category": "基本概念與理論", "score": 80.0, "questions": 2},
            {"category": "訓練與對齊", "score": 20.0, "questions": 1},
            {"category": "應用與評估", "score": 0.0, "questions": 1},
        ],
        "cohort": {
            "attempts": 14,
            "mean": 61.2,
            "median": 63.0,
            "histogram": [{"from": 10 * i, "to": 10 * i + 10, "count": n} for i, n in enumerate(HISTOGRAM_COUNTS)],
            "percentile": 21.4,
        },
        "questions": questions,
    }


def ungraded_report():
    """Submitted but not graded: no scores, no key points, no grader, an empty cohort; Q4 never opened."""
    report = graded_report()
    report["attempt"].update(status="submitted", graded_at=None)
    report.update(score=None, passed=None, band=None, categories=[])
    report["cohort"] = {
        "attempts": 0,
        "mean": None,
        "median": None,
        "histogram": [{"from": 10 * i, "to": 10 * i + 10, "count": 0} for i in range(10)],
        "percentile": None,
    }
    report["questions"] = [
        _question(q["position"], q["slug"], q["prompt"], q["category"], q["difficulty"], q["answer"])
        for q in report["questions"]
    ]
    report["questions"][3].update(answer=None, time_spent_seconds=None)
    return report
