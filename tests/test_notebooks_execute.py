"""Every lecture and solution notebook runs headless, top to bottom, without an error."""
import pytest

from grading.course import Course
from tests.notebooks import printed_by

COURSE = Course()
NOTEBOOKS = [path for unit in COURSE.units for path in [*unit.lectures, *(n.path for n in unit.notebooks)]]

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(COURSE.root)))
def test_notebook_executes(path):
    printed_by(path)  # raises CellExecutionError, with the failing cell and its traceback, on the first error
