"""utils.dashboard.TrainingDashboard without a browser: training, caching, callbacks, errors.

The widgets live in the Python process; clicking the Train button and moving a slider are the same
Python calls the kernel makes when the browser sends those events. The real-browser test is
tests/browser/test_dashboard_browser.py.
"""
import math
import re

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from tests.browser.probe import PROBE, probe_namespace
from utils.dashboard import TrainingDashboard

DEFAULTS = {"lr": 0.1, "hidden": 16, "epochs": 20, "seed": 0}


def toy_train(calls, fail_when=None):
    """A train function that records its calls; its loss falls faster for larger lr * hidden."""

    def train(settings, report):
        calls.append(dict(settings))
        if fail_when and fail_when(settings):
            raise ValueError("hidden size 3 is cursed")
        losses = []
        for epoch in range(settings["epochs"]):
            losses.append(1.0 / (1.0 + settings["lr"] * settings["hidden"] * (epoch + 1)))
            report(epoch, losses[-1], accuracy=0.5)
        return {"losses": losses, "settings": dict(settings)}

    return train


def make(calls, **kwargs):
    return TrainingDashboard(toy_train(calls, kwargs.pop("fail_when", None)), **{**DEFAULTS, **kwargs})


def shown(dash, name):
    """The number (or word) in the result text's span for `name` (e.g. 'final-loss', 'value-hidden')."""
    match = re.search(rf"class='dash-{name}'>([^<]*)<", dash.result_text.value)
    return match and match.group(1)


def test_trains_once_at_the_defaults_when_created():
    calls = []
    dash = make(calls)
    assert calls == [DEFAULTS]
    assert dash.last_result["settings"] == DEFAULTS
    final = dash.last_result["losses"][-1]
    assert float(shown(dash, "final-loss")) == pytest.approx(final, rel=1e-3)
    assert f"final loss <b class='dash-final-loss'>{final:.4g}</b>" in dash.result_text.value
    assert shown(dash, "value-hidden") == "16" and shown(dash, "value-lr") == "0.1"
    assert bytes(dash.image.value).startswith(b"\x89PNG")
    assert dash.progress.value == dash.progress.max == 20


def test_run_returns_the_train_result_with_overridden_settings():
    calls = []
    dash = make(calls)
    result = dash.run(lr=0.05, hidden=8)
    assert result is dash.last_result
    assert result["settings"] == {**DEFAULTS, "lr": 0.05, "hidden": 8}
    assert len(result["losses"]) == 20
    # The controls follow, so the displayed dashboard shows what was run; later runs start there.
    assert (dash.lr_slider.value, dash.hidden_slider.value) == (0.05, 8)
    assert dash.run(epochs=10)["settings"] == {**DEFAULTS, "lr": 0.05, "hidden": 8, "epochs": 10}


def test_run_rejects_unknown_settings_and_values_out_of_range():
    dash = make([])
    with pytest.raises(TypeError, match="momentum"):
        dash.run(momentum=0.9)
    with pytest.raises(ValueError, match="hidden=500"):
        dash.run(hidden=500)
    assert dash.hidden_slider.value == 16  # not left clamped at the maximum


def test_a_repeated_setting_is_answered_from_the_cache():
    calls = []
    dash = make(calls)
    first = dash.run(hidden=8)
    assert "(cached)" not in dash.result_text.value
    assert dash.run(hidden=8) is first
    assert "(cached)" in dash.result_text.value
    dash.run(hidden=16)  # the defaults, trained when the dashboard was created
    assert len(calls) == 2
    assert shown(dash, "value-hidden") == "16" and "(cached)" in dash.result_text.value


def test_float_noise_from_a_slider_does_not_miss_the_cache():
    calls = []
    dash = make(calls)
    dash.run(lr=0.1 + 1e-12)  # what 10 ** -1.0 can come back as from the browser
    assert len(calls) == 1 and dash.settings["lr"] == 0.1


def test_report_moves_the_progress_bar_and_redraws_the_figure(monkeypatch):
    calls = []
    dash = make(calls)
    # Redraw on every report: no minimum gap, and pretend rendering is free.
    dash.redraw_every = 0
    monkeypatch.setattr(TrainingDashboard, "render_seconds", property(lambda self: 0.0, lambda self, v: None))
    progress, images, texts = [], [], []
    dash.progress.observe(lambda change: progress.append(change.new), names="value")
    dash.image.observe(lambda change: images.append(bytes(change.new)), names="value")
    dash.result_text.observe(lambda change: texts.append(change.new), names="value")
    before = bytes(dash.image.value)
    dash.run(hidden=4, epochs=10)
    assert progress[0] == 0 and progress[-1] == 10
    assert progress[1:] == sorted(progress[1:]) and len(set(progress)) >= 8
    assert len(set(images)) >= 8 and before not in images  # the live curve grew, in one image
    assert any("accuracy 0.5" in text and "3/10" in text for text in texts)  # live status line
    assert dash.progress.bar_style == "success"


def test_live_redraws_are_throttled():
    dash = make([])  # default: at most one redraw per 0.25 s
    images = []
    dash.image.observe(lambda change: images.append(bytes(change.new)), names="value")
    dash.run(epochs=200)
    assert len(images) <= 2  # a fast run: no live redraw, one final picture


def test_train_button_trains_with_the_current_controls():
    calls = []
    dash = make(calls)
    dash.hidden_slider.value = 5
    dash.lr_slider.value = 0.5
    assert "dash-stale" in dash.result_text.value  # not trained yet: the text says so
    assert shown(dash, "value-hidden") == "16"  # ... and still describes what the figure shows
    image = bytes(dash.image.value)
    dash.train_button.click()
    assert calls[-1] == {**DEFAULTS, "hidden": 5, "lr": 0.5}
    assert shown(dash, "value-hidden") == "5" and shown(dash, "value-lr") == "0.5"
    assert float(shown(dash, "final-loss")) == pytest.approx(dash.last_result["losses"][-1], rel=1e-3)
    assert "dash-stale" not in dash.result_text.value and bytes(dash.image.value) != image
    assert not dash.train_button.disabled


def test_moving_a_control_back_to_a_trained_setting_shows_it_at_once():
    calls = []
    dash = make(calls)
    dash.run(hidden=8)
    dash.hidden_slider.value = 16
    assert len(calls) == 2
    assert shown(dash, "value-hidden") == "16" and "(cached)" in dash.result_text.value
    assert dash.last_settings == DEFAULTS


def test_an_error_in_train_shows_in_the_result_text():
    calls = []
    dash = make(calls, fail_when=lambda s: s["hidden"] == 3)
    dash.hidden_slider.value = 3
    dash.train_button.click()  # must not raise: the widget keeps working
    assert "ValueError: hidden size 3 is cursed" in dash.result_text.value
    assert "dash-error" in dash.result_text.value
    assert not dash.train_button.disabled and dash.progress.bar_style == "danger"
    with pytest.raises(ValueError, match="cursed"):
        dash.run(hidden=3)  # plain Python callers get the exception too
    assert len(calls) == 3  # errors are not cached
    dash.hidden_slider.value = 16
    assert "(cached)" in dash.result_text.value


def test_a_dashboard_whose_train_always_fails_still_displays():
    dash = make([], fail_when=lambda s: True)
    assert "cursed" in dash.result_text.value and dash.last_result is None
    assert dash._repr_mimebundle_()["application/vnd.jupyter.widget-view+json"]["model_id"]


def test_a_train_function_that_returns_no_losses_is_reported():
    dash = TrainingDashboard(lambda settings, report: None, **DEFAULTS)
    assert "must return a dict" in dash.result_text.value


def test_losses_may_be_a_numpy_array():
    dash = TrainingDashboard(lambda s, report: {"losses": np.linspace(1, 0.1, s["epochs"])}, **DEFAULTS)
    dash.run(hidden=8)  # the first run, an array, is now drawn as "previous"
    assert shown(dash, "final-loss") == "0.1"


def test_a_diverging_loss_is_shown_with_a_hint():
    def train(settings, report):
        return {"losses": [1.0, 1e200, float("inf"), float("nan")]}

    dash = TrainingDashboard(train, **DEFAULTS)
    assert shown(dash, "final-loss") == "nan" and "dash-warning" in dash.result_text.value


def test_extra_controls_appear_and_their_values_reach_settings():
    seen = []

    def train(settings, report):
        seen.append(settings)
        return {"losses": [1.0, 0.5]}

    extra = {"activation": ["tanh", "sigmoid", "relu"], "clip": (5.0, 0.1, 100.0, "log"),
             "dropout": (0.0, 0.0, 0.9, "linear"), "layers": (2, 1, 4, "linear"), "bias": True}
    dash = TrainingDashboard(train, extra=extra, **DEFAULTS)
    assert seen[0] == {**DEFAULTS, "activation": "tanh", "clip": 5.0, "dropout": 0.0, "layers": 2, "bias": True}
    kinds = {name: type(dash.controls[name]).__name__ for name in extra}
    assert kinds == {"activation": "Dropdown", "clip": "FloatLogSlider", "dropout": "FloatSlider",
                     "layers": "IntSlider", "bias": "Checkbox"}
    for name in extra:
        assert f"dash-{name}" in dash.controls[name]._dom_classes
    dash.controls["activation"].value = "relu"
    dash.controls["clip"].value = 0.5
    dash.train_button.click()
    assert seen[-1]["activation"] == "relu" and seen[-1]["clip"] == 0.5
    assert shown(dash, "value-activation") == "relu"
    assert dash.run(layers=3, bias=False) is dash.last_result and seen[-1]["layers"] == 3
    with pytest.raises(ValueError):
        dash.run(activation="swish")
    with pytest.raises(ValueError, match="expected"):
        TrainingDashboard(train, extra={"bad": "tanh"})
    with pytest.raises(ValueError, match="clashes"):
        TrainingDashboard(train, extra={"lr": ["a"]})


def test_epochs_and_seed_can_be_hidden():
    seen = []

    def train(settings, report):
        seen.append(settings)
        return {"losses": [1.0, 0.5, 0.25]}

    dash = TrainingDashboard(train, epochs=None, seed=None)
    assert seen == [{"lr": 0.1, "hidden": 16, "epochs": None, "seed": None}]
    assert dash.epochs_slider is None and dash.seed_box is None
    assert dash.progress.value == dash.progress.max
    with pytest.raises(TypeError):
        dash.run(epochs=5)


def test_controls_have_css_classes_and_sliders_update_on_release_only():
    dash = make([])
    classes = {"lr_slider": "dash-lr", "hidden_slider": "dash-hidden", "epochs_slider": "dash-epochs",
               "seed_box": "dash-seed", "train_button": "dash-train", "progress": "dash-progress",
               "image": "dash-figure", "result_text": "dash-result", "widget": "dash"}
    for attribute, css_class in classes.items():
        assert css_class in getattr(dash, attribute)._dom_classes, attribute
    for slider in (dash.lr_slider, dash.hidden_slider, dash.epochs_slider):
        assert slider.continuous_update is False
    assert dash.lr_slider.base == 10 and dash.lr_slider.min == pytest.approx(-4)


def test_log_slider_steps_pass_through_the_default():
    """Sliding back to an off-grid default (0.7 on a 1e-3 .. 30 range) must hit it exactly."""
    dash = TrainingDashboard(toy_train([]), **{**DEFAULTS, "lr": 0.7}, lr_range=(1e-3, 30.0))
    slider = dash.lr_slider
    steps = (math.log10(0.7) - slider.min) / slider.step
    assert steps == pytest.approx(round(steps), abs=1e-9)
    assert 10 ** slider.min <= 1e-3 and 10 ** slider.max >= 30.0  # the whole range is still allowed
    slider.value = 10 ** (slider.min + round(steps) * slider.step)  # what the browser sends back
    assert dash.settings["lr"] == 0.7 and "(cached)" in dash.result_text.value
    dash.run(lr=1e-3)


def test_panel_and_summary():
    panels = []

    def panel(ax, result, settings):
        panels.append((result, settings))
        ax.plot([0, 1], [1, 0])

    dash = TrainingDashboard(toy_train([]), panel=panel, summary=lambda r, s: f"hidden units {s['hidden']}",
                             **DEFAULTS)
    assert panels == [(dash.last_result, DEFAULTS)]
    assert "hidden units 16" in dash.result_text.value

    def broken(ax, result, settings):
        raise RuntimeError("no boundary today")

    dash = TrainingDashboard(toy_train([]), panel=broken, **DEFAULTS)
    assert "RuntimeError: no boundary today" in dash.result_text.value
    assert shown(dash, "final-loss") and bytes(dash.image.value).startswith(b"\x89PNG")


def test_probe_task_trains_and_draws():
    """The browser test's task, straight from its notebook: a real net that learns."""
    namespace = probe_namespace()
    dash = namespace["dash"]
    assert dash.last_result["accuracy"] > 0.9
    assert "accuracy" in dash.result_text.value
    assert dash.run(hidden=16)["losses"][-1] < dash.run(hidden=16, lr=0.01)["losses"][-1]


def test_probe_notebook_is_clean():
    notebook = nbformat.read(PROBE, as_version=4)
    assert "widgets" not in notebook.metadata
    for cell in notebook.cells:
        assert cell.get("id") and not cell.get("outputs") and not cell.get("execution_count")


def test_probe_notebook_executes_headless():
    """nbclient runs it top to bottom without a click; the saved widget state holds the result."""
    notebook = nbformat.read(PROBE, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(PROBE.parent)}}).execute()
    (output,) = notebook.cells[-1].outputs
    assert "application/vnd.jupyter.widget-view+json" in output["data"]
    states = notebook.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    texts = [s["state"].get("value", "") for s in states.values() if s["model_name"] == "HTMLModel"]
    assert any(re.search(r"class='dash-final-loss'>\d", text) for text in texts)
