"""A control group per student process: the kernel's own bound on what a sandbox as a whole may use.

The resource limits of :mod:`grading.sandbox` (setrlimit) count what one process maps, forks and
burns; they miss what the kernel holds for the sandbox outside any one process: SysV shared memory
that outlives the process that made it, files and inodes in the sandbox's memory file systems, and
the CPU of many processes together. A control group counts all of it:

- memory: the sandbox's memory limit plus its two file systems; past it, the kernel kills inside the
  group (the student is told "memory limit"), never the grader;
- pids: processes and threads, whatever their uid;
- cpu: at most one CPU, so a submission that starts thirty busy processes slows only itself and an
  honest neighbour graded beside it keeps its own CPU.

Groups are made below the grader's own group (so the grader's limits bound its sandboxes too), on
cgroup v2 (``memory.max``, ``pids.max``, ``cpu.max``) or on v1 hierarchies (``memory.limit_in_bytes``,
``pids.max``, ``cpu.cfs_quota_us``). Making a group needs root and a writable cgroup file system;
where that is missing, :func:`unavailable` says why and grading goes on with the rlimits alone
(``python -m grading isolation`` says so).
"""
import functools
import itertools
import os
import signal
import time
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
CONTROLLERS = ("memory", "pids", "cpu")
CPU_PERIOD_US = 100_000
_names = itertools.count()
_leftovers = []  # groups the kernel had not let go of yet when they were removed: tried again later


def _settings(limits, version):
    """{controller: [(file, value), ...]} for a group that bounds one sandbox by `limits`."""
    memory = limits.memory_bytes + 2 * limits.disk_bytes  # its processes, its working folder and its /tmp
    if version == 2:
        return {"memory": [("memory.max", memory), ("memory.swap.max", 0)],
                "pids": [("pids.max", limits.processes)],
                "cpu": [("cpu.max", f"{CPU_PERIOD_US} {CPU_PERIOD_US}")]}
    return {"memory": [("memory.limit_in_bytes", memory), ("memory.memsw.limit_in_bytes", memory)],
            "pids": [("pids.max", limits.processes)],
            "cpu": [("cpu.cfs_period_us", CPU_PERIOD_US), ("cpu.cfs_quota_us", CPU_PERIOD_US)]}


OPTIONAL = {"memory.swap.max", "memory.memsw.limit_in_bytes"}  # absent where the kernel has no swap accounting


def _own_groups():
    """(version, {controller: folder of this process's group}) found in /proc/self/cgroup, or None."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    v1 = {}
    for line in lines:
        _, names, path = line.split(":", 2)
        for name in names.split(","):
            if name in CONTROLLERS and (ROOT / name / "cgroup.procs").exists():
                v1[name] = ROOT / name / path.lstrip("/")
    if set(v1) == set(CONTROLLERS):
        return 1, v1
    unified = next((path for line in lines for _, names, path in [line.split(":", 2)] if names == ""), None)
    if unified is not None and (ROOT / "cgroup.controllers").exists():
        folder = ROOT / unified.lstrip("/")
        return 2, {name: folder for name in CONTROLLERS}
    return None


@functools.cache
def unavailable():
    """Why no control group can be made here, or None when they can (tries one, then removes it)."""
    if os.geteuid() != 0:
        return "the grader does not run as root"
    found = _own_groups()
    if found is None:
        return "no cgroup file system with the memory, pids and cpu controllers is mounted"
    try:
        group = Group.make(None)
    except OSError as error:
        return f"cannot make a control group ({error})"
    group.remove()
    return None


def sweep():
    """Remove the groups that graders which have since exited left behind (a busy one is left for later)."""
    found = _own_groups()
    if found is None or os.geteuid() != 0:
        return
    version, own = found
    for folder in {f for parent in set(own.values()) for f in parent.glob("nlp-grading-*-*")}:
        pid = folder.name.split("-")[2]
        if pid.isdigit() and not _alive(int(pid)):
            Group(version, {c: own[c] / folder.name for c in CONTROLLERS}).remove(retry_later=False)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


class Group:
    """One sandbox's control group (one folder per v1 hierarchy, one folder on v2)."""

    def __init__(self, version, folders):
        self.version, self.folders = version, folders

    @classmethod
    def make(cls, limits):
        """A fresh group below the grader's own, bounded by `limits` (sandbox.Limits; None: unbounded)."""
        version, own = _own_groups()
        for group in list(_leftovers):
            _leftovers.remove(group)
            group.remove()
        name = f"nlp-grading-{os.getpid()}-{next(_names)}"
        folders = {controller: own[controller] / name for controller in CONTROLLERS}
        group = cls(version, folders)
        try:
            for folder in set(folders.values()):
                folder.mkdir()
            if version == 2:
                present = (folders["memory"] / "cgroup.controllers").read_text().split()
                if not set(CONTROLLERS) <= set(present):
                    raise OSError(f"the controllers {', '.join(sorted(set(CONTROLLERS) - set(present)))} are not "
                                  f"enabled for the children of {own['memory']}")
            for controller, settings in (_settings(limits, version) if limits else {}).items():
                for file, value in settings:
                    try:
                        (folders[controller] / file).write_text(str(value))
                    except OSError:
                        if file not in OPTIONAL:
                            raise
        except OSError:
            group.remove()
            raise
        return group

    def join(self):
        """Move the calling process into the group (run in the child between fork and exec)."""
        for folder in set(self.folders.values()):
            (folder / "cgroup.procs").write_text(str(os.getpid()))

    def out_of_memory(self):
        """Whether the kernel killed a process of the group for going past its memory limit."""
        folder = self.folders["memory"]
        events = folder / ("memory.events" if self.version == 2 else "memory.oom_control")
        try:
            counts = dict(line.split() for line in events.read_text().splitlines() if len(line.split()) == 2)
        except OSError:
            return False
        return int(counts.get("oom_kill", 0)) > 0

    def kill(self):
        """SIGKILL every process still in the group (one that left its session and process group too)."""
        for _ in range(100):
            pids = self._pids()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.01)

    def remove(self, retry_later=True):
        """Kill what is left and remove the folders. The kernel may take a moment to free a dead
        sandbox's memory file systems; a folder still busy after a second is removed at the next make()."""
        self.kill()
        busy = False
        for folder in set(self.folders.values()):
            for attempt in range(10):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02 * (attempt + 1))
            else:
                busy = True
        if busy and retry_later:
            _leftovers.append(self)

    def _pids(self):
        try:
            return [int(pid) for pid in (self.folders["pids"] / "cgroup.procs").read_text().split()]
        except OSError:
            return []
