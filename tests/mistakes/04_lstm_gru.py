"""Unit 04's planted mistakes (see tests/mistakes/__init__.py).

The round trips (tests/roundtrip.py) submit the first named plant: it comes first, before the plants
grouped by exercise in notebook order. It costs test_lstm_backward and test_lstm_lm_loss too, which call
lstm_step_backward.
"""
from tests.mistakes import Plant

DA = "[di * i * (1.0 - i), df * f * (1.0 - f), dg * (1.0 - g ** 2), do * o * (1.0 - o)]"

PLANTS = [
    Plant("lstm_step_backward", "block", "the forget gate's sigmoid derivative left out",
          edit=("df * f * (1.0 - f)", "df")),

    # lstm_step_forward
    Plant("lstm_step_forward", None, "gate blocks in the order [i, f, o, g]", edit=(
        "    g = np.tanh(a[:, 2 * H:3 * H])\n    o = sigmoid(a[:, 3 * H:])\n",
        "    g = np.tanh(a[:, 3 * H:])\n    o = sigmoid(a[:, 2 * H:3 * H])\n")),
    Plant("lstm_step_forward", None, "c_t instead of tanh(c_t) in h_t", edit=("tanh_c = np.tanh(c_next)", "tanh_c = c_next")),
    Plant("lstm_step_forward", None, "sigmoid for the candidate g", edit=("g = np.tanh(a[:, 2 * H:3 * H])",
                                                                           "g = sigmoid(a[:, 2 * H:3 * H])")),
    Plant("lstm_step_forward", None, "forget gate ignored (c_prev kept whole)",
          edit=("c_next = f * c_prev + i * g", "c_next = c_prev + i * g")),
    Plant("lstm_step_forward", "type", "cache holds an object",
          edit=("cache = (x, h_prev, c_prev, Wx, Wh, i, f, g, o, tanh_c)",
                "cache = (x, h_prev, c_prev, Wx, Wh, i, f, g, o, tanh_c, object())")),

    # lstm_step_backward (and the forget gate's derivative above)
    Plant("lstm_step_backward", "block", "the input and forget gates' blocks swapped in da", edit=(
        DA, "[df * f * (1.0 - f), di * i * (1.0 - i), dg * (1.0 - g ** 2), do * o * (1.0 - o)]")),
    Plant("lstm_step_backward", "block", "tanh' of the candidate left out", edit=("dg * (1.0 - g ** 2)", "dg")),
    Plant("lstm_step_backward", None, "f_t forgotten in dc_prev", edit=("dc_prev = dc * f", "dc_prev = dc")),
    Plant("lstm_step_backward", "block", "dc_next not added (the carousel cut)",
          edit=("dc = dc_next + dh_next", "dc = dh_next")),
    Plant("lstm_step_backward", "block", "tanh'(c_t) left out of the path from h_t to c_t",
          edit=("dh_next * o * (1.0 - tanh_c ** 2)", "dh_next * o")),
    Plant("lstm_step_backward", "block", "do without tanh(c_t)", edit=("do = dh_next * tanh_c", "do = dh_next")),
    Plant("lstm_step_backward", "transpose", "dWh transposed", edit=("dWh = h_prev.T @ da", "dWh = (h_prev.T @ da).T")),
    Plant("lstm_step_backward", "broadcast", "db not summed over the batch", edit=("db = da.sum(axis=0)", "db = da")),

    # lstm_forward
    Plant("lstm_forward", None, "cell state not carried", edit=(
        "lstm_step_forward(x[:, t], h_t, c_t, Wx, Wh, b)", "lstm_step_forward(x[:, t], h_t, np.zeros_like(h0), Wx, Wh, b)")),
    Plant("lstm_forward", None, "c0 = h0", edit=("h_t, c_t = h0, np.zeros_like(h0)", "h_t, c_t = h0, h0")),
    Plant("lstm_forward", "type", "cache holds an object", edit=("return h, cache", "return h, cache + [object()]")),

    # lstm_backward
    Plant("lstm_backward", "last_step", "dh_prev dropped (no gradient from the future through h)",
          edit=("dh[:, t] + dh_prev", "dh[:, t]")),
    Plant("lstm_backward", "last_step", "dc_prev reset at every step",
          edit=("lstm_step_backward(dh[:, t] + dh_prev, dc_prev, cache[t])",
                "lstm_step_backward(dh[:, t] + dh_prev, np.zeros((N, H)), cache[t])")),
    Plant("lstm_backward", "not_accumulated", "weight gradients of the last step only", edit=(
        "        dWx = dWx + dWx_t\n        dWh = dWh + dWh_t\n        db = db + db_t\n",
        "        if t == T - 1:\n            dWx, dWh, db = dWx_t, dWh_t, db_t\n")),

    # gru_step_forward
    Plant("gru_step_forward", None, "z and 1 - z swapped", edit=("h_next = (1.0 - z) * n + z * h_prev",
                                                               "h_next = z * n + (1.0 - z) * h_prev")),
    Plant("gru_step_forward", None, "reset gate applied to h_prev before the product",
          edit=("n = np.tanh(ax[:, 2 * H:] + r * hn)", "n = np.tanh(ax[:, 2 * H:] + (r * h_prev) @ Wh[:, 2 * H:])")),
    Plant("gru_step_forward", None, "reset gate forgotten", edit=("+ r * hn)", "+ hn)")),

    # gru_step_backward
    Plant("gru_step_backward", None, "the direct path to h_prev forgotten",
          edit=("dh_prev = dh_next * z + da_h @ Wh.T", "dh_prev = da_h @ Wh.T")),
    Plant("gru_step_backward", "block", "reset gate's scaling missing on the recurrent side of n",
          edit=("[delta_r, delta_z, delta_n * r]", "[delta_r, delta_z, delta_n]")),
    Plant("gru_step_backward", "block", "dz with n - h_prev", edit=("dz = dh_next * (h_prev - n)", "dz = dh_next * (n - h_prev)")),
    Plant("gru_step_backward", "block", "tanh' of the candidate left out",
          edit=("delta_n = dn * (1.0 - n ** 2)", "delta_n = dn")),

    # bidirectional_rnn_forward
    # the backward half of h in reversed time order: the reversal is the mistake, the half where it sits
    Plant("bidirectional_rnn_forward", "time_reversed", "backward states not reversed back",
          edit=("np.concatenate([h_f, h_b[:, ::-1]], axis=2)", "np.concatenate([h_f, h_b], axis=2)")),
    Plant("bidirectional_rnn_forward", "block", "reversed along the batch axis",
          edit=("h_b[:, ::-1]], axis=2)", "h_b[::-1]], axis=2)")),
    Plant("bidirectional_rnn_forward", "shape", "directions stacked on the time axis",
          edit=("np.concatenate([h_f, h_b[:, ::-1]], axis=2)", "np.concatenate([h_f, h_b[:, ::-1]], axis=1)")),

    # bidirectional_rnn_backward
    Plant("bidirectional_rnn_backward", "time_reversed", "the backward direction's dx not reversed back",
          edit=("dx = dx_f + dx_b[:, ::-1]", "dx = dx_f + dx_b")),
    Plant("bidirectional_rnn_backward", None, "dh of the backward direction not reversed",
          edit=("rnn_backward(dh[:, ::-1, H:], cache_b)", "rnn_backward(dh[:, :, H:], cache_b)")),
    Plant("bidirectional_rnn_backward", "zero", "dx of the backward direction dropped", edit=("dx = dx_f + dx_b[:, ::-1]", "dx = dx_f")),

    # lstm_lm_loss
    Plant("lstm_lm_loss", "transpose", "dW_out transposed", edit=('"W_out": h2.T @ d2', '"W_out": d2.T @ h2')),
    Plant("lstm_lm_loss", "broadcast", "db_out not summed", edit=('"b_out": d2.sum(axis=0)', '"b_out": d2')),
    Plant("lstm_lm_loss", None, "dW_out from the last step only",
          edit=('"W_out": h2.T @ d2', '"W_out": h[:, -1].T @ dlogits[:, -1]')),
]
