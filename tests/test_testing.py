"""The visible-test assertions name what is wrong, and catch planted wrong answers."""
import numpy as np
import pytest

from utils.testing import ExerciseError, assert_close, assert_shape


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


def test_assert_shape_returns_the_array():
    assert assert_shape([[1, 2]], (1, 2), "x").dtype == np.float64
