"""How long each notebook takes to run headless, and each dashboard's retrain at default settings.

    python benchmarks/notebook_speed.py [UNIT ...]     # e.g. 02_backprop; default: every unit

Each lecture and solution notebook (the student release stops at its first
`raise NotImplementedError()`) runs top to bottom in a fresh kernel with nbclient, as CI runs it,
and its wall time is printed. Then, in the same kernel, each dashboard it created retrains at the settings it
was created with (its first cached result), with its cache emptied first: once as the bare training
function (the time the "about a second" goal below is about) and once through `dash.run()`, which also
draws the loss curve and the panel into the widget's PNG. Times are the median of three runs.
The course asks for notebooks well under a minute on 2 cores and a retrain of about a second.
"""

import json
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from grading.course import Course  # noqa: E402

REPEATS = 3

FIND_DASHBOARDS = """
import json as _json
from utils.dashboard import TrainingDashboard as _Dashboard
print(_json.dumps([_n for _n, _v in list(globals().items()) if isinstance(_v, _Dashboard) and not _n.startswith("_")]))
"""

RETRAIN = """
import json as _json, statistics as _statistics, time as _time
_dash = {name}
_defaults = dict(next(iter(_dash.cache)))          # the settings the dashboard was created with
_bare, _drawn = [], []
for _ in range({repeats}):
    _dash.cache.clear()
    _start = _time.perf_counter()
    _dash.train_function(dict(_defaults), lambda *args, **kwargs: None)
    _bare.append(_time.perf_counter() - _start)
    _dash.cache.clear()
    _start = _time.perf_counter()
    _dash.run(**_defaults)
    _drawn.append(_time.perf_counter() - _start)
print(_json.dumps({{"settings": _defaults, "bare": _statistics.median(_bare), "drawn": _statistics.median(_drawn)}}))
"""


def last_line(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream").strip().splitlines()[-1]


def run_notebook(path):
    """Execute the notebook; return (seconds, cell count, {dashboard: retrain timings})."""
    notebook = nbformat.read(REPO / path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str((REPO / path).parent)}})
    retrains = {}
    with client.setup_kernel():
        start = time.perf_counter()
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        seconds = time.perf_counter() - start
        cells = len(notebook.cells)
        finder = nbformat.v4.new_code_cell(FIND_DASHBOARDS)
        notebook.cells.append(finder)
        client.execute_cell(finder, len(notebook.cells) - 1)
        for name in json.loads(last_line(finder)):
            cell = nbformat.v4.new_code_cell(RETRAIN.format(name=name, repeats=REPEATS))
            notebook.cells.append(cell)
            client.execute_cell(cell, len(notebook.cells) - 1)
            retrains[name] = json.loads(last_line(cell))
    return seconds, cells, retrains


def main():
    course = Course(REPO)
    units = [course.unit(name) for name in sys.argv[1:]] or course.units
    notebooks = [str(p.relative_to(REPO)) for unit in units
                 for p in [*unit.lectures, *(notebook.path for notebook in unit.notebooks)]]
    print(f"units {', '.join(unit.name for unit in units)} on {sys.platform}, Python {sys.version.split()[0]}")
    print(f"{'notebook':44s} {'cells':>5s} {'headless run':>13s}")
    retrains = []
    for path in notebooks:
        seconds, cells, timings = run_notebook(path)
        print(f"{path:44s} {cells:5d} {seconds:11.1f} s", flush=True)
        retrains += [(path, name, timing) for name, timing in timings.items()]
    print(f"\ndashboard retrain at its default settings (median of {REPEATS})")
    print(f"{'dashboard':56s} {'train only':>10s} {'with drawing':>13s}")
    for path, name, timing in retrains:
        print(f"{Path(path).name + ': ' + name:56s} {timing['bare']:8.2f} s {timing['drawn']:11.2f} s")
        print(f"    settings: {timing['settings']}")


if __name__ == "__main__":
    main()
