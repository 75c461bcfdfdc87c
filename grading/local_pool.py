"""Run jobs on this machine, one forked process per job, each watched by the coordinator.

A process pool shares its workers between jobs, so one job that kills its worker (the kernel's
out-of-memory killer, a crash in native code) breaks the pool and every job after it. Here each job
has a process of its own, started when a slot is free:

- the process has an address-space limit, so a grader that would grow without bound (an enormous
  reply it was made to decode) gets MemoryError, a caught and reported error, and not the kernel's
  out-of-memory killer;
- a process that dies or runs past its deadline costs only its own job, which comes back as an error
  result saying what happened;
- results come back as the jobs finish, so the caller records each one at once; on Ctrl-C every
  running job is killed and nothing more is started.
"""
import ctypes
import multiprocessing
import os
import resource
import signal
import time
import traceback
from multiprocessing.connection import wait

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)


def run(work, jobs, workers, deadline_seconds, memory_bytes):
    """Yield (job, result, error) for each job as it finishes: `work(job)`'s result and None, or None
    and a sentence saying why there is no result. At most `workers` jobs run at once."""
    context = multiprocessing.get_context("fork")
    waiting, running = list(jobs), {}
    try:
        while waiting or running:
            while waiting and len(running) < workers:
                job = waiting.pop(0)
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(target=_child, args=(work, job, sender, memory_bytes), daemon=True)
                process.start()
                sender.close()
                running[receiver] = (process, job, time.monotonic() + deadline_seconds)
            next_deadline = min(deadline for *_, deadline in running.values())
            for receiver in wait(list(running), timeout=max(0.0, next_deadline - time.monotonic())):
                process, job, _ = running.pop(receiver)
                result, error = _receive(receiver, process)
                yield job, result, error
            for receiver, (process, job, deadline) in list(running.items()):
                if time.monotonic() > deadline:
                    del running[receiver]
                    _stop(process)
                    yield job, None, f"the grader spent more than {deadline_seconds:g} s on this submission and was stopped"
    finally:  # Ctrl-C, or the caller stopped listening: nothing keeps running
        for process, *_ in running.values():
            _stop(process)


def _child(work, job, sender, memory_bytes):
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the coordinator's to handle
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _address_space() + memory_bytes
    if hard == resource.RLIM_INFINITY or limit < hard:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    _keep_freed_memory()
    try:
        message = (work(job), None)
    except MemoryError:
        message = (None, f"the grader ran out of its {memory_bytes // 2**20} MiB of memory on this submission")
    except BaseException:
        message = (None, traceback.format_exc(limit=3)[-1500:])
    sender.send(message)
    sender.close()


def _receive(receiver, process):
    try:
        result, error = receiver.recv()
    except (EOFError, OSError):
        process.join()
        code = process.exitcode
        how = f"was killed by {signal.Signals(-code).name}" if code and code < 0 else f"exited with code {code}"
        return None, f"the grader's process for this submission {how} before it finished"
    finally:
        receiver.close()
    process.join()
    return result, error


def _stop(process):
    process.kill()
    process.join()


def _keep_freed_memory():
    """Have glibc's malloc keep the memory numpy frees, in this process of one job: the hidden checks'
    large cases allocate and free arrays of 8 to 30 MB by the hundred, and by default each is handed
    back to the kernel when freed and faulted in again, zeroed page by page, when the next is made
    (about a tenth of a unit-02 class's grading time). Elsewhere than glibc, nothing changes."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(M_MMAP_THRESHOLD, 32 * 2**20)  # arrays up to 32 MiB from the heap, not from fresh mappings
    mallopt(M_TRIM_THRESHOLD, 2**30)  # and the heap not shrunk after each free


def _address_space():
    """Bytes of address space this process maps now (the grader's own code and data, before a job)."""
    with open(f"/proc/{os.getpid()}/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
