"""The unit of work: one submitted notebook in, one plain result record out.

``grade_submission(job)`` takes a plain dict (paths, names, numbers, strings) and returns a plain
record (grading.records), so a process pool here or a Dask cluster can run it anywhere the course
checkout exists. It writes nothing outside its scratch folder: the coordinating process alone
records results.

For each exercise of the solution notebook, its hidden checks run *here*, in the trusted process,
on fresh random inputs, with proxies to the student's functions, which run in the sandbox.

One mistake costs one exercise: when an exercise fails and its function is built on functions that
failed their own exercises earlier (two_layer_net on affine_backward), it is graded again with the
solution's functions standing in for those, and it passes if it is right on its own; the feedback
then says which function to fix first.
"""
import functools
import secrets
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from grading import sandbox
from grading.records import ExerciseResult, Record
from grading.source import graded_function_names, read_cells, read_solution_notebook
from grading.student import GraderFault, StudentProcess, SubmissionFault
from grading.submission import read_submission

MAX_REASON_CHARS = 3000
# Errors that no student answer can cause in a hidden check: the check (or the grader) is broken.
GRADER_FAULTS = (GraderFault, NameError, SyntaxError, ImportError)


def is_grader_fault(error):
    return isinstance(error, GRADER_FAULTS)


def grade_submission(job, inputs=None):
    """Grade one notebook.

    job: {"student", "assignment", "notebook": file name, "submission": path of the submitted
    notebook, "solution": path of the solution notebook, "release": folder of the released files,
    "limits": dict of sandbox.Limits fields (optional), "seed": the seed of the hidden checks' random
    inputs (optional: a fresh one is drawn)}. The same job with the same seed gives the same record,
    but for its "seconds" (`python -m grading replay` relies on it).

    Returns a grading.records.Record, with the seed. `inputs`, a dict, if given, receives for each failed exercise the
    arguments of the last call of a student's function (replay shows them to the instructor).
    When the grader itself fails on an exercise, the student is not charged (points None, the
    exercise is left for the instructor, `internal_error` says what broke) and the reason tells them so.
    """
    started = time.monotonic()
    solution = read_solution_notebook(job["solution"])
    trusted = solution.namespace()
    references = functools.cache(lambda: solution.namespace(with_solutions=True))  # only when a part stands in
    release = Path(job["release"])
    locked_sources, locked_ids = _locked_cells(release / job["notebook"])
    submission = read_submission(Path(job["submission"]), locked_sources, locked_ids)
    limits = sandbox.Limits(**job.get("limits", {}))
    seed = job.get("seed", secrets.randbits(63))
    exercises, problems = [], list(submission.problems)
    tested_before, wrong = set(), set()  # wrong: functions whose own exercise failed
    # One BLAS thread, as in the sandbox: submissions are graded side by side, one per core, and threads
    # of their own would fight over the cores (1.6x slower with two at once here); and a matrix product's
    # rounding, which can depend on the thread count, stays the same on every machine that replays it.
    with tempfile.TemporaryDirectory(prefix="grading-") as scratch, sandbox.own_uid() as uid, \
            threadpool_limits(limits=1):
        process = StudentProcess(_prepare_scratch(Path(scratch), release, Path(job["submission"]), job["notebook"]),
                                 uid, limits)
        try:
            for number, exercise in enumerate(solution.exercises):
                tested = {n for name in exercise.check_names for n in graded_function_names(trusted[name])}
                own, tested_before = tested - tested_before, tested_before | tested
                if submission.unreadable:
                    outcome = Outcome(f"Not graded: {submission.unreadable}")
                elif time.monotonic() >= process.budget_end:
                    outcome = Outcome(f"Not graded: the earlier exercises used up the {limits.submission_seconds:g} s "
                                      "this notebook may take in all (are some of your functions far too slow?)")
                else:
                    def run():
                        process.exercise_end = time.monotonic() + limits.exercise_seconds
                        process.last_call = None
                        return _run_exercise(exercise, trusted, process, solution.setup_sources,
                                             submission, problems, [seed, number])
                    outcome = run()
                    if inputs is not None and outcome.reason and process.last_call:
                        inputs[exercise.grade_id] = process.last_call
                    if outcome.reason and not outcome.internal:
                        outcome = _on_its_own(outcome, tested, own, references, process, wrong, run)
                if outcome.reason and not outcome.internal:
                    wrong |= own
                exercises.append(outcome.record(exercise))
        finally:
            process.close()
    if submission.unreadable:
        problems.append(submission.unreadable)
    return Record(job["student"], job["assignment"], job["notebook"], solution.max_score, exercises, problems,
                  seconds=round(time.monotonic() - started, 3), seed=seed)


NOT_GRADED = ("Not graded yet: the grader itself failed on this exercise, which is not your fault. "
              "Your instructor has been told and will grade it again.")


class Outcome:
    """How one exercise went: passed (no reason; maybe a `note` for the student), failed (a reason,
    maybe a diagnosis code; `wrong_value` when a check found a wrong result, not an error), or not
    graded because the grader failed (`internal`: what broke, for the instructor)."""

    def __init__(self, reason=None, kind=None, internal=None, note=None, wrong_value=False):
        self.reason, self.kind, self.internal = (NOT_GRADED if internal else reason), kind, internal
        self.note, self.wrong_value = note, wrong_value

    def record(self, exercise):
        passed = self.reason is None
        return ExerciseResult(exercise.grade_id, exercise.title, exercise.points,
                              None if self.internal else exercise.points if passed else 0.0,
                              passed, self.reason, self.kind, self.internal, self.note)


def _on_its_own(outcome, tested, own, references, process, wrong, run):
    """The outcome of a failed exercise graded again with the solution's functions standing in for
    the student's that failed their own exercises and that it calls (directly, or through the student's
    functions): passed, with a note naming the fewest of them that it needs, when they alone made it
    fail; else the first outcome, or the second one's wrong value, which is then the exercise's own.
    `references` gives the solution's namespace, with its answers."""
    parts = sorted((process.reaches(tested) | tested) & wrong - own)
    if process.process is None or not parts:  # stopped at a time limit, or dead: a rerun would cost that again
        return outcome
    again = _run_with(parts, references(), process, run)
    if again.reason is None:
        for name in list(parts):  # which of them it needs: say only those
            if len(parts) > 1 and _run_with([p for p in parts if p != name], references(), process, run).reason is None:
                parts.remove(name)
    named, its = " and ".join(parts), "its" if len(parts) == 1 else "their"
    # an exercise that only tests functions graded before has none of its own to name
    yours = " and ".join(sorted(own)) or "work on this exercise"
    if again.reason is None:
        return Outcome(note=f"Your {yours} is right, and earns its points: it passes with the course's {named} in "
                            f"place of yours. Fix {named} first ({its} exercise says what is wrong).")
    if again.wrong_value:
        return Outcome(_clip(f"{again.reason}\n(This is with the course's {named} in place of yours, as {its} "
                             f"exercise failed: the mistake is in your {yours} itself.)"),
                       again.kind, wrong_value=True)
    return outcome


def _run_with(parts, references, process, run):
    process.stand_ins = {name: references[name] for name in parts}
    try:
        return run()
    finally:
        process.stand_ins = {}


def _run_exercise(exercise, trusted, process, setup_sources, submission, problems, seed):
    """Run the exercise's hidden checks, each on inputs drawn from its own generator seeded by
    `seed` + its number; the Outcome says whether they passed and why not."""
    for number, check_name in enumerate(exercise.check_names):
        check = trusted[check_name]
        try:
            if process.process is None:  # first exercise, or the process died in the previous one
                errors = process.start([*setup_sources, *submission.sources],
                                       ["the setup cell"] * len(setup_sources)
                                       + [f"cell {n} of your notebook" for n in submission.cell_numbers])
                problems.extend(e for e in errors if e not in problems)
            missing = [n for n in graded_function_names(check) if not process.defines(n)]
            if missing:
                return Outcome(f"{', '.join(missing)} is not defined in your notebook (was its cell deleted, "
                               "renamed, turned into markdown, or does running it fail?)", "missing")
            functions = [process.stand_ins.get(n) or process.function(n) for n in graded_function_names(check)]
            check(*functions, np.random.default_rng([*seed, number]))
        except SubmissionFault as fault:
            return Outcome(_clip(str(fault)))
        except AssertionError as failure:
            return Outcome(_clip(str(failure) or "a hidden test failed"), getattr(failure, "kind", None),
                           wrong_value=True)
        except GRADER_FAULTS as fault:
            return Outcome(internal=_clip(f"{check_name} raised {type(fault).__name__}: {fault}"))
        except Exception as error:  # the check could not use what the student's function returned
            return Outcome(_clip(f"your function's result could not be used: {type(error).__name__}: {error}"))
    return Outcome()


def _prepare_scratch(scratch, release, submitted, notebook_name):
    """The sandbox's folder: the released files (data, helper modules) and the student's notebook."""
    for item in release.iterdir():
        if item.is_file() and item.suffix != ".ipynb":
            shutil.copy(item, scratch / item.name)
    shutil.copy(submitted, scratch / notebook_name)
    return scratch


def _locked_cells(release_notebook):
    locked = [c for c in read_cells(release_notebook) if c["metadata"].get("nbgrader", {}).get("locked")]
    return [c["source"] for c in locked], {c["metadata"]["nbgrader"]["grade_id"] for c in locked}


def _clip(text):
    return text if len(text) <= MAX_REASON_CHARS else text[:MAX_REASON_CHARS] + " [...]"
