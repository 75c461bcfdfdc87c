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
]
