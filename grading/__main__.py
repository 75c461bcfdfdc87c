"""Command line for instructors: ``python -m grading <command>`` from the repository root."""
import argparse

from grading.release import release


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grading", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    release_cmd = commands.add_parser("release", help="regenerate assignments/ from solutions/")
    release_cmd.add_argument("units", nargs="*", help="unit folders, e.g. 01_matrix_calculus (default: all)")
    args = parser.parse_args(argv)
    if args.command == "release":
        for unit in release(args.units):
            print(f"released assignments/{unit}")


if __name__ == "__main__":
    main()
