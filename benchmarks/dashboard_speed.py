"""What the training dashboard itself costs per retrain, on the browser test's probe task.

    python benchmarks/dashboard_speed.py

The probe (tests/browser/dashboard_probe.ipynb) is a two-layer tanh net on 200 two-moons points,
300 epochs of full-batch gradient descent, with a decision-boundary panel. For several new
settings (seeds) it times the bare train function (a no-op report) and dashboard.run() at the same
settings; the difference is the dashboard's overhead: live redraws (if any), the final render
(loss curve + panel + PNG encode) and caching. Then it times a cached answer (a setting seen
before) and one render alone. Wall-clock seconds; min and median over the repetitions.

Measured on an idle 16-core Xeon (Python 3.12, matplotlib 3.11): train 25-30 ms, dashboard
overhead per retrain 100-150 ms (the probe's panel ~15 ms, one 1000 x 360 px render ~70-100 ms,
of which ~12 ms PNG encoding), a cached answer 110-135 ms. On a shared, loaded 2-core VM
everything was 3-5 times slower.
"""
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.browser.probe
from tests.browser.probe import probe_namespace  # noqa: E402

REPEATS = 7


def timed(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def line(what, seconds):
    print(f"{what:<44} min {1000 * min(seconds):7.1f} ms   median {1000 * statistics.median(seconds):7.1f} ms")


def main():
    namespace = probe_namespace()  # runs the notebook's cells: `dash` has trained at the defaults
    train, dash = namespace["train"], namespace["dash"]
    defaults = dash.settings
    print(f"probe task at {defaults}\n")

    bare, dashboard = [], []
    for seed in range(1, REPEATS + 1):
        bare.append(timed(lambda: train({**defaults, "seed": seed}, lambda *args, **metrics: None)))
        dashboard.append(timed(lambda: dash.run(seed=seed)))
    overhead = [d - b for d, b in zip(dashboard, bare)]
    cached = [timed(lambda: dash.run(seed=seed)) for seed in range(1, REPEATS + 1)]
    render = [timed(dash._png) for _ in range(REPEATS)]

    line("train function alone (new setting)", bare)
    line("dashboard.run (new setting)", dashboard)
    line("  dashboard overhead per retrain", overhead)
    line("  of which one render (curve + panel + PNG)", render)
    line("dashboard.run (cached setting)", cached)
    print(f"\nPNG size {len(dash.image.value) / 1024:.0f} KiB; results cached: {len(dash.cache)}")


if __name__ == "__main__":
    main()
