"""Build student submissions from the release: filled in with the reference answers, or with edits."""
import re
import shutil

import nbformat

from grading.paths import REPO

SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\n", re.M)


def make_course(root, units):
    """A scratch nbgrader course at `root` with the given units' sources and their gradebook rows."""
    from grading.release import nbgrader

    shutil.copy(REPO / "nbgrader_config.py", root)
    for unit in units:
        shutil.copytree(REPO / "solutions" / unit, root / "solutions" / unit)
        nbgrader("generate_assignment", unit, "--force", cwd=root)
    return root


def answered(unit, notebook_name, replace=()):
    """The released notebook with every solution cell answered by the reference.

    `replace` holds (old, new) text substitutions applied to the answers, to plant a mistake.
    """
    release = nbformat.read(REPO / "assignments" / unit / notebook_name, as_version=4)
    source = nbformat.read(REPO / "solutions" / unit / notebook_name, as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: SOLUTION_MARKERS.sub("", c.source)
               for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in release.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = answers[grade_id]
            for old, new in replace:
                cell.source = cell.source.replace(old, new)
    return release


def untouched(unit, notebook_name):
    return nbformat.read(REPO / "assignments" / unit / notebook_name, as_version=4)


def submit(root, student, unit, notebook_name, notebook):
    folder = root / "submitted" / student / unit
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / notebook_name)
