"""Every planted mistake fails the VISIBLE tests of its exercise, and they name it as the plant declares.

The visible tests are what a student sees when a test cell runs: the part of the test cell before
``### BEGIN HIDDEN TESTS``. They should teach: a classic mistake must not pass them by a coincidence
of the hand-worked point (x = 0, W = 0, sigmoid(0) = 1/2, a batch of 1 or 2 where a factor is
diagnosed), and what they report must not be a wrong guess. One generic test for all units,
discovered from the course model and the mistakes files as in tests/test_mistakes.py; each plant
runs in the namespace tests.mistakes.planted_namespace builds (setup cells, answers, plant in place).
"""
from functools import cache

import matplotlib
import numpy as np
import pytest

from grading.course import Course
from grading.source import read_cells
from tests.mistakes import notebook_of, planted_namespace, plants

matplotlib.use("Agg")  # a visible test cell may plot; no window in a test run

COURSE = Course()

# Plants the visible tests do not name yet (or let pass): expected to improve, "unit: plant id" -> why.
UNIT_03 = "unit 03's visible tests (owned elsewhere): "
NOT_YET = {
    '01_matrix_calculus: numeric_jacobian: forward difference':
        "utils.diagnosis has no 'one_sided_difference' kind yet: unnamed",
    '02_backprop: autodiff_backward: branch overwritten, not summed':
        'one wrong node gradient of six: no diagnosis of a contribution overwritten in a list of nodes',
    '02_backprop: adagrad: cache not accumulated':
        'an optimizer state that is not accumulated has no diagnosis',
    '02_backprop: two_layer_net: no ReLU in the backward pass':
        "a whole network's gradient check has no layer output: the missing ReLU mask is unnamed",
    '04_lstm_gru: lstm_step_backward: dc_next not added (the carousel cut)':
        'the hand-worked gradient enters by dc_next only: cutting it zeroes the step; dc_prev is one number, unnamed',
    '04_lstm_gru: lstm_backward: weight gradients of the last step only':
        'the hand-worked db cannot show which step is missing: unnamed',
    '06_word2vec: skipgram: loss of the last window word only':
        'a single loss, 1.5 instead of 3.5: nothing names the pairs left out',
    '03_rnn_bptt: rnn_step_forward: bias missing':
        UNIT_03 + "x + h_prev = 0 with Wx = Wh = I, so u = b: 'zero' for a forgotten bias",
    '03_rnn_bptt: rnn_step_forward: h_prev @ Wh.T':
        UNIT_03 + 'Wh = I is symmetric: the transposed product passes',
    '03_rnn_bptt: rnn_step_forward: no tanh':
        UNIT_03 + "one entry off, 1.082 times: 'factor'",
    "03_rnn_bptt: checkpoint_dh_prev: tanh' left out":
        UNIT_03 + 'no output/upstream passed to assert_close: unnamed',
    '03_rnn_bptt: checkpoint_dh_prev: Wh not transposed':
        UNIT_03 + '@ Wh in place of @ Wh.T is no transpose of the (1, 2) answer: unnamed',
    "03_rnn_bptt: rnn_step_backward: tanh' at h_prev":
        UNIT_03 + "u = 0, so tanh' = 1 there, and no output/upstream passed: unnamed",
    '03_rnn_bptt: rnn_forward: h0 ignored':
        UNIT_03 + "x = 0, b = 0: ignoring h0 gives all zeros, named 'zero'",
    '03_rnn_bptt: rnn_forward: time-major output':
        UNIT_03 + "N = 1: (T, N, H) = (3, 1, 2) is a reshape of (1, 3, 2), named 'shape'",
    '03_rnn_bptt: rnn_backward: weight gradients of the last step only':
        UNIT_03 + "every step's delta is [1, 2]: one step is 1/3 of the sum, 'factor'",
    '03_rnn_bptt: rnn_backward: dW = instead of dW +=':
        UNIT_03 + "every step's delta is [1, 2]: one step is 1/3 of the sum, 'factor'",
    '03_rnn_bptt: rnn_backward: loop forwards in time':
        UNIT_03 + "all states 0 and a gradient at the last step only: 'last_step'",
    "03_rnn_bptt: rnn_step_backward: tanh' left out (through rnn_backward)":
        UNIT_03 + "rnn_backward's gradient check has no layer output: 'mismatch'",
    '03_rnn_bptt: clip_grad_norm: each tensor clipped by its own norm':
        UNIT_03 + "'factor' (no 'not_global_norm' in utils.diagnosis)",
    '03_rnn_bptt: clip_grad_norm: clipped by value':
        UNIT_03 + "'factor' (no 'not_global_norm' in utils.diagnosis)",
    '03_rnn_bptt: clip_grad_norm: norm after clipping returned':
        UNIT_03 + "total_norm 5, max_norm 1: 5 times too small, 'factor'",
    '03_rnn_bptt: clip_grad_norm: gradients scaled in place':
        UNIT_03 + "compared with assert_close, not assert_unchanged: 'factor'",
    '03_rnn_bptt: tbptt_epoch: each tensor clipped by its own norm':
        UNIT_03 + "max_norm = half the norm: 'factor' 2 (no 'not_global_norm')",
    '03_rnn_bptt: tbptt_epoch: params updated in place':
        UNIT_03 + 'compared with assert_close, not assert_unchanged: unnamed',
    '03_rnn_bptt: embedding_backward: dW[idx] += dout (repeated words not added up)':
        UNIT_03 + 'no idx/output/upstream passed to assert_close: unnamed',
    '03_rnn_bptt: embedding_backward: dW[idx] = dout':
        UNIT_03 + 'no idx/output/upstream passed to assert_close: unnamed',
    '03_rnn_bptt: temporal_softmax_cross_entropy: padding counted in the mean':
        UNIT_03 + 'a 4/3 factor of a single number: unnamed',
    '03_rnn_bptt: temporal_softmax_cross_entropy: mean over the batch only':
        UNIT_03 + 'a 3/2 factor of a single number: unnamed',
    '03_rnn_bptt: temporal_softmax_cross_entropy: log of the probability (underflows to log 0)':
        UNIT_03 + "the logits near 1000 favour their target: no target's probability underflows",
    '03_rnn_bptt: rnn_lm_loss: ignore_index not passed on':
        UNIT_03 + 'the visible padding is -1, the default ignore_index: leaving it out changes nothing',
    '03_rnn_bptt: sample_lm: state reset at every step':
        UNIT_03 + 'the visible tests do not tell a sampler that resets its state from one that carries it',
}


def visible_source(notebook, grade_id):
    """The visible part of the test cell `grade_id` of `notebook`: its source before the hidden block."""
    for cell in read_cells(notebook.path):
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id:
            return cell["source"].split("### BEGIN HIDDEN TESTS")[0]
    raise AssertionError(f"{notebook.path.name} has no test cell {grade_id}")


@cache
def visible_failure(unit_name, plant_id):
    """Run the plant's visible tests with the plant in place; return the exception raised (or None)."""
    unit = COURSE.unit(unit_name)
    plant = next(p for p in plants(unit) if p.id == plant_id)
    namespace = dict(planted_namespace(unit, plant))  # a copy: the visible cell may define names
    source = visible_source(notebook_of(unit, plant.function), plant.grade_id)
    try:
        with np.errstate(all="ignore"):
            exec(compile(source, f"{unit_name}:{plant.grade_id} (visible)", "exec"), namespace)
    except Exception as error:  # noqa: BLE001 — what kind of failure it is, is the test's question
        return error
    return None


def case(unit, plant):
    key = f"{unit.name}: {plant.id}"
    marks = [pytest.mark.xfail(strict=True, reason=NOT_YET[key])] if key in NOT_YET else []
    return pytest.param(unit.name, plant, id=key, marks=marks)


CASES = [case(unit, plant) for unit in COURSE.units if unit.mistakes_file.is_file() for plant in plants(unit)]


@pytest.mark.parametrize("unit_name,plant", CASES)
def test_visible_tests_fail_and_name_the_plant(unit_name, plant):
    error = visible_failure(unit_name, plant.id)
    assert error is not None, f"the visible tests of {plant.grade_id} pass the planted mistake {plant.id!r}"
    reported = getattr(error, "kind", None)
    expected = {None, "mismatch"} if plant.kind is None else {plant.kind}
    assert reported in expected, (f"{plant.id!r}: the visible tests reported {reported!r}, the plant declares "
                                  f"{plant.kind!r}:\n{type(error).__name__}: {error}")


def test_the_expected_to_improve_list_names_only_plants():
    ids = {f"{case.values[0]}: {case.values[1].id}" for case in CASES}
    assert not set(NOT_YET) - ids, f"NOT_YET names plants that do not exist: {sorted(set(NOT_YET) - ids)}"
