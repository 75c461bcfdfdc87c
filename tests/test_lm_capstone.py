"""Unit 03's language-model capstone does what its prose promises: run headless, as CI runs notebooks, the
reference language model ends far below the unigram model's validation perplexity. (How long it trains is
a speed goal: benchmarks/lm_speed.py prints it; no test times it.)

The solution notebook prints one line for this,
    LM verdict: validation perplexity P vs unigram U (ratio R) after S s of training
and the notebook's prose describes the result in words only (the seconds depend on the machine).

The kernel runs with one BLAS thread (tests/notebooks.py says why); benchmarks/lm_speed.py prints the
notebook's time both ways.
"""
import re

import pytest

from grading.course import Course
from tests.notebooks import printed_by

pytestmark = pytest.mark.slow

NOTEBOOK = Course().unit("03_rnn_bptt").notebooks[0].path
VERDICT = re.compile(r"LM verdict: validation perplexity (\d+(?:\.\d+)?) vs unigram (\d+(?:\.\d+)?) "
                     r"\(ratio \d+(?:\.\d+)?\) after (\d+(?:\.\d+)?) s of training")
MAX_RATIO = 0.6  # "far below the unigram model's"


@pytest.fixture(scope="module")
def verdict():
    printed = printed_by(NOTEBOOK)
    found = VERDICT.findall(printed)
    assert len(found) == 1, f"{NOTEBOOK.name} should print one 'LM verdict: ...' line, printed {len(found)}"
    perplexity, unigram, _ = map(float, found[0])
    return perplexity, unigram


def test_the_language_model_beats_the_unigram_model_by_a_wide_margin(verdict):
    perplexity, unigram = verdict
    assert perplexity <= MAX_RATIO * unigram, (
        f"validation perplexity {perplexity} is not below {MAX_RATIO} x the unigram model's {unigram}")

