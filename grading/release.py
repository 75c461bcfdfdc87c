"""Regenerate the student release (assignments/) from the solution notebooks with nbgrader."""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from grading.paths import ASSIGNMENTS, REPO, SOLUTIONS, unit_names


def nbgrader(*args, cwd):
    """Run an nbgrader command in `cwd`; raise with nbgrader's own log if it fails.

    nbgrader starts helper programs (alembic) by name, so the interpreter's bin folder goes first
    on PATH: the command then works from an activated or a non-activated virtual environment.
    """
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=env,
                          capture_output=True, text=True)
    # nbgrader reports some per-notebook failures in its log but still exits 0.
    if done.returncode != 0 or "[ERROR]" in done.stderr.replace("| ERROR]", "[ERROR]"):
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def build_release(units, out_dir, db_url=None):
    """Generate the release of each unit into `out_dir`/<unit>, from a scratch copy of the course.

    Working on a copy keeps the committed release untouched until the new one is complete. The
    assignments are recorded in the gradebook `db_url`, by default a throwaway one.
    """
    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        shutil.copy(REPO / "nbgrader_config.py", scratch)
        for unit in units:
            shutil.copytree(SOLUTIONS / unit, scratch / "solutions" / unit)
            nbgrader("generate_assignment", unit, "--force", f"--db={db_url or f'sqlite:///{scratch}/release.db'}",
                     cwd=scratch)
            shutil.rmtree(out_dir / unit, ignore_errors=True)
            shutil.copytree(scratch / "assignments" / unit, out_dir / unit)


def release(units=None):
    """Regenerate assignments/ for `units` (default: all) in this repository; return the units."""
    units = list(units or unit_names())
    build_release(units, ASSIGNMENTS)
    return units
