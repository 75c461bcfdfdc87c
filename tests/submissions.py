"""Build student submissions from the release: filled in with the reference answers, or with edits."""
import shutil

import nbformat

from grading.course import Course
from tests.mistakes import answer

COURSE = Course()


def make_course(root, units):
    """A scratch nbgrader course at `root` with the named units' sources and their gradebook rows."""
    from grading.release import nbgrader

    shutil.copy(COURSE.root / "nbgrader_config.py", root)
    for name in units:
        unit = COURSE.unit(name)
        shutil.copytree(unit.solution_folder, root / unit.solution_folder.relative_to(COURSE.root))
        nbgrader("generate_assignment", name, "--force", cwd=root)
    return root


def answered(unit, notebook_name, replace=(), planted=None):
    """The released notebook with every solution cell answered by the reference.

    `replace` holds (old, new) text substitutions applied to the answers, each of which must match
    somewhere; `planted` maps a function (a solution cell's grade_id) to the source to put there
    instead (a tests.mistakes.Plant's source).
    """
    release = untouched(unit, notebook_name)
    source = nbformat.read(COURSE.unit(unit).solution_folder / notebook_name, as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: answer(c.source)
               for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")}
    for grade_id, code in (planted or {}).items():
        answers[grade_id] = answer(code)
    unused = [old for old, _ in replace if not any(old in text for text in answers.values())]
    if unused:
        raise ValueError(f"these substitutions match no answer of {unit} (did the solution change?): {unused}")
    for cell in release.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            cell.source = answers[meta["grade_id"]]
            for old, new in replace:
                cell.source = cell.source.replace(old, new)
    return release


def untouched(unit, notebook_name):
    return nbformat.read(COURSE.unit(unit).release_folder / notebook_name, as_version=4)


def submit(root, student, unit, notebook_name, notebook):
    folder = root / COURSE.submitted.name / student / unit
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / notebook_name)
