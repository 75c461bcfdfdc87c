"""Hostile submissions gain nothing: the threats and attack classes of docs/grading.md.

All the attack notebooks are graded in ONE batch, with two controls: an honest student (full marks)
and the plain planted-wrong student (WRONG_SCORE). Each attack notebook is that wrong submission plus
a cell carrying the attack, so an attack that works shows up as points above WRONG_SCORE (one that gets
what it was after also redefines the wrong gradient, see tests/hostile.py). Scores are checked
where they end up: the records in graded/, nbgrader's gradebook and the exported CSV. Around the
batch, the test keeps watch on what must not change: the course tree, the course's packages, a
canary file outside the course, the host's loopback listeners, and which processes exist.

Tests near the end guard holes these tests found, all fixed since.
"""
import csv
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
import uuid
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import nbformat
import psutil
import pytest

from grading import cgroups, gradebook, sandbox, wire
from grading.autograde import autograde
from grading.collect import collect
from grading.course import REPO, Course, CourseError
from grading.feedback import write_feedback
from tests.hostile import (
    ATTACKS,
    COURSE,
    FULL,
    NOTEBOOK,
    POINTS,
    UNIT,
    WRONG_SCORE,
    attack_cells,
    bare_course_at,
    course,
    notebook,
    report,
    submit_notebook,
    tree_digest,
    wrong,
)

pytestmark = pytest.mark.slow

ISOLATED = bool(sandbox.bwrap_path()) and os.geteuid() == 0
needs_isolation = pytest.mark.skipif(not ISOLATED, reason="needs bubblewrap and root (python -m grading isolation)")
CONTROL_GROUPS = ISOLATED and cgroups.unavailable() is None
needs_control_groups = pytest.mark.skipif(not CONTROL_GROUPS, reason="needs control groups (python -m grading isolation)")

# Attacks that only the sandbox stops; without it they would really read, write or fork on the host.
ISOLATION_ATTACKS = {"read-secrets", "sqlite-gradebook", "detached-writer", "network", "fork-bomb",
                     "other-submissions", "symlink-chown", "disk-fill", "sysv-shm", "proc-cmdline"}
# Attacks that only the sandbox's control group stops: without it they hold gigabytes for real.
CONTROL_GROUP_ATTACKS = {"memory-outside-the-process"}
# Attacks that cost the attacker points by their nature (they replace a function by a probe, or may be
# killed at a limit): they must gain nothing, and may lose.
MAY_LOSE_POINTS = {"desync-protocol", "probe-check-names", "memory-outside-the-process", "dies-mid-callback"}
FLOOD_FILES = 400_000  # empty files the memory attack makes (about 400 MiB of kernel memory)
LIMITS = {"call_seconds": 8, "load_seconds": 15}
WRITER_DELAY = 2  # seconds the detached writers sleep before they start writing
HUGE_BLOCKS = 4  # 64 MiB arrays the huge-reply attack pushes at the grader
FILL_FILES = 16  # files of just under the 8 MiB file limit the disk-fill attack writes (128 MiB)
CELL_TAMPERING = ["tamper-test-cells", "delete-test-cells", "strip-test-metadata", "duplicate-test-cell"]


def _tampered(kind):
    """The planted-wrong notebook with its test cells edited: points raised, a bonus test cell, emptied tests."""
    nb = wrong()
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    if kind == "tamper-test-cells":
        for cell in tests:
            cell.source = "pass"
            cell.metadata.nbgrader["points"] = 100
        bonus = nbformat.v4.new_code_cell("pass")
        bonus.metadata["nbgrader"] = {"grade": True, "grade_id": "test_bonus", "locked": True, "points": 50,
                                      "schema_version": 3, "solution": False, "task": False}
        nb.cells.append(bonus)
    elif kind == "delete-test-cells":
        nb.cells = [c for c in nb.cells if c not in tests]
    elif kind == "strip-test-metadata":
        for cell in tests:
            cell.metadata = {}
            cell.source = "pass  # the test was here"
    elif kind == "duplicate-test-cell":
        copy = nbformat.from_dict(json.loads(json.dumps(tests[1])))
        copy.source = "pass"
        copy.id = "tampered-copy"
        nb.cells.insert(nb.cells.index(tests[1]) + 1, copy)
    return nb


def _sandbox_processes(marker):
    found = []
    for process in psutil.process_iter(["pid", "uids", "cmdline"]):
        try:
            uid = process.info["uids"].real if process.info["uids"] else -1
            cmdline = " ".join(process.info["cmdline"] or [])
        except psutil.Error:
            continue
        if uid >= sandbox.FIRST_UID or marker in cmdline:
            found.append((process.info["pid"], uid, cmdline[:200]))
    return found


def _gradebook_state(root):
    """{student: (submission score, timestamp, {grade_id: (auto, manual, needs_manual)})}."""
    state = {}
    with gradebook.opened(Course(root)) as gb:
        for submission in gb.assignment_submissions(UNIT):
            grades = {}
            for nb in submission.notebooks:
                for grade in nb.grades:
                    grades[grade.name] = (grade.auto_score, grade.manual_score, grade.needs_manual_grade)
            state[submission.student.id] = (submission.score, submission.timestamp, grades)
    return state


def _record_files(root):
    return tree_digest(Course(root).records)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = course(tmp_path_factory.mktemp("hostile"))
    marker = "hostile" + uuid.uuid4().hex[:10]
    canary_a, canary_b = "CANARY-", uuid.uuid4().hex
    canary = canary_a + canary_b
    # Secrets the sandbox must not reach, each holding the canary.
    (root / "instructor-notes.txt").write_text(f"exam answers {canary}\n")
    solution = Course(root).unit(UNIT).solution_folder / NOTEBOOK
    nb = nbformat.read(solution, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(f"Instructor only: {canary}"))
    nbformat.write(nb, solution)
    with gradebook.opened(Course(root)) as gb:
        gb.update_or_create_student("ctl-honest", first_name=canary)
    victim = tmp_path_factory.mktemp("outside") / "victim.txt"
    victim.write_text("not the student's\n")
    victim.chmod(0o600)
    victim_owner = (victim.stat().st_uid, victim.stat().st_gid)

    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    tcp.listen()
    tcp.setblocking(False)
    abstract_name = marker + "-abstract"
    unix = socket.socket(socket.AF_UNIX)
    unix.bind("\0" + abstract_name)
    unix.listen()
    unix.setblocking(False)

    values = dict(ROOT=root, CANARY_A=canary_a, CANARY_B=canary_b, PORT=tcp.getsockname()[1], ABSTRACT=abstract_name,
                  MARKER=marker, DELAY=WRITER_DELAY, VICTIM=victim, HUGE_BLOCKS=HUGE_BLOCKS,
                  FILE_BYTES=sandbox.Limits().file_bytes, FILL_FILES=FILL_FILES, FLOOD_FILES=FLOOD_FILES,
                  MEMORY_MIB=(sandbox.Limits().memory_bytes + 2 * sandbox.Limits().disk_bytes) // 2**20)
    submit_notebook(root, "ctl-honest", notebook(markdown=[f"my notes {canary}"]))
    submit_notebook(root, "ctl-wrong", wrong())
    attacks = [name for name in ATTACKS if (ISOLATED or name not in ISOLATION_ATTACKS)
               and (CONTROL_GROUPS or name not in CONTROL_GROUP_ATTACKS)]
    for name in attacks:
        submit_notebook(root, f"atk-{name}", wrong(*attack_cells(name, STUDENT=f"atk-{name}", **values)))
    for kind in CELL_TAMPERING:
        submit_notebook(root, f"atk-{kind}", _tampered(kind))
    # A submission that is a symlink to the solution notebook (a git-based hand-in can carry one).
    folder = Course(root).submitted / "atk-symlink-solution" / UNIT
    folder.mkdir(parents=True)
    (folder / NOTEBOOK).symlink_to(os.path.relpath(solution, folder))
    # Time forgery: mallory's hand-in carries its own timestamp.txt; the collector stamps the time.
    forged = tmp_path_factory.mktemp("handin") / "handin.zip"
    with zipfile.ZipFile(forged, "w") as archive:
        archive.writestr("mallory/timestamp.txt", "2000-01-01 00:00:00.000000 UTC")
        archive.writestr(f"mallory/{NOTEBOOK}", nbformat.writes(wrong()))
    collect_started = datetime.now(timezone.utc)
    collect(Course(root), UNIT, forged)
    collect_ended = datetime.now(timezone.utc)

    skip = [Course(root).records.name, Course(root).gradebook_path.name, Course(root).feedback.name,
            Course(root).autograded.name, "grades.csv"]  # what the grader writes
    before = tree_digest(root, skip=skip)
    previous_environ = os.environ.get("GRADING_TEST_CANARY")
    os.environ["GRADING_TEST_CANARY"] = canary
    try:
        records, flags = autograde(Course(root), UNIT, jobs=2, limits=LIMITS, progress=None)
    finally:
        if previous_environ is None:
            del os.environ["GRADING_TEST_CANARY"]
        else:
            os.environ["GRADING_TEST_CANARY"] = previous_environ
    # Killing a sandbox is immediate, its processes' exit is the kernel's: give them a moment.
    deadline = time.monotonic() + 3
    while _sandbox_processes(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    processes_right_after = _sandbox_processes(marker)
    records_right_after, gradebook_right_after = _record_files(root), _gradebook_state(root)
    time.sleep(WRITER_DELAY + 3)  # long enough for any surviving detached writer to strike
    processes_later = _sandbox_processes(marker)
    records_later, gradebook_later = _record_files(root), _gradebook_state(root)

    write_feedback(Course(root), UNIT)
    gradebook.export(Course(root), root / "grades.csv")
    with open(root / "grades.csv", newline="") as f:
        csv_rows = {row["student_id"]: row for row in csv.DictReader(f)}
    accepted = []
    for listener in (tcp, unix):
        try:
            accepted.append(listener.accept())
        except BlockingIOError:
            pass
        listener.close()
    yield SimpleNamespace(
        root=root, records={r.student: r.to_dict() for r in records}, flags=flags, canary=canary,
        marker=marker, victim=victim, victim_owner=victim_owner, attacks=attacks, before=before,
        after=tree_digest(root, skip=skip),
        processes_right_after=processes_right_after, processes_later=processes_later,
        records_right_after=records_right_after, records_later=records_later,
        gradebook_right_after=gradebook_right_after, gradebook_later=gradebook_later, csv=csv_rows,
        accepted=accepted,
        collect_window=(collect_started, collect_ended))


def _exercise_points(record):
    return {e["grade_id"]: e["points"] for e in record["exercises"]}


def _assert_scored(batch, student, expected):
    """`student` has `expected` points in the record file, the gradebook and the CSV, and nothing flagged."""
    record = json.loads(Course(batch.root).record_path(UNIT, student, NOTEBOOK).read_text())
    assert record["score"] == expected, (student, record["score"], record["exercises"])
    assert record["max_score"] == FULL
    score, _, grades = batch.gradebook_later[student]
    assert score == expected
    assert set(grades) == set(POINTS)
    for grade_id, (auto, manual, needs_manual) in grades.items():
        assert auto == _exercise_points(record)[grade_id]
        assert manual is None and not needs_manual, (student, grade_id, manual, needs_manual)
    row = batch.csv[student]
    assert float(row["raw_score"]) == expected and float(row["score"]) == expected
    assert float(row["max_score"]) == FULL
    assert not [flag for flag in batch.flags if student in flag]


def test_controls_and_the_batch(batch):
    assert batch.records["ctl-honest"]["score"] == FULL
    assert batch.records["ctl-wrong"]["score"] == WRONG_SCORE < FULL
    _assert_scored(batch, "ctl-honest", FULL)
    _assert_scored(batch, "ctl-wrong", WRONG_SCORE)
    assert batch.flags == []
    expected = {"ctl-honest", "ctl-wrong", "mallory", "atk-symlink-solution"}
    expected |= {f"atk-{name}" for name in batch.attacks + CELL_TAMPERING}
    assert set(batch.records) == expected
    assert set(batch.csv) >= expected


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_gains_no_point(batch, attack):
    if attack not in batch.attacks:
        pytest.skip("this attack runs only where the sandbox is in force")
    student = f"atk-{attack}"
    record = batch.records[student]
    if attack in MAY_LOSE_POINTS:
        wrong_points = _exercise_points(batch.records["ctl-wrong"])
        assert all(p <= wrong_points[g] for g, p in _exercise_points(record).items())
        assert record["score"] <= WRONG_SCORE
        assert "WON" not in (report(record) or {}), report(record)
        _assert_scored(batch, student, record["score"])
        return
    findings = report(record)
    assert findings is not None, f"the attack cell of {student} never ran: {str(record['problems'])[:1000]}"
    assert "WON" not in findings, findings
    assert _exercise_points(record) == _exercise_points(batch.records["ctl-wrong"])
    _assert_scored(batch, student, WRONG_SCORE)


@pytest.mark.parametrize("kind", CELL_TAMPERING)
def test_edited_deleted_or_duplicated_test_cells_gain_no_point(batch, kind):
    record = batch.records[f"atk-{kind}"]
    assert [e["grade_id"] for e in record["exercises"]] == list(POINTS)
    assert [e["max_points"] for e in record["exercises"]] == list(POINTS.values())
    assert _exercise_points(record) == _exercise_points(batch.records["ctl-wrong"])
    _assert_scored(batch, f"atk-{kind}", WRONG_SCORE)


def test_forged_load_reply_reached_the_grader_and_counted_for_nothing(batch):
    # The report inside the forged reply (not the worker's own, which was swallowed) was recorded:
    # the grader really took the forgery, with its verdict keys, and still gave 5.
    assert report(batch.records["atk-forged-protocol"]) == {"ran": ["forged load reply"]}
    # The desync attack's frames were taken for the load reply: nothing of it counted.
    desync = batch.records["atk-desync-protocol"]
    assert desync["score"] <= WRONG_SCORE
    assert all(e["reason"] for e in desync["exercises"] if not e["passed"])


@needs_isolation
def test_exfiltration_reads_nothing_and_leaks_nothing(batch):
    findings = report(batch.records["atk-read-secrets"])
    assert findings["found"] == []
    assert findings["walked_dirs"] > 5  # the walk did run over what the sandbox shows
    assert findings["errors"].get("ENOENT", 0) + findings["errors"].get("EACCES", 0) >= 40
    for path in sorted((Course(batch.root).records).rglob("*")) + sorted((Course(batch.root).feedback).rglob("*")):
        if path.is_file():
            assert batch.canary not in path.read_text(errors="replace"), path
    assert batch.canary not in "".join(batch.flags)


@needs_isolation
def test_gradebook_cannot_be_opened_by_the_student(batch):
    outcomes = report(batch.records["atk-sqlite-gradebook"])["sqlite"]
    assert len(outcomes) == 4
    assert all(v.startswith("OperationalError") for v in outcomes.values()), outcomes


@needs_isolation
def test_network_is_unreachable(batch):
    outcomes = report(batch.records["atk-network"])["network"]
    assert outcomes["loopback_tcp"] in ("ECONNREFUSED", "ENETUNREACH")
    assert outcomes["abstract_unix"] in ("ECONNREFUSED", "ENOENT")
    for name in ("public_tcp", "public_tcp6", "public_udp"):
        assert outcomes[name] == "ENETUNREACH", outcomes
    assert all(outcomes[f"{name}_seconds"] < 1 for name in ("loopback_tcp", "public_tcp", "public_tcp6"))
    assert outcomes["dns"] == "gaierror"
    assert batch.accepted == [], "the host's loopback listener was reached from the sandbox"


@needs_isolation
def test_fork_bomb_is_capped_and_the_batch_goes_on(batch):
    findings = report(batch.records["atk-fork-bomb"])
    assert findings["fork_error"] == "EAGAIN"
    assert 0 < findings["forks"] < sandbox.Limits().processes
    assert batch.records["ctl-honest"]["score"] == FULL and batch.records["ctl-wrong"]["score"] == WRONG_SCORE


@needs_isolation
def test_the_sandbox_has_no_sysv_shared_memory_queues_or_semaphores(batch):
    findings = report(batch.records["atk-sysv-shm"])
    assert all(findings[kind] in ("ENOSPC", "EINVAL") for kind in ("shmget", "msgget", "semget")), findings
    assert findings["held_mib"] == 0


@needs_control_groups
def test_memory_the_kernel_holds_for_a_sandbox_counts_against_its_limit(batch):
    record = batch.records["atk-memory-outside-the-process"]
    findings = report(record)
    if findings is None:  # the kernel killed the cell's own process at the limit, and said so
        assert all("killed at the memory limit" in e["reason"] for e in record["exercises"]), record["exercises"]
    else:  # it killed a child: the files and both children were never held at once
        assert findings["children_alive"] < 2, findings


@needs_isolation
def test_the_sandbox_cannot_read_the_hosts_paths_from_its_first_process(batch):
    cmdline = report(batch.records["atk-proc-cmdline"])["cmdline"]
    assert "bwrap --args" in cmdline, cmdline
    for leak in ("--ro-bind", "grading-", str(batch.root)):
        assert leak not in cmdline, cmdline


def test_an_error_from_a_trusted_function_does_not_name_the_checks_functions(batch):
    reason = {e["grade_id"]: e["reason"] for e in batch.records["atk-probe-check-names"]["exercises"]}
    reason = reason["test_numeric_jacobian"]
    assert "ATTACK-PROBE" in reason and "positional argument" in reason, reason
    assert "lambda" not in reason and "hidden_test" not in reason and "locals" not in reason, reason


def test_a_student_who_dies_during_a_callback_is_told_how_it_died(batch):
    reason = {e["grade_id"]: e["reason"] for e in batch.records["atk-dies-mid-callback"]["exercises"]}
    reason = reason["test_numeric_jacobian"]
    assert "exited" in reason and "code 3" in reason and "NoneType" not in reason, reason


@needs_isolation
def test_no_student_process_outlives_its_grading(batch):
    assert batch.processes_right_after == []
    assert batch.processes_later == []
    assert report(batch.records["atk-detached-writer"])["spawned"]["popen"] > 0
    # Nothing changed in the records or the gradebook while the writers would have been at work.
    assert batch.records_later == batch.records_right_after
    assert batch.gradebook_later == batch.gradebook_right_after
    assert not Path(f"/tmp/{batch.marker}").exists()


@needs_isolation
def test_nothing_outside_the_sandboxes_changed(batch):
    writes = report(batch.records["atk-other-submissions"])["writes"]
    assert "WROTE" not in writes.values() and "DONE" not in writes.values(), writes
    assert batch.after == batch.before
    # The course's own packages are shared with the sandbox read-only (and may change under
    # development, so they are not hashed): the attack's writes there must not have landed.
    assert not (REPO / "utils" / f"{batch.marker}.py").exists()
    assert "nbformat_minor" not in (REPO / "grading" / "verdict.py").read_text()
    assert writes[f"{REPO}/grading/verdict.py"] in ("EROFS", "EACCES"), writes
    for path in (Path("/tmp") / batch.marker, Path("/") / batch.marker, batch.root / batch.marker,
                 Path(f"/tmp/{batch.marker}-unpickled")):
        assert not path.exists(), path


def test_nothing_from_the_sandbox_is_unpickled(batch):
    assert not Path(f"/tmp/{batch.marker}-unpickled").exists()
    reasons = [e["reason"] for e in batch.records["atk-lying-shape"]["exercises"] if not e["passed"]]
    assert all("FakeArray" in r for r in reasons), reasons


def test_the_collector_stamps_the_time_not_the_student(batch):
    stamp = (Course(batch.root).submitted / "mallory" / UNIT / "timestamp.txt").read_text().strip()
    when = datetime.strptime(stamp.removesuffix(" UTC"), "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=timezone.utc)
    start, end = batch.collect_window
    assert start <= when <= end
    _, recorded, _ = batch.gradebook_later["mallory"]
    assert recorded.replace(tzinfo=timezone.utc) == when
    assert batch.csv["mallory"]["timestamp"].startswith(when.strftime("%Y-%m-%d %H:%M:%S"))
    _assert_scored(batch, "mallory", WRONG_SCORE)


# ------------------------------------------------------------------------------------------------
# Regression tests for holes these tests found (fixed in the engine since): each would fail again
# if the fix went away.

@needs_isolation
def test_restarting_a_student_process_never_chowns_through_its_symlinks(batch):
    # The attack leaves a symlink to a host file in its folder, then exits so that the grader
    # restarts its process; the grader used to chown the folder's files as root, following links.
    assert report(batch.records["atk-symlink-chown"])["ran"]
    stat = batch.victim.stat()
    assert (stat.st_uid, stat.st_gid) == batch.victim_owner


def test_a_forged_load_reply_cannot_bloat_the_record_and_the_feedback(batch):
    # The load reply's errors (10 MB of them here) used to become the record's problems uncapped.
    record_file = Course(batch.root).record_path(UNIT, "atk-bloat-problems", NOTEBOOK)
    page = Course(batch.root).feedback_path(UNIT, "atk-bloat-problems", NOTEBOOK)
    assert record_file.stat().st_size < 2**20
    assert page.stat().st_size < 2**20


HUGE_SENDER = r"""
import io, json, os, struct, sys
import numpy as np
def frame(payload):
    return struct.pack(">Q", len(payload)) + payload
buffer = io.BytesIO()
np.save(buffer, np.ones(8 * 2**20 - 4096))  # just under the 64 MiB frame limit
block = frame(buffer.getvalue())
sent = 0
try:
    os.write(1, frame(json.dumps({"op": "result", "ok": True, "value": {"array": 0}, "arrays": 10000}).encode()))
    for _ in range(int(sys.argv[1])):
        view = memoryview(block)
        while view:
            written = os.write(1, view)
            sent += written
            view = view[written:]
except BrokenPipeError:
    pass
sys.stderr.write(f"{sent} {int(sys.argv[1]) * len(block)}")
"""


def test_one_reply_cannot_make_the_trusted_grader_buffer_without_bound():
    # A reply may announce 10,000 arrays of up to 64 MiB; the grader used to read and keep them all.
    blocks = 6
    sender = subprocess.Popen([sys.executable, "-c", HUGE_SENDER, str(blocks)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    try:
        with pytest.raises(wire.WireError):
            wire.recv(sender.stdout.fileno(), time.monotonic() + 60)
    finally:
        sender.stdout.close()
        sent, total = map(int, sender.communicate(timeout=60)[1].split())
    assert sent < total, f"the grader took in all {sent >> 20} MiB of one reply before giving up on it"


@needs_isolation
def test_a_submission_cannot_fill_the_disk(batch):
    # Files of just under the per-file limit, one after the other: the folder has a quota.
    findings = report(batch.records["atk-disk-fill"])
    assert findings["written_mib"] * 2**20 <= sandbox.Limits().disk_bytes, findings
    assert findings["stopped_by"] in ("ENOSPC", "EDQUOT"), findings


def test_a_symlinked_submission_is_not_followed(batch):
    # submitted/<student>/<unit>/<notebook> is a link to the solution notebook (a git hand-in can be).
    record = batch.records["atk-symlink-solution"]
    assert record["score"] == 0
    assert any("link" in p for p in record["problems"])
    _assert_scored(batch, "atk-symlink-solution", 0)


def test_collect_does_not_follow_symlinks(tmp_path):
    root = tmp_path / "course"
    solution_folder = COURSE.unit(UNIT).solution_folder
    course = Course(bare_course_at(root))
    handins = tmp_path / "handins"
    (handins / "mallory").mkdir(parents=True)
    (handins / "mallory" / NOTEBOOK).symlink_to(solution_folder / NOTEBOOK)
    (handins / "trudy").symlink_to(solution_folder, target_is_directory=True)
    nbformat.write(notebook(), handins / "honest.ipynb")
    try:
        collected = [student for student, _ in collect(course, UNIT, handins)]
    except CourseError:
        collected = []  # refusing the whole folder would do too
    assert "mallory" not in collected and "trudy" not in collected
    for student in ("mallory", "trudy"):
        copied = course.submitted / student / UNIT / NOTEBOOK
        assert not copied.exists() or "BEGIN SOLUTION" not in copied.read_text()


class _TookTooLong(BaseException):
    pass


def _time_limited(seconds, action):
    """Run `action`; raise _TookTooLong when it runs past `seconds` (pure-Python work only)."""
    def alarm(signum, frame):
        raise _TookTooLong

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return action()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_reading_a_notebook_full_of_magics_is_fast(tmp_path):
    # IPython's TransformerManager re-tokenizes a whole cell per magic; it used to run in the
    # trusted process with no time limit (about 100 s of grader time for this 0.3 MB notebook).
    from grading.submission import read_submission

    read_submission(submit_notebook(tmp_path / "warm-up", "x", notebook()), [], set())  # imports
    cell = "x = 1\n" * 20000 + "".join(f"a{i} = !ls\n" for i in range(100))
    path = tmp_path / NOTEBOOK
    nbformat.write(notebook(cells=[cell]), path)
    assert path.stat().st_size < 400_000
    try:
        _time_limited(5, lambda: read_submission(path, [], set()))
    except _TookTooLong:
        pytest.fail("reading a 0.3 MB notebook took more than 5 s of the trusted grader's time")


# ------------------------------------------------------------------------------------------------
# Holes found in the engine and fixed since: these guard against their return.

def test_one_reply_header_cannot_cost_the_trusted_grader_unbounded_time(tmp_path):
    payload = ('{"op": "result", "ok": true, "arrays": 0, "value": {"list": ['
               + ",".join(["1.5"] * (30 * 2**20 // 4)) + "]}}").encode()
    message = tmp_path / "message"
    message.write_bytes(struct.pack(">Q", len(payload)) + payload)
    with open(message, "rb") as f:
        def receive():
            try:
                header, arrays = wire.recv(f.fileno(), time.monotonic() + 60)
                wire.decode(header.get("value"), arrays)
            except wire.WireError:
                pass  # refusing the message is the right answer
        try:
            _time_limited(3, receive)
        except _TookTooLong:
            pytest.fail("one 30 MB reply kept the trusted grader busy for more than 3 s")
