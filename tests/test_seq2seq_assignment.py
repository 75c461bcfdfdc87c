"""Unit 05's translator does what its prose says, run headless as CI runs notebooks, with the reference answers:
with attention it translates at least 99 % of the held-out dates exactly after 800 steps of training (the course's
goal: 99 % in at most a minute of training; the seconds are printed, benchmarks/notebook_speed.py times the
notebook, and no test times anything); at 200 steps the model without attention gets hardly any date right
while the model with attention already gets most; and by source length, the model with attention gets nearly
every character right at every length. The notebook prints

    seq2seq verdict: held-out exact match with attention A after 800 steps (S s of training); at 200 steps B with
    attention, C without; first at least 0.99 after K steps (T s)
    <model> (<steps> steps): 5-10 characters x, 11-15 characters y, ...
"""
import re

import pytest

from grading.course import Course
from tests.notebooks import printed_by

pytestmark = pytest.mark.slow

NOTEBOOK = Course().unit("05_seq2seq_attention").notebooks[0].path
VERDICT = re.compile(r"seq2seq verdict: held-out exact match with attention (\d\.\d+) after 800 steps "
                     r"\(\d+\.\d s of training\); at 200 steps (\d\.\d+) with attention, (\d\.\d+) without; "
                     r"first at least 0\.99 after (\d+) steps \(\d+\.\d s\)")
BY_LENGTH = re.compile(r"(with|without) attention \(\d+ steps\): (.*)")


@pytest.fixture(scope="module")
def printed():
    return printed_by(NOTEBOOK)


def test_attention_translates_99_percent_of_held_out_dates(printed):
    found = VERDICT.search(printed)
    assert found, f"no verdict line in the notebook's output:\n{printed[-2000:]}"
    final, attended, plain, first_99 = map(float, found.groups())
    assert final >= 0.99 and first_99 <= 800
    assert plain <= 0.05 and attended >= 0.5  # "hardly any date entirely right" against most


def test_with_attention_nearly_every_character_is_right_at_every_length(printed):
    rows = {model: [float(v) for v in re.findall(r"characters (\d\.\d+)", text)]
            for model, text in BY_LENGTH.findall(printed)}
    assert set(rows) == {"with", "without"} and len(rows["with"]) == 4, printed[-2000:]
    assert min(rows["with"]) >= 0.98
    assert max(rows["without"]) < min(rows["with"])
