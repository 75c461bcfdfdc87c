"""Every unit's hidden checks pass the reference and catch, and name, its planted mistakes.

One generic test for all units, discovered from the course model (grading.course) and the mistakes
files (tests/mistakes/<unit>.py): a new unit is covered by adding its mistakes file, and a unit
without one fails here. The checks and the references are read from the solution notebooks exactly
as the grader reads them, so these tests exercise what students are graded with.
"""
from functools import cache

import pytest

from grading.course import Course
from grading.verdict import is_grader_fault
from tests.mistakes import (
    PlantError,
    notebook_of,
    planted_namespace,
    plants,
    run_exercise,
)

COURSE = Course()
SEEDS = (0, 1, 2)


@cache
def unit_plants(unit_name):
    return plants(COURSE.unit(unit_name))


@cache
def planted_failure(unit_name, plant_id, seed):
    """Run the plant's exercise with the plant in place; return the exception it raised (or None)."""
    unit = COURSE.unit(unit_name)
    plant = next(p for p in unit_plants(unit_name) if p.id == plant_id)
    try:
        run_exercise(notebook_of(unit, plant.function), plant.grade_id, planted_namespace(unit, plant), seed)
    except Exception as error:  # noqa: BLE001 — what kind of failure it is, is the test's question
        return error
    return None


UNIT_NAMES = [unit.name for unit in COURSE.units]
EXERCISES = [(unit.name, exercise.grade_id) for unit in COURSE.units for exercise in unit.exercises]
PLANTS = [(unit.name, plant) for unit in COURSE.units if unit.mistakes_file.is_file()
          for plant in plants(unit)]


@pytest.mark.parametrize("unit_name", UNIT_NAMES)
def test_every_exercise_has_two_plants(unit_name):
    unit = COURSE.unit(unit_name)
    counts = {exercise.grade_id: 0 for exercise in unit.exercises}
    for plant in unit_plants(unit_name):  # raises, naming the file, when the unit has none
        assert plant.grade_id in counts, f"{unit.mistakes_file.name}: {plant.id!r} names no exercise of {unit.name}"
        counts[plant.grade_id] += 1
    thin = [grade_id for grade_id, count in counts.items() if count < 2]
    assert not thin, f"{unit.mistakes_file}: these exercises need at least two planted mistakes: {thin}"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("unit_name,grade_id", EXERCISES)
def test_reference_passes_its_hidden_checks(unit_name, grade_id, seed):
    notebook = next(n for n in COURSE.unit(unit_name).notebooks if grade_id in {e.grade_id for e in n.exercises})
    run_exercise(notebook, grade_id, reference_namespace(unit_name, notebook.path.name), seed)


@cache
def reference_namespace(unit_name, notebook_name):
    notebook = next(n for n in COURSE.unit(unit_name).notebooks if n.path.name == notebook_name)
    return notebook.namespace(with_solutions=True)


@pytest.mark.parametrize("unit_name,plant", PLANTS, ids=lambda v: getattr(v, "id", v))
def test_plant_changes_its_function(unit_name, plant):
    notebook = notebook_of(COURSE.unit(unit_name), plant.function)
    try:
        plant.source(notebook.solutions[plant.function])
    except PlantError as error:
        pytest.fail(str(error))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("unit_name,plant", PLANTS, ids=lambda v: getattr(v, "id", v))
def test_plant_fails_its_exercise(unit_name, plant, seed):
    error = planted_failure(unit_name, plant.id, seed)
    assert error is not None, f"the hidden check of {plant.grade_id} passes the planted mistake {plant.id!r}"
    assert not is_grader_fault(error), f"{plant.id!r} broke the check itself: {type(error).__name__}: {error}"


DIAGNOSIS_CASES = [pytest.param(unit_name, plant, id=plant.id, marks=[] if plant.named else [
    pytest.mark.xfail(strict=True, reason="expected to improve: the checker cannot name this mistake yet")])
    for unit_name, plant in PLANTS]


@pytest.mark.parametrize("unit_name,plant", DIAGNOSIS_CASES)
def test_plant_is_diagnosed_as_its_kind(unit_name, plant):
    reported = {getattr(planted_failure(unit_name, plant.id, seed), "kind", None) for seed in SEEDS}
    expected = {None, "mismatch"} if plant.kind is None else {plant.kind}
    assert reported <= expected, (f"{plant.id!r}: the checker reported {sorted(map(str, reported))}, "
                                  f"the plant declares {plant.kind!r}")
