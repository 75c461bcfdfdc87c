"""The visible-test assertions name what is wrong, and catch planted wrong answers; the given
sigmoid and softmax are right and stay finite."""
import numpy as np
import pytest

from utils.functions import sigmoid, softmax
from utils.testing import (
    ExerciseError,
    assert_close,
    assert_keys,
    assert_number,
    assert_plain,
    assert_shape,
    assert_sum,
    assert_unchanged,
)


def test_correct_value_passes():
    assert_close(np.array([1.0, 2.0]) + 1e-12, [1.0, 2.0], "x")


@pytest.mark.parametrize("actual,words", [
    (None, "return"),
    ("abc", "array of numbers"),
    (np.ones((3, 2)), "transposed"),
    (np.ones(6), "right number of entries"),
    (np.array([[1.0, np.nan, 1.0], [1.0, 1.0, 1.0]]), "NaN"),
    (-np.arange(1.0, 7.0).reshape(2, 3), "sign is flipped"),
    (2 * np.arange(1.0, 7.0).reshape(2, 3), "2 times too large"),
    (np.zeros((2, 3)), "all zero"),
])
def test_planted_wrong_answers_are_named(actual, words):
    with pytest.raises(ExerciseError, match=words):
        assert_close(actual, np.arange(1.0, 7.0).reshape(2, 3), "dW", label="dW")


@pytest.mark.parametrize("actual,shape,kind,words", [
    (np.ones((3, 2)), (2, 3), "transpose", "transposed"),
    (np.ones(6), (2, 3), "shape", "right number of entries"),
    (np.ones((4, 5)), (5,), "broadcast", r"bias gradient sums over the batch: did you forget `\.sum\(axis=0\)`"),
    (np.ones((1, 5)), (5,), "broadcast", r"`\.sum\(axis=0\)`, or sum with keepdims=True"),
    (np.ones((4, 3, 5)), (3, 5), "broadcast", r"sum of their gradients: did you forget `\.sum\(axis=0\)`"),
    (np.ones((3, 2, 4)), (2, 3, 4), "transpose", r"first two axes are swapped: .* batch-first"),
    (np.ones((3, 2, 5)), (2, 3, 4), "shape", r"but has shape \(3, 2, 5\)\.$"),  # not the same axes swapped
    (np.ones((4, 7, 5)), (5,), "broadcast", r"`\.sum\(axis=\(0, 1\)\)`"),
    (np.ones(4), (4, 4), "shape", r"Jacobian of an elementwise function is diagonal: `np\.diag\(\.\.\.\)`"),
    (np.float64(3.0), (2, 3), "shape", "single number where an array was expected"),
    (3.0, (4,), "shape", "single number where an array was expected"),
    (np.ones((1, 3)), (2, 3), "shape", "sum over an axis that should stay"),
    (np.ones(3), (), "shape", "should be one number"),
    (np.ones((2, 2)), (3, 5), "shape", r"but has shape \(2, 2\)\.$"),
])
def test_planted_wrong_shapes_say_what_they_usually_mean(actual, shape, kind, words):
    with pytest.raises(ExerciseError, match=words) as caught:
        assert_shape(actual, shape, "db")
    assert caught.value.kind == kind
    assert str(caught.value).startswith(f"db should have shape {shape}")


def test_a_square_that_is_not_a_jacobian_vector_is_not_called_diagonal():
    for actual, shape in [(np.ones(4), (4, 5)), (np.ones(3), (4, 4)), (np.ones((4, 4)), (4,))]:
        with pytest.raises(ExerciseError) as caught:
            assert_shape(actual, shape, "J")
        assert "diagonal" not in str(caught.value)


@pytest.mark.parametrize("actual,expected", [
    (-2.0, 2.0), (np.array(-2.0), 2.0), (np.array([0.75]), [-0.75]), (np.array([[-3.5]]), [[3.5]]),
    (-(5.0 + 1e-9), 5.0), (1e-3, -1e-3),
])
def test_a_single_number_with_its_sign_flipped_is_named(actual, expected):
    with pytest.raises(ExerciseError, match="the sign is flipped — your df/dx is the negative") as caught:
        assert_close(actual, expected, "df/dx at x = 1", label="df/dx")
    assert caught.value.kind == "sign"


@pytest.mark.parametrize("actual,expected", [
    (3.0, 2.0), (-3.0, 2.0), (0.0, 2.0), (2.0, 0.0), (-2.0, 0.0), (np.array([1.9]), [-2.0]), (-2.01, 2.0),
])
def test_a_single_wrong_number_is_not_called_a_sign_flip(actual, expected):
    with pytest.raises(ExerciseError, match="is wrong") as caught:
        assert_close(actual, expected, "df/dx at x = 1", label="df/dx")
    assert caught.value.kind is None and "sign" not in str(caught.value)


# A hand-worked sigmoid layer: out = sigmoid([0, ln 3]) = [1/2, 3/4], dout = [1, 2], dx = dout * out (1 - out).
OUT, DOUT = np.array([[0.5, 0.75]]), np.array([[1.0, 2.0]])
DX = DOUT * OUT * (1 - OUT)


@pytest.mark.parametrize("planted,words", [
    (DOUT, "local derivative out \\* \\(1 - out\\) is left out"),
    (DOUT * sigmoid(OUT) * (1 - sigmoid(OUT)), "evaluated at the output"),  # sigmoid'(out), not out (1 - out)
])
def test_a_gradient_checked_with_its_layer_names_a_local_derivative_left_out_or_misplaced(planted, words):
    with pytest.raises(ExerciseError, match=words) as caught:
        assert_close(planted, DX, "dx", label="dx", output=OUT, upstream=DOUT)
    assert caught.value.kind == "missing_local_derivative"


def test_without_its_layer_a_local_derivative_left_out_is_not_named():
    with pytest.raises(ExerciseError) as caught:
        assert_close(DOUT, DX, "dx", label="dx")
    assert caught.value.kind is None


def test_repeated_rows_overwritten_are_named_from_the_indices_and_the_rows_gradients():
    idx, rows = np.array([1, 0, 1]), np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    summed = np.zeros((3, 2))
    np.add.at(summed, idx, rows)
    overwritten = np.zeros((3, 2))
    overwritten[idx] = rows
    with pytest.raises(ExerciseError, match=r"np\.add\.at\(dW, idx") as caught:
        assert_close(overwritten, summed, "dW", label="dW", params={"idx": idx}, output=np.zeros((3, 2)),
                     upstream=rows)
    assert caught.value.kind == "not_accumulated"


def test_a_factor_that_is_the_batch_size_is_named_as_such():
    x = np.ones((3, 2))
    with pytest.raises(ExerciseError, match=r"3 is x\.shape\[0\] \(the batch size\)") as caught:
        assert_close(np.arange(1.0, 4.0) / 3, np.arange(1.0, 4.0), "db", label="db", params={"x": x})
    assert caught.value.kind == "factor_batch"


def test_a_single_number_that_is_the_batch_size_times_too_large_is_named_so():
    scores = np.zeros((3, 5))
    with pytest.raises(ExerciseError, match=r"3 times too large; 3 is scores\.shape\[0\] \(the batch size\)") as caught:
        assert_close(3 * np.log(5), np.log(5), "the loss", label="loss", params={"scores": scores})
    assert caught.value.kind == "factor_batch"
    with pytest.raises(ExerciseError) as caught:  # 2 is no axis of scores: a plain factor
        assert_close(2 * np.log(5), np.log(5), "the loss", label="loss", params={"scores": scores})
    assert caught.value.kind == "factor"


def test_the_wrong_block_of_a_stacked_gradient_is_named():
    expected = np.array([0.125, 0.375, 0.375, 0.25])
    with pytest.raises(ExerciseError, match="only the f block of db is wrong") as caught:
        assert_close(expected * [1, 2, 1, 1], expected, "db", label="db", blocks="ifgo")
    assert caught.value.kind == "block"


def test_assert_keys_names_missing_and_unexpected_keys():
    params = {"W1": 0, "b1": 0}
    assert_keys({"b1": 1, "W1": 2}, params, "grads")
    said = r"\['W1', 'b1'\] missing; \['dW1', 'db1'\] not expected\. .*not by 'dW1'"
    with pytest.raises(ExerciseError, match=said) as caught:
        assert_keys({"dW1": 1, "db1": 2}, params, "grads")
    assert caught.value.kind == "missing"
    with pytest.raises(ExerciseError, match=r"\['extra'\] not expected\.$") as caught:
        assert_keys({"W1": 1, "b1": 2, "extra": 3}, params, "grads")
    assert caught.value.kind is None
    with pytest.raises(ExerciseError, match="but is a list") as caught:
        assert_keys([1, 2], params, "grads")
    assert caught.value.kind == "type"


def test_assert_unchanged_names_an_input_modified_in_place():
    x = np.array([0.5, -1.0])
    assert_unchanged(x, x.copy(), "x")
    with pytest.raises(ExerciseError, match="x was changed by the call: your function modifies its input") as caught:
        assert_unchanged(x + 1e-12, x, "x")
    assert caught.value.kind == "inplace"


def test_assert_shape_returns_the_array():
    assert assert_shape([[1, 2]], (1, 2), "x").dtype == np.float64


@pytest.mark.parametrize("value", [5.0, np.float64(5.0), np.array(5.0), np.array([5.0]), [[5.0]], 5 + 1e-7])
def test_assert_number_accepts_one_right_number(value):
    assert_number(value, 5.0, "total_norm")


@pytest.mark.parametrize("value,kind,words", [
    (None, "none_returned", "return"),
    ("five", None, "array of numbers"),
    (np.array([3.0, 4.0]), "shape", r"one number, but is an array of shape \(2,\)"),
    (5.0001, None, "expected 5, got 5.0001"),
    (-5.0, "sign", "(?s)got -5.*the sign is flipped"),
    (25.0, None, "got 25"),  # the squared norm: no factor is blamed
    (15.0, "factor", "(?s)got 15.*3 times too large"),
    (2.5, "factor", "(?s)got 2.5.*2 times too small"),
    (np.nan, "nan", "nan"),
    (np.inf, "nan", "inf"),
])
def test_assert_number_catches_planted_wrong_values(value, kind, words):
    with pytest.raises(ExerciseError, match=words) as caught:
        assert_number(value, 5.0, "total_norm")
    assert caught.value.kind == kind
    assert "total_norm" in str(caught.value)


def test_assert_number_expected_zero_allows_rounding_noise_only():
    assert_number(1e-13, 0.0, "loss")
    with pytest.raises(ExerciseError):
        assert_number(1e-6, 0.0, "loss")


@pytest.mark.parametrize("value", [
    (np.ones(3), np.zeros((2, 2)), 1.0, 2, np.float32(1.0)),
    {"x": np.ones(2), "steps": [(np.ones(1), 3), (np.ones(1), 4)]},
    (),
])
def test_assert_plain_accepts_arrays_and_numbers_in_containers(value):
    assert_plain(value, "The cache")


@pytest.mark.parametrize("value,words", [
    ((np.ones(2), lambda x: x), "function"),
    ((np.ones(2), None), "NoneType"),
    ({"steps": [(np.ones(1), "tanh")]}, "str"),
    ((np.ones(2), {1, 2}), "set"),
    ((np.array([np.ones(2), np.ones(3)], dtype=object),), "dtype object"),
])
def test_assert_plain_catches_planted_non_plain_caches(value, words):
    with pytest.raises(ExerciseError, match=words) as caught:
        assert_plain(value, "The cache of rnn_forward")
    assert caught.value.kind == "type"
    assert str(caught.value).startswith("The cache of rnn_forward holds")


def test_sigmoid_matches_the_formula_and_stays_finite():
    z = np.array([-3.0, -0.5, 0.0, 0.5, 3.0])
    np.testing.assert_allclose(sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-15)
    with np.errstate(over="raise"):
        big = sigmoid(np.array([-1000.0, 1000.0]))
    np.testing.assert_array_equal(big, [0.0, 1.0])
    assert sigmoid([[0.0]]).shape == (1, 1)


def test_softmax_of_a_vector_and_of_rows():
    z = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(softmax(z), np.exp(z) / np.exp(z).sum(), rtol=1e-15)
    scores = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(softmax(scores)[1], [1 / 3] * 3, rtol=1e-15)
    np.testing.assert_allclose(softmax(scores).sum(axis=-1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(softmax(scores, axis=0)[:, 0], softmax(np.array([1.0, 0.0])), rtol=1e-15)


def test_softmax_stays_finite_for_large_scores():
    with np.errstate(over="raise"):
        p = softmax(np.array([1000.0, 999.0, -1000.0]))
    np.testing.assert_allclose(p, [1 / (1 + np.exp(-1)), 1 / (1 + np.e), 0.0], rtol=1e-12, atol=1e-300)


def test_a_function_built_on_untested_ones_names_them_and_no_longer_once_they_passed(capsys, monkeypatch):
    from utils import testing

    monkeypatch.setattr(testing, "PASSED", set())
    testing.built_on("affine", "relu")
    note = capsys.readouterr().out
    assert "built on affine, relu" in note and "fix those first" in note
    testing.visible_tests_passed("affine")
    assert capsys.readouterr().out == "affine: visible tests passed.\n"
    testing.built_on("affine", "relu")
    assert "built on relu," in capsys.readouterr().out
    testing.visible_tests_passed("relu")
    capsys.readouterr()
    testing.built_on("affine", "relu")
    assert capsys.readouterr().out == ""


def test_a_recognised_mistake_is_named_and_none_passes():
    from utils.diagnosis import Diagnosis
    from utils.testing import assert_no_mistake

    assert_no_mistake(None, "the clipped gradients")
    with pytest.raises(ExerciseError, match="the clipped gradients is wrong.\nLikely mistake: one at a time") as caught:
        assert_no_mistake(Diagnosis("not_global_norm", "one at a time"), "the clipped gradients")
    assert caught.value.kind == "not_global_norm"


@pytest.mark.parametrize("value,named", [
    (1.5, True),  # the last term alone: loss = term in the loop
    (2.0, True),  # some of the terms
    (3.5, None),  # right
    (2.7, False),  # wrong, the sum of no terms
])
def test_assert_sum_names_a_total_overwritten(value, named):
    terms = [1.0, 0.5, 0.5, 1.5]
    if named is None:
        assert_sum(value, terms, "the loss")
        return
    with pytest.raises(ExerciseError) as caught:
        assert_sum(value, terms, "the loss")
    assert (caught.value.kind == "not_accumulated") is named, caught.value
    if value == 1.5:
        assert "the last one alone" in str(caught.value)


def test_assert_sum_of_arrays_names_a_running_sum_kept_from_the_last_step_only():
    squares = np.array([[[4.0, 0.25]], [[1.0, 9.0]], [[0.5, 0.5]]])
    assert_sum(squares.sum(axis=0), squares, "the cache")
    with pytest.raises(ExerciseError) as caught:
        assert_sum(squares[-1], squares, "the cache")
    assert caught.value.kind == "not_accumulated" and "the last one alone" in str(caught.value)
    with pytest.raises(ExerciseError) as caught:
        assert_sum(squares.sum(axis=0)[:, :1], squares, "the cache")  # a wrong shape is said as such
    assert caught.value.kind == "shape"
