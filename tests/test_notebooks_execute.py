"""Every lecture and solution notebook runs headless, top to bottom, without an error."""
import nbformat
import pytest
from nbclient import NotebookClient

from grading.course import Course

COURSE = Course()
NOTEBOOKS = [path for unit in COURSE.units for path in [*unit.lectures, *(n.path for n in unit.notebooks)]]

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(COURSE.root)))
def test_notebook_executes(path):
    notebook = nbformat.read(path, as_version=4)
    # Raises CellExecutionError, with the failing cell and its traceback, on the first error.
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
