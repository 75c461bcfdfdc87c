"""The trusted side's handle on one student's sandboxed process.

``StudentProcess.function(name)`` returns a proxy: calling it sends the (trusted) arguments to the
sandbox, runs the student's function there and brings back plain numbers. A hidden check receives
these proxies in place of the student's functions and runs, with every comparison, in the trusted
process. Functions passed as arguments (a numeric routine's ``f``) stay in the trusted process:
the sandbox calls back for each evaluation.
"""
import re
import signal
import subprocess
import time

from grading import cgroups, sandbox, wire

MAX_CALLBACKS = 200_000
# A callback's arguments may hold this many times the bytes of the largest array the call was
# given (at least CALLBACK_FLOOR): a trusted function that broadcasts a huge argument could
# otherwise make the grader allocate gigabytes.
CALLBACK_GROWTH, CALLBACK_FLOOR = 16, 2**20
MAX_ERRORS, MAX_ERROR_CHARS = 20, 2000  # cell errors kept from one load
CHECK_NAMES = re.compile(r"[\w.]*(?:<locals>|<lambda>|hidden_test_)[\w.<>]*(?:\(\))?")


class SubmissionFault(Exception):
    """The student's code failed in a way that costs the exercise; the message says how."""


class GraderFault(Exception):
    """The grader's side failed (e.g. a hidden check passed arguments that cannot be sent)."""


def clean(text):
    """Text from the student's process as text any file can hold: lone surrogates and other
    unencodable characters become backslash escapes (one of them once stopped every later page)."""
    return str(text).encode("utf-8", "backslashreplace").decode("utf-8")


def _named_cell(error, labels):
    """The worker's "cell 7: NameError ..." with the cell named as the student can find it."""
    found = re.match(r"cell (\d+): ", error)
    if found and int(found.group(1)) < len(labels):
        return f"{labels[int(found.group(1))]}: {error[found.end():]}"
    return error


def _without_check_names(text):
    """An error of a trusted function, as the student may see it: the names of the hidden check's
    own functions ("hidden_test_x.<locals>.loss()") would show how the check is built."""
    return CHECK_NAMES.sub("the function you were given", text)


class StudentProcess:
    def __init__(self, scratch, uid=sandbox.FIRST_UID, limits=sandbox.Limits()):
        self.scratch, self.uid, self.limits = scratch, uid, limits
        self.process = self.group = None
        self.last_call = None  # (name, args, kwargs) of the latest call: what replay shows of a failed check
        self.defined = set()
        self.uses = {}  # function name -> the global names it reads (the student's word: used for no verdict)
        self.stand_ins = {}  # name -> trusted function that stands in for the student's during calls
        self.load_failure = None  # why running the cells failed: it would fail again, so it is not retried
        self.budget_end = time.monotonic() + limits.submission_seconds  # nothing runs after this
        self.exercise_end = self.budget_end  # calls of the current exercise stop here

    def start(self, sources, labels=None):
        """Start a fresh process and run `sources` (the notebook's cells) in it; return the cell errors,
        each naming its cell by its label in `labels` (what the student can find: "cell 14 of your notebook")."""
        self.close()
        if self.load_failure:
            raise SubmissionFault(self.load_failure)
        try:
            return self._load(list(sources), list(labels or (f"cell {i}" for i in range(len(sources)))))
        except SubmissionFault as fault:
            self.load_failure = str(fault)
            raise

    def _load(self, sources, labels):
        if cgroups.unavailable() is None:
            self.group = cgroups.Group.make(self.limits)
        self.process = sandbox.start(self.scratch, self.uid, self.limits, self.group,
                                     stdin=subprocess.PIPE, stderr=subprocess.DEVNULL)
        wire.widen_pipe(self.process.stdin.fileno())
        wire.widen_pipe(self.process.stdout.fileno())
        what = "running your notebook's cells"
        deadline, late = self._deadline(self.limits.load_seconds, self.budget_end, what)
        self._send({"op": "load", "sources": sources}, [], deadline)
        running = None
        for _ in range(len(sources) + 2):  # one "running" message per cell, then the reply
            try:
                reply, _ = self._receive(deadline, what, late)
            except SubmissionFault as fault:
                if not isinstance(running, int) or not 0 <= running < len(sources):  # the student's word
                    raise
                first_line = next((line.strip() for line in sources[running].splitlines() if line.strip()), "")
                raise SubmissionFault(f"{fault}; the cell still running, {labels[running]}, began with: "
                                      f"{first_line[:120]}") from None
            if reply.get("op") != "running":
                break
            running = reply.get("cell")
        # The reply comes from the student's process: take only a bounded amount of it.
        defined, errors, uses = reply.get("defined"), reply.get("errors"), reply.get("uses")
        self.defined = {n for n in defined[:10_000] if isinstance(n, str)} if isinstance(defined, list) else set()
        self.uses = {name: {n for n in names[:10_000] if isinstance(n, str)}
                     for name, names in list(uses.items())[:10_000] if isinstance(names, list)
                     } if isinstance(uses, dict) else {}
        if not isinstance(errors, list):
            return []
        return [_named_cell(clean(e), labels)[:MAX_ERROR_CHARS] for e in errors[:MAX_ERRORS]]

    def defines(self, name):
        """Whether the student's cells left a function called `name` (as they reported at load time)."""
        return name in self.defined

    def reaches(self, names):
        """The student's functions that calling `names` may run: those, and those they read, in turn."""
        found, todo = set(), list(names)
        while todo:
            name = todo.pop()
            if name in self.defined and name not in found:
                found.add(name)
                todo += self.uses.get(name, ())
        return found

    def function(self, name):
        def call(*args, **kwargs):
            return self.call(name, args, kwargs)
        call.__name__ = name
        return call

    def call(self, name, args, kwargs=None):
        self.last_call = (name, args, dict(kwargs or {}))
        callbacks, arrays = [], []
        try:
            encoded = wire.encode(list(args), arrays, callbacks)
            encoded_kwargs = wire.encode(dict(kwargs or {}), arrays, callbacks)
            given = len(callbacks)
            stand_ins = wire.encode(dict(self.stand_ins), arrays, callbacks)
        except wire.WireError as error:  # the grader's own arguments: a bug in the check
            raise GraderFault(f"cannot send arguments to {name}: {error}") from None
        what = f"{name}()"
        deadline, late = self._deadline(self.limits.call_seconds, min(self.exercise_end, self.budget_end), what)
        self._send({"op": "call", "name": name, "args": encoded, "kwargs": encoded_kwargs, "substitute": stand_ins},
                   arrays, deadline)
        # A stand-in takes what the student's code passes it (a cache that names the weights at every
        # time step): it may take a whole message's worth.
        allowed = [max(CALLBACK_FLOOR, CALLBACK_GROWTH * max((a.nbytes for a in arrays), default=0))] * given
        allowed += [wire.MAX_MESSAGE] * (len(callbacks) - given)
        for _ in range(MAX_CALLBACKS):
            reply, reply_arrays = self._receive(deadline, what, late)
            if reply.get("op") == "callback":
                try:
                    self._answer_callback(name, reply, reply_arrays, callbacks, deadline, allowed)
                except BaseException:
                    self.close()  # the worker waits for an answer: the next call would be read as one
                    raise
                continue
            if not reply.get("ok"):
                raise SubmissionFault(f"{name}() raised {clean(reply.get('error'))[:2000]}")
            try:
                return wire.decode(reply.get("value"), reply_arrays)
            except wire.WireError as error:
                raise SubmissionFault(f"{name}() returned something the grader cannot read: {error}") from None
        raise SubmissionFault(f"{name}() called the function it was given more than {MAX_CALLBACKS} times")

    def close(self):
        if self.process is not None:
            sandbox.kill(self.process)
            self.process = None
        if self.group is not None:
            self.group.remove()
            self.group = None

    def _answer_callback(self, name, reply, arrays, callbacks, deadline, allowed):
        index = reply.get("id")
        if not isinstance(index, int) or not 0 <= index < len(callbacks):
            raise SubmissionFault("the student process sent a malformed request")
        try:
            budget = [allowed[index]]
            args = wire.decode(reply.get("args"), arrays, budget=budget)
            kwargs = wire.decode(reply.get("kwargs", {"dict": {}}), arrays, budget=budget)
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                raise wire.WireError("malformed arguments")
        except wire.WireError as error:
            raise SubmissionFault(f"{name}() called the function it was given with arguments it cannot take "
                                  f"({error}): call it with inputs like the ones you were given") from None
        sent = []
        try:
            answer = {"ok": True, "value": wire.encode(callbacks[index](*args, **kwargs), sent)}
        except Exception as error:  # the student passed the trusted function bad input
            answer, sent = {"ok": False, "error": _without_check_names(f"{type(error).__name__}: {error}")[:500]}, []
        self._send(answer, sent, deadline)

    def _send(self, header, arrays, deadline):
        try:
            wire.send(self.process.stdin.fileno(), header, arrays, deadline)
        except wire.Timeout:
            self.close()
            raise SubmissionFault("your code stopped reading what the grader sent it (a stalled process) "
                                  "and was stopped at the time limit") from None
        except OSError:
            raise SubmissionFault(self._death_reason("before it could be sent its inputs")) from None

    def _deadline(self, seconds, budget_end, what):
        """(deadline, what to say when it passes): `seconds` from now, or the budget's end if sooner."""
        if time.monotonic() + seconds <= budget_end:
            return time.monotonic() + seconds, f"{what} did not finish within {seconds:g} s"
        return budget_end, (f"{what} ran past the time this submission may take (each exercise "
                            f"{self.limits.exercise_seconds:g} s, the whole notebook {self.limits.submission_seconds:g} s)")

    def _receive(self, deadline, what, late):
        try:
            return wire.recv(self.process.stdout.fileno(), deadline)
        except wire.Timeout:
            self.close()
            raise SubmissionFault(f"{late} (an endless loop, or far too slow)") from None
        except wire.WireError as error:
            try:  # the sandbox closes the pipe a moment before it exits: give it that moment
                self.process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
            if self.process.poll() is None:
                self.close()
                raise SubmissionFault(f"{what}: the student process sent an unreadable reply ({error})") from None
            raise SubmissionFault(self._death_reason(f"during {what}")) from None

    def _death_reason(self, when):
        code = self.process.wait()
        self.process = None
        if code > 128 and sandbox.bwrap_path():
            code = 128 - code  # bwrap exits with 128 + N when the process it ran died from signal N
        if code < 0:
            name = signal.Signals(-code).name
            hint = {"SIGXCPU": " (CPU time limit)", "SIGKILL": " (killed: memory or time limit)",
                    "SIGSEGV": " (a crash in native code)"}.get(name, "")
            if name == "SIGKILL" and self.group is not None and self.group.out_of_memory():
                hint = (f" (killed at the memory limit: all its processes, files and shared memory together "
                        f"may hold {(self.limits.memory_bytes + 2 * self.limits.disk_bytes) // 2**20} MiB)")
            return f"the Python process running your code died {when} from {name}{hint}"
        return f"the Python process running your code exited {when} with code {code} (os._exit or sys.exit?)"

