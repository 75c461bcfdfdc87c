"""The training dashboard in a real browser, in JupyterLab 4 and in Notebook 7.

For each notebook in NOTEBOOKS and each front end: open it, run all cells, and on its first
dashboard check that the default result is shown without any click; type a new hidden size into
its slider's readout and move the learning-rate slider by keyboard (JupyterLab; in Notebook 7 by
its readout); see the result text say that the settings changed; press Train and see the new
numbers, figure and a full progress bar; press Train again and see "(cached)"; move both controls
back and see the first result again, from the cache. No "Error displaying widget" and no
JavaScript error (other than the front ends' known ones) anywhere.

Controls and numbers are found by CSS classes (dash-hidden, dash-value-hidden, ...), never by label
text. To browser-test a lecture's dashboard, add its notebook to NOTEBOOKS (the test drives the
first dashboard in it, with values chosen inside its controls' ranges).

Set DASHBOARD_SCREENSHOTS=<folder> to keep a screenshot of each dashboard after the test.
"""
import os
from pathlib import Path

import pytest
from grading.course import REPO

from tests.browser.jupyter import DashboardView, open_and_run
from tests.browser.probe import PROBE

pytestmark = pytest.mark.slow

# DASHBOARD_NOTEBOOKS=lectures/02_backprop.ipynb (paths relative to the repository, separated by
# os.pathsep) tests those notebooks instead, e.g. a new lecture before it is added here.
NOTEBOOKS = ([REPO / path for path in os.environ["DASHBOARD_NOTEBOOKS"].split(os.pathsep)]
             if os.environ.get("DASHBOARD_NOTEBOOKS") else [PROBE, REPO / "lectures" / "02_backprop.ipynb"])
NOTEBOOK_DIRS = sorted({path.parent for path in NOTEBOOKS})  # copied to the server's root
KEYBOARD_SLIDERS = {"lab"}  # front ends where arrow keys move a focused slider (see below)
# JavaScript errors of the front ends themselves, seen with any notebook, widgets or not:
# Notebook 7.6.5's shortcuts plugin reads `plugins[id].schema` of a plugin it has not loaded.
KNOWN_ERRORS = {"Cannot read properties of undefined (reading 'schema')"}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: str(path.relative_to(REPO)))
def test_dashboard_trains_in_the_browser(server, page, notebook):
    open_and_run(page, server, f"{notebook.parent.name}/{notebook.name}")
    dash = DashboardView(page)
    dash.wait_ready()  # trained at the defaults while the cell ran: no click needed
    first = dash.result()
    first_figure = dash.figure_source()
    assert float(first["final-loss"]) > 0 and "error" not in first, first

    # A new hidden size, typed into the slider's readout as a student would.
    low, high, hidden = dash.slider_bounds("hidden")
    new_hidden = int(hidden * 2 if hidden * 2 <= high else max(low, hidden // 2))
    dash.type_value("hidden", new_hidden)
    dash.wait_for_result(lambda r: "stale" in r)  # the kernel got it and asks for Train
    # A new learning rate, half a decade away (5 steps of 0.1 on the log slider): by keyboard in
    # JupyterLab. Notebook 7 takes arrow keys on a slider handle for its own cell shortcuts (it
    # moves the selection to a heading instead), so there the value is typed into the readout.
    low, high, exponent = dash.slider_bounds("lr")
    step = -0.5 if exponent - 0.5 >= low else 0.5
    if server.frontend in KEYBOARD_SLIDERS:
        dash.press("lr", "ArrowLeft" if step < 0 else "ArrowRight", 5)
    else:
        dash.type_value("lr", f"{10 ** (exponent + step):.3g}")
    new_lr = float(dash.readout("lr"))
    assert new_lr != pytest.approx(float(first["value-lr"]), rel=0.01)

    dash.train()
    trained = dash.wait_for_result(
        lambda r: r.get("value-hidden") == str(new_hidden) and "value-lr" in r
        and float(r["value-lr"]) == pytest.approx(new_lr, rel=0.01) and "stale" not in r)
    assert "cached" not in trained and "error" not in trained, trained
    assert trained["final-loss"] != first["final-loss"]
    assert dash.figure_source() != first_figure
    assert dash.control("progress").locator(".progress-bar").evaluate("bar => bar.style.width") == "100%"
    if os.environ.get("DASHBOARD_SCREENSHOTS"):  # the new run, with the first one as "previous"
        folder = Path(os.environ["DASHBOARD_SCREENSHOTS"])
        folder.mkdir(parents=True, exist_ok=True)
        dash.root.screenshot(path=folder / f"{notebook.stem}-{server.frontend}.png")

    dash.train()  # the same settings again: answered from the cache
    assert dash.wait_for_result(lambda r: "cached" in r)["final-loss"] == trained["final-loss"]

    # Back to the first settings (typed, as the result text shows them): shown at once from the
    # cache, without pressing Train.
    dash.type_value("lr", first["value-lr"])
    dash.type_value("hidden", int(hidden))
    back = dash.wait_for_result(lambda r: r.get("value-hidden") == str(int(hidden)) and "stale" not in r
                                and r.get("value-lr") == first["value-lr"])
    assert "cached" in back and back["final-loss"] == first["final-loss"], back

    assert page.locator("text=Error displaying widget").count() == 0
    assert not [error for error in page.errors if error not in KNOWN_ERRORS], page.errors
