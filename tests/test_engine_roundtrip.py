"""The grading engine's round trip per unit: collect, autograde (sandboxed), feedback, export.

Same expectations as the nbgrader round trip, but the verdict is computed outside the student's
process; the grades land in nbgrader's gradebook and CSV, and the feedback shows no hidden test.
"""
import csv
import subprocess
import sys

import pytest

from tests.submissions import answered, make_course, untouched
from tests.units import UNITS


def cli(root, *args):
    done = subprocess.run([sys.executable, "-m", "grading", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module", params=UNITS, ids=lambda case: case.unit)
def graded(request, tmp_path_factory):
    import nbformat

    case = request.param
    root = make_course(tmp_path_factory.mktemp("course"), [case.unit])
    inbox = tmp_path_factory.mktemp("inbox")
    nbformat.write(answered(case.unit, case.notebook), inbox / "alice.ipynb")
    nbformat.write(untouched(case.unit, case.notebook), inbox / "bob.ipynb")
    nbformat.write(answered(case.unit, case.notebook, replace=[case.plant]), inbox / "carol_1234_whatever.ipynb")
    cli(root, "collect", case.unit, str(inbox))
    output = cli(root, "autograde", case.unit, "--jobs", "2")
    cli(root, "feedback", case.unit)
    cli(root, "export", "--to", str(root / "grades.csv"))
    with open(root / "grades.csv", newline="") as f:
        grades = {row["student_id"]: row for row in csv.DictReader(f)}
    return case, root, grades, output


def test_autograde_reports_the_isolation_in_force(graded):
    *_, output = graded
    assert "Isolation:" in output


def test_reference_answers_get_full_marks(graded):
    case, _, grades, _ = graded
    assert float(grades["alice"]["score"]) == float(grades["alice"]["max_score"]) == case.max_score
    assert grades["alice"]["timestamp"], "collect stamps the submission time"


def test_untouched_release_gets_zero(graded):
    _, _, grades, _ = graded
    assert float(grades["bob"]["score"]) == 0


def test_planted_wrong_gradient_gets_partial_credit_and_named_feedback(graded):
    case, root, grades, _ = graded
    assert float(grades["carol"]["score"]) == case.max_score - case.planted_points
    feedback = (root / "feedback" / "carol" / case.unit / case.notebook.replace(".ipynb", ".html")).read_text()
    assert case.planted_exercise in feedback and case.diagnosis in feedback
    assert "hidden_test_" not in feedback and "BEGIN HIDDEN" not in feedback
