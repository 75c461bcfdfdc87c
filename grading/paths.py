"""Where the course keeps things, relative to the repository root."""
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "solutions"
ASSIGNMENTS = REPO / "assignments"
LECTURES = REPO / "lectures"


def unit_names():
    """Every unit that has a solution folder, in course order (01_..., 02_...)."""
    return sorted(p.name for p in SOLUTIONS.iterdir() if p.is_dir() and not p.name.startswith("."))
