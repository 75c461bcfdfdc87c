"""Unit 03's planted mistakes (see tests/mistakes/__init__.py).

The round trips (tests/roundtrip.py) submit the first named plant: it comes first, before the plants
grouped by exercise in notebook order. It costs test_tbptt_epoch too, whose loop calls rnn_backward.
"""
from tests.mistakes import Plant

TANH = "np.tanh(x @ Wx + h_prev @ Wh + b)"
TBPTT_GRADS = '{"Wx": dWx, "Wh": dWh, "b": db, "Wy": dWy, "by": dby}'
RNN_PARAMS = 'params["Wx"], params["Wh"], params["b"]'

PLANTS = [
    Plant("rnn_backward", "last_step", "dh_prev dropped (no gradient from the future)",
          edit=("dh[:, t] + dh_prev", "dh[:, t]")),

    # rnn_step_forward
    Plant("rnn_step_forward", None, "sigmoid instead of tanh",
          edit=(TANH, "1 / (1 + np.exp(-(x @ Wx + h_prev @ Wh + b)))")),
    Plant("rnn_step_forward", None, "bias missing", edit=("h_prev @ Wh + b)", "h_prev @ Wh)")),
    Plant("rnn_step_forward", None, "h_prev @ Wh.T", edit=("h_prev @ Wh + b", "h_prev @ Wh.T + b")),
    Plant("rnn_step_forward", None, "no tanh", edit=(TANH, "x @ Wx + h_prev @ Wh + b")),
    Plant("rnn_step_forward", "type", "cache holds an object",
          edit=("cache = (x, h_prev, Wx, Wh, h_next)", "cache = (x, h_prev, Wx, Wh, h_next, object())")),
    Plant("rnn_step_forward", "shape", "hard-coded visible answer", code=(
        "def rnn_step_forward(x, h_prev, Wx, Wh, b):\n    return np.array([[0.0, np.tanh(0.5)]]), (x,)\n")),

    # rnn_step_backward
    Plant("rnn_step_backward", "missing_local_derivative", "tanh' left out", named=False,
          edit=("delta = dh_next * (1.0 - h_next ** 2)", "delta = dh_next")),
    Plant("rnn_step_backward", "missing_local_derivative", "tanh' at h_prev", named=False,
          edit=("(1.0 - h_next ** 2)", "(1.0 - h_prev ** 2)")),
    Plant("rnn_step_backward", "transpose", "dWh transposed", edit=("dWh = h_prev.T @ delta", "dWh = delta.T @ h_prev")),
    Plant("rnn_step_backward", "transpose", "dh_prev through Wh, not Wh.T", named=False,
          edit=("dh_prev = delta @ Wh.T", "dh_prev = delta @ Wh")),
    Plant("rnn_step_backward", "broadcast", "db not summed over the batch", edit=("db = delta.sum(axis=0)", "db = delta")),
    Plant("rnn_step_backward", "sign", "dx sign flipped", edit=("dx = delta @ Wx.T", "dx = -delta @ Wx.T")),
    Plant("rnn_step_backward", None, "four gradients",
          edit=("return dx, dh_prev, dWx, dWh, db", "return dx, dh_prev, dWx, dWh")),

    # rnn_forward
    Plant("rnn_forward", None, "h0 ignored", edit=("    h_t = h0\n", "    h_t = np.zeros_like(h0)\n")),
    Plant("rnn_forward", None, "state not carried",
          edit=("rnn_step_forward(x[:, t], h_t,", "rnn_step_forward(x[:, t], h0,")),
    Plant("rnn_forward", None, "states shifted by one (h0 .. h_(T-1))", edit=(
        "        h_t, step_cache = rnn_step_forward(x[:, t], h_t, Wx, Wh, b)\n        h[:, t] = h_t\n",
        "        h[:, t] = h_t\n        h_t, step_cache = rnn_step_forward(x[:, t], h_t, Wx, Wh, b)\n")),
    # (T, N, H): the checker says "shape" when N != T and nothing when N == T; the axes are transposed
    Plant("rnn_forward", "transpose", "time-major output", named=False,
          edit=("return h, cache", "return h.transpose(1, 0, 2), cache")),
    Plant("rnn_forward", "type", "cache holds an object", edit=("return h, cache", "return h, cache + [object()]")),

    # rnn_backward (and "dh_prev dropped" above)
    Plant("rnn_backward", "last_step", "only the last step's upstream gradient",
          edit=("dh[:, t] + dh_prev", "(dh[:, t] if t == T - 1 else dh_prev)")),
    Plant("rnn_backward", "not_accumulated", "weight gradients of the last step only", named=False, edit=(
        "        dWx = dWx + dWx_t\n        dWh = dWh + dWh_t\n        db = db + db_t\n",
        "        if t == T - 1:\n            dWx, dWh, db = dWx_t, dWh_t, db_t\n")),
    Plant("rnn_backward", "not_accumulated", "dW = instead of dW +=", named=False,
          edit=[("dWx = dWx + dWx_t", "dWx = dWx_t"), ("dWh = dWh + dWh_t", "dWh = dWh_t"), ("db = db + db_t", "db = db_t")]),
    Plant("rnn_backward", "last_step", "dx from each step's own upstream gradient only", edit=(
        "return np.stack(dx, axis=1),",
        "return np.stack([rnn_step_backward(dh[:, t], cache[t])[0] for t in range(T)], axis=1),")),
    Plant("rnn_backward", "last_step", "only the last step computed", edit=[
        ("dx = [None] * T", "dx = [np.zeros_like(step_cache[0]) for step_cache in cache]"),
        ("        db = db + db_t\n", "        db = db + db_t\n        break\n")]),
    Plant("rnn_backward", None, "loop forwards in time", edit=("for t in reversed(range(T)):", "for t in range(T):")),
    Plant("rnn_backward", "transpose", "dWh transposed", edit=("dWh = dWh + dWh_t", "dWh = dWh + dWh_t.T")),
    Plant("rnn_backward", "zero", "dh0 zero",
          edit=("np.stack(dx, axis=1), dh_prev,", "np.stack(dx, axis=1), np.zeros_like(dh_prev),")),
    Plant("rnn_backward", "time_reversed", "dx in reversed time order", named=False,
          edit=("np.stack(dx, axis=1)", "np.stack(dx[::-1], axis=1)")),
    Plant("rnn_step_backward", "missing_local_derivative", "tanh' left out (through rnn_backward)", named=False,
          edit=("delta = dh_next * (1.0 - h_next ** 2)", "delta = dh_next"), exercise="test_rnn_backward"),

    # clip_grad_norm
    Plant("clip_grad_norm", "not_global_norm", "each tensor clipped by its own norm", named=False,
          edit=("g * scale for", "g * min(1.0, max_norm / np.sqrt(np.sum(g ** 2))) for")),
    Plant("clip_grad_norm", "not_global_norm", "clipped by value", named=False,
          edit=("g * scale for", "np.clip(g, -max_norm, max_norm) for")),
    Plant("clip_grad_norm", None, "sum of the tensors' norms", edit=(
        "float(np.sqrt(sum(np.sum(np.square(g)) for g in grads.values())))",
        "float(sum(np.sqrt(np.sum(np.square(g))) for g in grads.values()))")),
    Plant("clip_grad_norm", None, "norm after clipping returned", edit=("}, total_norm", "}, total_norm * scale")),
    Plant("clip_grad_norm", "factor", "rescaled even below max_norm",
          edit=("max_norm / total_norm if total_norm > max_norm else 1.0", "max_norm / total_norm")),
    Plant("clip_grad_norm", "factor", "inverted factor", edit=("max_norm / total_norm if", "total_norm / max_norm if")),
    Plant("clip_grad_norm", "inplace", "gradients scaled in place", named=False, edit=(
        "    return {name: g * scale for name, g in grads.items()}, total_norm",
        "    for g in grads.values():\n        g *= scale\n    return dict(grads), total_norm")),

    # tbptt_epoch
    Plant("tbptt_epoch", None, "h reset to h0 between chunks", edit=("rnn_forward(x_chunk, h,", "rnn_forward(x_chunk, h0,")),
    Plant("tbptt_epoch", None, "h zeroed at every chunk",
          edit=("rnn_forward(x_chunk, h,", "rnn_forward(x_chunk, np.zeros_like(h),")),
    Plant("tbptt_epoch", None, "gradient flows across chunks (full BPTT)", edit=(
        (f"hs, cache = rnn_forward(x_chunk, h, {RNN_PARAMS})\n"
         '        loss, dhs, dWy, dby = mse_readout(hs, y_chunk, params["Wy"], params["by"])'),
        (f"hs, cache = rnn_forward(x[:, :start + chunk], h0, {RNN_PARAMS})\n"
         "        dhs = np.zeros_like(hs)\n"
         '        loss, dhs[:, start:], dWy, dby = mse_readout(hs[:, start:], y_chunk, params["Wy"], params["by"])'))),
    Plant("tbptt_epoch", None, "one update at the end", edit=[
        ("    losses = []\n", "    losses, total = [], {}\n"),
        ("params = {name: params[name] - lr * grads[name] for name in params}",
         "total = {name: total.get(name, 0.0) + grads[name] for name in params}"),
        ("return params, h, losses", "return {name: params[name] - lr * total[name] for name in params}, h, losses")]),
    Plant("tbptt_epoch", "factor", "no clipping", edit=("grads, _ = clip_grad_norm({", "grads, _ = ({")),
    Plant("tbptt_epoch", "not_global_norm", "each tensor clipped by its own norm", named=False, edit=(
        f"grads, _ = clip_grad_norm({TBPTT_GRADS}, max_norm)",
        f"grads = {{name: clip_grad_norm({{name: g}}, max_norm)[0][name] for name, g in {TBPTT_GRADS}.items()}}")),
    Plant("tbptt_epoch", None, "loss after the update", edit=(
        "        h = hs[:, -1]\n        losses.append(loss)\n",
        (f"        hs_after, _ = rnn_forward(x_chunk, h, {RNN_PARAMS})\n"
         '        losses.append(mse_readout(hs_after, y_chunk, params["Wy"], params["by"])[0])\n'
         "        h = hs[:, -1]\n"))),
    Plant("tbptt_epoch", None, "state from the updated parameters",
          edit=("        h = hs[:, -1]\n", f"        h = rnn_forward(x_chunk, h, {RNN_PARAMS})[0][:, -1]\n")),
    Plant("tbptt_epoch", "inplace", "params updated in place", named=False, edit=(
        "        params = {name: params[name] - lr * grads[name] for name in params}\n",
        "        for name in params:\n            params[name] -= lr * grads[name]\n")),
]
