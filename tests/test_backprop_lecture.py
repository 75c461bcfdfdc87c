"""Unit 02's lecture does what its prose promises: run headless, as CI runs notebooks, every result its text
describes is computed by the notebook and printed as a verdict line, and the text describes it truly.

The prose quotes no digit of a run; it says things like "the lowest final loss comes from a rate of a few
units", "the first layer receives a gradient many thousands of times smaller", "the mean square halves".
Each such sentence has a verdict line, e.g.
    lr verdict: lowest final loss at lr 5; upward jumps from lr 1; breaks down from lr 20
    depth verdict (lr 0.7): epochs on the plateau, final loss: tanh 1 layer 1 0.08; sigmoid 1 layer 9 0.61; ...
    relu verdict: E[relu(z)^2] / E[z^2] = 0.498 (exactly 1/2), Var(relu(z)) / Var(z) = 0.339 (...)
and the tests below read them and assert the ranges the prose states. The margins are wide (what was printed
when they were set is noted beside each), yet each assertion fails if its sentence became false: a learning
rate of 0.7 being best, a sigmoid stack without a plateau, a ReLU that halved the variance.

The training runs are deterministic (seeded generators), so their verdicts differ between machines only by
rounding in the chaotic large-rate runs. The timings (backward / forward, the numeric gradient's hours)
depend on the machine; they are best-of-15 measurements with one BLAS thread, and their ranges are wider.

The kernel runs with one BLAS thread, as tests/notebooks.py explains.
"""
import math
import re
from pathlib import Path

import pytest

from tests.notebooks import printed_by

pytestmark = pytest.mark.slow

NOTEBOOK = Path(__file__).resolve().parents[1] / "lectures" / "02_backprop.ipynb"
NUM = r"([-+0-9.e]+|inf)"


@pytest.fixture(scope="module")
def printed():
    return printed_by(NOTEBOOK)


def line(printed, pattern):
    found = re.findall(pattern, printed)
    assert found, f"{NOTEBOOK.name} should print a line matching {pattern!r}"
    return found


def test_the_top_delta_is_p_minus_y_over_n_only_without_an_activation(printed):
    (found,) = line(printed, r"top delta verdict: \(P - Y\)/N without activation (\w+); "
                             r"with a tanh on the last layer (\w+); times tanh'\(U_L\) (\w+)")
    assert found == ("passed", "failed", "passed"), f"the check of delta_L printed {found}"


def test_the_notes_index_of_w_gives_a_wrong_gradient(printed):
    found = dict(line(printed, r"index verdict: recursion with (W\^\(l\+1\)|W\^\(l\)), [^:]*: (\w+)"))
    assert found == {"W^(l+1)": "passed", "W^(l)": "failed"}, found


def test_sigmoid_deltas_vanish_and_tanh_relu_deltas_do_not(printed):
    found = {name: (float(ratio), float(low), float(median)) for name, ratio, low, _, median in line(
        printed, rf"vanishing verdict: (\w+)\s+\|delta_1\| / \|delta_10\| = {NUM}; each step down divides by "
                 rf"{NUM} to {NUM} \(median {NUM}\)")}
    assert sorted(found) == ["relu", "sigmoid", "tanh"], found
    ratio, low, median = found["sigmoid"]
    assert ratio <= 1e-4, f"sigmoid: first layer / top = {ratio}, not 'many thousands of times smaller' (2e-6)"
    assert low >= 3.0 and median >= 3.5, f"sigmoid: steps divide by {low}.. (median {median}), not 'about 4 or more'"
    for name in ("tanh", "relu"):
        assert found[name][0] >= 0.1, f"{name}: first layer / top = {found[name][0]}, not the same order (0.3, 0.7)"


def test_backward_costs_about_twice_forward_and_numeric_gradients_hours(printed):
    (found,) = line(printed, rf"cost verdict: at D = H = 1024 backward / forward = {NUM}; the numeric gradient "
                             rf"needs (\d+) forward passes, (\d+) times one backprop step, about {NUM} h here")
    ratio, passes, _, hours = float(found[0]), int(found[1]), found[2], float(found[3])
    # A timing on a machine busy with other tests: wide bounds, "a small multiple, more than forward".
    assert 1.1 <= ratio <= 5, f"backward / forward = {ratio}, not 'about twice' (printed 2.0-3.0)"
    assert passes == 2 * (1024 * 1024 + 1024)
    assert hours >= 0.5, f"the numeric gradient of the largest layer takes {hours} h, not 'hours' (printed 2.5)"


def test_relu_halves_the_mean_square_not_the_variance(printed):
    (found,) = line(printed, rf"relu verdict: E\[relu\(z\)\^2\] / E\[z\^2\] = {NUM} .*Var\(relu\(z\)\) / Var\(z\) = {NUM}")
    square, variance = map(float, found)
    assert abs(square - 0.5) <= 0.01, square
    assert abs(variance - (0.5 - 0.5 / math.pi)) <= 0.01, variance


def test_the_initialisation_experiment(printed):
    found = {label.strip(): (float(low), float(high), float(share)) for label, low, high, share in line(
        printed, rf"init verdict: (\w+, [^\n]*?)\s+mean square per layer [^;]*; ratio per layer {NUM} to {NUM}; "
                 rf"at layer 5 {NUM}%")}
    assert len(found) == 5, found
    assert found["tanh, std 1"][2] >= 50, f"tanh std 1: {found['tanh, std 1'][2]}% saturated, not 'most' (79)"
    low, high, _ = found["tanh, std 0.01"]
    assert 0.005 <= low and high <= 0.02, f"tanh std 0.01: mean square ratio {low}..{high}, not a hundredfold"
    low, high, zeros = found["relu, Xavier: var 1/n"]
    assert 0.35 <= low and high <= 0.7, f"ReLU Xavier: mean square ratio {low}..{high}, not 'about 0.5' (0.49-0.58)"
    assert 35 <= zeros <= 70, zeros
    low, high, zeros = found["relu, He: var 2/n"]
    assert 0.65 <= low and high <= 1.5, f"ReLU He: mean square ratio {low}..{high}, not 'about 1' (0.78-1.24)"
    assert 35 <= zeros <= 70, zeros


def test_the_bowl(printed):
    found = {float(lr): float(energy) for lr, energy in line(printed, rf"bowl verdict: lr {NUM}: E = {NUM} after 40 steps")}
    assert found[0.1] >= 0.5, f"lr 0.1 ends at E = {found[0.1]}, not 'still far from the minimum' (1.1)"
    assert found[0.9] <= found[0.1] / 100, f"lr 0.9 ends at E = {found[0.9]}, not far ahead of lr 0.1"


def test_the_learning_rate_advice(printed):
    (found,) = line(printed, rf"lr verdict: lowest final loss at lr {NUM}; upward jumps from lr {NUM}; breaks down from lr {NUM}")
    best, jumps, broken = map(float, found)
    assert 2 <= best <= 10, f"the lowest final loss is at lr {best}, not 'a rate of a few units' (5)"
    assert 0.7 <= jumps <= 2, f"upward jumps start at lr {jumps}, not 'from about 1' (1)"
    assert 10 <= broken <= 30, f"training breaks down from lr {broken}, not 'beyond 10' (20)"
    finals = {float(lr): float(loss) for lr, loss in line(printed, rf"lr = \s*{NUM}: final loss\s+{NUM}")}
    assert finals[0.1] >= 3 * finals[best], f"lr 0.1 ends at {finals[0.1]}: not 'too small, creeps down'"


def test_sigmoid_stacks_sit_on_a_plateau_that_grows_with_depth(printed):
    (text,) = line(printed, r"depth verdict \(lr 0\.7\): epochs on the plateau, final loss: ([^\n]*)")
    found = {(act, int(layers)): (int(plateau), float(final))
             for act, layers, plateau, final in re.findall(rf"(\w+) (\d) layers? (\d+) {NUM}", text)}
    sigmoid = [found["sigmoid", layers][0] for layers in (1, 2, 3, 4)]
    assert all(a < b for a, b in zip(sigmoid, sigmoid[1:])), f"sigmoid plateaus {sigmoid} do not grow with depth"
    assert sigmoid[3] >= 400, f"4 sigmoid layers: {sigmoid[3]} epochs on the plateau, not 'most of the 800' (560)"
    assert found["sigmoid", 1][1] >= 3 * found["tanh", 1][1], (
        f"1 layer: sigmoid ends at {found['sigmoid', 1][1]}, tanh at {found['tanh', 1][1]}: not 'much more slowly'")
    assert found["tanh", 1][0] <= 5 and found["tanh", 4][0] <= 5, "tanh does not leave the plateau at once"


def test_hidden_size_and_seed(printed):
    found = {}
    for hidden, accuracies, losses in line(printed, r"hidden verdict:\s+(\d+) units, seeds [\d,]+: accuracy ([\d. ]+); final loss ([\d. ]+)"):
        found[int(hidden)] = [float(a) for a in accuracies.split()], [float(v) for v in losses.split()]
    assert sorted(found) == [2, 3, 5, 10, 32], found
    for hidden in (2, 3):
        assert max(found[hidden][0]) < 0.9, f"{hidden} units reach {found[hidden][0]}: the text says below 90%"
    for hidden in (10, 32):
        assert min(found[hidden][0]) >= 0.93, f"{hidden} units reach only {found[hidden][0]}: the text says they separate"
    means = [sum(found[h][1]) / len(found[h][1]) for h in (2, 3, 5, 10, 32)]
    assert all(a > b for a, b in zip(means, means[1:])), f"final losses {means} do not fall with the hidden size"
    spread = {h: max(found[h][1]) - min(found[h][1]) for h in (2, 32)}
    assert spread[2] >= 2 * spread[32], f"seed spread of the final loss {spread}: not 'several times more' (0.10 vs 0.02)"
