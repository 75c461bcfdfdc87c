"""Unit 06's training section shows what its prose says, run headless as CI runs notebooks, with the reference
answers: the notebook's trainer (the reference sgns_batch_loss_and_gradient) learns vectors that score about as
well as gensim's word2vec on the same text and settings, and the counting method (PPMI + SVD) is a strong
competitor on so little text. The notebook prints one line for this:

    word2vec verdict: WordSim-353 spearman S (covered C/353), analogy accuracy A (answered Q), gensim S' / A',
    PPMI+SVD S'' / A'' after T s of training

How fast it trains against gensim is a speed goal: benchmarks/word2vec_speed.py prints it; no test times it.
"""
import re

import pytest

from grading.course import Course
from tests.notebooks import printed_by

pytestmark = pytest.mark.slow

NOTEBOOK = Course().unit("06_word2vec").notebooks[0].path
NUMBER = r"(-?\d+\.\d+)"
VERDICT = re.compile(rf"word2vec verdict: WordSim-353 spearman {NUMBER} \(covered (\d+)/353\), analogy accuracy "
                     rf"{NUMBER} \(answered (\d+)\), gensim {NUMBER} / {NUMBER}, PPMI\+SVD {NUMBER} / {NUMBER}")


@pytest.fixture(scope="module")
def verdict():
    printed = printed_by(NOTEBOOK)
    found = VERDICT.search(printed)
    assert found, f"no verdict line in the notebook's output:\n{printed[-2000:]}"
    ours, covered, analogies, answered, gensim, gensim_analogies, ppmi, ppmi_analogies = map(float, found.groups())
    return dict(ours=ours, covered=covered, analogies=analogies, answered=answered, gensim=gensim,
                gensim_analogies=gensim_analogies, ppmi=ppmi, ppmi_analogies=ppmi_analogies)


def test_the_tests_cover_enough_of_the_vocabulary(verdict):
    assert verdict["covered"] >= 100 and verdict["answered"] >= 500


def test_the_trainer_learns_vectors_that_score_about_as_well_as_gensims(verdict):
    assert verdict["ours"] >= 0.25  # far from random vectors (about 0)
    assert verdict["ours"] >= verdict["gensim"] - 0.1  # "about the same"
    assert abs(verdict["analogies"] - verdict["gensim_analogies"]) <= 0.05  # within 5 points


def test_the_counting_method_is_a_strong_competitor(verdict):
    assert verdict["ppmi"] >= verdict["ours"] - 0.1 and verdict["ppmi"] >= 0.25
