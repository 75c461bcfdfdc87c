"""What the round trips (nbgrader's and the engine's) submit for a unit, and what they must get.

Derived from the course model and the unit's mistakes file, never from a hand-kept registry:
alice submits the reference answers, bob the untouched release, carol the unit's round-trip plant
(tests.mistakes.round_trip_plant), which must cost exactly the exercises its hidden checks fail when
nbgrader runs them in the notebook, and only its own exercise when the engine grades it (the engine
grades a function built on the planted one with the solution's standing in for it).
"""
from dataclasses import dataclass

from grading.course import Course
from tests.mistakes import Plant, failing_exercises, round_trip_plant
from tests.submissions import answered, untouched

COURSE = Course()


@dataclass(frozen=True)
class RoundTrip:
    unit: str
    notebook: str
    max_score: float
    plant: Plant
    failed: tuple  # the grade_ids carol's plant fails in the notebook (nbgrader's autograde)
    carol_score: float
    failed_alone: tuple  # ... and with the engine: those whose own function is the planted one
    carol_engine_score: float

    @classmethod
    def of(cls, unit):
        plant = round_trip_plant(unit)
        failed = {tuple(failing_exercises(unit, plant, seed)) for seed in (0, 1, 2)}
        assert len(failed) == 1, f"{plant.id!r} fails different exercises for different seeds: {failed}"
        (failed,) = failed
        points = {exercise.grade_id: exercise.points for exercise in unit.exercises}
        owner = _owner(unit, plant.function)
        alone = (owner,) if owner in failed else failed  # a function no exercise owns is no stand-in
        return cls(unit.name, unit.notebooks[0].path.name, unit.max_score, plant, failed,
                   unit.max_score - sum(points[grade_id] for grade_id in failed),
                   alone, unit.max_score - sum(points[grade_id] for grade_id in alone))

    def submissions(self):
        """{student: notebook}: the three submissions."""
        reference = COURSE.unit(self.unit).notebooks[0].solutions[self.plant.function]
        return {"alice": answered(self.unit, self.notebook),
                "bob": untouched(self.unit, self.notebook),
                "carol": answered(self.unit, self.notebook, planted={self.plant.function: self.plant.source(reference)})}


def _owner(unit, function):
    """The grade_id of the first exercise whose hidden checks call `function`, or None."""
    from grading.source import graded_function_names

    for notebook in unit.notebooks:
        namespace = notebook.namespace()
        for exercise in notebook.exercises:
            if any(function in graded_function_names(namespace[name]) for name in exercise.check_names):
                return exercise.grade_id
    return None


UNITS = [unit.name for unit in COURSE.units]  # each fixture builds its RoundTrip.of(COURSE.unit(name))
