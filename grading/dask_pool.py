"""Run grading jobs on a Dask cluster (``python -m grading autograde UNIT --dask ADDRESS``).

The unit of work travels as it is: a plain job (paths, names, numbers) to a worker, a plain record
back. A Dask worker needs what a local grader has: this course at the same path, the same Python
environment (the venv with ``distributed``), bubblewrap, and, for control groups and a uid per
sandbox, to run as root. Each job holds its own sandbox uid on its worker's host
(:func:`grading.sandbox.own_uid`), so jobs of any batch graded at once on one host never share one.

A job whose worker dies is retried by Dask on another worker, a few times, and then comes back as an
error result for that student only, like a job that dies in :mod:`grading.local_pool`.
"""
from distributed import Client, as_completed


def run(scheduler, work, jobs):
    """Yield (job, result, error) for each job as it finishes on the cluster at `scheduler` (an
    address, or a distributed.Client already connected)."""
    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    futures = {}
    try:
        for job in jobs:
            futures[client.submit(work, job, pure=False)] = job
        for future in as_completed(futures):
            try:
                yield futures[future], future.result(), None
            except Exception as error:  # the grader failed on that job, or its workers kept dying
                yield futures[future], None, f"{type(error).__name__}: {error}"[-1500:]
    finally:  # Ctrl-C, or the caller stopped listening: nothing more is computed
        client.cancel([f for f in futures if not f.done()])
        if client is not scheduler:
            client.close()
