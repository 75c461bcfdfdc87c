"""Grade a whole class: find the submissions, grade them in parallel, record the results.

Only this coordinating process writes anything lasting: the result records
(``graded/<assignment>/<student>/<notebook>.json``) and the gradebook. Workers run
:func:`grading.verdict.grade_submission`, one submission in, one plain record out.
"""
import json
import multiprocessing
import os
import sys
import tempfile
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from grading import gradebook, verdict
from grading.release import build_release

_slot = 0  # this worker process's sandbox slot (its own uid), set by _take_slot


def find_jobs(root, assignment):
    """One job per (student, notebook) under submitted/, plus records for notebooks that are missing."""
    solutions = sorted((root / "solutions" / assignment).glob("*.ipynb"))
    if not solutions:
        raise SystemExit(f"no solution notebooks in {root / 'solutions' / assignment}: is {assignment!r} a unit?")
    jobs, missing = [], []
    for folder in sorted((root / "submitted").glob(f"*/{assignment}")):
        student = folder.parent.name
        present = sorted(p.name for p in folder.glob("*.ipynb"))
        for solution in solutions:
            name = solution.name
            if name not in present and len(present) == 1 and len(solutions) == 1:
                name = present[0]  # a renamed notebook: it is the only one, so it is this one
            if name not in present:
                missing.append(_missing_record(student, assignment, solution))
                continue
            if not _inside(folder / name, root / "submitted"):
                missing.append(_missing_record(student, assignment, solution,
                                               f"Not graded: {solution.name} is a link to a file elsewhere."))
                continue
            jobs.append({"student": student, "assignment": assignment, "notebook": solution.name,
                         "submission": str(folder / name), "solution": str(solution),
                         "release": str(root / "assignments" / assignment), "renamed_from": name})
    return jobs, missing


def autograde(root, assignment, jobs=None, limits=None, progress=sys.stderr):
    """Grade every submission of `assignment`; return (records, flags)."""
    root = Path(root)
    work, records = find_jobs(root, assignment)
    for job in work:
        job["limits"] = limits or {}
    if not gradebook.knows(root, assignment):
        # The gradebook learns the assignment's cells the way nbgrader does: by generating it.
        with tempfile.TemporaryDirectory() as scratch:
            build_release([assignment], scratch, db_url=gradebook.db_url(root))
    workers = max(1, min(jobs or os.cpu_count() or 1, len(work) or 1))
    slots = multiprocessing.get_context("fork").Queue()
    for slot in range(workers):
        slots.put(slot)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                             initializer=_take_slot, initargs=(slots,)) as pool:
        futures = {pool.submit(_grade, job): job for job in work}
        for done, future in enumerate(as_completed(futures), 1):
            records.append(_result_or_error(future, futures[future]))
            _show_progress(progress, done, len(work))
    records.sort(key=lambda r: (r["student"], r["notebook"]))
    out = root / "graded" / assignment
    previous = _previous_scores(out)
    out.mkdir(parents=True, exist_ok=True)
    for record in records:
        (out / record["student"]).mkdir(exist_ok=True)
        (out / record["student"] / record["notebook"].replace(".ipynb", ".json")).write_text(json.dumps(record, indent=1))
    flags = gradebook.record(root, records, _timestamps(root, assignment), previous)
    (root / "graded" / f"{assignment}.flags.txt").write_text("".join(f"{flag}\n" for flag in flags))
    return records, flags


def _take_slot(slots):
    global _slot
    _slot = slots.get()


def _grade(job):
    record = verdict.grade_submission(dict(job, slot=_slot))
    if job["renamed_from"] != job["notebook"]:
        record["problems"].append(f"the notebook was renamed to {job['renamed_from']}; graded as {job['notebook']}")
    return record


def _result_or_error(future, job):
    try:
        return future.result()
    except Exception:  # a bug in the grader, or a worker killed: this student only, with the reason
        record = _missing_record(job["student"], job["assignment"], Path(job["solution"]))
        record["problems"] = ["internal grading error, please tell the instructor: "
                              + traceback.format_exc(limit=3)[-1500:]]
        return record


def _inside(path, folder):
    """Whether `path` is a real file below `folder`, reached from there through no symbolic link."""
    current = folder
    for part in path.relative_to(folder).parts:
        current = current / part
        if current.is_symlink():
            return False
    return current.is_file()


def _missing_record(student, assignment, solution, reason=None):
    from grading.source import read_solution_notebook

    notebook = read_solution_notebook(solution)
    reason = reason or f"Not graded: {solution.name} was not in the submission."
    return {"student": student, "assignment": assignment, "notebook": solution.name, "score": 0.0,
            "max_score": notebook.max_score, "problems": [reason], "seconds": 0.0,
            "exercises": [{"grade_id": e.grade_id, "points": 0.0, "max_points": e.points, "passed": False,
                           "reason": reason} for e in notebook.exercises]}


def _previous_scores(out):
    """{(student, notebook, grade_id): points} from the last run's records, to tell our scores from others'."""
    scores = {}
    for path in out.glob("*/*.json"):
        record = json.loads(path.read_text())
        for exercise in record["exercises"]:
            scores[record["student"], record["notebook"], exercise["grade_id"]] = exercise["points"]
    return scores


def _timestamps(root, assignment):
    stamps = {}
    for path in (root / "submitted").glob(f"*/{assignment}/timestamp.txt"):
        stamps[path.parent.parent.name] = path.read_text().strip() or None
    return stamps


def _show_progress(stream, done, total, width=30):
    if stream is None:
        return
    filled = width * done // max(total, 1)
    stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} graded")
    if done == total:
        stream.write("\n")
    stream.flush()
