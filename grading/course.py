"""The course as one model: its units, their exercises and points, and every folder it uses.

Two files are the source of all of it:
- ``nbgrader_config.py``: the course id and nbgrader's folder names (source, release, submitted,
  autograded, feedback) and the gradebook;
- the solution notebooks: each unit's graded functions, points, hidden checks, setup cells and the
  functions it needs from earlier units (read by :mod:`grading.source`).

Commands, tests and benchmarks ask this module. Nothing else restates a point value, a list of
graded names or a course path, so a unit added under ``solutions/`` is graded, released and tested
without being registered anywhere.

    course = Course(root)
    unit = course.unit("03_rnn_bptt")
    unit.max_score, [e.grade_id for e in unit.exercises], unit.release_folder
"""
from functools import cached_property
from pathlib import Path

from grading.source import read_solution_notebook

REPO = Path(__file__).resolve().parent.parent  # the checkout this code lives in
RECORDS = "graded"  # the engine's result records and flags (run-time data, like nbgrader's folders)
LECTURES = "lectures"
MISTAKES = "tests/mistakes"


class CourseError(Exception):
    """The course folder, or what a command was given (a unit's name, a folder, a zip), is not what it
    should be; the message says what is wrong and what to do."""


class Course:
    def __init__(self, root=REPO):
        self.root = Path(root).resolve()
        config = _nbgrader_settings(self.root / "nbgrader_config.py")
        self.course_id = config["course_id"]
        self.solutions = self.root / config["source_directory"]
        self.assignments = self.root / config["release_directory"]
        self.submitted = self.root / config["submitted_directory"]
        self.autograded = self.root / config["autograded_directory"]
        self.feedback = self.root / config["feedback_directory"]
        self.gradebook_path = self.root / config["db_url"].removeprefix("sqlite:///")
        self.db_url = f"sqlite:///{self.gradebook_path}"
        self.records = self.root / RECORDS
        self.lectures = self.root / LECTURES
        self.mistakes = self.root / MISTAKES

    @cached_property
    def units(self):
        """Every unit, in course order: one per folder of solutions/ (01_..., 02_...)."""
        if not self.solutions.is_dir():
            raise CourseError(f"{self.solutions} does not exist: is {self.root} the course folder?")
        return [Unit(self, folder.name) for folder in sorted(self.solutions.iterdir())
                if folder.is_dir() and not folder.name.startswith(".")]

    def unit(self, name):
        """The unit called `name`; a CourseError naming the units there are otherwise."""
        for unit in self.units:
            if unit.name == name:
                return unit
        known = ", ".join(u.name for u in self.units) or "none"
        raise CourseError(f"{name!r} is not a unit of this course (the units are: {known})")

    def submission_folders(self, unit_name):
        """{student: submitted/<student>/<unit>/} for every student who submitted something."""
        return {folder.parent.name: folder for folder in sorted(self.submitted.glob(f"*/{unit_name}"))
                if folder.is_dir()}

    def record_path(self, unit_name, student, notebook):
        return self.records / unit_name / student / notebook.replace(".ipynb", ".json")

    def flags_path(self, unit_name):
        return self.records / f"{unit_name}.flags.txt"

    def feedback_path(self, unit_name, student, notebook):
        return self.feedback / student / unit_name / notebook.replace(".ipynb", ".html")


class Unit:
    """One unit: a lecture, a folder of solution notebooks, its release, its mistakes file."""

    def __init__(self, course, name):
        self.course, self.name = course, name
        self.solution_folder = course.solutions / name
        self.release_folder = course.assignments / name
        self.lecture = course.lectures / f"{name}.ipynb"  # the unit's first lecture, named as the unit
        self.mistakes_file = course.mistakes / f"{name}.py"

    def __repr__(self):
        return f"Unit({self.name!r})"

    def __str__(self):
        return self.name

    @property
    def lectures(self):
        """Every lecture of the unit: the one named as the unit first, then any other lectures/NN_*.ipynb."""
        others = sorted(set(self.course.lectures.glob(f"{self.name[:2]}_*.ipynb")) - {self.lecture})
        return [self.lecture, *others]

    @cached_property
    def notebooks(self):
        """The unit's solution notebooks (grading.source.SolutionNotebook), by file name."""
        paths = sorted(self.solution_folder.glob("*.ipynb"))
        if not paths:
            raise CourseError(f"{self.solution_folder} holds no notebook: every unit needs its solution notebook")
        return [_read(path) for path in paths]

    @property
    def exercises(self):
        return [exercise for notebook in self.notebooks for exercise in notebook.exercises]

    @property
    def max_score(self):
        return sum(notebook.max_score for notebook in self.notebooks)

    @property
    def graded_functions(self):
        """The names of every solution cell, in notebook order: what a student writes."""
        return [name for notebook in self.notebooks for name in notebook.solutions]

    @property
    def title(self):
        """The unit's title: its solution notebook's first heading, after the dash ("Matrix calculus")."""
        return self.notebooks[0].title

    @property
    def needs(self):
        """{earlier unit: [function, ...]}: reference functions this unit's release gets as a module."""
        needs = {}
        for notebook in self.notebooks:
            for unit, names in notebook.needs.items():
                needs.setdefault(unit, []).extend(n for n in names if n not in needs.get(unit, []))
        return needs


def _read(path):
    try:
        return read_solution_notebook(path)
    except SyntaxError as error:
        raise CourseError(f"{path.name}: the hidden tests of a test cell do not parse ({error.msg}, line "
                          f"{error.lineno} of its hidden block): fix the solution notebook") from None


def _nbgrader_settings(path):
    """The CourseDirectory settings of an nbgrader_config.py, every one the course relies on."""
    from traitlets.config.loader import PyFileConfigLoader

    if not path.is_file():
        raise CourseError(f"{path} does not exist: run the command from the course folder or pass --root")
    settings = PyFileConfigLoader(path.name, str(path.parent)).load_config().CourseDirectory
    wanted = ["course_id", "source_directory", "release_directory", "submitted_directory",
              "autograded_directory", "feedback_directory", "db_url"]
    missing = [key for key in wanted if key not in settings]
    if missing:
        raise CourseError(f"{path} does not set CourseDirectory.{', CourseDirectory.'.join(missing)}")
    if not settings["db_url"].startswith("sqlite:///"):
        raise CourseError(f"{path}: the gradebook must be an sqlite file (db_url = 'sqlite:///gradebook.db')")
    return {key: settings[key] for key in wanted}
