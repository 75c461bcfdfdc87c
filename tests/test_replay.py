"""python -m grading replay: a recorded verdict is reproduced, and the instructor sees the inputs.

Each record holds the seed its hidden checks drew their inputs from. Replaying a student grades the
same notebook again with that seed: every verdict, reason and diagnosis must come out as recorded,
and each failed check's last call to the student's function is shown with its arguments.
"""
import json
import subprocess
import sys

import pytest

from grading.course import Course
from tests.hostile import NOTEBOOK, UNIT, course, notebook, submit_notebook, wrong

pytestmark = pytest.mark.slow


def cli(root, *args):
    return subprocess.run([sys.executable, "-m", "grading", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=600)


def test_replay_reproduces_the_recorded_verdicts_and_shows_the_failed_checks_inputs(tmp_path):
    root = course(tmp_path / "course")
    submit_notebook(root, "alice", notebook())
    submit_notebook(root, "bob", wrong())
    assert cli(root, "autograde", UNIT, "--jobs", "2").returncode == 0
    record = json.loads(Course(root).record_path(UNIT, "bob", NOTEBOOK).read_text())
    assert isinstance(record["seed"], int)

    done = cli(root, "replay", UNIT, "bob")
    assert done.returncode == 0, done.stderr
    said = done.stdout
    assert f"(seed {record['seed']}): recorded {record['score']:g}, replayed {record['score']:g}" in said
    assert "the same verdicts" in said and "recorded differently" not in said
    failed = [e for e in record["exercises"] if not e["passed"]]
    assert failed and all(e["reason"].splitlines()[0] in said for e in failed)
    assert "the last call: score_and_grads(" in said and "array of shape (" in said

    unknown = cli(root, "replay", UNIT, "carol")
    assert unknown.returncode != 0 and "'carol' has no submission" in unknown.stderr and "alice, bob" in unknown.stderr
