"""What skipping the cells tagged skip-when-grading saves when a class of unit 02 is graded, and how
today's grader compares with an earlier revision's on the same class.

    python benchmarks/skip_ungraded_cells.py [--students 10] [--jobs N] [--unit 02_backprop] [--against REV ...]
                                             [--engine-of REV ...]

Builds a scratch course for the unit and submits the same notebooks twice: as students hand them in
(the release's training runs and dashboards carry the tag, so the engine leaves them out), and with
the tag taken off every cell (the engine then runs them all, as it did before the tag existed). Most
are answered with the reference answers; every fifth has a gradient bug planted in affine_backward.
Both batches are graded by `python -m grading autograde --jobs N`; it prints the wall-clock time of
each (with the page faults and system time of the grading processes), the speed-up, and whether the
two agree on every score (they must: the skipped cells define no graded function).

`--against REV` (a git revision of this repository, e.g. the commit before a change) also grades the
class as that revision builds it (its own solution notebooks, hidden checks and grader, the same
planted bug) with that revision's `python -m grading autograde`, from a copy made by `git archive`:
the speed-up of today's grader over that one. Where the revision's hidden checks differ from today's,
the two grade different work: the checks' history says how (`git log solutions/`).

`--engine-of REV` grades today's class, with today's hidden checks and helpers, by the `grading`
package of that revision alone: the engine's own speed-up on the same work. (An engine from before
the tag existed runs every cell.)
"""
import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.grading_speed import run_engine  # noqa: E402
from grading.course import Course  # noqa: E402
from grading.submission import SKIP_TAG  # noqa: E402
from tests.submissions import answered, make_course, submit  # noqa: E402

PLANT = ("dx = dout @ W.T", "dx = dout @ W")  # affine_backward: the transpose left out


def notebooks(unit, count):
    """[(student, notebook name, notebook)] for `count` students of `unit`."""
    rows = []
    for solution in Course().unit(unit).notebooks:
        name = solution.path.name
        for n in range(count):
            replace = [PLANT] if n % 5 == 4 and unit == "02_backprop" else []
            rows.append((f"s{n:03d}", name, answered(unit, name, replace=replace)))
    return rows


def untagged(notebook):
    copy = notebook.copy()
    copy.cells = [cell.copy() for cell in notebook.cells]
    for cell in copy.cells:
        tags = cell.metadata.get("tags", [])
        if SKIP_TAG in tags:
            cell.metadata = dict(cell.metadata, tags=[t for t in tags if t != SKIP_TAG])
    return copy


# Run by the earlier revision's own Python files: they build its release and its class.
BUILD_CLASS = """
import sys
from pathlib import Path
from grading.course import Course
from tests.submissions import answered, make_course, submit
root, unit, students, plant = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), tuple(sys.argv[4:6])
make_course(root, [unit])
for solution in Course().unit(unit).notebooks:
    for n in range(students):
        replace = [plant] if n % 5 == 4 and unit == "02_backprop" else []
        submit(root, f"s{n:03d}", unit, solution.path.name, answered(unit, solution.path.name, replace=replace))
"""


def timed(run, *args, **kwargs):
    """run(...)'s (seconds, scores), and the page faults and system seconds of the processes it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds, scores = run(*args, **kwargs)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, scores, after.ru_minflt - before.ru_minflt, after.ru_stime - before.ru_stime


def line(label, seconds, count, faults, system):
    return (f"{label:<34} {seconds:7.1f} s  {count / seconds * 60:6.1f} notebooks/min  "
            f"({faults / 1e6:.2f} M page faults, {system:.1f} s system time)")


def grade_at(revision, unit, students, jobs, scratch):
    """timed(...) of grading the class with the grader of git `revision`, in a copy of it."""
    checkout, root = scratch / "checkout", scratch / "course"
    checkout.mkdir(parents=True)
    root.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(checkout)], input=archive, check=True)
    built = subprocess.run([sys.executable, "-c", BUILD_CLASS, str(root), unit, str(students), *PLANT],
                           cwd=checkout, capture_output=True, text=True)
    if built.returncode:
        raise SystemExit(f"could not build the class at {revision} (its tests/submissions.py differs?):\n{built.stderr}")
    return timed(run_engine, root, jobs, unit, checkout=checkout)


def grade_with_engine_of(revision, course, unit, jobs, scratch):
    """timed(...) of grading the class in `course` (copied) with the grading package of git `revision`
    and today's everything else (hidden checks, utils)."""
    checkout, root = scratch / "checkout", scratch / "course"
    shutil.copytree(REPO, checkout, ignore=shutil.ignore_patterns(".git", ".venv", "grading", "__pycache__"))
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision, "grading"], capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(checkout)], input=archive, check=True)
    shutil.copytree(course, root)
    return timed(run_engine, root, jobs, unit, checkout=checkout)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--unit", default="02_backprop")
    parser.add_argument("--against", action="append", default=[], metavar="REV",
                        help="also grade the class with this git revision's grader (repeatable)")
    parser.add_argument("--engine-of", action="append", default=[], metavar="REV",
                        help="also grade today's class with this git revision's grading package (repeatable)")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="skip-ungraded-"))
    try:
        rows = notebooks(args.unit, args.students)
        tagged = sum(SKIP_TAG in c.metadata.get("tags", []) for _, _, nb in rows[:1] for c in nb.cells)
        print(f"unit {args.unit}: {args.students} students, {len(rows)} notebooks; {tagged} cells of the "
              f"notebook are tagged {SKIP_TAG}; machine: {os.cpu_count()} cores, --jobs {args.jobs}")
        (scratch / "base").mkdir()
        base = make_course(scratch / "base", [args.unit])
        handed_in = scratch / "handed-in"  # the class as handed in, left ungraded: --engine-of grades copies
        shutil.copytree(base, handed_in)
        for student, name, notebook in rows:
            submit(handed_in, student, args.unit, name, notebook)
        results = {}
        for label, prepare in [("every cell run (tags removed)", untagged),
                               (f"{SKIP_TAG} cells left out", lambda nb: nb)]:
            root = scratch / label.split()[0]
            shutil.copytree(base, root)
            for student, name, notebook in rows:
                submit(root, student, args.unit, name, prepare(notebook))
            seconds, scores, faults, system = timed(run_engine, root, args.jobs, args.unit)
            results[label] = (seconds, scores)
            print(line(label, seconds, len(rows), faults, system))
        (before, before_scores), (after, after_scores) = results.values()
        print(f"speed-up from skipping: {before / after:.2f}x")
        differ = sorted(s for s in before_scores.keys() | after_scores.keys()
                        if before_scores.get(s) != after_scores.get(s))
        print("scores: the same for every notebook" if not differ else
              f"scores DIFFER for {len(differ)} students: "
              + ", ".join(f"{s} {before_scores.get(s)} vs {after_scores.get(s)}" for s in differ))
        for revision in args.against:
            seconds, scores, faults, system = grade_at(revision, args.unit, args.students, args.jobs,
                                                       scratch / f"at-{revision}")
            below = sum(score < max(scores.values()) for score in scores.values())
            print(line(f"the grader at {revision}", seconds, len(rows), faults, system)
                  + f"; {below} of {len(scores)} below full marks; today's, cells left out, is {seconds / after:.2f}x as fast")
        for revision in args.engine_of:
            seconds, scores, faults, system = grade_with_engine_of(
                revision, handed_in, args.unit, args.jobs, scratch / f"engine-of-{revision}")
            differ = sorted(s for s in scores if scores[s] != after_scores.get(s))
            print(line(f"today's class, engine of {revision}", seconds, len(rows), faults, system)
                  + f"; today's is {seconds / after:.2f}x as fast; "
                  + (f"scores differ for {', '.join(differ)}" if differ else "the same scores"))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
