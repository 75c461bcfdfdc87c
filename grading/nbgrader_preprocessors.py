"""A preprocessor for nbgrader's own autograde, so that it too leaves out the cells no grade needs.

Cells tagged ``skip-when-grading`` train a model or draw a dashboard with the student's functions
and define nothing a graded function needs; the course's engine never runs them when grading.
``nbgrader autograde`` would run them for every student (most of a unit's grading time), so
nbgrader_config.py puts this preprocessor among nbgrader's sanitizing steps: after the release's
locked cells are restored, such a cell is emptied before the notebook is executed.
"""
from nbgrader.preprocessors import NbGraderPreprocessor

from grading.submission import SKIP_TAG

SKIPPED = f"# Not run while grading (tagged {SKIP_TAG}): it trains or draws with your functions, and no grade needs it."


class SkipWhenGrading(NbGraderPreprocessor):
    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and SKIP_TAG in cell.metadata.get("tags", []):
            cell.source, cell.outputs, cell.execution_count = SKIPPED, [], None
        return cell, resources
