"""The grader's own faults are never charged to a student, and hidden checks may pass keywords.

A scratch copy of unit 01 whose hidden checks are edited: one calls the student's function with
keyword arguments (a callable among them), one fails at run time with a NameError of its own, one
passes the student an argument the grader cannot send. A check with a name nothing defines is
refused before anyone is graded, and so is a batch on a machine where the sandbox cannot run,
unless the instructor says, by name, that isolation may be lost. Everything runs through the real
CLI and sandbox.
"""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from grading import cgroups, gradebook, sandbox
from grading.course import Course
from tests.hostile import NOTEBOOK, POINTS, UNIT, bare_course_at, notebook

pytestmark = pytest.mark.slow

KEYWORDS = ("elementwise_jacobian(fprime, z)", "elementwise_jacobian(fprime=fprime, z=z)")
RUNTIME_NAME_ERROR = ("s, dx, dW, db = score_and_grads(x, W, b, u)",
                      "s, dx, dW, db = score_and_grads(x, W, b, u)\n        eval('no_such_helper')")
UNSENDABLE = ("J = assert_shape(softmax_jacobian(z)", "J = assert_shape(softmax_jacobian(z, object())")
UNDEFINED = ("J = numeric_jacobian(f, x)", "J = numeric_jacobian(f, no_such_helper(x))")


HIDDEN = "### BEGIN HIDDEN TESTS"


def course_with_checks(root, *edits):
    """A course at `root` whose unit-01 hidden checks have the (old, new) `edits` (if any), released."""
    bare_course_at(root)
    path = Course(root).unit(UNIT).solution_folder / NOTEBOOK
    source = nbformat.read(path, as_version=4)
    for old, new in edits:
        cells = [c for c in source.cells if old in c.source.partition(HIDDEN)[2]]
        assert len(cells) == 1, f"{old!r} is not in exactly one hidden test block: update this test"
        visible, marker, hidden = cells[0].source.partition(HIDDEN)
        cells[0].source = visible + marker + hidden.replace(old, new, 1)  # the check's first (small) case
    nbformat.write(source, path)
    cli(root, "release")
    return root


def cli(root, *args, ok=True):
    done = subprocess.run([sys.executable, "-m", "grading", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=600)
    assert (done.returncode == 0) == ok, done.stdout + done.stderr
    return done


def submit(root, student, nb):
    folder = Course(root).submitted / student / UNIT
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / NOTEBOOK)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = course_with_checks(tmp_path_factory.mktemp("course"), KEYWORDS, RUNTIME_NAME_ERROR, UNSENDABLE)
    submit(root, "alice", notebook())
    output = cli(root, "autograde", UNIT).stdout
    course = Course(root)
    record = json.loads(course.record_path(UNIT, "alice", NOTEBOOK).read_text())
    return course, {e["grade_id"]: e for e in record["exercises"]}, record, output


def test_a_check_may_call_the_student_with_keywords(graded):
    _, exercises, _, _ = graded
    assert exercises["test_elementwise_jacobian"]["passed"], exercises["test_elementwise_jacobian"]["reason"]
    assert exercises["test_numeric_jacobian"]["points"] == POINTS["test_numeric_jacobian"]


@pytest.mark.parametrize("grade_id,words", [("test_score_and_grads", "NameError"),
                                            ("test_softmax_jacobian", "cannot send arguments")])
def test_a_fault_of_the_grader_is_flagged_and_not_charged(graded, grade_id, words):
    course, exercises, record, output = graded
    exercise = exercises[grade_id]
    assert exercise["points"] is None and words in exercise["internal_error"]
    assert "not your fault" in exercise["reason"] and words not in exercise["reason"]
    flagged = [line for line in output.splitlines() if line.startswith("FLAG alice " + grade_id)]
    assert flagged and "not charged" in flagged[0]
    assert any(line.startswith("alice " + grade_id) for line in course.flags_path(UNIT).read_text().splitlines())
    # The gradebook leaves the cell for the instructor instead of scoring it 0.
    with gradebook.opened(course) as gb:
        grade = gb.find_grade(grade_id, NOTEBOOK.removesuffix(".ipynb"), UNIT, "alice")
        assert grade.auto_score is None and grade.needs_manual_grade
    assert record["score"] == sum(e["points"] for e in exercises.values() if not e["internal_error"])


def test_feedback_says_the_exercise_is_not_graded_yet(graded):
    course, *_ = graded
    cli(course.root, "feedback", UNIT)
    page = course.feedback_path(UNIT, "alice", NOTEBOOK).read_text()
    assert "not graded yet" in page.lower() and "not your fault" in page
    assert "hidden_test_" not in page and "no_such_helper" not in page


def test_a_check_using_an_undefined_name_stops_the_batch_before_anyone_is_graded(tmp_path):
    root = course_with_checks(tmp_path / "course", UNDEFINED)
    submit(root, "alice", notebook())
    done = cli(root, "autograde", UNIT, ok=False)
    assert "hidden_test_numeric_jacobian" in done.stderr and "no_such_helper" in done.stderr
    assert "Traceback" not in done.stderr
    assert not Course(root).records.exists()


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """A released unit-01 course with one honest submission, not yet graded."""
    root = course_with_checks(tmp_path_factory.mktemp("course"))
    submit(root, "alice", notebook())
    return root


def test_the_hidden_checks_run_with_one_blas_thread(released, monkeypatch):
    # Submissions are graded side by side, one per core: BLAS threads of each grader's own would
    # fight over the cores (and a product's rounding could differ on a machine that replays it).
    from threadpoolctl import threadpool_info

    from grading import autograde, verdict

    seen = []
    run = verdict._run_exercise
    monkeypatch.setattr(verdict, "_run_exercise", lambda *args: seen.append(
        [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]) or run(*args))
    (job,), _ = autograde.find_jobs(Course(released), Course(released).unit(UNIT))
    record = verdict.grade_submission(job)
    assert record.score == record.max_score and seen and all(threads == [1] for threads in seen), seen


def without_bwrap(fake_bin, script=None):
    """An environment whose PATH has no bubblewrap, or a fake one running `script`."""
    fake_bin.mkdir(exist_ok=True)
    if script is not None:
        (fake_bin / "bwrap").write_text(f"#!/bin/sh\n{script}\n")
        (fake_bin / "bwrap").chmod(0o755)
    return dict(os.environ, PATH=os.pathsep.join([str(fake_bin), str(Path(sys.executable).parent)]))


def autograde_with(root, env, *flags):
    return subprocess.run([sys.executable, "-m", "grading", "--root", str(root), "autograde", UNIT, *flags],
                          capture_output=True, text=True, timeout=600, env=env)


@pytest.mark.parametrize("script,words", [(None, "bubblewrap (bwrap) is not installed"),
                                          ("echo 'bwrap: No permissions to create new namespace' >&2; exit 1",
                                           "No permissions to create new namespace")])
def test_autograde_refuses_to_grade_without_its_sandbox(released, tmp_path, script, words):
    done = autograde_with(released, without_bwrap(tmp_path / "bin", script))
    assert done.returncode != 0 and "refusing to grade" in done.stderr and words in done.stderr
    assert "--unsafe-no-isolation" in done.stderr and "Traceback" not in done.stderr
    assert not Course(released).records.exists()


def test_the_unsafe_flag_grades_without_the_sandbox_and_says_so(released, tmp_path):
    done = autograde_with(released, without_bwrap(tmp_path / "bin"), "--unsafe-no-isolation")
    assert done.returncode == 0, done.stderr
    assert "Isolation: NONE" in done.stdout
    record = json.loads(Course(released).record_path(UNIT, "alice", NOTEBOOK).read_text())
    assert record["score"] == record["max_score"]


def test_a_lone_surrogate_in_a_students_error_stops_no_feedback_page(tmp_path):
    root = course_with_checks(tmp_path / "course")
    submit(root, "aaa-surrogate", notebook(plants=[("p = softmax(z)", "raise ValueError('\\ud800 broken')")]))
    submit(root, "zzz-honest", notebook())
    cli(root, "autograde", UNIT)
    cli(root, "feedback", UNIT)
    course = Course(root)
    attacker = course.feedback_path(UNIT, "aaa-surrogate", NOTEBOOK).read_text()
    assert "\\ud800 broken" in attacker
    assert "Score: <strong>" in course.feedback_path(UNIT, "zzz-honest", NOTEBOOK).read_text()


STALL = r'''
import sys, time
from grading import wire as _wire

_calls, _honest = [0], numeric_jacobian


def numeric_jacobian(f, x, h=1e-5):
    # On the grader's second call (f = exp(v) * sum(v), as large as its argument), ask it to
    # evaluate f on 1 MiB (what a callback may take at least), then never read the answer: with its
    # headers, the answer is more than the grader's 1 MiB pipe holds.
    _calls[0] += 1
    if _calls[0] == 2:
        out, arrays = sys._getframe(1).f_locals["out"], []
        _wire.send(out, {"op": "callback", "id": 0,
                         "args": _wire.encode([np.ones(_wire.PIPE_BYTES // 8)], arrays)}, arrays)
        time.sleep(3600)
    return _honest(f, x, h)
'''


HUGE_CALLBACK = r'''
_honest = numeric_jacobian


def numeric_jacobian(f, x, h=1e-5):
    f(np.ones(4_000_000))  # 32 MB: a trusted function that broadcasts it would cost the grader gigabytes
    return _honest(f, x, h)
'''


def test_a_student_who_stops_reading_cannot_stall_the_batch(tmp_path):
    root = course_with_checks(tmp_path / "course")
    submit(root, "aaa-stall", notebook(cells=[STALL]))
    submit(root, "bbb-huge-callback", notebook(cells=[HUGE_CALLBACK]))
    submit(root, "zzz-honest", notebook())
    cli(root, "autograde", UNIT, "--jobs", "2")  # before the fix: blocked for ever in write()
    course = Course(root)
    huge = json.loads(course.record_path(UNIT, "bbb-huge-callback", NOTEBOOK).read_text())
    exercise = next(e for e in huge["exercises"] if e["grade_id"] == "test_numeric_jacobian")
    assert exercise["points"] == 0 and "arguments it cannot take" in exercise["reason"]
    # The refused request left its process waiting for an answer: the next exercises start a fresh one.
    assert all(e["passed"] for e in huge["exercises"] if e["grade_id"] != "test_numeric_jacobian"), huge["exercises"]
    stalled = json.loads(course.record_path(UNIT, "aaa-stall", NOTEBOOK).read_text())
    exercise = next(e for e in stalled["exercises"] if e["grade_id"] == "test_numeric_jacobian")
    assert exercise["points"] == 0 and "stopped reading" in exercise["reason"]
    honest = json.loads(course.record_path(UNIT, "zzz-honest", NOTEBOOK).read_text())
    assert honest["score"] == honest["max_score"]


ENDLESS = "while True:\n    pass"
SLEEPY = r'''
import time
_honest = softmax_jacobian


def softmax_jacobian(z):
    time.sleep(1.5)  # right, but each of the 3 calls takes 1.5 s
    return _honest(z)
'''


def test_budgets_bound_a_slow_submission_and_a_stuck_cell_is_run_once_and_named(tmp_path):
    root = course_with_checks(tmp_path / "course")
    submit(root, "aaa-endless", notebook(cells=[ENDLESS]))
    submit(root, "bbb-sleepy", notebook(cells=[SLEEPY]))
    submit(root, "zzz-honest", notebook())
    started = time.monotonic()
    cli(root, "autograde", UNIT, "--jobs", "1", "--load-seconds", "5", "--exercise-seconds", "3")
    # One load of the endless notebook (5 s), not one per exercise (4 x 5 s), plus the others.
    assert time.monotonic() - started < 60
    course = Course(root)
    endless = json.loads(course.record_path(UNIT, "aaa-endless", NOTEBOOK).read_text())
    assert endless["score"] == 0
    position = len(notebook(cells=[ENDLESS]).cells)  # the cell as Jupyter shows it, counting every cell
    assert all("did not finish within 5 s" in e["reason"] and "began with: while True:" in e["reason"]
               and f"cell {position} of your notebook" in e["reason"] for e in endless["exercises"])
    sleepy = {e["grade_id"]: e for e in json.loads(course.record_path(UNIT, "bbb-sleepy", NOTEBOOK).read_text())[
        "exercises"]}
    assert sleepy["test_softmax_jacobian"]["points"] == 0
    assert "ran past the time this submission may take" in sleepy["test_softmax_jacobian"]["reason"]
    assert sleepy["test_score_and_grads"]["passed"]
    honest = json.loads(course.record_path(UNIT, "zzz-honest", NOTEBOOK).read_text())
    assert honest["score"] == honest["max_score"]


def test_an_interrupted_batch_keeps_what_it_finished_and_a_rerun_grades_only_what_changed(tmp_path):
    import signal

    root = course_with_checks(tmp_path / "course")
    submit(root, "aaa-honest", notebook())
    submit(root, "zzz-endless", notebook(cells=[ENDLESS]))
    course = Course(root)
    honest_record = course.record_path(UNIT, "aaa-honest", NOTEBOOK)
    batch = subprocess.Popen([sys.executable, "-m", "grading", "--root", str(root), "autograde", UNIT,
                              "--jobs", "1", "--load-seconds", "8"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True)
    deadline = time.monotonic() + 120
    while not honest_record.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(batch.pid, signal.SIGINT)  # the instructor presses Ctrl-C while the endless notebook loads
    _, said = batch.communicate(timeout=30)
    assert batch.returncode != 0 and b"interrupted" in said
    first = json.loads(honest_record.read_text())
    assert first["score"] == first["max_score"]

    cli(root, "autograde", UNIT, "--jobs", "1", "--load-seconds", "8")
    assert json.loads(honest_record.read_text()) == first  # reused: same notebook, solution and limits
    assert json.loads(course.record_path(UNIT, "zzz-endless", NOTEBOOK).read_text())["score"] == 0

    submit_again = Course(root).submitted / "aaa-honest" / UNIT / NOTEBOOK
    nbformat.write(notebook(plants=[("p = softmax(z)", "p = softmax(z) * 0")]), submit_again)
    cli(root, "autograde", UNIT, "--jobs", "1", "--load-seconds", "8")
    changed = json.loads(honest_record.read_text())
    assert changed["score"] < changed["max_score"]  # graded again: the notebook changed
    cli(root, "autograde", UNIT, "--jobs", "1", "--load-seconds", "8", "--force")
    assert json.loads(honest_record.read_text())["seconds"] != changed["seconds"]


CONTROL_GROUPS = bool(sandbox.bwrap_path()) and cgroups.unavailable() is None
BUSY_CHILDREN = r'''
import os, time
for _ in range(31):  # each in a session of its own, as the red team's were
    if os.fork() == 0:
        os.setsid()
        end = time.monotonic() + 60
        while time.monotonic() < end:
            pass
        os._exit(0)
'''


@pytest.mark.skipif(not CONTROL_GROUPS, reason="needs control groups (python -m grading isolation)")
def test_a_submission_that_starts_many_busy_processes_slows_only_itself(tmp_path):
    # Before each sandbox had a CPU group of one CPU, 31 busy children starved the honest notebook
    # graded beside them, which lost exercises to the time limits.
    root = course_with_checks(tmp_path / "course")
    submit(root, "aaa-busy", notebook(cells=[BUSY_CHILDREN]))
    submit(root, "bbb-honest", notebook())
    cli(root, "autograde", UNIT, "--jobs", "2", "--load-seconds", "4", "--call-seconds", "3")
    honest = json.loads(Course(root).record_path(UNIT, "bbb-honest", NOTEBOOK).read_text())
    assert honest["score"] == honest["max_score"], honest["exercises"]


@pytest.mark.skipif(os.geteuid() != 0, reason="sandbox uids are used only when grading as root")
def test_jobs_graded_at_once_on_one_host_never_share_a_sandbox_uid():
    # Another grader on this host (another batch, another checkout) holds a uid while this one grades.
    other = subprocess.Popen([sys.executable, "-c", "from grading import sandbox\nwith sandbox.own_uid() as uid:\n"
                              "    print(uid, flush=True)\n    input()"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True, cwd=Path(__file__).parents[1])
    theirs = int(other.stdout.readline())
    with sandbox.own_uid() as first, sandbox.own_uid() as second:
        assert len({theirs, first, second}) == 3
    other.communicate("\n", timeout=30)
    with sandbox.own_uid() as again:  # let go of when the job is done
        assert again <= first
