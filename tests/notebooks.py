"""Run a course notebook headless, as CI runs notebooks, and read what it printed.

The tests that check a notebook's printed verdicts (tests/test_lm_capstone.py, ...) run it this way. The kernel
runs with one BLAS thread, as the grading sandbox runs submissions: numpy's BLAS (OpenBLAS) splits each matrix
product between threads that busy-wait for work, so on a machine busy with anything else (another test, a
browser) its threads can make training several times slower, which measures the machine, not the notebook. The
numbers the notebooks print hardly depend on it.
"""
import functools
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ONE_BLAS_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def printed_by(path, timeout=300):
    """Execute the notebook at `path` top to bottom in a fresh kernel, in its own folder, with one BLAS thread;
    return everything its code cells printed (their stream outputs, joined). Raises CellExecutionError, with
    the failing cell and its traceback, on the first error.

    Once per test session: tests/test_notebooks_execute.py and the tests of a notebook's verdicts share the run.
    """
    return _printed_by(Path(path).resolve(), timeout)


@functools.cache
def _printed_by(path, timeout):
    notebook = nbformat.read(path, as_version=4)
    with pytest.MonkeyPatch.context() as env:  # the kernel inherits this process's environment
        for name, value in ONE_BLAS_THREAD.items():
            env.setenv(name, value)
        NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    return "".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                   for output in cell.outputs if output.output_type == "stream")
