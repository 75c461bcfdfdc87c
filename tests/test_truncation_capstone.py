"""Unit 03's "what truncation costs" section does what its prose promises: run headless, as CI runs notebooks,
truncated BPTT with chunks shorter than the delay of a delayed-recall task stays near the baseline of predicting
the mean, while chunks longer than the delay bring the loss well below it, down to little more than the floor
(the first k targets of every sequence, which no network can know).

The solution notebook prints one line for this,
    Truncation verdict: delay k=K, chunk C1: final loss X (baseline B); chunk C2: final loss Y (floor F)
(each final loss is the mean of the last epochs' losses, on sequences drawn fresh every epoch), and the
notebook's prose describes the result in words only.
"""
import re

import pytest

from grading.course import Course
from tests.notebooks import printed_by

pytestmark = pytest.mark.slow

NOTEBOOK = Course().unit("03_rnn_bptt").notebooks[0].path
NUMBER = r"(\d+(?:\.\d+)?)"
VERDICT = re.compile(rf"Truncation verdict: delay k=(\d+), chunk (\d+): final loss {NUMBER} \(baseline {NUMBER}\); "
                     rf"chunk (\d+): final loss {NUMBER} \(floor {NUMBER}\)")
NEAR_BASELINE = (0.75, 1.25)  # "stays near the baseline": within this factor of it (24 seeds: 0.82-1.01)
WELL_BELOW = 0.35             # "falls well below it": at most this fraction of the baseline (24 seeds: 0.14-0.16)
MOSTLY_FLOOR = 2.0            # "most of what remains is the floor": under twice the floor (24 seeds: 1.1-1.3)


@pytest.fixture(scope="module")
def verdict():
    printed = printed_by(NOTEBOOK)
    found = VERDICT.findall(printed)
    assert len(found) == 1, f"{NOTEBOOK.name} should print one 'Truncation verdict: ...' line, printed {len(found)}"
    delay, short, short_loss, baseline, long, long_loss, floor = found[0]
    return {"delay": int(delay), "short": int(short), "long": int(long), "short_loss": float(short_loss),
            "long_loss": float(long_loss), "baseline": float(baseline), "floor": float(floor)}


def test_the_chunks_lie_on_both_sides_of_the_delay(verdict):
    assert verdict["short"] < verdict["delay"] < verdict["long"], (
        f"the chunks {verdict['short']} and {verdict['long']} should lie below and above the delay {verdict['delay']}")
    assert 0 < verdict["floor"] < verdict["baseline"], f"the floor should lie below the baseline: {verdict}"


def test_chunks_shorter_than_the_delay_stay_near_the_baseline(verdict):
    low, high = NEAR_BASELINE
    assert low * verdict["baseline"] <= verdict["short_loss"] <= high * verdict["baseline"], (
        f"with chunks of {verdict['short']} steps (delay {verdict['delay']}) the final loss {verdict['short_loss']} "
        f"should stay within {low}-{high} x the baseline {verdict['baseline']}")


def test_chunks_longer_than_the_delay_fall_well_below_it_to_near_the_floor(verdict):
    assert verdict["long_loss"] <= WELL_BELOW * verdict["baseline"], (
        f"with chunks of {verdict['long']} steps (delay {verdict['delay']}) the final loss {verdict['long_loss']} "
        f"should be at most {WELL_BELOW} x the baseline {verdict['baseline']}")
    assert verdict["long_loss"] <= MOSTLY_FLOOR * verdict["floor"], (
        f"with chunks of {verdict['long']} steps most of the final loss {verdict['long_loss']} should be the floor "
        f"{verdict['floor']} (at most {MOSTLY_FLOOR} x it)")
