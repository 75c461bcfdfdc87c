"""What a gradient check costs, directional against coordinate mode.

    python benchmarks/gradcheck_cost.py

Model: a 2-layer tanh MLP with softmax cross-entropy on a batch of 16 (3,110 parameters in 4
tensors). Each mode checks the correct gradients, then gradients with a planted bug (dW2 not
divided by the batch size). A directional check that fails re-checks the failing tensor per
coordinate to name its entries, which is why its forward passes grow with that tensor's size.
"""

import time

import numpy as np

from utils import check_gradients

N, D, H, C = 16, 20, 100, 10


def mlp():
    """(loss, params, grads): params W1 (D, H), b1 (H,), W2 (H, C), b2 (C,); loss averages over N."""
    rng = np.random.default_rng(1)
    params = {
        "W1": rng.standard_normal((D, H)) / np.sqrt(D),
        "b1": np.zeros(H),
        "W2": rng.standard_normal((H, C)) / np.sqrt(H),
        "b2": np.zeros(C),
    }
    x, y = rng.standard_normal((N, D)), rng.integers(0, C, N)

    def scores(W1, b1, W2, b2):
        hidden = np.tanh(x @ W1 + b1)
        return hidden, hidden @ W2 + b2

    def loss(**p):
        s = scores(**p)[1]
        s = s - s.max(axis=1, keepdims=True)
        return np.mean(np.log(np.exp(s).sum(axis=1)) - s[np.arange(N), y])

    hidden, s = scores(**params)
    p = np.exp(s - s.max(axis=1, keepdims=True))
    dscores = p / p.sum(axis=1, keepdims=True)
    dscores[np.arange(N), y] -= 1
    dscores /= N
    da = dscores @ params["W2"].T * (1 - hidden**2)
    grads = {
        "W1": x.T @ da,
        "b1": da.sum(axis=0),
        "W2": hidden.T @ dscores,
        "b2": dscores.sum(axis=0),
    }
    return loss, params, grads


def timed(loss, params, grads, mode):
    """(report, seconds): the best of 3 runs."""
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        report = check_gradients(loss, params, grads, mode=mode)
        best = min(best, time.perf_counter() - start)
    return report, best


def main():
    loss, params, grads = mlp()
    planted = {**grads, "W2": grads["W2"] * N}
    size = sum(p.size for p in params.values())
    print(
        f"{'mode':<12} {'gradients':<22} {'parameters':>10} {'forward passes':>15} {'seconds':>9}  result"
    )
    for mode in ("directional", "coordinate"):
        for label, given in (("correct", grads), ("dW2 not divided by N", planted)):
            report, seconds = timed(loss, params, given, mode)
            result = "passed" if report.passed else f"failed: {report.kind} in d{report.worst}"
            print(
                f"{mode:<12} {label:<22} {size:>10} {report.forward_passes:>15} {seconds:>9.4f}  {result}"
            )
    print()
    print(check_gradients(loss, params, planted, mode="directional"))


if __name__ == "__main__":
    main()
