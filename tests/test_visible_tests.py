"""Every planted mistake fails the VISIBLE tests of its exercise, and they name it as the plant declares.

The visible tests are what a student sees when a test cell runs: the part of the test cell before
``### BEGIN HIDDEN TESTS``. They should teach: a classic mistake must not pass them by a coincidence
of the hand-worked point (x = 0, W = 0, sigmoid(0) = 1/2, a batch of 1 or 2 where a factor is
diagnosed), and what they report must not be a wrong guess. One generic test for all units,
discovered from the course model and the mistakes files as in tests/test_mistakes.py; each plant
runs in the namespace tests.mistakes.planted_namespace builds (setup cells, answers, plant in place).
"""
from functools import cache

import matplotlib
import numpy as np
import pytest

from grading.course import Course
from grading.source import read_cells
from tests.mistakes import notebook_of, planted_namespace, plants

matplotlib.use("Agg")  # a visible test cell may plot; no window in a test run

COURSE = Course()

# Plants the visible tests do not name yet (or let pass): expected to improve, "unit: plant id" -> why.
NOT_YET = {}  # none at present


def visible_source(notebook, grade_id):
    """The visible part of the test cell `grade_id` of `notebook`: its source before the hidden block."""
    for cell in read_cells(notebook.path):
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id:
            return cell["source"].split("### BEGIN HIDDEN TESTS")[0]
    raise AssertionError(f"{notebook.path.name} has no test cell {grade_id}")


@cache
def visible_failure(unit_name, plant_id):
    """Run the plant's visible tests with the plant in place; return the exception raised (or None)."""
    unit = COURSE.unit(unit_name)
    plant = next(p for p in plants(unit) if p.id == plant_id)
    namespace = dict(planted_namespace(unit, plant))  # a copy: the visible cell may define names
    source = visible_source(notebook_of(unit, plant.function), plant.grade_id)
    try:
        with np.errstate(all="ignore"):
            exec(compile(source, f"{unit_name}:{plant.grade_id} (visible)", "exec"), namespace)
    except Exception as error:  # noqa: BLE001 — what kind of failure it is, is the test's question
        return error
    return None


def case(unit, plant):
    key = f"{unit.name}: {plant.id}"
    marks = [pytest.mark.xfail(strict=True, reason=NOT_YET[key])] if key in NOT_YET else []
    return pytest.param(unit.name, plant, id=key, marks=marks)


CASES = [case(unit, plant) for unit in COURSE.units if unit.mistakes_file.is_file() for plant in plants(unit)]


@pytest.mark.parametrize("unit_name,plant", CASES)
def test_visible_tests_fail_and_name_the_plant(unit_name, plant):
    error = visible_failure(unit_name, plant.id)
    assert error is not None, f"the visible tests of {plant.grade_id} pass the planted mistake {plant.id!r}"
    reported = getattr(error, "kind", None)
    expected = {None, "mismatch"} if plant.kind is None else {plant.kind}
    assert reported in expected, (f"{plant.id!r}: the visible tests reported {reported!r}, the plant declares "
                                  f"{plant.kind!r}:\n{type(error).__name__}: {error}")


def test_the_expected_to_improve_list_names_only_plants():
    ids = {f"{case.values[0]}: {case.values[1].id}" for case in CASES}
    assert not set(NOT_YET) - ids, f"NOT_YET names plants that do not exist: {sorted(set(NOT_YET) - ids)}"
