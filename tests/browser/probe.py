"""The probe notebook: a tiny real training task behind a TrainingDashboard, for the tests."""
from pathlib import Path

import nbformat

PROBE = Path(__file__).with_name("dashboard_probe.ipynb")


def probe_namespace(path=PROBE):
    """Run the notebook's code cells in this process (no kernel) and return their namespace.

    Its `dash` is then a live TrainingDashboard whose widgets a test can drive directly.
    """
    namespace = {}
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "code":
            exec(compile(cell.source, f"{path.name}:{cell.id}", "exec"), namespace)
    return namespace
