"""Unit 01's planted mistakes (see tests/mistakes/__init__.py).

The round trips (tests/roundtrip.py) submit the first named plant: it comes first, before the plants
grouped by exercise in notebook order.
"""
from tests.mistakes import Plant

CENTRAL = "(np.asarray(f(x + step)) - np.asarray(f(x - step))) / (2 * h)"

PLANTS = [
    Plant("score_and_grads", "sign", "dW sign flipped", edit=("np.outer(x, delta)", "-np.outer(x, delta)")),

    # numeric_jacobian
    Plant("numeric_jacobian", "one_sided_difference", "forward difference",
          edit=(CENTRAL, "(np.asarray(f(x + step)) - np.asarray(f(x))) / h")),
    Plant("numeric_jacobian", None, "step h = 1e-2", edit=("h=1e-5", "h=1e-2")),
    Plant("numeric_jacobian", "transpose", "transposed", edit=("np.stack(columns, axis=1)", "np.stack(columns, axis=0)")),
    Plant("numeric_jacobian", "inplace", "mutates x", edit=[
        ("    x = np.array(x, dtype=np.float64)\n", ""),
        ("        step = np.zeros_like(x)\n        step[j] = h\n", ""),
        (f"columns.append({CENTRAL})",
         ("x[j] += h\n        plus = np.asarray(f(x))\n        x[j] -= 2 * h\n"
          "        columns.append((plus - np.asarray(f(x))) / (2 * h))"))]),
    # a hard-coded answer has the visible test's shape, not the random one's: "shape" is what is wrong
    Plant("numeric_jacobian", "shape", "hard-coded visible answer",
          code="def numeric_jacobian(f, x, h=1e-5):\n    return np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])\n"),

    # softmax_jacobian
    Plant("softmax_jacobian", None, "diagonal only", edit=("np.diag(p) - np.outer(p, p)", "np.diag(p * (1 - p))")),
    Plant("softmax_jacobian", "sign", "sign flipped", edit=("np.diag(p) - np.outer(p, p)", "np.outer(p, p) - np.diag(p)")),
    Plant("softmax_jacobian", "nan", "unstable softmax", edit=("p = softmax(z)", "p = np.exp(z) / np.exp(z).sum()")),
    Plant("softmax_jacobian", "shape", "hard-coded visible answer",
          code="def softmax_jacobian(z):\n    return np.array([[0.25, -0.25], [-0.25, 0.25]])\n"),

    # elementwise_jacobian
    Plant("elementwise_jacobian", "shape", "vector, not a matrix", edit=("np.diag(fprime(z))", "fprime(z)")),
    Plant("elementwise_jacobian", None, "f' in every column",
          edit=("np.diag(fprime(z))", "np.outer(fprime(z), np.ones_like(z))")),
    Plant("elementwise_jacobian", None, "identity", edit=("np.diag(fprime(z))", "np.eye(z.size)")),

    # score_and_grads (and "dW sign flipped" above)
    Plant("score_and_grads", "zero", "dx all zero", edit=("W @ delta", "np.zeros_like(x)")),
    Plant("score_and_grads", "transpose", "dW transposed", edit=("np.outer(x, delta)", "np.outer(delta, x)")),
    Plant("score_and_grads", "missing_local_derivative", "sigmoid' left out",
          edit=("delta = u * h * (1 - h)", "delta = u")),
    Plant("score_and_grads", None, "wrong score", edit=("return float(s),", "return 0.0,")),
]
