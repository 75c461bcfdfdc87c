"""A real nbgrader round trip per unit: generate, autograde, feedback, export.

The reference answers get full marks, the untouched release gets zero, and the unit's round-trip
plant (from its mistakes file) loses exactly the points of the exercises it fails, with feedback
that names the exercise. nbgrader, configured by the course's nbgrader_config.py, leaves out the
cells tagged skip-when-grading, as the course's engine does.
"""
import csv

import nbformat
import pytest

from grading.course import Course
from grading.nbgrader_preprocessors import SKIPPED
from grading.submission import SKIP_TAG
from grading.release import nbgrader
from tests.roundtrip import COURSE, UNITS, RoundTrip
from tests.submissions import make_course, submit

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=UNITS)
def graded(request, tmp_path_factory):
    case = RoundTrip.of(COURSE.unit(request.param))
    root = make_course(tmp_path_factory.mktemp("course"), [case.unit])
    for student, notebook in case.submissions().items():
        submit(root, student, case.unit, case.notebook, notebook)
    nbgrader("autograde", case.unit, "--force", cwd=root)
    nbgrader("generate_feedback", case.unit, "--force", cwd=root)
    nbgrader("export", "--to=grades.csv", cwd=root)
    with open(root / "grades.csv", newline="") as f:
        grades = {row["student_id"]: row for row in csv.DictReader(f)}
    return case, Course(root), grades


def test_reference_answers_get_full_marks(graded):
    case, _, grades = graded
    assert float(grades["alice"]["max_score"]) == case.max_score
    assert float(grades["alice"]["score"]) == case.max_score


def test_untouched_release_gets_zero(graded):
    _, _, grades = graded
    assert float(grades["bob"]["score"]) == 0


def test_planted_mistake_costs_its_exercises(graded):
    case, course, grades = graded
    assert float(grades["carol"]["score"]) == case.carol_score < case.max_score
    assert case.plant.grade_id in course.feedback_path(case.unit, "carol", case.notebook).read_text()


def test_nbgrader_leaves_out_the_cells_no_grade_needs(graded):
    case, course, _ = graded
    released = nbformat.read(course.unit(case.unit).release_folder / case.notebook, as_version=4)
    autograded = nbformat.read(course.autograded / "alice" / case.unit / case.notebook, as_version=4)
    tagged = [cell for cell in autograded.cells if SKIP_TAG in cell.metadata.get("tags", [])]
    assert len(tagged) == sum(SKIP_TAG in cell.metadata.get("tags", []) for cell in released.cells)
    assert all(cell.source == SKIPPED and not cell.outputs for cell in tagged)
