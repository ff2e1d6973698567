"""Flags: what they mean and what each does to the score.

Caps are fractions of the full scale. A flag with no cap only asks a person to look.
"""

import re
from dataclasses import dataclass

from quizsvc.scoring.text import squash


@dataclass(frozen=True)
class FlagRule:
    name: str
    cap: float | None  # the highest grade (0-1) an answer with this flag can get
    review: bool  # a person should look at it
    meaning: str


# A known wrong claim caps at 15: on held-out answers to the seed questions human graders
# give on-topic wrong answers about 1 of 100 and partial ones about 45, so a flagged
# answer must land below a typical partial one (at 40 it did not: 0.40 / 0.25 / 0.15 gave
# P(partial > wrong) 0.64 / 0.73 / 0.78 on bench/wrong_partial.yaml).
FLAG_RULES = {
    rule.name: rule
    for rule in (
        FlagRule("empty", 0.0, False, "No answer, or nothing but punctuation and noise: graded 0."),
        FlagRule("question_copy", 0.10, False, "The answer restates the question: at most 10."),
        FlagRule("keyword_stuffing", 0.25, True, "Terms listed without explanation: at most 25."),
        FlagRule("off_topic", 0.20, True, "The answer is about another question of the bank: at most 20."),
        FlagRule("misconception", 0.15, True, "The answer asserts a known wrong claim: at most 15."),
        FlagRule("missing_required_keyword", 0.50, False, "A required term is missing: at most 50."),
        FlagRule("reference_copy", None, True, "Near-verbatim copy of the reference answer: graded, for review."),
        FlagRule(
            "repeated_answer",
            0.50,
            True,
            "Nearly the same answer was given to another question of the submission: at most 50.",
        ),
        FlagRule(
            "like_reviewed_answer",
            None,
            True,
            "Very close to an answer a reviewer graded low: graded like it.",
        ),
        FlagRule(
            "addressed_to_grader",
            None,
            True,
            "Text addressed to the grader: flagged, ignored for grading, and it never raises a score.",
        ),
    )
}

# Instructions aimed at an automatic grader, in either language. Matched on normalised
# (Simplified, lower-case) text.
_TO_GRADER = re.compile(
    r"ignore (all |any |the |your |previous |above |prior |earlier )*(instructions|rules|rubric|prompts?|guidelines)"
    r"|(give|award|assign|grant) (me |this( answer)? |it |the candidate )?(a )?(full|max(imum)?|perfect|100|top) "
    r"(marks?|points?|score|grade)"
    r"|\byou (are|must|should|will) (now )?(give|grade|score|award|mark|rate)"
    r"|\b(dear|hey|hi|hello|attention) (grader|examiner|marker|scorer|ai|model|system)"
    r"|\bas (an? )?(ai|automatic|auto) (grader|examiner|scorer|grading)"
    r"|score (this|me) (as )?(100|10/10|full)"
    r"|忽略.{0,6}(规则|指令|指示|评分标准|要求|提示)"
    r"|(给|打)(我|这个?答案|本答案|本题|这道题)?.{0,2}满分"
    r"|(请|务必|必须|一定要)(给|打|评).{0,6}(满分|高分|100分|一百分)"
    r"|(评分|阅卷|打分)(系统|程序|模型|老师|者|人员|ai)[,，:：]?\s*(请|你)"
)


def addressed_to_grader(unit_norm: str) -> bool:
    return bool(_TO_GRADER.search(unit_norm))


def is_noise(norm: str) -> bool:
    """Nothing to grade: no letters, or one or two characters repeated ('aaaa', '。。。')."""
    letters = squash(norm)
    if len(letters) < 2:
        return True
    return len(letters) >= 6 and len(set(letters)) <= 2


def apply_caps(grade: float, flags: list[str]) -> float:
    caps = [FLAG_RULES[f].cap for f in flags if FLAG_RULES[f].cap is not None]
    return min([grade, *caps])


# Repeated answers: one text pasted under several questions of a submission (a long essay
# that touches every topic scores well against each reference on its own). Compared on
# runs of characters, so a pasted text with a line added still counts; short stock
# replies ("不知道", "I am not sure") are left alone.
REPEAT_MIN_CHARS = 30
REPEAT_SHARE = 0.8
_RUN = 5


def _runs(norm: str) -> frozenset[str]:
    """The answer's five-character runs; none for an answer too short to compare."""
    letters = squash(norm)
    if len(letters) < REPEAT_MIN_CHARS:
        return frozenset()
    return frozenset(letters[i : i + _RUN] for i in range(len(letters) - _RUN + 1))


def repeated_answers(pairs: list[tuple[object, str]]) -> set[int]:
    """Positions of answers that nearly repeat an answer to another question of the same
    batch: at least :data:`REPEAT_SHARE` of the shorter one's character runs are in the
    other. ``pairs``: (question, normalised answer); answers to one question are never
    compared with each other."""
    questions = [id(question) for question, _ in pairs]
    if len(set(questions)) < 2:
        return set()
    runs = [_runs(norm) for _, norm in pairs]
    found = set()
    for i in range(len(pairs)):
        for j in range(i + 1, len(pairs)):
            if questions[i] == questions[j] or not runs[i] or not runs[j]:
                continue
            shorter = min(len(runs[i]), len(runs[j]))
            if len(runs[i] & runs[j]) >= REPEAT_SHARE * shorter:
                found.update((i, j))
    return found
