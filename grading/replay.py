"""Grade one submission again with the seed of its record, for the instructor.

Every record holds the seed its hidden checks drew their inputs from, so a disputed grade can be
replayed: the same notebook, the same solution, the same inputs give the same verdicts. The replay
also shows what no student sees: the arguments of the last call each failed check made to the
student's function.
"""
import numpy as np

from grading import sandbox, verdict
from grading.autograde import find_jobs
from grading.course import CourseError
from grading.records import Record, RecordError


def replay(course, assignment, student):
    """Lines that say, for each of `student`'s notebooks of `assignment`, whether grading again with
    the recorded seed gives the recorded verdicts, and the inputs of each failed check."""
    unit = course.unit(assignment)
    problem = sandbox.unavailable()
    if problem:
        raise CourseError(f"cannot replay: {problem}, and student code runs only in the sandbox")
    jobs = [job for job in find_jobs(course, unit)[0] if job["student"] == student]
    if not jobs:
        students = ", ".join(sorted(course.submission_folders(assignment))) or "none"
        raise CourseError(f"{student!r} has no submission of {assignment} (students who have: {students})")
    lines = []
    for job in jobs:
        path = course.record_path(assignment, student, job["notebook"])
        if not path.exists():
            raise CourseError(f"{student}'s {job['notebook']} has no record yet: run autograde first")
        try:
            recorded = Record.load(path)
        except RecordError as error:
            raise CourseError(str(error)) from None
        if recorded.seed is None:
            raise CourseError(f"the record of {student}'s {job['notebook']} holds no seed (graded before seeds were "
                              "recorded): grade it again with autograde --force, then replay")
        inputs = {}
        again = verdict.grade_submission(dict(job, seed=recorded.seed, limits=recorded.limits), inputs)
        before = {e.grade_id: _verdict(e) for e in recorded.exercises}
        same = all(_verdict(e) == before.get(e.grade_id) for e in again.exercises)
        lines.append(f"{student} {job['notebook']} (seed {recorded.seed}): recorded {recorded.score:g}, "
                     f"replayed {again.score:g}/{again.max_score:g} — "
                     + ("the same verdicts" if same else "DIFFERENT verdicts (has the notebook or the solution changed?)"))
        for exercise in again.exercises:
            mark = "" if _verdict(exercise) == before.get(exercise.grade_id) else "  (recorded differently)"
            lines.append(f"  {exercise.grade_id}: {exercise.points if exercise.points is not None else '-'}"
                         f"/{exercise.max_points:g} {'passed' if exercise.passed else 'failed'}{mark}")
            if not exercise.passed:
                lines.append("    " + (exercise.reason or "").replace("\n", "\n    "))
            if exercise.grade_id in inputs:
                name, args, kwargs = inputs[exercise.grade_id]
                lines.append(f"    the last call: {name}(")
                lines += [f"      {_show(value)}," for value in args]
                lines += [f"      {key}={_show(value)}," for key, value in kwargs.items()]
                lines.append("    )")
    return lines


def _verdict(exercise):
    return exercise.points, exercise.passed, exercise.reason, exercise.note


def _show(value):
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=4, threshold=60, edgeitems=3, max_line_width=100)
        return f"array of shape {value.shape}, {value.dtype}:\n        " + text.replace("\n", "\n        ")
    if callable(value):
        return "<a function of the check>"
    return repr(value)[:300]
