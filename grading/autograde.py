"""Grade a whole class: find the submissions, grade them in parallel, record the results.

Only this coordinating process writes anything lasting: the result records
(``graded/<assignment>/<student>/<notebook>.json``) and the gradebook. Workers run
:func:`grading.verdict.grade_submission`, one submission in, one plain record out.
"""
import hashlib
import json
import os
from dataclasses import replace
import sys
import tempfile
from pathlib import Path

from grading import cgroups, formgrader, gradebook, local_pool, sandbox, verdict
from grading.course import CourseError
from grading.records import Record, RecordError
from grading.release import build_release
from grading.source import read_solution_notebook

# The trusted grader's own process per submission: memory beyond what it maps when it starts, and
# time beyond the submission's own budget (the hidden checks' work between calls).
GRADER_MEMORY_BYTES = 4 * 2**30
GRADER_MARGIN_SECONDS = 120


def find_jobs(course, unit):
    """One job per (student, notebook) under submitted/, plus records for notebooks that are missing."""
    jobs, missing = [], []
    for student, folder in course.submission_folders(unit.name).items():
        present = sorted(p.name for p in folder.glob("*.ipynb"))
        for solution in unit.notebooks:
            name = solution.path.name
            if name not in present and len(present) == 1 and len(unit.notebooks) == 1:
                name = present[0]  # a renamed notebook: it is the only one, so it is this one
            if name not in present:
                missing.append(Record.not_submitted(student, unit.name, solution,
                                                    f"Not graded: {name} was not in the submission."))
                continue
            if not _inside(folder / name, course.submitted):
                missing.append(Record.not_submitted(student, unit.name, solution,
                                                    f"Not graded: {name} is a link to a file elsewhere."))
                continue
            jobs.append({"student": student, "assignment": unit.name, "notebook": solution.path.name,
                         "submission": str(folder / name), "solution": str(solution.path),
                         "release": str(unit.release_folder), "renamed_from": name})
    return jobs, missing


def autograde(course, assignment, jobs=None, limits=None, progress=sys.stderr, unsafe_no_isolation=False,
              force=False, dask=None, override_manual=False):
    """Grade every submission of the unit `assignment` in `course`; return (records, flags).

    The submissions are graded on this machine, `jobs` at once (default: one per core), or, with
    `dask` (a Dask scheduler's address, or a distributed.Client), on that cluster's workers.
    Manual scores entered in formgrader are kept unless `override_manual`.

    Each record is written as soon as its submission is graded, so an interrupted batch keeps what
    it finished; a later run reuses a record whose submission, solution and limits are unchanged,
    unless `force`. Raises CourseError, before grading anyone, when the unit's hidden checks are
    broken, or when the sandbox cannot run here and `unsafe_no_isolation` does not accept that.
    """
    unit = course.unit(assignment)
    problem = sandbox.unavailable()
    if problem and not unsafe_no_isolation:
        raise CourseError(sandbox.refusal(problem))
    problems = [p for notebook in unit.notebooks for p in notebook.check_problems()]
    if problems:
        raise CourseError("the hidden checks are broken, so nobody was graded; fix the solution notebook:\n  "
                          + "\n  ".join(problems))
    work, records = find_jobs(course, unit)
    if not work and not records:
        raise CourseError(f"there are no submissions of {assignment} in {course.submitted.name}/*/{assignment}/: "
                          f"collect them first (python -m grading collect {assignment} FOLDER_OR_ZIP)")
    previous = _previous_scores(course.records / assignment)
    for job in work:
        job["limits"] = limits or {}
        job["fingerprint"] = _fingerprint(job)
        # The hidden inputs follow from what was graded: a regrade of the same notebook draws the same
        # ones (same verdict, on any machine), and the student cannot know them (the solution is in it).
        job["seed"] = int(job["fingerprint"][:15], 16)
    if not force:
        finished = {id(job): _finished(course, job) for job in work}
        records += [record for record in finished.values() if record]
        work = [job for job in work if not finished[id(job)]]
    if not gradebook.knows(course, assignment):
        # The gradebook learns the assignment's cells the way nbgrader does: by generating it.
        with tempfile.TemporaryDirectory() as scratch:
            build_release(course, [unit], scratch, db_url=course.db_url)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(work) or 1))
    cgroups.unavailable()  # decided once, here, for every job
    deadline = sandbox.Limits(**(limits or {})).submission_seconds + GRADER_MARGIN_SECONDS
    if dask is not None:
        from grading import dask_pool
        finished = dask_pool.run(dask, _grade, work)
    else:
        finished = local_pool.run(_grade, work, workers, deadline, GRADER_MEMORY_BYTES)
    try:
        for done, (job, record, error) in enumerate(finished, 1):
            record = replace(record or _not_graded(job, error), fingerprint=job["fingerprint"], limits=job["limits"])
            _write_record(course, record)
            formgrader.write_autograded(course, record, Path(job["submission"]), Path(job["release"]) / job["notebook"])
            records.append(record)
            _show_progress(progress, done, len(work), record)
    finally:
        finished.close()  # on Ctrl-C: what is written stays; running jobs are stopped
        cgroups.sweep()
    records.sort(key=lambda r: (r.student, r.notebook))
    for record in records:
        if record.fingerprint is None:  # a notebook that was not submitted: nothing to reuse later
            _write_record(course, record)
    flags = gradebook.record(course, records, _timestamps(course, assignment), previous, override_manual)
    flags += [f"{r.student} {e.grade_id}: not graded, the grader failed (the student is not charged; "
              f"fix it and grade again): {e.internal_error}"
              for r in records for e in r.exercises if e.internal_error]
    course.flags_path(assignment).write_text("".join(f"{flag}\n" for flag in flags))
    return records, flags


def _fingerprint(job):
    """What a record depends on: the submitted notebook, the solution notebook and the limits."""
    digest = hashlib.sha256()
    for path in (job["submission"], job["solution"]):
        digest.update(Path(path).read_bytes())
    digest.update(json.dumps(job["limits"], sort_keys=True).encode())
    return digest.hexdigest()


def _finished(course, job):
    """The record of an earlier run for `job` when its inputs are unchanged since, else None."""
    try:
        record = Record.load(course.record_path(job["assignment"], job["student"], job["notebook"]))
    except RecordError:  # none yet, or damaged: graded again
        return None
    if record.fingerprint != job["fingerprint"] or any(e.internal_error for e in record.exercises):
        return None
    return record


def _write_record(course, record):
    record.save(course.record_path(record.assignment, record.student, record.notebook))


def _grade(job):
    record = verdict.grade_submission(job)
    if job["renamed_from"] != job["notebook"]:
        record.problems.append(f"the notebook was renamed to {job['renamed_from']}; graded as {job['notebook']}")
    return record


def _not_graded(job, error):
    """The record of a submission the grader failed on (a bug, a killed process): this student only,
    nothing charged, the reason flagged for the instructor."""
    record = Record.not_submitted(job["student"], job["assignment"], read_solution_notebook(job["solution"]),
                                  verdict.NOT_GRADED, seed=job["seed"])
    for exercise in record.exercises:
        exercise.points, exercise.internal_error = None, error
    return record


def _inside(path, folder):
    """Whether `path` is a real file below `folder`, reached from there through no symbolic link."""
    current = folder
    for part in path.relative_to(folder).parts:
        current = current / part
        if current.is_symlink():
            return False
    return current.is_file()


def _previous_scores(out):
    """{(student, notebook, grade_id): points} from the last run's records, to tell our scores from others'."""
    scores = {}
    for path in out.glob("*/*.json"):
        try:
            record = Record.load(path)
        except RecordError:  # nothing to tell apart: its scores count as not ours
            continue
        for exercise in record.exercises:
            scores[record.student, record.notebook, exercise.grade_id] = exercise.points
    return scores


def _timestamps(course, assignment):
    stamps = {}
    for student, folder in course.submission_folders(assignment).items():
        if (folder / "timestamp.txt").is_file():
            stamps[student] = (folder / "timestamp.txt").read_text().strip() or None
    return stamps


def _show_progress(stream, done, total, record, width=30):
    if stream is None:
        return
    filled = width * done // max(total, 1)
    last = f"{record.student[:24]} {record.score:g}/{record.max_score:g} in {record.seconds:.0f} s"
    line = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} graded (last: {last})"
    stream.write(f"\r{line:<100}")  # padded over a longer line before it
    if done == total:
        stream.write("\n")
    stream.flush()
