"""Result records: what grading one notebook found, as the coordinator keeps it.

A :class:`Record` comes back from the unit of work (:func:`grading.verdict.grade_submission`) to the
coordinator, which writes it as JSON to ``graded/<assignment>/<student>/<notebook>.json``; feedback,
the gradebook, the flags, replay and the command line read it back with :meth:`Record.load`. The
JSON is plain (a dict per record, one per exercise) so that other tools can read it too; a file that
is not a record (edited by hand, truncated) is refused with :class:`RecordError`, which names it.
"""
import json
from dataclasses import asdict, dataclass, field, fields
from types import UnionType
from typing import get_args, get_origin


class RecordError(Exception):
    """A record file that cannot be read as one."""


@dataclass
class ExerciseResult:
    """One exercise of one notebook.

    points is None when the exercise was not graded because the grader itself failed (then
    `internal_error` says what broke, for the instructor only). `kind` is the diagnosis code of a
    failure (utils.diagnosis), `note` something a passed exercise still tells the student.
    """
    grade_id: str
    title: str
    max_points: float
    points: float | None
    passed: bool
    reason: str | None = None
    kind: str | None = None
    internal_error: str | None = None
    note: str | None = None


@dataclass
class Record:
    """One graded notebook: its exercises, notes on the notebook itself (`problems`), the seed its
    hidden inputs were drawn from, and what it was graded against (`fingerprint`, `limits`)."""
    student: str
    assignment: str
    notebook: str
    max_score: float
    exercises: list[ExerciseResult]
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    seed: int | None = None
    fingerprint: str | None = None
    limits: dict = field(default_factory=dict)

    @property
    def score(self):
        return sum(e.points or 0.0 for e in self.exercises)

    @classmethod
    def not_submitted(cls, student, assignment, notebook, reason, **more):
        """Every exercise of `notebook` (a grading.source.SolutionNotebook) failed for one `reason`."""
        exercises = [ExerciseResult(e.grade_id, e.title, e.points, 0.0, False, reason) for e in notebook.exercises]
        return cls(student, assignment, notebook.path.name, notebook.max_score, exercises, [reason], **more)

    def to_dict(self):
        return dict(asdict(self), score=self.score)

    @classmethod
    def from_dict(cls, data):
        if not isinstance(data, dict):
            raise RecordError("it is not a JSON object")
        exercises = data.get("exercises")
        if not isinstance(exercises, list) or not all(isinstance(e, dict) for e in exercises):
            raise RecordError("it has no list of exercises")
        try:
            return cls(**_known(cls, data, exercises=[ExerciseResult(**_known(ExerciseResult, e)) for e in exercises]))
        except TypeError as error:  # a field missing
            raise RecordError(str(error).split("__init__() ")[-1]) from None

    def save(self, path):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=1))

    @classmethod
    def load(cls, path):
        try:
            return cls.from_dict(json.loads(path.read_text()))
        except (OSError, ValueError, RecursionError) as error:
            raise RecordError(f"{path} cannot be read: {error}") from None
        except RecordError as error:
            raise RecordError(f"{path} is not a grading record ({error}); grade the assignment again with "
                              "autograde --force to rewrite it") from None


def _known(kind, data, **replaced):
    """The entries of `data` that are fields of the dataclass `kind` (a newer file's extras are left),
    each of the field's type (an int where a float is expected)."""
    known = {}
    for f in fields(kind):
        if f.name in replaced or f.name not in data:
            continue
        origin = get_origin(f.type)
        value, allowed = data[f.name], get_args(f.type) if origin is UnionType else (origin or f.type,)
        if not (isinstance(value, allowed) or (float in allowed and type(value) is int)):
            raise RecordError(f"its {f.name} is {value!r}, not a {f.type}")
        known[f.name] = value
    return {**known, **replaced}
