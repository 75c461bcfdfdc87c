"""Result records read back exactly as written, and a file that is not one is refused by name."""
import json
import shutil

import pytest

from grading.course import Course
from grading.feedback import write_feedback
from grading.records import ExerciseResult, Record, RecordError

UNIT = "01_matrix_calculus"
COURSE = Course()


def graded(student="alice", points=3.0, note=None):
    exercises = [ExerciseResult("test_numeric_jacobian", "Exercise 1 (numeric_jacobian)", 3.0, points,
                                points == 3.0, None if points == 3.0 else "dx is wrong", note=note),
                 ExerciseResult("test_softmax_jacobian", "Exercise 2 (softmax_jacobian)", 3.0, None, False,
                                "Not graded yet", internal_error="the check broke")]
    return Record(student, UNIT, f"{UNIT}.ipynb", 6.0, exercises, ["a note"], seconds=1.5, seed=7,
                  fingerprint="ab", limits={"call_seconds": 5.0})


def test_a_record_survives_the_trip_through_its_file(tmp_path):
    record = graded(points=0.0)
    record.save(tmp_path / "r.json")
    assert Record.load(tmp_path / "r.json") == record
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["score"] == record.score == 0.0  # written for other readers; points None counts 0
    assert graded().score == 3.0


@pytest.mark.parametrize("edit, words", [
    (lambda d: d.pop("exercises"), "no list of exercises"),
    (lambda d: d["exercises"][0].pop("passed"), "'passed'"),
    (lambda d: d["exercises"][0].update(points="3"), "its points is '3'"),
    (lambda d: d.update(problems="oops"), "its problems is 'oops'"),
    (lambda d: d.update(student=None), "its student is None"),
])
def test_a_damaged_record_is_refused_with_its_path_and_what_to_do(tmp_path, edit, words):
    data = graded().to_dict()
    edit(data)
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data))
    with pytest.raises(RecordError) as error:
        Record.load(path)
    assert words in str(error.value) and str(path) in str(error.value) and "autograde --force" in str(error.value)


def test_a_file_that_is_not_json_is_refused_by_name(tmp_path):
    (tmp_path / "r.json").write_text('{"student": "al')
    with pytest.raises(RecordError, match="r.json cannot be read"):
        Record.load(tmp_path / "r.json")


def test_feedback_leaves_out_a_damaged_record_and_writes_every_other_page(tmp_path, caplog):
    shutil.copy(COURSE.root / "nbgrader_config.py", tmp_path)
    shutil.copytree(COURSE.unit(UNIT).solution_folder, tmp_path / COURSE.unit(UNIT).solution_folder.relative_to(COURSE.root))
    course = Course(tmp_path)
    good = graded("bob", note="passes with the reference affine_backward")
    good.save(course.record_path(UNIT, "bob", good.notebook))
    course.record_path(UNIT, "carol", good.notebook).parent.mkdir(parents=True)
    course.record_path(UNIT, "carol", good.notebook).write_text("[]")
    written = write_feedback(course, UNIT)
    assert written == [course.feedback_path(UNIT, "bob", good.notebook)]
    page = written[0].read_text()
    assert "passes with the reference affine_backward" in page and "not graded yet" in page
    assert any("carol" in message and "not a grading record" in message for message in caplog.messages)
