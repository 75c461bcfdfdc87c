"""What the round trips (nbgrader's and the engine's) submit for a unit, and what they must get.

Derived from the course model and the unit's mistakes file, never from a hand-kept registry:
alice submits the reference answers, bob the untouched release, carol the unit's round-trip plant
(tests.mistakes.round_trip_plant), which must cost exactly the exercises its hidden checks fail.
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
    failed: tuple  # the grade_ids carol's plant fails
    carol_score: float

    @classmethod
    def of(cls, unit):
        plant = round_trip_plant(unit)
        failed = {tuple(failing_exercises(unit, plant, seed)) for seed in (0, 1, 2)}
        assert len(failed) == 1, f"{plant.id!r} fails different exercises for different seeds: {failed}"
        (failed,) = failed
        points = {exercise.grade_id: exercise.points for exercise in unit.exercises}
        return cls(unit.name, unit.notebooks[0].path.name, unit.max_score, plant, failed,
                   unit.max_score - sum(points[grade_id] for grade_id in failed))

    def submissions(self):
        """{student: notebook}: the three submissions."""
        reference = COURSE.unit(self.unit).notebooks[0].solutions[self.plant.function]
        return {"alice": answered(self.unit, self.notebook),
                "bob": untouched(self.unit, self.notebook),
                "carol": answered(self.unit, self.notebook, planted={self.plant.function: self.plant.source(reference)})}


UNITS = [unit.name for unit in COURSE.units]  # each fixture builds its RoundTrip.of(COURSE.unit(name))
