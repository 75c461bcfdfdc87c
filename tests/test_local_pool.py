"""grading.local_pool: one job that dies, hangs, grows or fails costs only itself.

Before it, a process pool shared its workers: one worker killed by the out-of-memory killer broke the
pool, and every student after it got an "internal grading error".
"""
import multiprocessing
import os
import signal
import time

import numpy as np

from grading import local_pool

GRADER_MEMORY = 256 * 2**20


def work(job):
    if job == "killed":
        os.kill(os.getpid(), signal.SIGKILL)
    if job == "hangs":
        time.sleep(60)
    if job == "grows":
        np.ones(2 * GRADER_MEMORY // 8)
    if job == "fails":
        raise ValueError("a bug in the grader")
    return {"job": job, "pid": os.getpid()}


def test_each_job_costs_only_itself():
    jobs = ["first", "killed", "hangs", "grows", "fails", "last"]
    started = time.monotonic()
    results = {job: (result, error) for job, result, error in local_pool.run(work, jobs, 2, 3, GRADER_MEMORY)}
    assert time.monotonic() - started < 30
    assert set(results) == set(jobs)
    for job in ("first", "last"):
        result, error = results[job]
        assert error is None and result["job"] == job
        assert result["pid"] != os.getpid()
    assert "killed by SIGKILL" in results["killed"][1]
    assert "more than 3 s" in results["hangs"][1]
    assert f"ran out of its {GRADER_MEMORY // 2**20} MiB" in results["grows"][1]
    assert "ValueError: a bug in the grader" in results["fails"][1]
    assert all(results[job][0] is None for job in ("killed", "hangs", "grows", "fails"))


def test_no_more_jobs_run_at_once_than_there_are_workers():
    def timed(job):
        start = time.monotonic()
        time.sleep(0.3)
        return start, time.monotonic()

    spans = [result for _, result, _ in local_pool.run(timed, range(6), 2, 10, GRADER_MEMORY)]
    assert len(spans) == 6
    for moment in [start for start, _ in spans]:
        assert sum(start <= moment < end for start, end in spans) <= 2
    assert max(end for _, end in spans) - min(start for start, _ in spans) < 0.3 * 6  # yet side by side


def test_stopping_early_stops_the_running_jobs():
    finished = local_pool.run(work, ["first", "hangs", "hangs"], 3, 60, GRADER_MEMORY)
    job, _, _ = next(finished)
    assert job == "first"
    started = time.monotonic()
    finished.close()  # as on Ctrl-C in the coordinator
    assert time.monotonic() - started < 5
    assert multiprocessing.active_children() == []
