"""Unit 03's planted mistakes (see tests/mistakes/__init__.py)."""
from tests.mistakes import Plant

PLANTS = [
    Plant("rnn_step_backward", None, "tanh' left out",
          edit=("delta = dh_next * (1.0 - h_next ** 2)", "delta = dh_next"), named=False),
    Plant("rnn_step_backward", "transpose", "dWh transposed", edit=("dWh = h_prev.T @ delta", "dWh = delta.T @ h_prev")),
]
