"""The course model reads units, exercises, points and paths from the course's own files, and
says clearly what is wrong with a course folder or a name it is given."""
import shutil
from dataclasses import replace

import pytest

from grading.course import Course, CourseError
from grading.source import graded_function_names

COURSE = Course()


def test_units_come_from_the_solution_folders_in_order():
    names = [unit.name for unit in COURSE.units]
    assert names == sorted(p.name for p in COURSE.solutions.iterdir() if p.is_dir() and not p.name.startswith("."))
    for unit in COURSE.units:
        assert unit.max_score == sum(e.points for e in unit.exercises) > 0
        assert unit.title and unit.title != unit.name
        for notebook in unit.notebooks:
            namespace = notebook.namespace()
            for check_name in notebook.checks:  # a check takes the student's functions, named as they are
                assert set(graded_function_names(namespace[check_name])) <= set(unit.graded_functions), check_name


def test_paths_come_from_nbgrader_config(tmp_path):
    text = (COURSE.root / "nbgrader_config.py").read_text().replace('"submitted"', '"handins"')
    (tmp_path / "nbgrader_config.py").write_text(text)
    course = Course(tmp_path)
    assert course.submitted == tmp_path / "handins"
    assert course.db_url == f"sqlite:///{tmp_path / 'gradebook.db'}"
    assert course.record_path("u", "alice", "u.ipynb") == course.records / "u" / "alice" / "u.json"


def test_an_unknown_unit_is_named_with_the_units_there_are():
    with pytest.raises(CourseError, match=f"'99_nothing' is not a unit.*{COURSE.units[0].name}"):
        COURSE.unit("99_nothing")


def test_a_folder_that_is_not_a_course_says_so(tmp_path):
    with pytest.raises(CourseError, match="nbgrader_config.py does not exist"):
        Course(tmp_path)
    (tmp_path / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "x"\n')
    with pytest.raises(CourseError, match="does not set CourseDirectory.source_directory"):
        Course(tmp_path)


def test_cli_reports_a_bad_unit_without_a_traceback(tmp_path, capsys):
    from grading.__main__ import main

    shutil.copy(COURSE.root / "nbgrader_config.py", tmp_path)
    (tmp_path / "solutions" / "01_only").mkdir(parents=True)
    with pytest.raises(SystemExit) as exit_:
        main(["--root", str(tmp_path), "feedback", "02_missing"])
    assert "'02_missing' is not a unit" in str(exit_.value.code)


def test_cli_checks_its_arguments_before_it_starts(capsys):
    """An unknown unit is named before the isolation paragraph; --jobs 0, a negative time limit, autograde
    without submissions and export into a missing folder are one-line errors, not tracebacks."""
    from grading.__main__ import main

    with pytest.raises(SystemExit) as exit_:
        main(["--root", str(COURSE.root), "autograde", "99_nothing"])
    assert "'99_nothing' is not a unit" in str(exit_.value.code)
    assert "Isolation" not in capsys.readouterr().out
    for bad in (["--jobs", "0"], ["--call-seconds", "-1"], ["--jobs", "two"]):
        with pytest.raises(SystemExit):
            main(["--root", str(COURSE.root), "autograde", COURSE.units[0].name, *bad])
        assert "argument" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["--root", str(COURSE.root), "export", "--to", "/no/such/folder/grades.csv"])
    assert "the folder /no/such/folder does not exist" in str(exit_.value.code)


def test_autograde_without_submissions_says_to_collect_them(tmp_path):
    from grading.autograde import autograde

    shutil.copy(COURSE.root / "nbgrader_config.py", tmp_path)
    shutil.copytree(COURSE.units[0].solution_folder, tmp_path / "solutions" / COURSE.units[0].name)
    with pytest.raises(CourseError, match="no submissions of .* collect them first"):
        autograde(Course(tmp_path), COURSE.units[0].name, unsafe_no_isolation=True)


def test_broken_hidden_checks_are_found_before_grading():
    notebook = COURSE.units[0].notebooks[0]
    exercise = notebook.exercises[0]
    name = exercise.check_names[0]
    undefined = replace(exercise, hidden_source=exercise.hidden_source.replace(
        f"def {name}(", f"def {name}(*_):\n    return no_such_helper()\n\ndef _unused(", 1))
    problems = replace(notebook, exercises=[undefined, *notebook.exercises[1:]]).check_problems()
    assert len(problems) == 1 and name in problems[0] and "no_such_helper" in problems[0]

    broken = replace(exercise, hidden_source=exercise.hidden_source.replace("):", ")", 1))
    problems = replace(notebook, exercises=[broken, *notebook.exercises[1:]]).check_problems()
    assert len(problems) == 1 and "does not compile" in problems[0]
    assert notebook.check_problems() == []


def test_a_hidden_block_that_does_not_parse_is_reported_by_name(tmp_path):
    from tests.hostile import bare_course_at

    root = bare_course_at(tmp_path / "course")
    path = next((root / "solutions").glob("*/*.ipynb"))
    text = path.read_text().replace("def hidden_test_", "  def hidden_test_", 1)
    path.write_text(text)
    with pytest.raises(CourseError, match=f"{path.name}: the hidden tests of a test cell do not parse"):
        Course(root).units[0].notebooks
