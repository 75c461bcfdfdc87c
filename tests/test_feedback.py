"""Feedback pages speak the student's language: the exercises' headings, and a reason said once."""
from grading.feedback import render
from grading.records import ExerciseResult, Record

LOAD_FAILED = "running your notebook's cells did not finish within 120 s; the cell still running, cell 14 of ..."


def exercise(grade_id, title, passed, reason=None, points=1.0):
    return ExerciseResult(grade_id, title, points, points if passed else 0.0, passed, reason)


def record(*exercises):
    return Record("alice", "02_backprop", "02_backprop.ipynb", sum(e.max_points for e in exercises), list(exercises))


def test_exercises_are_named_by_their_headings():
    page = render(record(exercise("test_sigmoid", "Exercise 2 — sigmoid (sigmoid)", True)))
    assert "Exercise 2 — sigmoid (sigmoid)" in page and "test_sigmoid" not in page


def test_a_reason_shared_by_several_exercises_is_said_once_and_a_lone_one_in_its_row():
    page = render(record(exercise("test_a", "Exercise 1 (a)", False, LOAD_FAILED),
                         exercise("test_b", "Exercise 2 (b)", False, LOAD_FAILED),
                         exercise("test_c", "Exercise 3 (c)", False, "dx is wrong"),
                         exercise("test_d", "Exercise 4 (d)", True)))
    assert page.count("cell 14 of") == 1
    assert page.count("the reason numbered 1 above") == 2
    assert page.count("dx is wrong") == 1 and "Why several exercises failed" in page
    assert "Why several" not in render(record(exercise("test_c", "Exercise 3 (c)", False, "dx is wrong")))
