"""The committed release matches a fresh regeneration, and notebooks are committed clean."""
import ast
import json

import nbformat
import pytest

from grading.paths import ASSIGNMENTS, LECTURES, REPO, SOLUTIONS, unit_names
from grading.release import build_release
from grading.source import read_solution_notebook

# Spec section 4: every graded function of every unit, including units not written yet, so that
# `utils` can never grow one of them by accident.
SPEC_GRADED_FUNCTIONS = {
    "softmax_jacobian", "elementwise_jacobian", "score_and_grads", "numeric_jacobian",
    "affine_forward", "affine_backward", "sigmoid_forward", "sigmoid_backward", "tanh_forward",
    "tanh_backward", "relu_forward", "relu_backward", "softmax_cross_entropy", "sgd", "momentum",
    "adagrad", "adam", "rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
    "clip_grad_norm", "lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward",
    "gru_step_forward", "gru_step_backward", "embedding_forward", "embedding_backward",
    "attention_forward", "attention_backward", "temporal_softmax_cross_entropy",
    "naive_softmax_loss_and_gradient", "neg_sampling_loss_and_gradient",
}

ALL_NOTEBOOKS = sorted(p.relative_to(REPO) for d in (LECTURES, SOLUTIONS, ASSIGNMENTS) for p in d.rglob("*.ipynb")
                       if ".ipynb_checkpoints" not in p.parts)


def notebook_files(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())


def test_release_is_in_sync_with_solutions(tmp_path):
    units = unit_names()
    assert units, "no units in solutions/"
    build_release(units, tmp_path)
    for unit in units:
        fresh, committed = tmp_path / unit, ASSIGNMENTS / unit
        assert notebook_files(fresh) == notebook_files(committed), (
            f"assignments/{unit} lists other files than a fresh release: run `python -m grading release`")
        for name in notebook_files(fresh):
            assert (fresh / name).read_bytes() == (committed / name).read_bytes(), (
                f"assignments/{unit}/{name} differs from a fresh release: run `python -m grading release`")


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=str)
def test_notebook_is_committed_clean(path):
    notebook = nbformat.read(REPO / path, as_version=4)
    nbformat.validate(notebook)
    assert "widgets" not in notebook.metadata, f"{path} carries widget state"
    ids = [cell.get("id") for cell in notebook.cells]
    assert all(ids) and len(set(ids)) == len(ids), f"{path} needs stable, unique cell ids"
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path} has outputs in cell {cell.id}"


def test_release_hides_solutions_and_hidden_tests():
    for unit in unit_names():
        for path in (ASSIGNMENTS / unit).glob("*.ipynb"):
            text = path.read_text()
            for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "hidden_test_"):
                assert marker not in text, f"{path} leaks {marker!r}"


def defined_names(package):
    names = set()
    for path in (REPO / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Assign):
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def test_utils_defines_no_graded_function():
    graded = set(SPEC_GRADED_FUNCTIONS)
    for unit in unit_names():
        for path in (SOLUTIONS / unit).glob("*.ipynb"):
            graded.update(read_solution_notebook(path).solutions)
    leaked = graded & defined_names("utils")
    assert not leaked, f"utils defines graded functions: {sorted(leaked)}"


def test_every_exercise_has_a_hidden_check_named_after_its_function():
    for unit in unit_names():
        for path in (SOLUTIONS / unit).glob("*.ipynb"):
            notebook = read_solution_notebook(path)
            assert notebook.exercises, f"{path} has no graded test cells"
            for exercise in notebook.exercises:
                assert exercise.points > 0, f"{exercise.grade_id} in {path} is worth no points"
                assert exercise.check_names, f"{exercise.grade_id} in {path} has no hidden_test_ function"
