"""The note of an exercise graded again with the course's functions in place of the student's: its
wording when the exercise has functions of its own, and when it only tests functions graded before."""
from grading.verdict import Outcome, _on_its_own


class Process:
    """What _on_its_own asks of the student's process: which functions a run reaches, and whether it is alive."""

    process = object()
    stand_ins = {}

    def reaches(self, tested):
        return {"affine_backward"}


def note(own, second_run):
    outcome = _on_its_own(Outcome("wrong", "mismatch", wrong_value=True), {"two_layer_net"}, own,
                          lambda: {"affine_backward": None}, Process(), {"affine_backward"}, lambda: second_run)
    return outcome.note or outcome.reason


def test_the_note_names_the_exercises_own_function_and_the_one_to_fix_first():
    assert note({"two_layer_net"}, Outcome()).startswith(
        "Your two_layer_net is right, and earns its points: it passes with the course's affine_backward")
    assert "the mistake is in your two_layer_net itself" in note({"two_layer_net"}, Outcome("dW2 wrong", wrong_value=True))


def test_an_exercise_without_functions_of_its_own_is_named_as_work_not_left_blank():
    assert note(set(), Outcome()).startswith("Your work on this exercise is right")
    assert "the mistake is in your work on this exercise itself" in note(set(), Outcome("x", wrong_value=True))
