"""How a student's process is started: resource limits and, where the OS allows, isolation.

With bubblewrap (``bwrap``, Debian package ``bubblewrap``) on Linux, the student's process sees a
fresh file system holding only the Python installation, the course's ``utils`` and ``grading``
packages (read-only) and its own scratch folder; it has no network and its own process tree, so
nothing it starts outlives it. When the grader runs as root, the process also drops to a uid of its
own (one per job running on the host), so that the process-count limit applies to it alone. Without bubblewrap
only the resource limits, a private scratch folder and a fresh process group remain. As root, each
sandbox also gets a control group (grading.cgroups) where the kernel offers one. `describe()` says
which of these are in force.
"""
import contextlib
import fcntl
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grading import cgroups
from grading.course import REPO

SANDBOX_HOME = "/sandbox"
FIRST_UID = 61000
UID_COUNT = 4096  # submissions graded at once on one host, by all graders together


@dataclass(frozen=True)
class Limits:
    """Per-submission limits. Times are seconds, sizes bytes."""

    call_seconds: float = 30.0  # one call of a student function
    load_seconds: float = 120.0  # running the notebook's cells (ungraded training cells included)
    exercise_seconds: float = 90.0  # all the calls of one exercise's hidden checks together
    submission_seconds: float = 600.0  # the whole notebook: loads and every exercise
    cpu_seconds: int = 300  # CPU time of the whole student process
    memory_bytes: int = 2 * 2**30  # address space
    processes: int = 32  # processes and threads of the sandbox's own uid (root only)
    file_bytes: int = 8 * 2**20  # any file written, output.log included
    disk_bytes: int = 64 * 2**20  # all files written, in the sandbox's working folder and in /tmp
    open_files: int = 64


@contextlib.contextmanager
def own_uid():
    """A sandbox uid that no other grading job on this host holds while the block runs (as root;
    otherwise FIRST_UID, which is then unused).

    Two jobs graded at once on one host (one batch's, two batches', two courses') must not share a
    uid: the process-count limit is per uid, and one sandbox could signal the other's processes. A
    job holds its uid by locking that uid's file, in a folder only root may write, until it is done
    (or dies: the kernel lets go of the lock).
    """
    if os.geteuid() != 0:
        yield FIRST_UID
        return
    folder = Path("/run/lock" if os.path.isdir("/run/lock") else tempfile.gettempdir()) / "nlp-grading-uids"
    folder.mkdir(mode=0o700, exist_ok=True)
    for uid in range(FIRST_UID, FIRST_UID + UID_COUNT):
        with open(folder / f"{uid}.lock", "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue
            yield uid
            return
    raise OSError(f"all {UID_COUNT} sandbox uids from {FIRST_UID} on are held by other grading jobs")


def bwrap_path():
    return shutil.which("bwrap") if sys.platform.startswith("linux") else None


UNSAFE_FLAG = "--unsafe-no-isolation"


def unavailable():
    """Why the sandbox cannot run here (bubblewrap missing, or unable to start), or None when it can.

    Starts the real worker once, in the real sandbox, with nothing to read: it exits at once.
    """
    if not bwrap_path():
        return "bubblewrap (bwrap) is not installed"
    with tempfile.TemporaryDirectory(prefix="grading-probe-") as scratch:
        (Path(scratch) / "probe").write_text("")
        try:
            process = start(scratch, FIRST_UID, Limits(), stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
            _, said = process.communicate(timeout=60)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"bubblewrap could not start the sandbox ({error})"
    if process.returncode != 0:
        said = said.decode("utf-8", "replace").strip().splitlines()
        return f"bubblewrap could not start the sandbox ({said[-1] if said else f'exit code {process.returncode}'})"
    return None


def refusal(problem):
    """The message autograde stops with when the sandbox is unavailable."""
    return (f"refusing to grade: {problem}, so student code would run with this user's rights — it could "
            "read the solutions and the gradebook, write outside its folder and use the network. Install "
            "bubblewrap (apt-get install bubblewrap; on a container, allow user namespaces), or, knowing "
            f"that every protection but the resource limits is lost, pass {UNSAFE_FLAG}.")


def describe(limits=Limits()):
    """One paragraph saying what isolation grading has on this machine, and what is missing."""
    rlimits = (f"limits: {limits.load_seconds:g} s to run the notebook's cells, {limits.call_seconds:g} s per "
               f"call, {limits.exercise_seconds:g} s per exercise, {limits.submission_seconds:g} s per notebook, "
               f"{limits.cpu_seconds} s CPU, "
               f"{limits.memory_bytes // 2**20} MiB memory, {limits.file_bytes // 2**20} MiB per file "
               f"(student output included), {limits.open_files} open files")
    if not bwrap_path():
        return ("Isolation: NONE beyond a separate process — bubblewrap (bwrap) was not found, so student "
                "code can read files this user can read and use the network. Install bubblewrap "
                "(apt-get install bubblewrap). In force: a private scratch folder as working directory (on the "
                "host's disk, with no quota beyond the per-file limit), a fresh process group killed after each "
                f"submission (a child that starts its own session escapes it), {rlimits}.")
    root = os.geteuid() == 0
    uid = ("its own unprivileged uid (no two jobs graded at once on this host share one), with at most {limits.processes} processes and threads; no SysV shared memory, "
           "message queues or semaphores" if root else
           "the grader's own uid mapped into a user namespace (run as root for a separate uid, a "
           "process-count limit, no SysV IPC and control groups)")
    problem = cgroups.unavailable()
    groups = (f"a control group per sandbox: at most {(limits.memory_bytes + 2 * limits.disk_bytes) // 2**20} MiB "
              "for all its processes, files and kernel memory together, one CPU (a busy submission cannot starve "
              f"its neighbour), {limits.processes} processes" if problem is None else
              f"NO control groups ({problem}): memory the kernel holds for a sandbox (SysV IPC, inodes of its "
              "memory file systems) and the CPU of many processes are not bounded as a whole")
    return ("Isolation: bubblewrap — a private file system (Python, utils and grading read-only, the "
            "submission's own files read-only in a working folder of at most "
            f"{limits.disk_bytes // 2**20} MiB, likewise /tmp; no solutions, gradebook or other submissions), "
            f"no network, a private process tree killed as a whole after each submission, {uid}; {groups}; "
            f"{rlimits}.")


def start(scratch, uid, limits, group=None, **popen):
    """Start grading.worker for one submission whose files are in `scratch`; return the Popen.

    `uid` is the sandbox's own user (used when the grader is root); `group` a cgroups.Group to run in.
    bwrap reads its arguments from a file descriptor, so that /proc/1/cmdline inside the sandbox
    shows no host path (the scratch folder, the checkout).
    """
    argv = command(scratch, uid, limits)
    with tempfile.TemporaryFile() as arguments:
        if argv[0] == bwrap_path():  # its options through the file; the command stays on the command line
            worker = argv.index(sys.executable)
            arguments.write(b"".join(a.encode() + b"\0" for a in argv[1:worker]))
            arguments.seek(0)
            argv = [argv[0], "--args", str(arguments.fileno()), *argv[worker:]]
        def prepare():
            set_limits(limits)
            if group is not None:
                group.join()
        return subprocess.Popen(argv, cwd=scratch, env=environment(), pass_fds=(arguments.fileno(),),
                                stdout=subprocess.PIPE, preexec_fn=prepare, **popen)


def command(scratch, uid, limits):
    """The argv that starts grading.worker for one submission whose files are in `scratch`."""
    python = [sys.executable, "-m", "grading.worker"]
    bwrap = bwrap_path()
    if not bwrap:
        return python
    root = os.geteuid() == 0
    argv = [bwrap, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--proc", "/proc", "--dev", "/dev",
            "--setenv", "HOME", SANDBOX_HOME, "--setenv", "PYTHONPATH", str(REPO)]
    # The working folder and /tmp are memory file systems of a fixed size: a submission cannot fill
    # the host's disk, and nothing it writes outlives it. The submitted files are bound read-only.
    for folder in (SANDBOX_HOME, "/tmp"):
        argv += ["--perms", "1777", "--size", str(limits.disk_bytes), "--tmpfs", folder]
    for item in sorted(Path(scratch).iterdir()):
        argv += ["--ro-bind", str(item), f"{SANDBOX_HOME}/{item.name}"]
    argv += ["--chdir", SANDBOX_HOME]
    if not root:
        argv += ["--unshare-user"]
    made = {"/"}
    for source in _read_only_paths():
        # bwrap makes missing parent folders private (0700); the unprivileged uid must walk them.
        for parent in reversed(Path(source).parents):
            if str(parent) not in made:
                made.add(str(parent))
                argv += ["--perms", "0755", "--dir", str(parent)]
        argv += ["--ro-bind", source, source]
        made.add(source)
    argv += python
    if root:
        # The worker starts as root inside the namespaces, closes SysV IPC there, then becomes `uid`.
        argv += ["--uid", str(uid)]
    return argv


def _read_only_paths():
    """The Python installation and the two course packages; nothing else of the host."""
    paths = {"/usr", "/bin", "/lib", "/lib64", "/etc/alternatives", "/etc/ld.so.cache",
             sys.prefix, sys.base_prefix, os.path.realpath(sys.base_prefix),
             str(REPO / "utils"), str(REPO / "grading")}
    paths = sorted(p for p in paths if os.path.exists(p))
    # A path inside another one (a venv inside a checkout) is bound after its parent.
    return sorted(paths, key=lambda p: (p.count("/"), p))


def set_limits(limits):
    """Runs in the child between fork and exec: every limit is inherited by all it starts."""
    os.setsid()
    for kind, value in [(resource.RLIMIT_CPU, limits.cpu_seconds), (resource.RLIMIT_AS, limits.memory_bytes),
                        (resource.RLIMIT_FSIZE, limits.file_bytes), (resource.RLIMIT_NOFILE, limits.open_files),
                        (resource.RLIMIT_CORE, 0)]:
        resource.setrlimit(kind, (value, value))
    if os.geteuid() == 0 and bwrap_path():
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))


def environment():
    """A minimal environment: no instructor variables, one BLAS thread (workers run side by side)."""
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg"}
    if not bwrap_path():
        env["PYTHONPATH"] = str(REPO)
    return env


def kill(process):
    """Kill the student's whole process group; with bwrap, its process tree dies with it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()
