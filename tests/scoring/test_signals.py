"""quizsvc.scoring.signals: the verdict of true/false answers, read only where the question asks for one,
and the similarity of what an answer says beyond the question."""

import numpy as np
import pytest

from quizsvc.scoring.signals import LONGEST, QuestionSpec, asks_verdict, encode_answers, verdict
from quizsvc.scoring.text import content_words, normalise

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


@pytest.mark.parametrize(
    "prompt",
    [
        STACK.prompt,
        "在单链表中，若仅知道指针p指向某节点，能否将节点*p从链表中删除？",
        "顺序栈中元素值的大小是有序的吗？",
        'Kate said: "An object has to move to produce sound." Do you agree with her? Why or why not?',
        "Look at the diagram of a circuit. Will the motor run? Why?",
        "Is a whale a fish?",
    ],
)
def test_questions_that_ask_for_a_verdict(prompt):
    assert asks_verdict(normalise(prompt))


@pytest.mark.parametrize(
    "prompt",
    [
        "如何在大型语言模型中引入外部知识（如知识图谱）来提高其回答准确性？",
        "简述顺序表和链表存储方式的特点",
        "What is gradient descent?",
        "Explain why the other 2 bulbs stay lit.",
    ],
)
def test_questions_that_do_not_ask_for_a_verdict(prompt):
    assert not asks_verdict(normalise(prompt))


def test_a_terse_answer_to_a_true_false_question_is_read_by_its_verdict(grader):
    right = grader.grade(STACK, "错，可以一边进栈一边出栈")
    wrong = grader.grade(STACK, "对，一定相反")
    assert right.breakdown["signals"]["stance"] == 1.0
    assert wrong.breakdown["signals"]["stance"] == -1.0
    assert right.score > wrong.score


def test_a_reference_opening_with_can_states_no_verdict_when_the_question_asks_how(grader):
    spec = QuestionSpec(
        prompt="如何在大型语言模型中引入外部知识来提高其回答准确性？",
        references=("可以引入外部知识，例如先从知识图谱检索相关事实，再放进提示里让模型生成回答。",),
    )
    assert grader.prepare(spec).references[0].verdict == 0
    for answer in ("可以先检索知识图谱，再把事实放进提示。", "不能只靠预训练知识，要先检索知识图谱。"):
        assert grader.grade(spec, answer).breakdown["signals"]["stance"] == 0.0


def test_no_verdict_in_the_reference_means_no_verdict_signal(grader):
    spec = QuestionSpec(prompt="栈是不是线性表？", references=("栈是只能在一端插入和删除的线性表，后进先出。",))
    assert grader.grade(spec, "不对，栈是先进先出的").breakdown["signals"]["stance"] == 0.0


# -- formulas: where the answer is a formula -------------------------------------------------

TREES = QuestionSpec(
    prompt="有n个节点并且高度为n的二叉树的个数是多少？",
    references=("除根节点外，其余n-1个节点都可以是左孩子或右孩子，所以共有2^(n-1)种。",),
)


def test_the_formula_signal_is_the_length_weighted_share_of_the_references_formulas(grader):
    def formula(answer):
        return grader.grade(TREES, answer).breakdown["signals"]["formula"]

    assert formula("2的n-1次方种") == pytest.approx(7 / 10)  # "2^(n-1)" of "2^(n-1)" and "n-1"
    assert formula("剩下n-1个节点各有两种选择，所以是2^(n-1)") == 1.0
    assert formula("一共有2^n-1个") == 0.0
    assert formula("2n-1") == 0.0
    assert formula("每个节点只有一个孩子") == 0.0  # no formula at all


def test_formulas_the_question_writes_earn_nothing(grader):
    spec = QuestionSpec(
        prompt="插在ai与ai+1之间的概率为(n-i)/(n*(n+1)/2)时，平均移动多少个元素？",
        references=("概率为(n-i)/(n*(n+1)/2)时，平均移动(2n+1)/3个元素。",),
    )
    assert grader.prepare(spec).references[0].formulas == {"(2n+1)/3"}
    signals = grader.grade(spec, "概率是(n-i)/(n*(n+1)/2)").breakdown["signals"]
    assert signals["formula"] == 0.0


def test_a_right_formula_outscores_a_wrong_one_the_encoder_reads_alike(grader):
    right = grader.grade(TREES, "个数是2^(n-1)")
    wrong = grader.grade(TREES, "个数是2^n-1")
    assert right.breakdown["signals"]["formula"] > wrong.breakdown["signals"]["formula"] == 0.0
    assert right.score > wrong.score


def test_feedback_names_the_references_formulas_written_and_not(grader):
    feedback = grader.grade(TREES, "个数是2^(n-1)").feedback
    assert "Formulas of the reference written: 2^(n-1)" in feedback
    assert "Formulas of the reference not written: n-1" in feedback
    feedback = grader.grade(TREES, "个数是2^n-1").feedback
    assert "Formulas of the reference not written: 2^(n-1), n-1" in feedback
    assert not any(line.startswith("Formulas of the reference written") for line in feedback)
    assert not any("Formulas" in line for line in grader.grade(SALT, "The water evaporated.").feedback)


# -- the demoted cosine: similarity beyond the question's own words ----------------------------

SALT = QuestionSpec(
    prompt="How did you separate the salt from the water?",
    references=("The water was evaporated, leaving the salt.",),
)


def test_the_questions_words_alone_earn_no_demoted_similarity(grader):
    result = grader.grade(SALT, "Separate: salt, water!")
    assert result.breakdown["signals"]["demoted_cosine"] == 0.0
    assert result.breakdown["signals"]["cosine"] > 0.3  # the plain cosine rewards the restatement


def test_restating_the_question_earns_less_beyond_it_than_answering(grader):
    restated = grader.grade(SALT, "I separated the salt from the water.").breakdown["signals"]
    answered = grader.grade(SALT, "The water evaporated and left the salt.").breakdown["signals"]
    assert restated["demoted_cosine"] < restated["cosine"]
    assert restated["demoted_cosine"] < answered["demoted_cosine"]


def test_the_demoted_cosine_compares_what_answer_and_reference_add_to_the_question(grader, fake_embedder):
    prepared = grader.prepare(SALT)
    assert "The was evaporated, leaving the ." in fake_embedder.encoded_texts
    right = grader.grade(prepared, "We let the water evaporate, leaving the salt behind.")
    wrong = grader.grade(prepared, "We poured the salt and water through a filter.")
    assert right.breakdown["signals"]["demoted_cosine"] > wrong.breakdown["signals"]["demoted_cosine"]
    assert 0.0 < right.breakdown["signals"]["demoted_cosine"] <= 1.0


def test_an_answer_without_question_words_keeps_its_own_vector(fake_embedder):
    asked = frozenset(content_words(normalise(SALT.prompt)))
    (plain, with_words) = encode_answers(
        ["Evaporation leaves it behind.", "Evaporation leaves the salt."], fake_embedder, [asked, asked]
    )
    assert plain.demoted_vector is plain.vector
    assert with_words.demoted_vector is not None and not np.array_equal(with_words.demoted_vector, with_words.vector)


def test_a_reference_that_only_restates_the_question_keeps_its_words(grader):
    spec = QuestionSpec(prompt="What separates salt from water?", references=("Salt, water.",))
    side = grader.prepare(spec).references[0]
    assert np.array_equal(side.demoted_vector, side.vector)


# -- length -----------------------------------------------------------------------------------


def test_length_earns_nothing_beyond_longest(grader):
    reference = STACK.references[0]
    assert grader.grade(STACK, reference).breakdown["signals"]["length_ratio"] == pytest.approx(0.0, abs=0.1)
    twice, six, twelve = (
        grader.grade(STACK, reference * times).breakdown["signals"]["length_ratio"] for times in (2, 6, 12)
    )
    assert twice == pytest.approx(np.log(2), abs=0.1) and twice < LONGEST
    assert six == twelve == LONGEST
