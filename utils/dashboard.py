"""An interactive training dashboard for the lectures: change the learning rate and the hidden size,
press Train, and watch the loss curve (and a task panel such as a decision boundary) respond.

The training itself is a plain Python function that the notebook writes::

    def train(settings, report):
        # settings: {"lr": 0.1, "hidden": 16, "epochs": 200, "seed": 0, ...extra controls}
        for epoch in range(settings["epochs"]):
            ...
            report(epoch, loss, accuracy=acc)   # moves the progress bar, redraws the live curve
        return {"losses": losses, ...}          # "losses": one float per epoch

    def panel(ax, result, settings):            # optional: draws on a matplotlib Axes
        ...

    dash = TrainingDashboard(train, panel=panel, title="Two-layer net on the spiral",
                             lr=0.1, hidden=16, epochs=200, seed=0,
                             extra={"activation": ["tanh", "relu"], "clip": (5.0, 0.1, 100.0, "log")})
    dash                          # shows the controls, a Train button, a progress bar, one figure
    result = dash.run(lr=0.05)    # trains (or answers from the cache) without any browser

Design choices (docs/design.md, section "Widgets", says how they fit the course):

- Training runs in the widget callback and blocks the kernel for its ~1 s. That is deterministic and
  works the same in JupyterLab 4, Notebook 7, headless nbclient and nbgrader runs; outgoing widget
  updates (progress, figure) still reach the browser during the callback.
- The figure is a matplotlib ``Figure`` (not pyplot, so the inline backend never shows it a second
  time) rendered to PNG into an ``ipywidgets.Image``: one picture updated in place, no frontend
  extension needed.
- Results are cached by their settings. Moving a control back to a setting already trained shows
  that result at once; an untrained setting waits for the Train button, so that dragging a slider
  never queues up seconds of training.
- The dashboard trains once at its default settings when it is created, so that a notebook run
  headless shows a result without any click. Nothing here ever waits for input.
- Every control has a stable CSS class (``dash-lr``, ``dash-hidden``, ``dash-train``, ...) and the
  numbers in the result text sit in classed spans (``dash-final-loss``, ``dash-value-hidden``, ...),
  so browser tests never depend on label wording, which a translated edition changes.
"""

import html
import io
import math
import time

import ipywidgets as widgets
import numpy as np
import traitlets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator

# Every word the dashboard shows. A translated edition replaces these (or passes labels=...);
# the code and the CSS classes stay the same.
LABELS = {
    "lr": "learning rate",
    "hidden": "hidden size",
    "epochs": "epochs",
    "seed": "seed",
    "train": "Train",
    "epoch": "epoch",
    "loss": "loss",
    "final_loss": "final loss",
    "previous": "previous",
    "training": "training…",
    "cached": "(cached)",
    "changed": "settings changed: press Train",
    "diverged": "the loss is not finite: training diverged (try a smaller learning rate)",
    "failed": "training failed",
}


class TrainingDashboard:
    """Controls, a Train button, a progress bar, one live figure and a result line for `train`.

    train(settings, report) -> dict with at least "losses" (one float per epoch), plus whatever
        the panel and summary need. `report(epoch, loss, **metrics)`, with `epoch` counted from 0,
        may be called as often as every epoch: it records the point for the live curve, and at
        most every `redraw_every` seconds moves the progress bar, redraws the figure and shows the
        epoch, loss and metrics in the result line.
    panel(ax, result, settings): optional, draws a task panel (decision boundary, ...) beside the
        loss curve once training has finished.
    lr, hidden, epochs, seed: default values; `*_range` are the (min, max) of their controls. The
        learning rate gets a log-scale slider. `epochs=None` or `seed=None` hides that control (its
        key in `settings` is then None).
    extra: more controls by name: a list of choices gives a dropdown (first choice is the default),
        (default, min, max, "log" | "linear") a slider (an integer slider when all three are ints and
        the scale is linear), a bool a checkbox. Their values reach `settings` under their names.
    summary(result, settings) -> str: optional text shown after the final loss, e.g. the accuracy.
    labels: overrides of LABELS (the words shown) for this dashboard; also names extra controls.
    figsize, dpi: the figure's size in inches (default 10 x 3.6 with a panel, 6 x 3.6 without).

    Widgets are attributes: lr_slider, hidden_slider, epochs_slider, seed_box (None when hidden),
    train_button, progress, image, result_text, and `widget`, the box holding them all; `controls`
    maps every setting's name to its control. CSS classes: "dash" on the box, "dash-<setting>" on
    each control, "dash-train", "dash-progress", "dash-figure", "dash-result". `cache` maps
    settings tuples to results; `last_result` and `last_settings` are what is shown.
    """

    redraw_every = 0.25  # at least this many seconds between live redraws (and 4 render times)
    max_cached = 256  # results kept; the oldest is dropped first
    render_seconds = 0.0  # what the last PNG cost; live redraws are spaced by it

    def __init__(self, train, *, panel=None, title="",
                 lr=0.1, lr_range=(1e-4, 10.0),
                 hidden=16, hidden_range=(2, 128),
                 epochs=200, epochs_range=(10, 2000),
                 seed=0, extra=None, summary=None, labels=None,
                 figsize=None, dpi=100):
        self.train_function = train
        self.panel = panel
        self.summary = summary
        self.labels = {**LABELS, **(labels or {})}
        self.cache = {}
        self.last_result = None
        self.last_settings = None
        self._previous = None  # (label, losses) of the run shown before the current one
        self._quiet = False  # True while run() sets controls, so their observers stay silent

        self.lr_slider = _log_slider(lr, *lr_range, self.labels["lr"])
        self.hidden_slider = widgets.IntSlider(
            value=hidden, min=hidden_range[0], max=hidden_range[1], description=self.labels["hidden"])
        self.epochs_slider = None if epochs is None else widgets.IntSlider(
            value=epochs, min=epochs_range[0], max=epochs_range[1], description=self.labels["epochs"])
        self.seed_box = None if seed is None else widgets.IntText(
            value=seed, description=self.labels["seed"], layout=widgets.Layout(width="9em"))
        self.controls = {"lr": self.lr_slider, "hidden": self.hidden_slider,
                         "epochs": self.epochs_slider, "seed": self.seed_box}
        for name, spec in (extra or {}).items():
            if name in self.controls:
                raise ValueError(f"extra control {name!r} clashes with a built-in setting")
            self.controls[name] = _make_control(spec, self.labels.get(name, name))

        for name, control in self.controls.items():
            if control is None:
                continue
            control.add_class(f"dash-{name}")
            control.style.description_width = "initial"  # otherwise labels are cut: "learning r…"
            if hasattr(control, "continuous_update"):
                control.continuous_update = False  # train on release, not on every pixel of a drag
            control.observe(self._on_change, names="value")

        self.train_button = widgets.Button(description=self.labels["train"], icon="play",
                                           button_style="primary")
        self.train_button.add_class("dash-train")
        self.train_button.on_click(self._on_click)
        self.progress = widgets.IntProgress(value=0, min=0, max=1,
                                            layout=widgets.Layout(width="16em"))
        self.progress.add_class("dash-progress")
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.image.add_class("dash-figure")
        self.result_text = widgets.HTML()
        self.result_text.add_class("dash-result")
        title_widget = widgets.HTML(f"<b>{html.escape(title)}</b>")
        title_widget.add_class("dash-title")

        shown = [control for control in self.controls.values() if control is not None]
        self.widget = widgets.VBox([
            title_widget,
            widgets.Box(shown, layout=widgets.Layout(flex_flow="row wrap", align_items="center")),
            widgets.HBox([self.train_button, self.progress], layout=widgets.Layout(align_items="center")),
            self.image,
            self.result_text,
        ])
        self.widget.add_class("dash")

        # One figure for the dashboard's lifetime; only its contents are redrawn. Its own Agg
        # canvas keeps one renderer, whose text-layout cache makes a redraw about twice as fast.
        self.figure = Figure(figsize=figsize or ((10, 3.6) if panel else (6, 3.6)), dpi=dpi)
        FigureCanvasAgg(self.figure)
        if panel:
            self.loss_ax, self.panel_ax = self.figure.subplots(1, 2, width_ratios=[3, 2])
        else:
            self.loss_ax, self.panel_ax = self.figure.subplots(), None
        self.figure.subplots_adjust(left=0.07, right=0.98, bottom=0.14, top=0.91, wspace=0.25)
        self._previous_line, = self.loss_ax.plot([], [], color="0.75", lw=1.5)
        self._line, = self.loss_ax.plot([], [], color="C0", lw=2)
        self.loss_ax.set_xlabel(self.labels["epoch"])
        # Whole epochs at round numbers: 0, 50, 100, ... and never epoch 2.5.
        self.loss_ax.xaxis.set_major_locator(MaxNLocator(nbins=7, steps=[1, 2, 5, 10], integer=True))
        self.loss_ax.set_title(self.labels["loss"], loc="left")  # a title needs no left margin
        self.loss_ax.grid(True, alpha=0.3)

        # Train once at the defaults, so that even a notebook run headless shows a result.
        self._train_and_show(self.settings, raise_errors=False)

    # ---- plain Python API ---------------------------------------------------------------------

    @property
    def settings(self):
        """The current settings: {"lr", "hidden", "epochs", "seed", *extra names} -> value.

        Floats are rounded to 6 significant digits: a slider moved back to a spot gives the same
        key (no 0.30000000000000004), and the numbers print cleanly.
        """
        return {name: None if control is None else _clean(control.value)
                for name, control in self.controls.items()}

    def run(self, **overrides):
        """Train with the current settings overridden by `overrides`, and return the result dict.

        The controls move to the new values, so the displayed dashboard shows what was run. A
        setting trained before answers from the cache. Raises what `train` raised (after showing
        it in the result text), and ValueError for a value outside a control's range.
        """
        self._quiet = True
        try:
            for name, value in overrides.items():
                self._set_control(name, value)
        finally:
            self._quiet = False
        return self._train_and_show(self.settings, raise_errors=True)

    def _repr_mimebundle_(self, **kwargs):
        """Display as the dashboard's widget (so that a bare `dash` in a cell shows it)."""
        return self.widget._repr_mimebundle_(**kwargs)

    # ---- training -----------------------------------------------------------------------------

    def _set_control(self, name, value):
        control = self.controls.get(name)
        if control is None:
            shown = [n for n, c in self.controls.items() if c is not None]
            raise TypeError(f"run() got {name}={value!r}, but this dashboard's settings are {shown}")
        old = control.value
        try:
            control.value = value
        except traitlets.TraitError as error:  # e.g. a choice a dropdown does not offer
            raise ValueError(f"{name}={value!r}: {error}") from None
        if control.value != value:  # sliders clamp an out-of-range value silently
            control.value = old
            raise ValueError(f"{name}={value!r} is outside the range of its control")

    def _train_and_show(self, settings, raise_errors):
        """Answer `settings` from the cache or by training; show the result (or the error)."""
        key = tuple(settings.items())
        if key in self.cache:
            self._show(self.cache[key], settings, seconds=None)
            return self.cache[key]
        self.train_button.disabled = True  # one training at a time; the kernel is busy anyway
        try:
            start = time.perf_counter()
            result = self.train_function(dict(settings), self._reporter(settings))
            seconds = time.perf_counter() - start
            _check_result(result)
        except Exception as error:  # any error in the notebook's train(): show it, keep the widget
            self.progress.bar_style = "danger"
            self.result_text.value = _error_html(self.labels["failed"], error)
            if raise_errors:
                raise
            return None
        finally:
            self.train_button.disabled = False
        self.cache[key] = result
        while len(self.cache) > self.max_cached:
            del self.cache[next(iter(self.cache))]
        self._show(result, settings, seconds)
        return result

    def _reporter(self, settings):
        """The `report` callback for one training run: progress, live curve, live status text."""
        total = settings["epochs"] or 1
        epochs, losses = [], []
        last_draw = time.perf_counter()
        self.progress.value = 0  # before max: a smaller max would clamp the old value first
        self.progress.max, self.progress.bar_style = total, "info"

        def report(epoch, loss, **metrics):
            nonlocal last_draw
            epochs.append(epoch + 1)
            losses.append(float(loss))
            now = time.perf_counter()
            # Redraws cost: keep them to at most ~20% of the training time.
            if now - last_draw < max(self.redraw_every, 4 * self.render_seconds):
                return
            self.progress.value = min(epoch + 1, total)
            status = [f"{self.labels['epoch']} {epoch + 1}/{total}", f"{self.labels['loss']} {float(loss):.4g}"]
            status += [f"{html.escape(str(k))} {_fmt(v)}" for k, v in metrics.items()]
            self.result_text.value = f"<i>{self.labels['training']}</i> " + " · ".join(status)
            self._draw_losses(epochs, losses, max(total, epoch + 1), settings)
            self.image.value = self._png()
            last_draw = time.perf_counter()

        return report

    # ---- display ------------------------------------------------------------------------------

    def _show(self, result, settings, seconds):
        """Draw `result` (loss curve + panel) and write the result line; seconds=None: cached."""
        if self.last_result is not None and self.last_settings != settings:
            self._previous = (self._short(self.last_settings), self.last_result["losses"])
        self.last_result, self.last_settings = result, dict(settings)
        self.progress.max = settings["epochs"] or 1
        self.progress.value, self.progress.bar_style = self.progress.max, "success"
        losses = result["losses"]
        self._draw_losses(range(1, len(losses) + 1), losses, len(losses), settings)
        tail = (f"<span class='dash-cached'>{self.labels['cached']}</span>" if seconds is None
                else f"{seconds:.2f} s")
        text = self._describe(result, settings, tail)
        if self.panel_ax is not None:
            self.panel_ax.clear()
            try:
                self.panel(self.panel_ax, result, dict(settings))
            except Exception as error:  # a broken panel must not hide the loss curve
                text += "<br>" + _error_html("panel", error)
        self.image.value = self._png()
        self.result_text.value = text

    def _describe(self, result, settings, tail):
        """The result line, e.g. 'final loss 0.1234 · accuracy 97.5% · lr 0.1 · hidden 16 · 0.84 s'.

        The numbers sit in spans with CSS classes (dash-final-loss, dash-value-<setting>) so that
        tests read them without parsing words.
        """
        final = float(result["losses"][-1])
        parts = [f"{self.labels['final_loss']} <b class='dash-final-loss'>{final:.4g}</b>"]
        if self.summary:
            try:
                parts.append(html.escape(str(self.summary(result, dict(settings)))))
            except Exception as error:
                parts.append(_error_html("summary", error))
        parts += [f"{html.escape(name)} <span class='dash-value-{html.escape(name)}'>{_fmt(value)}</span>"
                  for name, value in settings.items() if value is not None]
        text = " · ".join(parts + [tail])
        if not math.isfinite(final):
            text += f"<br><span class='dash-warning' style='color:#b00'>{self.labels['diverged']}</span>"
        return text

    def _on_change(self, change):
        """A control moved: show its cached result at once, or say that Train is needed."""
        if self._quiet or self.last_result is None:
            return
        settings = self.settings
        key = tuple(settings.items())
        if key in self.cache:
            self._show(self.cache[key], settings, seconds=None)
        else:
            self.result_text.value = self._describe(
                self.last_result, self.last_settings,
                f"<i class='dash-stale'>{self.labels['changed']}</i>")

    def _on_click(self, _button):
        """Train button: train with the controls' current values. Errors go to the result text."""
        self._train_and_show(self.settings, raise_errors=False)

    def _draw_losses(self, epochs, losses, total, settings):
        """Update the loss axes: the previous run in grey, this one in colour, on a fixed x range.

        The two lines are kept and given new data rather than cleared and re-plotted: clearing an
        axes rebuilds its ticks, which made up most of a redraw's cost.
        """
        ax = self.loss_ax
        previous = self._previous[1] if self._previous else []
        self._previous_line.set_data(range(1, len(previous) + 1), previous)
        self._previous_line.set_label(f"{self.labels['previous']}: {self._previous[0]}" if len(previous)
                                      else "_hidden")  # names starting with _ stay out of the legend
        self._line.set_data(list(epochs), losses)
        self._line.set_label(self._short(settings))
        shown = np.asarray([*losses, *previous], dtype=float)
        shown = shown[np.isfinite(shown)]
        if shown.size and shown.min() > 0:
            # Cross-entropy falls over decades: a log axis shows all of it. The top is at most 100
            # times the first loss and the range 6 decades, so that a diverging run (1e30) or a
            # perfect fit (1e-300) leaves the plot readable; what is beyond runs off the axes.
            starts = [curve[0] for curve in (losses, previous) if len(curve) and 0 < curve[0] < math.inf]
            high = min(shown.max(), 100 * max(starts, default=shown.max())) * 1.3
            low = max(shown.min(), high * 1e-6) / 1.3
            if ax.get_yscale() != "log":
                ax.set_yscale("log")
                ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))  # 0.2, not 2×10⁻¹
                ax.yaxis.set_minor_locator(NullLocator())
            # Ticks at 1, 2, 5 per decade over a short range, one per decade over a long one.
            ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0) if high / low < 1e3 else (1.0,)))
            ax.set_ylim(low, high)
        elif shown.size:
            if ax.get_yscale() != "linear":
                ax.set_yscale("linear")
            margin = 0.05 * (shown.max() - shown.min()) or 1.0
            ax.set_ylim(shown.min() - margin, shown.max() + margin)
        ax.set_xlim(0, max(total, len(previous), 1))
        ax.legend(loc="upper right", fontsize="small", frameon=False)

    def _short(self, settings):
        """A legend label for a run: its learning rate and hidden size."""
        return f"lr {_fmt(settings['lr'])}, hidden {settings['hidden']}"

    def _png(self):
        """Render the figure to PNG bytes (fast zlib level: the image is sent, not stored)."""
        start = time.perf_counter()
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
        self.render_seconds = time.perf_counter() - start
        return buffer.getvalue()


def _make_control(spec, description):
    """A widget for an `extra` setting: list -> dropdown, bool -> checkbox, 4-tuple -> slider."""
    if isinstance(spec, bool):
        return widgets.Checkbox(value=spec, description=description, indent=False)
    if isinstance(spec, list):
        return widgets.Dropdown(options=spec, value=spec[0], description=description)
    if isinstance(spec, tuple) and len(spec) == 4 and spec[3] in ("log", "linear"):
        default, low, high, scale = spec
        if scale == "log":
            return _log_slider(default, low, high, description)
        if all(isinstance(v, int) for v in (default, low, high)):
            return widgets.IntSlider(value=default, min=low, max=high, description=description)
        return widgets.FloatSlider(value=default, min=low, max=high, step=(high - low) / 100,
                                   readout_format=".3g", description=description)
    raise ValueError(f"extra control {description!r}: expected a list of choices, a bool, or "
                     f"(default, min, max, 'log' | 'linear'), got {spec!r}")


def _log_slider(value, low, high, description):
    """A base-10 log slider from about `low` to `high` in steps of 0.1 decade that pass through
    `value`, so that sliding back to the default finds it, and its cached result, again.

    The ends move outwards to the nearest step (e.g. 1e-3 becomes 8.8e-4 for a default of 0.7), so
    every value in [low, high] is still allowed.
    """
    step, exponent = 0.1, math.log10(value)
    below = math.ceil(round((exponent - math.log10(low)) / step, 6))
    above = math.ceil(round((math.log10(high) - exponent) / step, 6))
    return widgets.FloatLogSlider(value=value, base=10, min=exponent - below * step, max=exponent + above * step,
                                  step=step, readout_format=".3g", description=description)


def _check_result(result):
    """Fail with a clear message unless `result` is a dict with a non-empty list of float losses."""
    try:
        losses = np.asarray(result["losses"], dtype=float)
    except (TypeError, KeyError, IndexError, ValueError):
        losses = None
    if losses is None or losses.ndim != 1 or losses.size == 0:
        raise TypeError("train() must return a dict whose 'losses' is a non-empty list of floats "
                        f"(one per epoch), got {type(result).__name__}")


def _clean(value):
    """Round floats to 6 significant digits (see TrainingDashboard.settings); others unchanged."""
    return float(f"{value:.6g}") if isinstance(value, float) else value


def _fmt(value):
    """Numbers as a person writes them: 0.1, 16, 0.9751; other values as text."""
    if isinstance(value, (float, np.floating)):
        return f"{value:.4g}"
    return html.escape(str(value))


def _error_html(what, error):
    message = html.escape(f"{type(error).__name__}: {error}")
    return f"<span class='dash-error' style='color:#b00'>{html.escape(what)}: {message}</span>"
