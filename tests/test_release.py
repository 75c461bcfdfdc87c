"""The course is whole and consistent: every unit has its parts, the committed release and README
table match a fresh regeneration, notebooks are committed clean, and utils holds no answer."""
import ast
import re

import nbformat
import pytest

from grading.course import Course
from grading.release import (
    EARLIER_UNITS_MODULE,
    build_release,
    earlier_units_module,
    with_unit_table,
)
from grading.source import SOLUTION_MARKERS, read_cells

COURSE = Course()
UNITS = COURSE.units
ALL_NOTEBOOKS = sorted(path.relative_to(COURSE.root)
                       for folder in (COURSE.lectures, COURSE.solutions, COURSE.assignments)
                       for path in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in path.parts)
# Names a graded exercise has, in this course and in units still to come: utils defines none of them.
GRADED_NAME = re.compile(r"^(?!check_|assert_)\w+_(forward|backward|jacobian)$|_loss_and_gradient$"
                         r"|^(sgd|momentum|adagrad|adam)$"
                         r"|^(clip_grad_norm|softmax_cross_entropy|temporal_softmax_cross_entropy|kl_divergence)$")


def files_under(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


@pytest.mark.parametrize("unit", UNITS, ids=str)
def test_unit_has_every_part(unit):
    """Adding a unit is: a lecture, a solution notebook, a mistakes file, and the generated release."""
    for part in (unit.lecture, unit.mistakes_file, unit.release_folder):
        assert part.exists(), f"unit {unit.name} lacks {part.relative_to(COURSE.root)} (see docs/authoring.md)"
    assert unit.notebooks and unit.exercises, f"{unit.solution_folder} has no graded exercise"


@pytest.mark.slow
def test_release_is_in_sync_with_solutions(tmp_path):
    build_release(COURSE, UNITS, tmp_path)
    for unit in UNITS:
        fresh, committed = tmp_path / unit.name, unit.release_folder
        assert files_under(fresh) == files_under(committed), (
            f"{committed} lists other files than a fresh release: run `python -m grading release`")
        for name in files_under(fresh):
            assert (fresh / name).read_bytes() == (committed / name).read_bytes(), (
                f"{committed / name} differs from a fresh release: run `python -m grading release`")


@pytest.mark.parametrize("unit", UNITS, ids=str)
def test_earlier_units_module_is_in_sync(unit):
    module = unit.solution_folder / EARLIER_UNITS_MODULE
    expected = earlier_units_module(unit)
    if expected is None:
        assert not module.exists(), f"{module} is left over: run `python -m grading release`"
    else:
        assert module.is_file() and module.read_text() == expected, f"{module} is stale: run `python -m grading release`"


@pytest.mark.parametrize("unit", [u for u in UNITS if u.needs], ids=str)
def test_earlier_units_module_stands_alone(unit):
    """It imports only utils and numpy (never itself, although an earlier unit's setup imports its own
    earlier_units) and defines every function the unit declares."""
    source = earlier_units_module(unit)
    assert "earlier_units import" not in source
    namespace = {}
    exec(compile(source, EARLIER_UNITS_MODULE, "exec"), namespace)
    assert all(callable(namespace[name]) for names in unit.needs.values() for name in names)


def test_readme_unit_table_is_in_sync():
    readme = (COURSE.root / "README.md").read_text()
    assert with_unit_table(readme, COURSE) == readme, "README.md's unit table is stale: run `python -m grading release`"


@pytest.mark.parametrize("unit", UNITS, ids=str)
def test_intro_table_states_the_points_of_the_metadata(unit):
    """The points a student reads in the notebook's introduction are the points nbgrader grades."""
    for notebook in unit.notebooks:
        intro = next(c["source"] for c in read_cells(notebook.path) if c["cell_type"] == "markdown")
        stated = [float(p) for p in re.findall(r"^\|.*\|\s*(\d+(?:\.\d+)?)\s*\|\s*$", intro, re.M)]
        assert stated == [e.points for e in notebook.exercises], (
            f"{notebook.path.name}: the introduction's table says {stated}, the test cells' metadata "
            f"{[e.points for e in notebook.exercises]}")


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=str)
def test_notebook_is_committed_clean(path):
    notebook = nbformat.read(COURSE.root / path, as_version=4)
    nbformat.validate(notebook)
    assert "widgets" not in notebook.metadata, f"{path} carries widget state"
    ids = [cell.get("id") for cell in notebook.cells]
    assert all(ids) and len(set(ids)) == len(ids), f"{path} needs stable, unique cell ids"
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path} has outputs in cell {cell.id}"


@pytest.mark.parametrize("unit", UNITS, ids=str)
def test_release_hides_solutions_and_hidden_tests(unit):
    for path in unit.release_folder.glob("*.ipynb"):
        text = path.read_text()
        for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "hidden_test_"):
            assert marker not in text, f"{path} leaks {marker!r}"


def defined_names(package):
    names = set()
    for path in (COURSE.root / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Assign):
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def test_utils_defines_no_graded_function():
    names = defined_names("utils")
    graded = {name for unit in UNITS for name in unit.graded_functions}
    leaked = sorted(names & graded) + sorted(n for n in names if GRADED_NAME.search(n))
    assert not leaked, f"utils defines graded functions (or names graded exercises have): {leaked}"


def test_the_graded_name_rule_catches_a_planted_answer():
    assert all(GRADED_NAME.search(n) for n in ("lstm_step_forward", "attention_backward", "softmax_jacobian",
                                               "neg_sampling_loss_and_gradient", "adam", "clip_grad_norm"))
    assert not any(GRADED_NAME.search(n) for n in ("check_backward", "assert_close", "softmax", "sigmoid"))


@pytest.mark.parametrize("unit", UNITS, ids=str)
def test_every_exercise_has_points_and_a_hidden_check(unit):
    for notebook in unit.notebooks:
        assert notebook.check_problems() == []
        for exercise in notebook.exercises:
            assert exercise.points > 0, f"{exercise.grade_id} in {notebook.path} is worth no points"
            assert exercise.check_names, f"{exercise.grade_id} in {notebook.path} has no hidden_test_ function"


@pytest.mark.slow
def test_a_later_unit_gets_the_earlier_reference_functions_it_declares(tmp_path):
    """A unit's needs become earlier_units.py beside its notebook and in its release, never in utils."""
    import json
    import shutil

    from grading.course import CourseError
    from grading.release import release

    shutil.copy(COURSE.root / "nbgrader_config.py", tmp_path)
    first, later = COURSE.units[0], COURSE.units[-1]
    shutil.copytree(first.solution_folder, tmp_path / "solutions" / first.name)
    demo = tmp_path / "solutions" / "99_demo"
    shutil.copytree(later.solution_folder, demo)
    notebook_path = demo / later.notebooks[0].path.name
    wanted = first.graded_functions[:2]

    def declare(needs):
        notebook = json.loads(notebook_path.read_text())
        notebook["metadata"]["course"] = {"needs": needs}
        notebook_path.write_text(json.dumps(notebook, indent=1))
        return Course(tmp_path)

    course = declare({first.name: wanted})
    release(course, ["99_demo"])
    module = demo / EARLIER_UNITS_MODULE
    assert module.read_text() == (course.assignments / "99_demo" / EARLIER_UNITS_MODULE).read_text()
    namespace = {}
    exec(compile(module.read_text(), str(module), "exec"), namespace)  # stands alone: imports what it uses
    assert all(callable(namespace[name]) for name in wanted)
    for name in wanted:  # the reference answer itself, markers removed, not a retyped copy
        assert SOLUTION_MARKERS.sub("", first.notebooks[0].solutions[name]).strip() in module.read_text()

    for needs, words in [({first.name: ["no_such_function"]}, "no such solution cell"),
                         ({"99_demo": wanted}, "not an earlier unit"), ({"00_nothing": wanted}, "not an earlier unit")]:
        with pytest.raises(CourseError, match=words):
            release(declare(needs), ["99_demo"])
