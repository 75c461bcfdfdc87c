"""Read a submitted notebook defensively: whatever is in the file, get the code to run, or a reason.

Grading goes by the contract (function names), not by cell positions or metadata, so a student who
reorders, duplicates or retypes cells or strips metadata still has their functions found; only the
cells that are the release's own locked cells (tests, setup) are left out, since the trusted setup
replaces the latter and the hidden checks replace the former, and the cells tagged
``skip-when-grading`` (training runs and dashboards that no graded function needs: running them
for every student would cost minutes and prove nothing). IPython syntax (magics) is left for
the sandboxed worker to translate: parsing it costs time, and that time is the student's.
"""
import json
from dataclasses import dataclass, field

MAX_NOTEBOOK_BYTES = 20 * 2**20
SKIP_TAG = "skip-when-grading"


@dataclass
class Submission:
    sources: list[str] = field(default_factory=list)  # code to run, in notebook order
    cell_numbers: list[int] = field(default_factory=list)  # each one's place in the notebook, as Jupyter shows it (1 = top)
    problems: list[str] = field(default_factory=list)  # what was wrong with the file, for the feedback
    unreadable: str | None = None  # set when nothing could be graded at all


def read_submission(path, locked_sources, locked_ids):
    """Parse the notebook at `path`.

    `locked_sources` and `locked_ids` are the release's locked cells (their text and grade ids):
    cells matching either are not the student's code and are skipped.
    """
    try:
        raw = path.read_bytes()
    except OSError as error:
        return Submission(unreadable=f"the notebook could not be read ({error.strerror})")
    if len(raw) > MAX_NOTEBOOK_BYTES:
        return Submission(unreadable=f"the notebook is {len(raw) // 2**20} MiB, over the "
                                     f"{MAX_NOTEBOOK_BYTES // 2**20} MiB limit (clear its outputs and resubmit)")
    try:
        notebook = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        return Submission(unreadable=f"the file is not a valid notebook: it is not JSON ({error}). "
                                     "Was it saved from Jupyter, and not edited by hand or truncated?")
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if cells is None and isinstance(notebook, dict) and notebook.get("nbformat") == 3:
        cells = _format_3_cells(notebook)
    if not isinstance(cells, list):
        return Submission(unreadable="the file is JSON but not a notebook (it has no list of cells)")
    submission = Submission()
    if notebook.get("nbformat") != 4:
        submission.problems.append(f"the notebook format is {notebook.get('nbformat')!r}, not 4; "
                                   "its cells were read anyway")
    locked = {_normalise(s) for s in locked_sources}
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        if not isinstance(source, str):
            submission.problems.append(f"code cell {index} has no readable source and was skipped")
            continue
        if "\x00" in source:
            submission.problems.append(f"code cell {index} contains null bytes, which were removed")
            source = source.replace("\x00", "")
        meta = cell.get("metadata")
        grade_id = meta.get("nbgrader", {}).get("grade_id") if isinstance(meta, dict) and isinstance(
            meta.get("nbgrader"), dict) else None
        if not isinstance(grade_id, str):
            grade_id = None  # metadata is the student's too: anything but a name means no name
        tags = meta.get("tags") if isinstance(meta, dict) else None
        if grade_id in locked_ids or _normalise(source) in locked or (isinstance(tags, list) and SKIP_TAG in tags):
            continue
        submission.sources.append(source)
        submission.cell_numbers.append(index + 1)
    return submission


def _format_3_cells(notebook):
    """The cells of an nbformat-3 notebook (worksheets of cells, code under "input"), as format 4 has them."""
    worksheets = notebook.get("worksheets")
    if not isinstance(worksheets, list):
        return None
    cells = [c for w in worksheets if isinstance(w, dict) and isinstance(w.get("cells"), list)
             for c in w["cells"] if isinstance(c, dict)]
    return [dict(c, source=c.get("input", "")) if c.get("cell_type") == "code" else c for c in cells]


def _normalise(source):
    return "\n".join(line.rstrip() for line in source.strip().splitlines())

