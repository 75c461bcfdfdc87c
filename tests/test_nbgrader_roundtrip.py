"""A real nbgrader round trip for unit 01: generate, autograde, feedback, export.

The reference answers get full marks, the untouched release gets zero, and one planted wrong
gradient loses exactly that exercise's points, with feedback that names it and the mistake.
"""
import csv

import pytest

from grading.release import nbgrader
from tests.submissions import answered, make_course, submit, untouched

UNIT, NOTEBOOK = "01_matrix_calculus", "01_matrix_calculus.ipynb"


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    root = make_course(tmp_path_factory.mktemp("course"), [UNIT])
    submit(root, "alice", UNIT, NOTEBOOK, answered(UNIT, NOTEBOOK))
    submit(root, "bob", UNIT, NOTEBOOK, untouched(UNIT, NOTEBOOK))
    submit(root, "carol", UNIT, NOTEBOOK,
           answered(UNIT, NOTEBOOK, replace=[("np.outer(x, delta)", "-np.outer(x, delta)")]))
    nbgrader("autograde", UNIT, "--force", cwd=root)
    nbgrader("generate_feedback", UNIT, "--force", cwd=root)
    nbgrader("export", "--to=grades.csv", cwd=root)
    with open(root / "grades.csv", newline="") as f:
        grades = {row["student_id"]: row for row in csv.DictReader(f)}
    return root, grades


def test_reference_answers_get_full_marks(graded_course):
    _, grades = graded_course
    assert float(grades["alice"]["max_score"]) == 12
    assert float(grades["alice"]["score"]) == 12


def test_untouched_release_gets_zero(graded_course):
    _, grades = graded_course
    assert float(grades["bob"]["score"]) == 0


def test_planted_wrong_gradient_gets_partial_credit_and_named_feedback(graded_course):
    root, grades = graded_course
    assert float(grades["carol"]["score"]) == 12 - 4  # score_and_grads is worth 4
    feedback = (root / "feedback" / "carol" / UNIT / NOTEBOOK.replace(".ipynb", ".html")).read_text()
    assert "test_score_and_grads" in feedback
    assert "sign is flipped" in feedback
