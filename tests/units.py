"""Per-unit facts the round-trip tests need: the notebook, its points, and one planted mistake.

Adding a unit: add an entry; the nbgrader and engine round trips then cover it.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class UnitCase:
    unit: str
    notebook: str
    max_score: float
    plant: tuple  # (old, new) replaced in the answers: one wrong gradient
    planted_exercise: str  # the grade_id that must fail
    planted_points: float
    diagnosis: str  # words the feedback must contain


UNITS = [
    UnitCase("01_matrix_calculus", "01_matrix_calculus.ipynb", 12, ("np.outer(x, delta)", "-np.outer(x, delta)"),
             "test_score_and_grads", 4, "sign is flipped"),
    UnitCase("02_backprop", "02_backprop.ipynb", 32, ("np.add.at(dE, windows, dwords)", "np.add.at(dE, windows, -dwords)"),
             "test_ner_backward", 4, "sign is flipped"),
    # rnn_backward without the gradient from the future (dh_prev) added at each step; it costs
    # test_rnn_backward (4) and test_tbptt_epoch (3), whose training loop calls rnn_backward.
    UnitCase("03_rnn_bptt", "03_rnn_bptt.ipynb", 16, ("dh[:, t] + dh_prev", "dh[:, t]"),
             "test_rnn_backward", 7, "only the last time step of dx is right"),
]
