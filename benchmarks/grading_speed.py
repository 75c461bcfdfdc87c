"""Autograding speed: plain sequential `nbgrader autograde` against `python -m grading autograde --jobs N`,
and against the same engine on a Dask LocalCluster of N one-thread workers.

    python benchmarks/grading_speed.py [--students 40] [--jobs N] [--graders nbgrader,local,dask] [--keep]

A scale simulation (many submissions, Dask only) says what N workers would do:

    python benchmarks/grading_speed.py --students 1000 --graders dask

Builds a scratch course for unit 01 with a mix of submissions: correct ones (the reference answers),
wrong ones (a gradient bug planted in one exercise) and broken ones (not JSON, a function or a cell
that raises, a graded function with an endless loop). The same submissions are graded twice, in two
copies of the course: by nbgrader alone (one process, one kernel after another) and by the
course's engine (sandboxed processes, N in parallel). Both get the same time limit for the endless
loop: the engine's default of 30 s per call, and `--Execute.timeout=30` per cell for nbgrader (the
engine's command line has no option to shorten it). It prints submissions per minute for each, the
speed-up, and where the two disagree on a score. For Dask it also prints each worker's throughput
(submissions per second of grading work) and the time workers stood idle per record (the
coordinator, Dask, and the tail of the batch: an upper bound on the coordinator's cost per record).
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import nbformat  # noqa: E402

from grading import gradebook  # noqa: E402
from grading.course import Course  # noqa: E402
from grading.release import nbgrader  # noqa: E402
from tests.hostile import FLIP_DW, NOTEBOOK, UNIT, ZERO_SOFTMAX_JACOBIAN, notebook  # noqa: E402
from tests.submissions import make_course  # noqa: E402

CALL_SECONDS = 30  # the engine's default per call; nbgrader gets the same per cell

WRONG = {  # planted gradient bugs, one exercise each
    "dW sign flipped": [FLIP_DW],
    "softmax Jacobian all zero": [ZERO_SOFTMAX_JACOBIAN],
    "softmax Jacobian without the outer product": [("np.diag(p) - np.outer(p, p)", "np.diag(p)")],
    "elementwise Jacobian doubled": [("return np.diag(fprime(z))", "return 2 * np.diag(fprime(z))")],
    "forward difference": [("(np.asarray(f(x + step)) - np.asarray(f(x - step))) / (2 * h)",
                            "(np.asarray(f(x + step)) - np.asarray(f(x))) / h")],
    "dx halved": [("W @ delta", "0.5 * W @ delta")],
}

BROKEN = {
    "not JSON": lambda: b'{"cells": [ oops, this was edited by hand',
    "truncated": lambda: nbformat.writes(notebook()).encode()[:5000],
    "softmax_jacobian raises": lambda: nbformat.writes(notebook(
        plants=[("p = softmax(z)", "raise ValueError('not done yet')")])).encode(),
    "a cell raises at the top": lambda: nbformat.writes(notebook(cells=["undefined_helper()"])).encode(),
}
ENDLESS = ("score_and_grads never returns", lambda: nbformat.writes(notebook(
    plants=[("h = sigmoid(x @ W + b)", "while True:\n        pass\n    h = sigmoid(x @ W + b)")])).encode())


def plan(count):
    """[(student, kind, detail, notebook bytes)]: about 55% correct, 30% wrong, the rest broken.

    Exactly one broken submission has an endless loop: one is enough to show what a time limit costs.
    """
    wrong_count = max(len(WRONG), round(0.3 * count))
    broken_count = max(len(BROKEN) + 1, round(0.15 * count))
    correct_count = count - wrong_count - broken_count
    broken = [ENDLESS] + [list(BROKEN.items())[i % len(BROKEN)] for i in range(broken_count - 1)]
    wrong = list(WRONG.items())
    reference = nbformat.writes(notebook())
    for detail, plants in wrong:
        if nbformat.writes(notebook(plants)) == reference:
            raise SystemExit(f"the planted bug {detail!r} no longer applies to the solution notebook")
    rows = [("correct", "reference answers", lambda: nbformat.writes(notebook()).encode())] * correct_count
    rows += [("wrong", detail, lambda plants=plants: nbformat.writes(notebook(plants)).encode())
             for detail, plants in (wrong[i % len(wrong)] for i in range(wrong_count))]
    rows += [("broken", detail, build) for detail, build in broken]
    # Mixed, as students' ids would be (a fixed shuffle, so that runs compare).
    order = list(range(len(rows)))
    random.Random(1).shuffle(order)
    return [(f"s{n:03d}", rows[i][0], rows[i][1], rows[i][2]()) for n, i in enumerate(order)]


def submit(root, submissions):
    for student, _, _, data in submissions:
        folder = Course(root).submitted / student / UNIT
        folder.mkdir(parents=True, exist_ok=True)
        (folder / NOTEBOOK).write_bytes(data)


def run_nbgrader(root):
    started = time.monotonic()
    try:
        nbgrader("autograde", UNIT, "--force", f"--Execute.timeout={CALL_SECONDS}", cwd=root)
        failed = ""
    except RuntimeError as error:  # nbgrader logs per-notebook errors (a file that is not JSON) and goes on
        failed = str(error)
    seconds = time.monotonic() - started
    scores = {}
    with gradebook.opened(Course(root)) as gb:
        for submission in gb.assignment_submissions(UNIT):
            scores[submission.student.id] = submission.score
    return seconds, scores, failed


def run_engine(root, jobs, unit=UNIT, *options, checkout=REPO):
    """Time `python -m grading autograde` of `checkout` on the course at `root`; return (seconds,
    {student: score}) (each student hands in one notebook)."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "grading", "--root", str(root), "autograde", unit,
                           "--jobs", str(jobs), *options], cwd=checkout, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"python -m grading autograde failed:\n{done.stdout}\n{done.stderr}")
    scores = {}
    for line in done.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and "/" in parts[1] and parts[2].endswith(".ipynb"):
            scores[parts[0]] = float(parts[1].split("/")[0])
    return seconds, scores


def run_dask(root, jobs):
    from distributed import Client, LocalCluster

    from grading.autograde import autograde
    with LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        started = time.monotonic()
        records, _ = autograde(Course(root), UNIT, progress=None, force=True, dask=client)
        seconds = time.monotonic() - started
    working = sum(record.seconds for record in records)
    return seconds, {r.student: r.score for r in records}, working


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--graders", default="nbgrader,local,dask",
                        help="which to time, of nbgrader, local (the engine's own pool) and dask (default: all)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch courses and say where")
    args = parser.parse_args()
    graders = args.graders.split(",")
    if not set(graders) <= {"nbgrader", "local", "dask"}:
        parser.error(f"--graders takes nbgrader, local and dask, not {args.graders}")

    scratch = Path(tempfile.mkdtemp(prefix="grading-speed-"))
    try:
        submissions = plan(args.students)
        kinds = Counter(kind for _, kind, _, _ in submissions)
        print(f"unit {UNIT}: {len(submissions)} submissions: {kinds['correct']} correct, {kinds['wrong']} wrong "
              f"(planted gradient bugs), {kinds['broken']} broken "
              f"({', '.join(f'{n} {d}' for d, n in Counter(d for _, k, d, _ in submissions if k == 'broken').items())})")
        print(f"machine: {os.cpu_count()} cores; limits: {CALL_SECONDS} s per call (engine default), "
              f"--Execute.timeout={CALL_SECONDS} per cell (nbgrader)")
        started = time.monotonic()
        (scratch / "base").mkdir()
        base = make_course(scratch / "base", [UNIT])
        print(f"course generated in {time.monotonic() - started:.1f} s (nbgrader generate_assignment, not timed below)")
        count = len(submissions)
        results, timings = {}, {}
        for grader in graders:
            root = scratch / grader
            shutil.copytree(base, root)
            submit(root, submissions)
            if grader == "nbgrader":
                seconds, scores, failed = run_nbgrader(root)
                label = "nbgrader autograde (sequential)"
                if failed:
                    print("nbgrader reported per-notebook errors (expected for the files that are not JSON)")
            elif grader == "local":
                seconds, scores = run_engine(root, args.jobs)
                label = f"python -m grading autograde --jobs {args.jobs}"
            else:
                seconds, scores, working = run_dask(root, args.jobs)
                label = f"... --dask (LocalCluster, {args.jobs} workers)"
            results[grader], timings[grader] = scores, seconds
            print(f"{label:<42} {seconds:7.1f} s  {count / seconds * 60:6.1f} submissions/min")
            if grader == "dask":
                print(f"    per worker: {count / working:.2f} submissions per second of grading work; workers stood "
                      f"idle {max(0.0, seconds * args.jobs - working) / count * 1000:.0f} ms per record (the coordinator, "
                      "Dask and the batch's tail: an upper bound on what each record costs besides its grading)")
        for grader in graders:
            if "nbgrader" in timings and grader != "nbgrader":
                print(f"speed-up of {grader} over nbgrader: {timings['nbgrader'] / timings[grader]:.2f}x")
        first = graders[0]
        for other in graders[1:]:
            print(f"comparing {first} and {other}:")
            for kind in ("correct", "wrong", "broken"):
                rows = [(s, d) for s, k, d, _ in submissions if k == kind]
                differ = [(s, d, results[first].get(s), results[other].get(s)) for s, d in rows
                          if results[first].get(s) != results[other].get(s)]
                scores = sorted(Counter(results[other].get(s) for s, _ in rows).items(), key=lambda kv: -(kv[0] or 0))
                shown = ", ".join(f"{n} x {score:g}/12" if score is not None else f"{n} x none" for score, n in scores)
                print(f"  agreement on {kind}: {len(rows) - len(differ)}/{len(rows)} ({other} scores: {shown})"
                      + ("" if not differ else f" — differences (student, what, {first}, {other}):"))
                for row in differ:
                    print(f"      {row[0]}  {row[1]}: {row[2]}, {row[3]}")
        if args.keep:
            print(f"scratch courses kept in {scratch}")
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
