"""Command line for instructors: ``python -m grading <command>``, run from the repository root.

  release [UNIT ...]                    regenerate assignments/ from solutions/
  collect UNIT FOLDER_OR_ZIP            put submissions in submitted/<student>/UNIT/
  autograde UNIT [--jobs N | --dask ADDRESS]
                                        grade every submission, sandboxed and in parallel
  replay UNIT STUDENT                   grade one submission again with its recorded inputs
  feedback UNIT                         write feedback/<student>/UNIT/<notebook>.html
  export [--to grades.csv]              the gradebook as CSV, with nbgrader's export columns
  isolation                             say what isolation grading has on this machine
"""
import argparse
import logging
import sys
from pathlib import Path

# nbgrader's import reaches jsonschema, which imports rfc3987_syntax where it is installed (jupyter-events
# asks for it) and so compiles 38 grammars: a second of every command, for IRI formats that no notebook or
# gradebook schema uses. With this entry that import fails, and jsonschema does without those formats.
sys.modules.setdefault("rfc3987_syntax", None)

from grading import sandbox  # noqa: E402
from grading.course import Course, CourseError  # noqa: E402


def positive(kind):
    """An argparse type: a number of `kind` (int, float) greater than 0."""
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text} is not greater than 0")
        return value
    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grading", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="course root (default: this folder)")
    commands = parser.add_subparsers(dest="command", required=True)
    release = commands.add_parser("release", help="regenerate assignments/ from solutions/")
    release.add_argument("units", nargs="*", help="unit folders, e.g. 01_matrix_calculus (default: all)")
    collect = commands.add_parser("collect", help="copy notebooks from a folder or zip into submitted/")
    collect.add_argument("unit")
    collect.add_argument("source", type=Path)
    autograde = commands.add_parser("autograde", help="grade every submission of a unit")
    autograde.add_argument("unit")
    autograde.add_argument("--jobs", type=positive(int), default=None, help="parallel workers (default: all cores)")
    for name, help_text in [("call", "one call of a student's function"),
                            ("load", "running a notebook's cells"),
                            ("exercise", "all the calls of one exercise's hidden checks"),
                            ("submission", "a whole notebook")]:
        default = getattr(sandbox.Limits(), f"{name}_seconds")
        autograde.add_argument(f"--{name}-seconds", type=positive(float), default=default,
                               help=f"wall-clock limit for {help_text} (default {default:g})")
    autograde.add_argument("--dask", metavar="ADDRESS",
                           help="grade on the workers of this Dask scheduler (e.g. tcp://10.0.0.5:8786) instead of "
                                "this machine; each worker needs the course at this path, its venv and bubblewrap")
    autograde.add_argument("--force", action="store_true",
                           help="grade again the submissions whose notebook, solution and limits are unchanged "
                                "since their last grading (default: keep those records)")
    autograde.add_argument("--override-manual", action="store_true",
                           help="replace the manual scores entered in formgrader by the grader's verdicts "
                                "(default: keep them, and flag those that differ)")
    autograde.add_argument(sandbox.UNSAFE_FLAG, action="store_true",
                           help="grade even without the sandbox (bubblewrap): student code then runs with your rights")
    replay = commands.add_parser("replay", help="grade one submission again with the inputs of its last grading, "
                                                "and show the inputs of each failed check (for the instructor)")
    replay.add_argument("unit")
    replay.add_argument("student")
    feedback = commands.add_parser("feedback", help="write feedback pages from the last autograde")
    feedback.add_argument("unit")
    export = commands.add_parser("export", help="write the grades as CSV")
    export.add_argument("--to", type=Path, default=Path("grades.csv"))
    commands.add_parser("isolation", help="say what isolation is in force here")
    args = parser.parse_args(argv)
    # The library logs what it skips or doubts (grading.collect); the command shows it on stderr.
    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s", stream=sys.stderr)
    try:
        run(Course(args.root), args)
    except CourseError as error:
        sys.exit(f"python -m grading {args.command}: {error}")
    except KeyboardInterrupt:
        sys.exit(f"python -m grading {args.command}: interrupted. What was finished is kept (autograde: the "
                 "records of the submissions graded so far; run it again to grade the rest).")


def run(course, args):
    if args.command == "release":
        from grading.release import release
        for unit in release(course, args.units):
            print(f"released {unit.release_folder.relative_to(course.root)}")
    elif args.command == "collect":
        from grading.collect import collect
        collected = collect(course, args.unit, args.source)
        print(f"collected {len(collected)} submissions into {course.submitted.name}/*/{args.unit}/")
    elif args.command == "autograde":
        from grading.autograde import autograde
        limits = {f"{name}_seconds": getattr(args, f"{name}_seconds") for name in ("call", "load", "exercise", "submission")}
        course.unit(args.unit)  # an unknown unit is reported before anything else
        print(sandbox.describe(sandbox.Limits(**limits)))
        records, flags = autograde(course, args.unit, jobs=args.jobs, limits=limits, force=args.force,
                                   unsafe_no_isolation=args.unsafe_no_isolation, dask=args.dask,
                                   override_manual=args.override_manual)
        for record in records:
            print(f"{record.student:>20}  {record.score:g}/{record.max_score:g}  {record.notebook}")
        for flag in flags:
            print(f"FLAG {flag}")
        print(f"graded {len(records)} notebooks; records in {course.records.name}/{args.unit}/, "
              f"scores in {course.gradebook_path.name}")
    elif args.command == "replay":
        from grading.replay import replay
        for line in replay(course, args.unit, args.student):
            print(line)
    elif args.command == "feedback":
        from grading.feedback import write_feedback
        written = write_feedback(course, args.unit)
        print(f"wrote {len(written)} feedback pages under {course.feedback.name}/*/{args.unit}/")
    elif args.command == "export":
        from grading.gradebook import export
        if not args.to.parent.is_dir():
            raise CourseError(f"cannot write {args.to}: the folder {args.to.parent} does not exist")
        rows = export(course, args.to)
        print(f"wrote {rows} rows to {args.to}")
    elif args.command == "isolation":
        print(sandbox.describe())
        problem = sandbox.unavailable()
        print(f"autograde would refuse to run: {problem}" if problem else "The sandbox starts on this machine.")


if __name__ == "__main__":
    main()
