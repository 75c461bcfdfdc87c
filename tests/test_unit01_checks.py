"""Unit 01's hidden checks pass the reference answers and catch planted wrong ones.

The checks and the references are read from the solution notebook (grading.source), exactly as the
grader reads them, so these tests exercise what students are graded with.
"""
import numpy as np
import pytest

from grading.paths import SOLUTIONS
from grading.source import read_solution_notebook

NOTEBOOK = read_solution_notebook(SOLUTIONS / "01_matrix_calculus" / "01_matrix_calculus.ipynb")
REF = NOTEBOOK.namespace(with_solutions=True)
softmax, sigmoid = REF["softmax"], REF["sigmoid"]


def run_check(name, *functions, seed=None):
    REF[f"hidden_test_{name}"](*functions, np.random.default_rng(seed))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", ["numeric_jacobian", "softmax_jacobian", "elementwise_jacobian", "score_and_grads"])
def test_reference_passes_its_hidden_check(name, seed):
    run_check(name, REF[name], seed=seed)


def forward_difference_jacobian(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    fx = f(x)
    return np.stack([(f(x + h * e) - fx) / h for e in np.eye(x.size)], axis=1)


def jacobian_in_place(f, x, h=1e-5):
    # Perturbs the caller's array and never restores it.
    columns = []
    for j in range(x.size):
        x[j] += h
        plus = f(x)
        x[j] -= 2 * h
        columns.append((plus - f(x)) / (2 * h))
    return np.stack(columns, axis=1)


WRONG = {
    "numeric_jacobian": {
        "forward difference": forward_difference_jacobian,
        "transposed": lambda f, x, h=1e-5: REF["numeric_jacobian"](f, x, h).T,
        "mutates x": jacobian_in_place,
        "hard-coded visible answer": lambda f, x, h=1e-5: np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
    },
    "softmax_jacobian": {
        "diagonal only": lambda z: np.diag(softmax(z) * (1 - softmax(z))),
        "sign flipped": lambda z: -REF["softmax_jacobian"](z),
        "unstable softmax": lambda z: np.diag(np.exp(z) / np.exp(z).sum()) - np.outer(np.exp(z), np.exp(z)) / np.exp(z).sum() ** 2,
        "hard-coded visible answer": lambda z: np.array([[0.25, -0.25], [-0.25, 0.25]]),
    },
    "elementwise_jacobian": {
        "vector not matrix": lambda fprime, z: fprime(z),
        "all ones outer": lambda fprime, z: np.outer(fprime(z), np.ones_like(z)),
        "identity": lambda fprime, z: np.eye(z.size),
    },
    "score_and_grads": {
        "dW sign flipped": lambda x, W, b, u: (lambda s, dx, dW, db: (s, dx, -dW, db))(*REF["score_and_grads"](x, W, b, u)),
        "dx all zero": lambda x, W, b, u: (lambda s, dx, dW, db: (s, np.zeros_like(dx), dW, db))(*REF["score_and_grads"](x, W, b, u)),
        "missing sigmoid derivative": lambda x, W, b, u: (lambda s, dx, dW, db: (s, W @ u, np.outer(x, u), u))(*REF["score_and_grads"](x, W, b, u)),
        "wrong score": lambda x, W, b, u: (0.0, *REF["score_and_grads"](x, W, b, u)[1:]),
    },
}


@pytest.mark.parametrize("name,mistake", [(n, m) for n, ms in WRONG.items() for m in ms])
def test_hidden_check_catches_planted_mistake(name, mistake):
    with pytest.raises(AssertionError), np.errstate(all="ignore"):
        run_check(name, WRONG[name][mistake], seed=0)
