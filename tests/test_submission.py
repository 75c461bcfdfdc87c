"""What of a submitted notebook the grader runs: the student's code cells, not the release's locked
cells, and not the cells tagged skip-when-grading."""
import nbformat

from grading.submission import SKIP_TAG, read_submission


def test_cells_tagged_skip_when_grading_are_not_run(tmp_path):
    notebook = nbformat.v4.new_notebook()
    locked = nbformat.v4.new_code_cell("import numpy as np")
    locked.metadata["nbgrader"] = {"grade_id": "setup", "locked": True}
    training = nbformat.v4.new_code_cell("for epoch in range(10**9):\n    pass")
    training.metadata["tags"] = [SKIP_TAG]
    answer = nbformat.v4.new_code_cell("def f(x):\n    return 2 * x")
    notebook.cells = [locked, answer, training]
    path = tmp_path / "nb.ipynb"
    nbformat.write(notebook, path)
    submission = read_submission(path, ["import numpy as np"], {"setup"})
    assert submission.sources == [answer.source]
    training.metadata["tags"] = ["something-else"]
    nbformat.write(notebook, path)
    assert read_submission(path, [], {"setup"}).sources == [answer.source, training.source]
