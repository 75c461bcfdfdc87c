"""The grading engine's round trip per unit: collect, autograde (sandboxed), feedback, export.

Same expectations as the nbgrader round trip, but the verdict is computed outside the student's
process; the grades land in nbgrader's gradebook and CSV, the records name the planted mistake's
kind, and the feedback shows no hidden test.
"""
import csv
import json
import subprocess
import sys

import nbformat
import pytest

from grading.course import Course
from tests.roundtrip import COURSE, UNITS, RoundTrip
from tests.submissions import make_course

pytestmark = pytest.mark.slow


def cli(root, *args):
    done = subprocess.run([sys.executable, "-m", "grading", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module", params=UNITS)
def graded(request, tmp_path_factory):
    case = RoundTrip.of(COURSE.unit(request.param))
    root = make_course(tmp_path_factory.mktemp("course"), [case.unit])
    inbox = tmp_path_factory.mktemp("inbox")
    names = {"alice": "alice.ipynb", "bob": "bob.ipynb", "carol": "carol_homework.ipynb"}
    for student, notebook in case.submissions().items():
        nbformat.write(notebook, inbox / names[student])
    cli(root, "collect", case.unit, str(inbox))
    output = cli(root, "autograde", case.unit, "--jobs", "2")
    cli(root, "feedback", case.unit)
    cli(root, "export", "--to", str(root / "grades.csv"))
    with open(root / "grades.csv", newline="") as f:
        grades = {row["student_id"]: row for row in csv.DictReader(f)}
    return case, Course(root), grades, output


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


def test_planted_mistake_costs_its_own_exercise_and_is_named(graded):
    case, course, grades, _ = graded
    assert float(grades["carol"]["score"]) == case.carol_engine_score < case.max_score
    record = json.loads(course.record_path(case.unit, "carol", case.notebook).read_text())
    failed = {e["grade_id"]: e for e in record["exercises"] if not e["passed"]}
    assert sorted(failed) == sorted(case.failed_alone)
    assert failed[case.plant.grade_id]["kind"] == case.plant.kind
    # What the notebook's own run would have failed as well passes, and says what to fix first.
    for exercise in record["exercises"]:
        if exercise["grade_id"] in set(case.failed) - set(case.failed_alone):
            assert exercise["passed"] and f"Fix {case.plant.function} first" in exercise["note"], exercise
    feedback = course.feedback_path(case.unit, "carol", case.notebook).read_text()
    assert f"({case.plant.function})" in feedback  # the exercise, named by its heading and function
    assert "hidden_test_" not in feedback and "BEGIN HIDDEN" not in feedback
