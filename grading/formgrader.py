"""What nbgrader's formgrader reads to list a submission as autograded and open it for manual grading.

formgrader calls a submission autograded when ``autograded/<student>/<assignment>/`` exists and the
gradebook's timestamp of the submission equals the one in ``submitted/.../timestamp.txt``; its
Manual Grading view renders the notebook it finds there, with the gradebook's scores beside the
cells of the same grade id. nbgrader's own autograde puts the executed notebook there. The engine
never runs a submission's cells outside its sandbox, so it writes the submitted notebook itself, with
the release's locked cells restored (a student's edits to a test cell are not what was graded) and,
as each test cell's output, the engine's verdict: what the grader would read in nbgrader's own
autograded copy. Only the coordinating process calls this.
"""
import json
import shutil

from grading.source import read_cells

VERDICT_NAME = "grading verdict"


def write_autograded(course, record, submission, release_notebook):
    """Write autograded/<student>/<assignment>/<notebook> for `record` (a result record), from the
    `submission` file and the unit's `release_notebook`; copy the submission's timestamp.txt."""
    folder = course.autograded / record.student / record.assignment
    folder.mkdir(parents=True, exist_ok=True)
    released = read_cells(release_notebook)
    notebook = _submitted(submission) or {"cells": released, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    locked = {_grade_id(c): c for c in released if c["metadata"].get("nbgrader", {}).get("locked")}
    verdicts = {e.grade_id: e for e in record.exercises}
    cells = []
    for cell in notebook["cells"]:
        if not isinstance(cell, dict):
            continue
        grade_id = _grade_id(cell)
        cell = dict(locked.get(grade_id, cell))
        if grade_id in verdicts and cell.get("cell_type") == "code":
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": _said(verdicts[grade_id])}]
            cell["execution_count"] = None
        cells.append(cell)
    notebook["cells"] = cells
    (folder / record.notebook).write_text(json.dumps(notebook, indent=1, ensure_ascii=False),
                                            encoding="utf-8", errors="backslashreplace")
    stamp = submission.parent / "timestamp.txt"
    if stamp.is_file():
        shutil.copy(stamp, folder / "timestamp.txt")


def _submitted(path):
    """The submitted notebook as JSON with a list of cells, or None when it is not one."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return None
    for cell in notebook["cells"]:
        if isinstance(cell, dict) and isinstance(cell.get("source"), list):
            cell["source"] = "".join(str(line) for line in cell["source"])
    return notebook


def _grade_id(cell):
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return grade_id if isinstance(grade_id, str) else None


def _said(exercise):
    if exercise.internal_error:
        return f"{VERDICT_NAME}: not graded — the grader failed here; grade it by hand\n"
    if exercise.passed:
        note = f"{exercise.note}\n" if exercise.note else ""
        return f"{VERDICT_NAME}: passed, {exercise.points:g} / {exercise.max_points:g}\n{note}"
    return f"{VERDICT_NAME}: failed, 0 / {exercise.max_points:g}\n{exercise.reason}\n"
