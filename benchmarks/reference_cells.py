"""The reference answers of a solution notebook plus some of its own not-graded cells, for the benchmarks that
time what a notebook trains (lm_speed.py, word2vec_speed.py) without retyping any of it."""
import contextlib
import io

import nbformat


def reference_namespace(notebook, cell_ids):
    """notebook: a grading.source.SolutionNotebook. Its setup, hidden checks and reference answers, then the cells
    `cell_ids` (by cell id, in that order), run quietly; the caller runs it from the notebook's folder."""
    namespace = notebook.namespace(with_solutions=True)
    cells = {cell.id: cell.source for cell in nbformat.read(notebook.path, as_version=4).cells}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell_id in cell_ids:
            exec(compile(cells[cell_id], f"{notebook.path.name}:{cell_id}", "exec"), namespace)
    return namespace
