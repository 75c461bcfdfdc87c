"""The process that runs one student's code, inside the sandbox.

Started by :mod:`grading.student` as ``python -m grading.worker [--uid N]``. It takes messages on
its standard input and answers on its standard output (see :mod:`grading.wire`); whatever the
student's code prints goes to ``output.log`` in the scratch folder instead, capped by the file-size
limit. Nothing here is trusted by the grader: a student can rewrite this module's functions from
their notebook, and all they gain is the power to return values of their choosing, which they had.

Operations:
- ``load``: run the given sources in one namespace, cell by cell (saying which one starts); report
  each cell's error, the functions defined, and the global names each of them reads;
- ``call``: call a function of that namespace with decoded arguments; arguments that are callback
  handles become functions that ask the grader to evaluate them. ``substitute`` maps names of the
  namespace to callback handles that stand in for them during the call (the grader's reference for a
  function the student got wrong, so that a function built on it is graded on its own).
"""
import io
import os
import re
import signal
import sys
import traceback
import types

from grading import wire

MAX_ERROR_CHARS = 2000
OUTPUT_BYTES = 4 * 2**20  # printed output kept in output.log; the rest is dropped
IPYTHON_SYNTAX = re.compile(r"^\s*[%!]|=\s*[%!]", re.M)


def main():
    if "--uid" in sys.argv:
        # Root starts us inside the sandbox's namespaces; from here on we are an unprivileged user
        # whose process count RLIMIT_NPROC can limit.
        uid = int(sys.argv[sys.argv.index("--uid") + 1])
        _close_sysv_ipc()
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    # Writes past the file-size limit fail with an error instead of killing us.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    into, out = os.dup(0), os.dup(1)
    log = os.open("output.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    sys.stdout = sys.stderr = _CappedOutput(1, OUTPUT_BYTES)
    namespace = {"__name__": "__main__", "get_ipython": lambda: _NoIPython()}
    while True:
        try:
            header, arrays = wire.recv(into)
        except wire.WireError:
            return  # the grader is gone
        if header.get("op") == "load":
            errors = []
            for index, source in enumerate(header["sources"]):
                wire.send(out, {"op": "running", "cell": index})  # so a cell that never ends can be named
                errors.append(_run_cell(source, index, namespace))
            defined = sorted(name for name, value in namespace.items() if callable(value))
            uses = {name: _global_names(value.__code__) for name, value in namespace.items()
                    if isinstance(value, types.FunctionType) and value.__code__.co_filename.startswith("<cell")}
            wire.send(out, {"errors": [e for e in errors if e], "defined": defined, "uses": uses})
        elif header.get("op") == "call":
            _answer_call(header, arrays, namespace, into, out)


def _close_sysv_ipc():
    """No SysV shared memory, message queues or semaphores in this sandbox's IPC namespace: a segment
    outlives the process that made it, so no per-process limit counts it (the namespace's limits are
    its own, and only root inside it may set them: done before becoming the sandbox's user)."""
    for name, value in (("shmmni", "0"), ("shmall", "0"), ("shmmax", "0"), ("msgmni", "0"), ("sem", "0 0 0 0")):
        with open(f"/proc/sys/kernel/{name}", "w") as setting:
            setting.write(value)


def _run_cell(source, index, namespace):
    try:
        if IPYTHON_SYNTAX.search(source):
            # %magics and !shell lines become get_ipython() calls (no-ops here), as Jupyter would parse them.
            from IPython.core.inputtransformer2 import TransformerManager
            source = TransformerManager().transform_cell(source)
        exec(compile(source, f"<cell {index}>", "exec"), namespace)
    except BaseException as error:  # SystemExit and KeyboardInterrupt included: one cell, one error
        return f"cell {index}: {_describe(error)}"
    return None


def _global_names(code):
    """The global names a function's code (and the code of the functions defined in it) reads."""
    names, codes = set(), [code]
    while codes:
        code = codes.pop()
        names.update(code.co_names)
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    return sorted(names)


def _answer_call(header, arrays, namespace, into, out):
    def callback(index):
        def evaluate(*args, **kwargs):
            sent = []
            wire.send(out, {"op": "callback", "id": index, "args": wire.encode(list(args), sent),
                            "kwargs": wire.encode(kwargs, sent)}, sent)
            reply, reply_arrays = wire.recv(into)
            if not reply.get("ok"):
                raise RuntimeError(reply.get("error", "the grader could not evaluate the function"))
            return wire.decode(reply["value"], reply_arrays)
        return evaluate

    stand_ins, replaced = {}, {}
    try:
        function = namespace[header["name"]]
        args = wire.decode(header["args"], arrays, callback)
        kwargs = wire.decode(header.get("kwargs", {"dict": {}}), arrays, callback)
        stand_ins = wire.decode(header.get("substitute", {"dict": {}}), arrays, callback)
        replaced = {name: namespace[name] for name in stand_ins if name in namespace}
        namespace.update(stand_ins)
        value = function(*args, **kwargs)
        sent = []
        encoded = wire.encode(value, sent)
    except BaseException as error:
        wire.send(out, {"op": "result", "ok": False, "error": _describe(error)})
        return
    finally:  # the student's own functions again, for the next call
        for name in stand_ins:
            namespace.pop(name, None)
        namespace.update(replaced)
    wire.send(out, {"op": "result", "ok": True, "value": encoded}, sent)


def _describe(error):
    frames = traceback.extract_tb(error.__traceback__)
    where = next((f"{f.name}, line {f.lineno}" for f in reversed(frames) if f.filename.startswith("<cell")), "")
    text = f"{type(error).__name__}: {error}" + (f" (in {where})" if where else "")
    return text[:MAX_ERROR_CHARS]


class _CappedOutput(io.TextIOBase):
    """stdout and stderr for student code: output past the cap is dropped, never an error in their code."""

    def __init__(self, fd, cap):
        self.fd, self.left = fd, cap

    def writable(self):
        return True

    def write(self, text):
        data = str(text).encode("utf-8", "replace")[:max(self.left, 0)]
        if data:
            try:
                os.write(self.fd, data)
            except OSError:
                self.left = 0
            self.left -= len(data)
        return len(text)


class _NoIPython:
    """Stands in for get_ipython() so that magics (%matplotlib, !pip) in a cell do nothing."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


if __name__ == "__main__":
    main()
