"""collect keeps every student apart: names in any script, and never one student's file over another's."""
import os

import nbformat
import pytest

from grading.collect import collect, student_id
from grading.course import Course
from tests.hostile import NOTEBOOK, UNIT, bare_course_at, notebook


@pytest.mark.parametrize("relative,student", [
    ("alice.ipynb", "alice"), ("alice/x.ipynb", "alice"), ("alice_1234_5678_homework.ipynb", "alice-1234"),
    ("alice_LATE_1234_5678_homework.ipynb", "alice-1234"),
    ("Carol Smith_4321_assignsubmission_file_/my notebook.ipynb", "Carol-Smith-4321"),
    ("李雷_77_assignsubmission_file_/x.ipynb", "李雷-77"), ("Zoe\u0308 Smith_1_x/x.ipynb", "Zoë-Smith-1"),
    ("!!_12_assignsubmission_file_/x.ipynb", "12"), ("!!.ipynb", ""), ("../x.ipynb", ""),
])
def test_student_ids(relative, student):
    assert student_id(relative) == student


def test_people_of_one_name_stay_apart_and_what_cannot_be_told_apart_is_skipped(tmp_path, caplog):
    course = Course(bare_course_at(tmp_path / "course"))
    handins = tmp_path / "handins"
    for folder in ["Zoë Smith_11_assignsubmission_file_", "Zoë Smith_12_assignsubmission_file_",
                   "Zoé Smith_13_assignsubmission_file_", "李雷_14_assignsubmission_file_",
                   "!!_15_assignsubmission_file_", "alice_16_assignsubmission_file_", "bob_17_assignsubmission_file_",
                   "!!"]:
        (handins / folder).mkdir(parents=True)
        nbformat.write(notebook(), handins / folder / NOTEBOOK)
    nbformat.write(notebook(), handins / "alice_16_99_late.ipynb")  # the same LMS user again: one student
    nbformat.write(notebook(), handins / "bob-17.ipynb")  # reads as bob_17's id, without the LMS's word for it
    collected = dict(collect(course, UNIT, handins))
    assert set(collected) == {"Zoë-Smith-11", "Zoë-Smith-12", "Zoé-Smith-13", "李雷-14", "15", "alice-16"}
    for student, path in collected.items():  # each its own notebook, none over another's
        assert path == course.submitted / student / UNIT / NOTEBOOK and path.is_file()
    assert not (course.submitted / "bob-17").exists()
    said = caplog.text
    assert "bob-17.ipynb, bob_17_assignsubmission_file_" in said and "several notebooks for alice-16" in said
    assert "skipped !!/" in said


def test_a_notebook_named_like_the_assignment_names_no_student_and_the_newest_of_two_is_kept(tmp_path, caplog):
    course = Course(bare_course_at(tmp_path / "course"))
    handins = tmp_path / "handins"
    (handins / "carol").mkdir(parents=True)
    nbformat.write(notebook(), handins / NOTEBOOK)  # whose? not student "01"
    older, newer = handins / "carol" / "draft.ipynb", handins / "carol" / "final.ipynb"
    nbformat.write(notebook(plants=[("p = softmax(z)", "p = softmax(z) * 0")]), newer)
    nbformat.write(notebook(), older)
    os.utime(older, (1_000_000_000, 1_000_000_000))
    collected = dict(collect(course, UNIT, handins))
    assert list(collected) == ["carol"]
    assert collected["carol"].read_text() == newer.read_text()
    said = caplog.text
    assert f"skipped {NOTEBOOK}: it has the assignment's own name" in said
    assert "keeping the newest, carol/final.ipynb" in said
