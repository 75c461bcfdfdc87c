"""One mistake costs one exercise: a function built on a wrong one is graded with the course's in its place.

Real submissions of units 02 and 03 with a planted mistake in a building block (affine_backward,
rnn_step_backward, rnn_step_forward), graded by the engine in its sandbox: the block's exercise
fails, every exercise built on it passes and says which function to fix first; a function with a
mistake of its own still fails, and says the mistake is its own.
"""
import pytest

from grading.course import Course
from grading.verdict import grade_submission
from tests.submissions import answered, make_course, submit

pytestmark = pytest.mark.slow

UNITS = ["02_backprop", "03_rnn_bptt"]
AFFINE_DX = ("dx = dout @ W.T", "dx = dout @ W")
STEP_DWH = ("dWh = h_prev.T @ delta", "dWh = delta.T @ h_prev")
STEP_BIAS = ("h_prev @ Wh + b)", "h_prev @ Wh)")
NET_DW2 = ('"W2": dW2', '"W2": -dW2')


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return Course(make_course(tmp_path_factory.mktemp("course"), UNITS))


def graded(course, unit, *replace):
    name = course.unit(unit).notebooks[0].path.name
    student = "s" + str(abs(hash(replace)))
    submit(course.root, student, unit, name, answered(unit, name, replace=list(replace)))
    record = grade_submission({"student": student, "assignment": unit, "notebook": name,
                               "submission": str(course.submitted / student / unit / name),
                               "solution": str(course.unit(unit).notebooks[0].path),
                               "release": str(course.unit(unit).release_folder), "seed": 3})
    return record, {e.grade_id: e for e in record.exercises}


def test_a_wrong_affine_backward_costs_its_own_exercise_only(course):
    record, exercises = graded(course, "02_backprop", AFFINE_DX)
    assert [g for g, e in exercises.items() if not e.passed] == ["test_affine"]
    assert record.score == record.max_score - exercises["test_affine"].max_points
    for grade_id, function in [("test_two_layer_net", "two_layer_net"), ("test_ner_backward", "ner_backward")]:
        note = exercises[grade_id].note
        assert note.startswith(f"Your {function} is right") and "Fix affine_backward first" in note
        assert "affine_forward" not in note  # it stood in too, but was not needed: not named
    assert all(e.note is None for g, e in exercises.items() if g not in ("test_two_layer_net", "test_ner_backward"))


def test_a_function_with_a_mistake_of_its_own_still_fails_and_is_told_so(course):
    _, exercises = graded(course, "02_backprop", AFFINE_DX, NET_DW2)
    net = exercises["test_two_layer_net"]
    assert not net.passed and net.points == 0 and net.kind == "sign"
    assert "dW2" in net.reason and "the mistake is in your two_layer_net itself" in net.reason
    assert exercises["test_ner_backward"].passed  # the other function built on affine_backward


def test_a_right_notebook_hears_of_no_stand_ins(course):
    record, exercises = graded(course, "02_backprop")
    assert record.score == record.max_score and all(e.note is None for e in exercises.values())


@pytest.mark.parametrize("plant, block, built_on", [
    (STEP_DWH, "test_rnn_step_backward", ["test_rnn_backward", "test_tbptt_epoch", "test_rnn_lm_loss"]),
    (STEP_BIAS, "test_rnn_step_forward", ["test_rnn_step_backward", "test_rnn_forward", "test_rnn_backward",
                                          "test_tbptt_epoch", "test_rnn_lm_loss", "test_sample_lm"]),
])
def test_a_wrong_rnn_step_costs_its_own_exercise_only(course, plant, block, built_on):
    record, exercises = graded(course, "03_rnn_bptt", plant)
    assert [g for g, e in exercises.items() if not e.passed] == [block]
    function = block.removeprefix("test_")
    assert [g for g, e in exercises.items() if e.note] == built_on
    assert all(f"Fix {function} first" in exercises[g].note for g in built_on)
    assert record.score == record.max_score - exercises[block].max_points
