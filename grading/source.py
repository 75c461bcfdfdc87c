"""Read a solution notebook into the parts the grading side needs.

The solution notebooks are the single source of every answer and every hidden check. This module
takes them apart along nbgrader's own markers, so that nothing is typed twice:

- *setup* cells: locked code cells that are neither solutions nor tests (imports, given helpers);
- *solutions*: the code of each solution cell, keyed by its nbgrader ``grade_id``;
- *exercises*: each autograded test cell, with its points and the hidden check functions
  (``def hidden_test_<name>(<graded functions>, rng)``) defined between
  ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``.

A hidden check is a plain function of the student's functions and a random generator, so the same
check can run in the notebook (as nbgrader does) or in a trusted process that reaches the student's
functions through a proxy.
"""
import ast
import builtins
import dis
import inspect
import json
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\n", re.M)
HIDDEN_BLOCK = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)
CHECK_PREFIX = "hidden_test_"


@dataclass
class Exercise:
    """One autograded test cell."""

    grade_id: str
    points: float
    hidden_source: str
    check_names: list[str] = field(default_factory=list)
    title: str = ""  # what the student reads: the heading above it and the function, "Exercise 2 — sigmoid (sigmoid)"

    @property
    def function(self):
        """The function this exercise grades (the solution cell of that name)."""
        return self.grade_id.removeprefix("test_")


@dataclass
class SolutionNotebook:
    path: Path
    setup_sources: list[str]
    solutions: dict[str, str]
    exercises: list[Exercise]
    title: str = ""  # the first heading, after its dash: "# Assignment 01 — Matrix calculus" -> "Matrix calculus"
    needs: dict[str, list[str]] = field(default_factory=dict)  # metadata.course.needs: {unit: [function]}

    @property
    def max_score(self):
        return sum(exercise.points for exercise in self.exercises)

    @property
    def checks(self):
        """{check name: exercise} for every hidden check of the notebook."""
        return {name: exercise for exercise in self.exercises for name in exercise.check_names}

    def namespace(self, *, with_solutions=False, replaced=None):
        """A fresh namespace holding the setup cells, every hidden check and, if asked, the answers.

        `replaced` maps a solution cell's grade_id to other source to run in its place (a planted
        mistake); it implies `with_solutions`.
        """
        namespace = {"__name__": f"solution_{self.path.stem}"}
        with _importable(self.path.parent):
            for source in self.setup_sources:
                exec(compile(source, f"{self.path.name}:setup", "exec"), namespace)
            for exercise in self.exercises:
                exec(compile(_definitions_only(exercise.hidden_source), f"{self.path.name}:{exercise.grade_id}",
                             "exec"), namespace)
            if with_solutions or replaced:
                for grade_id, source in self.solutions.items():
                    source = (replaced or {}).get(grade_id, source)
                    exec(compile(source, f"{self.path.name}:{grade_id}", "exec"), namespace)
        return namespace

    def check_problems(self):
        """What is wrong with the hidden checks themselves, one message per problem ([] when none).

        A check that does not compile, or that uses a name nothing defines (a NameError waiting
        to happen), is a bug of the course, found here once instead of once per student.
        """
        try:
            namespace = self.namespace()
        except SyntaxError as error:
            return [f"{self.path.name}: a hidden test cell does not compile: {error}"]
        except Exception as error:  # noqa: BLE001 — any failure of the course's own cells is reported
            return [f"{self.path.name}: its setup or hidden test cells fail to run: {type(error).__name__}: {error}"]
        problems = []
        for name, exercise in self.checks.items():
            undefined = undefined_names(namespace[name], namespace)
            if undefined:
                problems.append(f"{self.path.name}, {exercise.grade_id}: {name} uses {', '.join(undefined)}, "
                                "which nothing defines (a typo, or a helper missing from the setup cell?)")
        return problems


def undefined_names(function, namespace):
    """The global names `function` (and the functions defined inside it) reads that neither
    `namespace` nor the builtins define."""
    codes, names = [function.__code__], set()
    while codes:
        code = codes.pop()
        names.update(i.argval for i in dis.get_instructions(code) if i.opname in ("LOAD_GLOBAL", "LOAD_NAME"))
        codes.extend(c for c in code.co_consts if inspect.iscode(c))
    return sorted(n for n in names if n not in namespace and not hasattr(builtins, n))


def graded_function_names(check):
    """The student functions a hidden check takes: every parameter but the trailing ``rng``."""
    return [name for name in inspect.signature(check).parameters if name != "rng"]


def read_solution_notebook(path):
    """Parse ``path`` (a solution notebook) into a :class:`SolutionNotebook`."""
    path = Path(path)
    notebook = json.loads(path.read_text())
    setup, solutions, exercises, title, heading = [], {}, [], "", ""
    for cell in _joined(notebook["cells"]):
        if cell["cell_type"] == "markdown" and not title:
            first = re.match(r"#+ (.*)", cell["source"])
            title = first and first.group(1).split(" — ", 1)[-1].strip()
        if cell["cell_type"] == "markdown":
            headings = re.findall(r"^#+ (.*)$", cell["source"], re.M)
            heading = re.sub(r"\s*\([^()]*points?[^()]*\)$", "", headings[-1]).strip() if headings else heading
        meta = cell["metadata"].get("nbgrader", {})
        if cell["cell_type"] != "code" or not meta:
            continue
        if meta.get("solution"):
            solutions[meta["grade_id"]] = cell["source"]
        elif meta.get("grade"):
            hidden = "\n".join(HIDDEN_BLOCK.findall(cell["source"]))
            function = meta["grade_id"].removeprefix("test_")
            exercises.append(Exercise(meta["grade_id"], float(meta.get("points", 0)), hidden,
                                      _check_names(hidden), f"{heading} ({function})" if heading else function))
        elif meta.get("locked"):
            setup.append(cell["source"])
    needs = notebook["metadata"].get("course", {}).get("needs", {})
    return SolutionNotebook(path, setup, solutions, exercises, title or path.stem, needs)


def read_cells(path):
    """The cells of a notebook the course wrote (trusted), with sources joined into strings.

    Plain JSON rather than nbformat: grading workers read notebooks often, and importing nbformat's
    validator costs seconds.
    """
    return _joined(json.loads(Path(path).read_text())["cells"])


def _joined(cells):
    for cell in cells:
        if isinstance(cell["source"], list):
            cell["source"] = "".join(cell["source"])
    return cells


@contextmanager
def _importable(folder):
    """Let setup cells import the modules released beside their notebook (trusted course files).

    Two units may each have a module of the same name: it is imported afresh from `folder`.
    """
    names = [path.stem for path in Path(folder).glob("*.py")]
    sys.path.insert(0, str(folder))
    try:
        for name in names:
            sys.modules.pop(name, None)
        yield
    finally:
        sys.path.remove(str(folder))
        for name in names:
            sys.modules.pop(name, None)


def _check_names(source):
    return [node.name for node in ast.parse(source).body
            if isinstance(node, ast.FunctionDef) and node.name.startswith(CHECK_PREFIX)]


def _definitions_only(source):
    """Keep the check definitions of a hidden block and drop the calls that run them in the notebook."""
    tree = ast.parse(source)
    tree.body = [node for node in tree.body
                 if isinstance(node, (ast.FunctionDef, ast.Import, ast.ImportFrom))]
    return ast.unparse(tree)
