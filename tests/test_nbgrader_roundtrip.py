"""A real nbgrader round trip per unit: generate, autograde, feedback, export.

The reference answers get full marks, the untouched release gets zero, and one planted wrong
gradient loses exactly that exercise's points, with feedback that names it and the mistake.
"""
import csv

import pytest

from grading.release import nbgrader
from tests.submissions import answered, make_course, submit, untouched
from tests.units import UNITS


@pytest.fixture(scope="module", params=UNITS, ids=lambda case: case.unit)
def graded(request, tmp_path_factory):
    case = request.param
    root = make_course(tmp_path_factory.mktemp("course"), [case.unit])
    submit(root, "alice", case.unit, case.notebook, answered(case.unit, case.notebook))
    submit(root, "bob", case.unit, case.notebook, untouched(case.unit, case.notebook))
    submit(root, "carol", case.unit, case.notebook, answered(case.unit, case.notebook, replace=[case.plant]))
    nbgrader("autograde", case.unit, "--force", cwd=root)
    nbgrader("generate_feedback", case.unit, "--force", cwd=root)
    nbgrader("export", "--to=grades.csv", cwd=root)
    with open(root / "grades.csv", newline="") as f:
        grades = {row["student_id"]: row for row in csv.DictReader(f)}
    return case, root, grades


def test_reference_answers_get_full_marks(graded):
    case, _, grades = graded
    assert float(grades["alice"]["max_score"]) == case.max_score
    assert float(grades["alice"]["score"]) == case.max_score


def test_untouched_release_gets_zero(graded):
    _, _, grades = graded
    assert float(grades["bob"]["score"]) == 0


def test_planted_wrong_gradient_gets_partial_credit_and_named_feedback(graded):
    case, root, grades = graded
    assert float(grades["carol"]["score"]) == case.max_score - case.planted_points
    feedback = (root / "feedback" / "carol" / case.unit / case.notebook.replace(".ipynb", ".html")).read_text()
    assert case.planted_exercise in feedback
    assert case.diagnosis in feedback
