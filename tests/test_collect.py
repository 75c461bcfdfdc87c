"""collect keeps every student apart: names in any script, and never one student's file over another's."""
import nbformat
import pytest

from grading.collect import collect, student_id
from grading.course import Course
from tests.hostile import NOTEBOOK, UNIT, bare_course_at, notebook


@pytest.mark.parametrize("relative,student", [
    ("alice.ipynb", "alice"), ("alice_1234_5678_homework.ipynb", "alice"),
    ("Carol Smith_4321_assignsubmission_file_/my notebook.ipynb", "Carol-Smith"),
    ("李雷_77_assignsubmission_file_/x.ipynb", "李雷"), ("Zoe\u0308 Smith_1_x/x.ipynb", "Zoë-Smith"),
    ("!!_12_assignsubmission_file_/x.ipynb", ""), ("../x.ipynb", ""),
])
def test_student_ids(relative, student):
    assert student_id(relative) == student


def test_collisions_and_unreadable_names_are_skipped_and_the_rest_collected(tmp_path, capsys):
    course = Course(bare_course_at(tmp_path / "course"))
    handins = tmp_path / "handins"
    for folder in ["Zoë Smith_11_assignsubmission_file_", "Zoë Smith_12_assignsubmission_file_",
                   "Zoé Smith_13_assignsubmission_file_", "李雷_14_assignsubmission_file_",
                   "!!_15_assignsubmission_file_", "alice_16_assignsubmission_file_"]:
        (handins / folder).mkdir(parents=True)
        nbformat.write(notebook(), handins / folder / NOTEBOOK)
    nbformat.write(notebook(), handins / "alice_16_99_late.ipynb")  # the same LMS user again: not a collision
    collected = dict(collect(course, UNIT, handins))
    assert set(collected) == {"alice", "Zoé-Smith", "李雷"}
    assert not (course.submitted / "Zoë-Smith").exists()
    said = capsys.readouterr().err
    assert "11, 12" in said and "'Zoë-Smith'" in said and "!!_15" in said
