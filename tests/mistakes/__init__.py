"""Planted mistakes: the classic wrong answers every exercise's hidden check must catch and name.

Each unit has a file ``tests/mistakes/<unit>.py`` with a list ``PLANTS``. A plant is the reference
answer of one solution cell with one classic mistake in it, written either as an edit of the
reference source (``edit=(old, new)`` or a list of such pairs, applied in order) or as the whole
wrong cell (``code=...``). It declares the ``kind`` the checker should report for it (a code of
``utils.diagnosis``: "sign", "transpose", "factor", "last_step", ...; None where no particular
mistake should be named, e.g. a hard-coded answer). Where the checker cannot name the mistake yet,
``named=False`` marks it as expected to improve: its diagnosis test is an expected failure, and the
suite says so when the checker starts naming it.

``tests/test_mistakes.py`` runs every plant through the hidden checks; the round trips
(nbgrader and the grading engine) take their wrong submissions from here too.
"""
import importlib.util
from dataclasses import dataclass

import numpy as np

from grading.source import SOLUTION_MARKERS, graded_function_names


class PlantError(Exception):
    """A plant that would not change its function: its edit no longer matches the reference."""


@dataclass(frozen=True)
class Plant:
    function: str  # the grade_id of the solution cell it replaces (the function's name)
    kind: str | None  # the diagnosis code the checker should report
    mistake: str  # what the student did, in a few words (the test id)
    edit: tuple | list = ()  # (old, new) or [(old, new), ...], applied to the reference source
    code: str | None = None  # or the whole planted cell
    named: bool = True  # False: the checker does not name this mistake yet
    exercise: str | None = None  # the exercise it must fail; default test_<function>

    def __post_init__(self):
        if not self.named and self.kind is None:
            raise ValueError(f"plant {self.id!r}: a mistake the checker should learn to name needs its kind")

    @property
    def grade_id(self):
        return self.exercise or f"test_{self.function}"

    @property
    def id(self):
        return f"{self.function}: {self.mistake}"

    def source(self, reference):
        """The planted cell, from the reference cell's source; PlantError if it would not differ."""
        if self.code is not None:
            planted = self.code
        else:
            edits = [self.edit] if self.edit and isinstance(self.edit[0], str) else list(self.edit)
            if not edits:
                raise PlantError(f"plant {self.id!r} has neither an edit nor code")
            planted = reference
            for old, new in edits:
                if old not in planted:
                    raise PlantError(f"plant {self.id!r}: {old!r} is not in the reference {self.function} "
                                     "(did the solution change? update the plant)")
                planted = planted.replace(old, new)
        if _normalised(planted) == _normalised(reference):
            raise PlantError(f"plant {self.id!r} does not change {self.function}")
        return planted


def plants(unit):
    """The PLANTS of `unit` (a grading.course.Unit); an error naming the file when there is none."""
    if not unit.mistakes_file.is_file():
        raise FileNotFoundError(f"unit {unit.name} has no mistakes file: write {unit.mistakes_file} "
                                "(see docs/authoring.md)")
    spec = importlib.util.spec_from_file_location(f"mistakes_{unit.name}", unit.mistakes_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.PLANTS)


def notebook_of(unit, function):
    """The solution notebook of `unit` that holds the solution cell `function`."""
    for notebook in unit.notebooks:
        if function in notebook.solutions:
            return notebook
    raise AssertionError(f"{function} is not a solution cell of unit {unit.name} "
                         f"(its graded functions: {', '.join(unit.graded_functions)})")


def planted_namespace(unit, plant):
    """The notebook's namespace (setup, hidden checks, answers) with the plant in place of its cell."""
    notebook = notebook_of(unit, plant.function)
    return notebook.namespace(replaced={plant.function: plant.source(notebook.solutions[plant.function])})


def run_exercise(notebook, grade_id, namespace, seed):
    """Run every hidden check of exercise `grade_id` on the functions of `namespace`."""
    exercise = next(e for e in notebook.exercises if e.grade_id == grade_id)
    for check_name in exercise.check_names:
        check = namespace[check_name]
        with np.errstate(all="ignore"):
            check(*[namespace[name] for name in graded_function_names(check)], np.random.default_rng(seed))


def failing_exercises(unit, plant, seed=0):
    """The grade_ids of the exercises whose hidden checks the plant fails (a plant can cost more
    than its own exercise: a later function may call the planted one)."""
    notebook = notebook_of(unit, plant.function)
    namespace = planted_namespace(unit, plant)
    failed = []
    for exercise in notebook.exercises:
        try:
            run_exercise(notebook, exercise.grade_id, namespace, seed)
        except Exception:  # noqa: BLE001 — any failure costs the exercise, as in the grader
            failed.append(exercise.grade_id)
    return failed


def round_trip_plant(unit):
    """The plant the round trips submit for `unit`: its first one the checker names."""
    named = [p for p in plants(unit) if p.named and p.kind is not None]
    if not named:
        raise AssertionError(f"{unit.mistakes_file} has no named plant for the round trips")
    return named[0]


def answer(source):
    """A solution cell's source as a student would type it: the nbgrader markers removed."""
    return SOLUTION_MARKERS.sub("", source)


def _normalised(source):
    return "\n".join(line.rstrip() for line in answer(source).strip().splitlines() if line.strip())
