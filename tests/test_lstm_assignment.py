"""Unit 04's assignment shows what its prose says, run headless as CI runs notebooks, with the reference answers:

- after exercise 4, the gradient of a loss at the last of 60 steps reaches the first input through the LSTM many
  orders of magnitude stronger than through the vanilla RNN (two lines "<model>: |dL/dx_1| / |dL/dx_T| = R");
- the LSTM and the RNN language models both end far below the unigram model, and close to each other
  ("LSTM vs RNN verdict: validation perplexity LSTM P, RNN Q, unigram U; ...");
- at the end, the bidirectional tagger beats the forward-only RNN on the hard words, and the window classifier
  (whose window sees every deciding word of this corpus) does as well ("tagger verdict: ...").

The kernel runs with one BLAS thread (tests/notebooks.py).
"""
import re

import pytest

from grading.course import Course
from tests.notebooks import printed_by

pytestmark = pytest.mark.slow

NOTEBOOK = Course().unit("04_lstm_gru").notebooks[0].path
REACH = re.compile(r"(vanilla RNN \(given\)|your LSTM): \|dL/dx_1\| / \|dL/dx_T\| = (\S+)")
VERDICT = re.compile(r"LSTM vs RNN verdict: validation perplexity LSTM (\d+\.\d), RNN (\d+\.\d), unigram (\d+\.\d)")


@pytest.fixture(scope="module")
def printed():
    return printed_by(NOTEBOOK)


def test_the_lstm_carries_the_gradient_much_further_back(printed):
    reach = {name: float(ratio) for name, ratio in REACH.findall(printed)}
    assert set(reach) == {"vanilla RNN (given)", "your LSTM"}, printed
    # "lost in the noise long before the first step" against "falls much more slowly"
    assert reach["vanilla RNN (given)"] < 1e-8
    assert reach["your LSTM"] > 1e4 * reach["vanilla RNN (given)"]


def test_both_language_models_end_far_below_the_unigram_and_close_to_each_other(printed):
    found = VERDICT.search(printed)
    assert found, f"no verdict line in the notebook's output:\n{printed[-2000:]}"
    lstm, rnn, unigram = map(float, found.groups())
    assert max(lstm, rnn) < 0.6 * unigram  # "far below the unigram model"
    assert abs(lstm - rnn) < 0.15 * min(lstm, rnn)  # "close"


TAGGER = re.compile(r"tagger verdict: accuracy on ambiguous words / unseen names: window classifier \(unit 02\) "
                    r"(\d\.\d+) / (\d\.\d+), forward RNN (\d\.\d+) / (\d\.\d+), bidirectional RNN (\d\.\d+) / (\d\.\d+)")


def test_the_bidirectional_tagger_closes_the_forward_rnns_gap(printed):
    found = TAGGER.search(printed)
    assert found, f"no tagger verdict in the notebook's output:\n{printed[-2000:]}"
    window_ambiguous, window_unseen, forward_ambiguous, forward_unseen, both_ambiguous, both_unseen = map(
        float, found.groups())
    # "loses points on both hard groups", "closes that gap"
    assert both_ambiguous >= forward_ambiguous and both_unseen > forward_unseen + 0.02
    # "the window classifier does as well or better here"
    assert window_ambiguous >= both_ambiguous - 0.02 and window_unseen >= both_unseen - 0.02
