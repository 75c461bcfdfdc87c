"""Malformed, broken and odd submissions: each costs only what it breaks, with a reason, and the batch goes on.

One batch holds every case below plus two honest controls (sorted first and last, so that a case
that aborted the batch, as a duplicated test cell aborts nbgrader's, would leave the last one
ungraded) and four students collected from an LMS-style zip through the real CLI. The batch is
graded twice: the second run must give the same grades and raise no flags. Feedback pages are
written by the CLI and checked for the reasons, for escaping, and for hidden-test source; the
exported CSV must carry the same scores.
"""
import copy
import csv
import html
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest

from grading import gradebook
from grading.autograde import autograde
from grading.course import REPO, Course
from grading.sandbox import Limits
from tests.hostile import (
    FLIP_DW,
    FULL,
    NOTEBOOK,
    POINTS,
    UNIT,
    bare_course_at,
    course,
    notebook,
    submit_bytes,
)

pytestmark = pytest.mark.slow

ALL = set(POINTS)
NJ, SJ, EJ, SG = "test_numeric_jacobian", "test_softmax_jacobian", "test_elementwise_jacobian", "test_score_and_grads"
LIMITS = {"call_seconds": 4, "load_seconds": 4, "memory_bytes": 768 * 2**20}
SOFTMAX_BODY = "p = softmax(z)"
GRADED_ONLY = "_graded = True  # set after the notebook's own cells ran: what follows hits only the grader's calls"


def _json(nb):
    return json.loads(nbformat.writes(nb))


def _bytes(data):
    return json.dumps(data, indent=1).encode()


def _cell_index(data, grade_id):
    return next(i for i, c in enumerate(data["cells"]) if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


def _in_softmax(code):
    """The answered notebook whose softmax_jacobian runs `code` first when called by the grader."""
    return notebook(plants=[(SOFTMAX_BODY, f"if globals().get('_graded'):\n        {code}\n    {SOFTMAX_BODY}")],
                    cells=[GRADED_ONLY])


def _valid():
    return nbformat.writes(notebook()).encode()


def _duplicated_solution(first_wrong):
    data = _json(notebook())
    index = _cell_index(data, "softmax_jacobian")
    wrong = copy.deepcopy(data["cells"][index])
    wrong["source"] = "".join(wrong["source"]).replace("np.diag(p) - np.outer(p, p)", "np.zeros((p.size, p.size))")
    wrong["id"] = "wrong-copy"
    data["cells"].insert(index if first_wrong else index + 1, wrong)
    return _bytes(data)


def _duplicated_test_cell():
    data = _json(notebook())
    index = _cell_index(data, "test_softmax_jacobian")
    tampered = copy.deepcopy(data["cells"][index])
    tampered["source"] = "pass"
    tampered["id"] = "tampered-copy"
    data["cells"].insert(index + 1, tampered)
    return _bytes(data)


def _without(kind):
    data = _json(notebook())
    if kind == "tests":
        data["cells"] = [c for c in data["cells"] if not c["metadata"].get("nbgrader", {}).get("grade")]
    else:
        del data["cells"][_cell_index(data, kind)]
    return _bytes(data)


def _edited(edit):
    data = _json(notebook())
    edit(data)
    return _bytes(data)


def _retype_softmax(data):
    cell = data["cells"][_cell_index(data, "softmax_jacobian")]
    cell["cell_type"] = "markdown"
    del cell["outputs"], cell["execution_count"]


def _strip_metadata(data):
    data["metadata"] = {}
    for cell in data["cells"]:
        cell["metadata"] = {}


def _foreign_kernel(data):
    data["metadata"]["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
    data["metadata"]["language_info"] = {"name": "R"}


def _null_bytes(data):
    cell = data["cells"][_cell_index(data, "softmax_jacobian")]
    cell["source"] = "".join(cell["source"]).replace(SOFTMAX_BODY, SOFTMAX_BODY + "  # a stray \x00 byte")


def _odd_sources(data):
    data["cells"].append({"cell_type": "code", "source": 42, "metadata": {}, "outputs": [], "execution_count": None})
    data["cells"].append({"cell_type": "code", "source": ["x = 1\n", None], "metadata": {}, "outputs": []})
    data["cells"].append("not a cell at all")


def _grade_id_list(data):
    data["cells"].append({"cell_type": "code", "source": "notes = 1", "outputs": [], "execution_count": None,
                          "metadata": {"nbgrader": {"grade_id": ["my", "notes"], "solution": True}}})


# student: (submission bytes, or None for an empty folder; the exercises that must fail; a word the reason
#           must hold, in the record and in the feedback page; the file name used)
CASES = {
    "aaa-honest": (lambda: _valid(), set(), None),
    "not-json": (lambda: b'{"cells": [ this is not json', ALL, "not JSON"),
    "truncated": (lambda: _valid()[: len(_valid()) // 2], ALL, "not JSON"),
    "empty-file": (lambda: b"", ALL, "not JSON"),
    "utf16": (lambda: _valid().decode().encode("utf-16"), ALL, "not JSON"),
    "json-list": (lambda: b"[1, 2, 3]", ALL, "not a notebook"),
    "json-no-cells": (lambda: b'{"nbformat": 4, "metadata": {}}', ALL, "not a notebook"),
    "oversized": (lambda: nbformat.writes(notebook(markdown=["x" * (21 * 2**20)])).encode(), ALL, "MiB"),
    "nbformat-value": (lambda: _edited(lambda d: d.update(nbformat=3)), set(), "format"),
    "dup-solution-later-right": (lambda: _duplicated_solution(first_wrong=True), set(), None),
    "dup-solution-later-wrong": (lambda: _duplicated_solution(first_wrong=False), {SJ}, "dz"),
    "dup-test-cell": (_duplicated_test_cell, set(), None),
    "no-test-cells": (lambda: _without("tests"), set(), None),
    "no-softmax-cell": (lambda: _without("softmax_jacobian"), {SJ}, "not defined"),
    "reordered": (lambda: _edited(lambda d: d["cells"].reverse()), set(), None),
    "markdown-solution": (lambda: _edited(_retype_softmax), {SJ}, "not defined"),
    "stripped-metadata": (lambda: _edited(_strip_metadata), set(), None),
    "renamed": (lambda: _valid(), set(), "renamed"),
    "missing": (None, ALL, "not in the submission"),
    "foreign-kernel": (lambda: _edited(_foreign_kernel), set(), None),
    "null-bytes": (lambda: _edited(_null_bytes), set(), "null bytes"),
    "odd-sources": (lambda: _edited(_odd_sources), set(), "no readable source"),
    # The engine says "exited" here, except when it loses the race of
    # test_a_process_that_ended_is_reported_as_ended; that test checks the word.
    "exit-top": (lambda: nbformat.writes(notebook(cells=["import os\nos._exit(0)"])).encode(), ALL,
                 "running your notebook"),
    "exit-in-function": (lambda: nbformat.writes(_in_softmax("import os; os._exit(0)")).encode(), {SJ},
                         "softmax_jacobian()"),
    "sys-exit-top": (lambda: nbformat.writes(notebook(cells=["import sys\nsys.exit('bye')"])).encode(), set(),
                     "SystemExit"),
    "segfault-at-load": (lambda: nbformat.writes(notebook(cells=["import ctypes\nctypes.string_at(0)"])).encode(),
                         ALL, "running your notebook"),
    "segfault-in-function": (lambda: nbformat.writes(notebook(
        plants=[("return np.diag(fprime(z))",
                 "if globals().get('_graded'):\n        import ctypes; ctypes.string_at(0)\n    "
                 "return np.diag(fprime(z))")], cells=[GRADED_ONLY])).encode(), {EJ}, "elementwise_jacobian()"),
    "loop-top": (lambda: nbformat.writes(notebook(cells=["while True:\n    pass"])).encode(), ALL, "did not finish"),
    "loop-in-function": (lambda: nbformat.writes(notebook(
        plants=[("h = sigmoid(x @ W + b)", "while True:\n        pass\n    h = sigmoid(x @ W + b)")])).encode(),
        {SG}, "did not finish"),
    "memory-top": (lambda: nbformat.writes(notebook(cells=["big = np.ones(10**11)"])).encode(), set(), "MemoryError"),
    "memory-in-function": (lambda: nbformat.writes(_in_softmax(
        "hog = []\n        while True: hog.append([0] * 10**6)")).encode(), {SJ}, "MemoryError"),
    "print-top": (lambda: nbformat.writes(notebook(cells=[
        "print('x' * 50_000_000)",
        "import os\nraise RuntimeError(f'LOGSIZE={os.path.getsize(\"output.log\")}')"])).encode(), set(), "LOGSIZE"),
    "print-then-debug": (lambda: nbformat.writes(notebook(
        cells=["print('x' * 50_000_000)"],
        plants=[(SOFTMAX_BODY, f"print('debug:', z)\n    {SOFTMAX_BODY}")])).encode(), set(), None),
    "unrelated-failing-cell": (lambda: nbformat.writes(notebook(cells=["1 / 0"])).encode(), set(),
                               "ZeroDivisionError"),
    "magics": (lambda: nbformat.writes(notebook(cells=[
        "%matplotlib inline\n!pip install --quiet nothing-at-all\nfiles = !ls\n%time x = 1",
        "%%time\ny = 2"])).encode(), set(), None),
    "script-message": (lambda: nbformat.writes(notebook(plants=[
        (SOFTMAX_BODY, f"raise ValueError(\"<script>alert('pwned')</script>\")\n    {SOFTMAX_BODY}")])).encode(),
        {SJ}, "alert"),
    "zzz-honest": (lambda: _valid(), set(), None),
}

# Former holes, graded in the same batch and checked by the tests at the end.
EXTRA = {
    "nbformat-v3": lambda: nbformat.writes(nbformat.convert(notebook(), 3), version=3).encode(),
    "grade-id-list": lambda: _edited(_grade_id_list),
    "nested-json": lambda: b"[" * 100_000 + b"]" * 100_000,
    "print-in-function": lambda: nbformat.writes(_in_softmax("print('x' * 50_000_000)")).encode(),
}

# Collected from an LMS download through the CLI, then graded with the rest.
LMS_ZIP = {
    "alice_1234_5678_homework.ipynb": notebook,
    "bob_LATE_2222_3333_01_matrix_calculus.ipynb": lambda: notebook(plants=[FLIP_DW]),
    "Carol Smith_4321_assignsubmission_file_/my notebook.ipynb": notebook,
    "dave/01_matrix_calculus.ipynb": notebook,
    "dave/.ipynb_checkpoints/01_matrix_calculus-checkpoint.ipynb": lambda: notebook(plants=[FLIP_DW]),
    "__MACOSX/._alice_1234_5678_homework.ipynb": None,
    "readme.txt": None,
}
LMS_FAILED = {"alice-1234": set(), "bob-2222": {SG}, "Carol-Smith-4321": set(), "dave": set()}


def _expected_score(failed):
    return FULL - sum(POINTS[g] for g in failed)


def _cli(*args, root):
    return subprocess.run([sys.executable, "-m", "grading", "--root", str(root), *args], cwd=REPO,
                          capture_output=True, text=True, timeout=300)


def _lms_zip(path):
    with zipfile.ZipFile(path, "w") as archive:
        for name, build in LMS_ZIP.items():
            archive.writestr(name, nbformat.writes(build()) if build else b"\0\x05junk")
    return path


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = course(tmp_path_factory.mktemp("malformed"))
    for student, (build, _, _) in CASES.items():
        if build is None:
            (Course(root).submitted / student / UNIT).mkdir(parents=True)
            (Course(root).submitted / student / UNIT / "notes.txt").write_text("I forgot the notebook")
            continue
        submit_bytes(root, student, build(), name="homework (1).ipynb" if student == "renamed" else NOTEBOOK)
    for student, build in EXTRA.items():
        submit_bytes(root, student, build())
    collected = _cli("collect", UNIT, str(_lms_zip(tmp_path_factory.mktemp("lms") / "download.zip")), root=root)
    assert collected.returncode == 0, collected.stderr

    first, first_flags = autograde(Course(root), UNIT, jobs=2, limits=LIMITS, progress=None)
    second, second_flags = autograde(Course(root), UNIT, jobs=2, limits=LIMITS, progress=None, force=True)
    feedback = _cli("feedback", UNIT, root=root)
    assert feedback.returncode == 0, feedback.stderr
    gradebook.export(Course(root), root / "grades.csv")
    with open(root / "grades.csv", newline="") as f:
        grades = {row["student_id"]: row for row in csv.DictReader(f)}
    return {"root": root, "first": {r.student: r.to_dict() for r in first},
            "second": {r.student: r.to_dict() for r in second},
            "first_flags": first_flags, "second_flags": second_flags, "grades": grades, "collect_output": collected}


def _page(batch, student):
    return Course(batch["root"]).feedback_path(UNIT, student, NOTEBOOK).read_text()


def _failed(record):
    return {e["grade_id"] for e in record["exercises"] if not e["passed"]}


def _text(record):
    return "\n".join([*(e["reason"] or "" for e in record["exercises"]), *record["problems"]])


@pytest.mark.parametrize("student", sorted(CASES))
def test_each_case_costs_only_what_it_breaks_with_a_reason(batch, student):
    _, failed, keyword = CASES[student]
    record = batch["second"][student]
    assert _failed(record) == failed, _text(record)[:2000]
    assert record["score"] == _expected_score(failed)
    assert record["max_score"] == FULL
    assert [e["grade_id"] for e in record["exercises"]] == list(POINTS)
    assert float(batch["grades"][student]["score"]) == record["score"]
    if keyword:
        assert keyword in _text(record), _text(record)[:2000]
        assert html.escape(keyword) in _page(batch, student)
    assert "internal grading error" not in _text(record)


def test_the_batch_finished_and_the_controls_got_full_marks(batch):
    expected = set(CASES) | set(EXTRA) | set(LMS_FAILED)
    assert set(batch["first"]) == set(batch["second"]) == expected
    for student in ("aaa-honest", "zzz-honest"):
        assert batch["first"][student]["score"] == batch["second"][student]["score"] == FULL
    assert batch["first_flags"] == [] and batch["second_flags"] == []
    with gradebook.opened(Course(batch["root"])) as gb:
        for student, record in batch["second"].items():
            assert gb.find_submission(UNIT, student).score == record["score"]


def test_grading_again_gives_the_same_grades(batch):
    for student, record in batch["first"].items():
        again = batch["second"][student]
        assert [(e["grade_id"], e["points"]) for e in record["exercises"]] == \
               [(e["grade_id"], e["points"]) for e in again["exercises"]], student


def test_output_is_capped_and_costs_nothing(batch):
    record = batch["second"]["print-top"]
    size = int(next(p for p in record["problems"] if "LOGSIZE=" in p).split("LOGSIZE=")[1].split()[0])
    assert 0 < size <= Limits().file_bytes
    assert record["score"] == FULL and batch["second"]["print-then-debug"]["score"] == FULL


def test_a_renamed_notebook_is_graded_and_said_so(batch):
    record = batch["second"]["renamed"]
    assert any("renamed" in p and "homework (1).ipynb" in p for p in record["problems"])


def test_feedback_never_shows_hidden_tests_and_escapes_student_text(batch):
    pages = sorted((Course(batch["root"]).feedback).glob(f"*/{UNIT}/*.html"))
    assert len(pages) == len(batch["second"])
    for page in pages:
        text = page.read_text()
        for leak in ("hidden_test_", "BEGIN HIDDEN", "END HIDDEN", "def hidden", "BEGIN SOLUTION"):
            assert leak not in text, (page, leak)
        assert "<script" not in text, page
    scripted = _page(batch, "script-message")
    assert "&lt;script&gt;alert(" in scripted


def test_lms_zip_collected_through_the_cli(batch):
    root = batch["root"]
    assert "collected 4 submissions" in batch["collect_output"].stdout
    for student, failed in LMS_FAILED.items():
        folder = Course(root).submitted / student / UNIT
        assert sorted(p.name for p in folder.iterdir()) == sorted([NOTEBOOK, "timestamp.txt"])
        assert batch["second"][student]["score"] == _expected_score(failed)
        assert _failed(batch["second"][student]) == failed
    # dave's checkpoint copy (planted wrong) was not taken for his notebook
    assert "-np.outer" not in (Course(root).submitted / "dave" / UNIT / NOTEBOOK).read_text()
    assert not list((Course(root).submitted).glob("_*")) and not list((Course(root).submitted).glob(".*"))


@pytest.fixture
def bare_course(tmp_path):
    return bare_course_at(tmp_path / "course")


@pytest.mark.parametrize("member", ["../../evil.ipynb", "alice/../../../evil.ipynb", "/tmp/evil-absolute.ipynb"])
def test_collect_refuses_a_zip_with_a_path_outside_its_folder(bare_course, tmp_path, member):
    archive = tmp_path / "download.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        zipped.writestr("alice_1_2_ok.ipynb", nbformat.writes(notebook()))
        info = zipfile.ZipInfo("placeholder")
        info.filename = member  # ZipInfo() strips a leading '/'; an LMS export or a forger need not
        zipped.writestr(info, nbformat.writes(notebook()))
    archive.write_bytes(buffer.getvalue())
    done = _cli("collect", UNIT, str(archive), root=bare_course)
    assert done.returncode != 0
    assert "unsafe path" in done.stderr
    assert not Course(bare_course).submitted.exists()
    for escaped in (tmp_path / "evil.ipynb", tmp_path.parent / "evil.ipynb", Path("/tmp/evil-absolute.ipynb")):
        assert not escaped.exists()


# ------------------------------------------------------------------------------------------------
# Holes found in the engine and fixed since: these guard against their return.

def test_odd_metadata_values_do_not_cost_the_notebook(batch):
    record = batch["second"]["grade-id-list"]
    assert record["score"] == FULL, _text(record)[:500]


def test_deeply_nested_json_gets_a_clear_reason(batch):
    text = _text(batch["second"]["nested-json"])
    assert "internal grading error" not in text
    assert "not JSON" in text or "not a notebook" in text


def test_an_nbformat_3_notebook_is_graded_or_named_as_such(batch):
    record = batch["second"]["nbformat-v3"]
    assert record["score"] == FULL or ("format" in _text(record) and "3" in _text(record)), _text(record)[:500]


def test_printing_a_lot_inside_a_graded_function_costs_nothing(batch):
    record = batch["second"]["print-in-function"]
    assert record["score"] == FULL, _text(record)[:500]


def test_a_crash_is_named_as_a_crash(batch):
    reason = next(e["reason"] for e in batch["second"]["segfault-in-function"]["exercises"] if e["grade_id"] == EJ)
    assert "SIGSEGV" in reason, reason


def test_a_student_named_like_the_flags_file_does_not_break_the_batch(tmp_path):
    root = course(tmp_path / "course")
    handins = tmp_path / "handins"
    handins.mkdir()
    nbformat.write(notebook(), handins / "flags.txt.ipynb")
    nbformat.write(notebook(), handins / "zoe.ipynb")
    from grading.collect import collect
    assert [student for student, _ in collect(Course(root), UNIT, handins)] == ["flags.txt", "zoe"]
    records, _ = autograde(Course(root), UNIT, jobs=2, limits=LIMITS, progress=None)
    assert {r.student: r.score for r in records} == {"flags.txt": FULL, "zoe": FULL}


def test_a_process_that_ended_is_reported_as_ended(tmp_path):
    from grading.student import StudentProcess, SubmissionFault

    student = StudentProcess(tmp_path, 0, Limits(call_seconds=5))
    # Closes its reply pipe, then exits 50 ms later: the window bwrap leaves, made wide enough to hit.
    student.process = subprocess.Popen(["sh", "-c", "exec 1>&-; sleep 0.05; exit 0"], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, start_new_session=True)
    try:
        with pytest.raises(SubmissionFault) as fault:
            student.call("softmax_jacobian", (np.zeros(3),))
    finally:
        student.close()
    assert "exited" in str(fault.value), str(fault.value)
