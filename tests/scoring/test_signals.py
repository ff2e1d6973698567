"""quizsvc.scoring.signals: the verdict of true/false answers and how much it weighs."""

import pytest

from quizsvc.scoring.signals import QuestionSpec, verdict
from quizsvc.scoring.text import normalise

STACK = QuestionSpec(
    prompt="请判断以下叙述是否正确，并做出解释：在n个元素进栈后，它们的出栈顺序和进栈顺序一定正好相反",
    references=("错误。例如进栈序列为123，出栈序列可以为132，因为可以一边进栈一边出栈。",),
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("错误。栈底元素也可以删除", -1),
        ("不正确，可以一边进栈一边出栈", -1),
        ("正确，因为栈是后进先出的", 1),
        ("错。栈只有一个元素时可以删除", -1),
        ("否，栈底元素在上面的元素删除后成为栈顶", -1),
        ("对，一定相反", 1),
        ("是。", 1),
        ("对于单链表，头结点有两个好处", 0),
        ("是否有序取决于入栈的顺序", 0),
        ("错位的元素", 0),
        ("不同意，声音来自振动", -1),
        ("同意。振动就是运动", 1),
        ("Disagree. Sound comes from vibrations.", -1),
        ("Agree, vibrations are movements.", 1),
        ("I don't agree with her.", -1),
        ("Yes. Black absorbs more heat than white.", 1),
        ("No, the motor will not run.", -1),
        ("The bulbs stay lit because the circuit is parallel.", 0),
    ],
)
def test_verdict_reads_the_opening_of_an_answer(text, expected):
    assert verdict(normalise(text)) == expected


def test_a_terse_answer_stands_or_falls_by_its_verdict(grader):
    right = grader.grade(STACK, "错，可以一边进栈一边出栈")
    wrong = grader.grade(STACK, "对，一定相反")
    right_signals, wrong_signals = right.breakdown["signals"], wrong.breakdown["signals"]
    assert right_signals["stance"] == 1.0 and right_signals["terse_verdict"] > 0
    assert wrong_signals["stance"] == -1.0 and wrong_signals["terse_verdict"] < 0
    # Shorter than the reference by a factor of e or more: the verdict weighs at least its own.
    assert abs(right_signals["terse_verdict"]) >= 1.0 and abs(wrong_signals["terse_verdict"]) >= 1.0
    assert right.score > wrong.score


def test_a_full_length_answer_is_judged_by_what_it_explains_not_its_verdict_alone(grader):
    long_answer = "错误。" + "进栈和出栈可以交替进行，例如先进1、2，出2，再进3，出3，最后出1，出栈序列为231。" * 2
    signals = grader.grade(STACK, long_answer).breakdown["signals"]
    assert signals["stance"] == 1.0
    assert signals["length_ratio"] > 0
    assert signals["terse_verdict"] == 0.0


def test_no_verdict_in_the_reference_means_no_verdict_signal(grader):
    spec = QuestionSpec(prompt="什么是栈？", references=("栈是只能在一端插入和删除的线性表，后进先出。",))
    signals = grader.grade(spec, "不对，栈是先进先出的").breakdown["signals"]
    assert signals["stance"] == 0.0 and signals["terse_verdict"] == 0.0
