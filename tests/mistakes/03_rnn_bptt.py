"""Unit 03's planted mistakes (see tests/mistakes/__init__.py).

The round trips (tests/roundtrip.py) submit the first named plant: it comes first, before the plants
grouped by exercise in notebook order. It costs test_tbptt_epoch too, whose loop calls rnn_backward.
"""
from tests.mistakes import Plant

TANH = "np.tanh(x @ Wx + h_prev @ Wh + b)"
TBPTT_GRADS = '{"Wx": dWx, "Wh": dWh, "b": db, "Wy": dWy, "by": dby}'
RNN_PARAMS = 'params["Wx"], params["Wh"], params["b"]'
LOSS, GRAD = "loss = -np.sum(log_p[mask]) / count", "dlogits *= mask[..., None] / count"
LOG_P = "log_p = np.take_along_axis(shifted, safe, axis=-1)[..., 0] - np.log(total[..., 0])"

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
        "def rnn_step_forward(x, h_prev, Wx, Wh, b):\n    return np.tanh([[0.5, 1.0], [-1.0, 2.0]]), (x,)\n")),

    # checkpoint_dh_prev: dL/dh_{t-1} for one fixed step, derived by hand
    Plant("checkpoint_dh_prev", "missing_local_derivative", "tanh' left out",
          edit=("delta = dh_t * (1.0 - h_t ** 2)", "delta = dh_t")),
    Plant("checkpoint_dh_prev", "transpose", "Wh not transposed",
          edit=("return delta @ Wh.T", "return delta @ Wh")),
    Plant("checkpoint_dh_prev", None, "tanh' as 1 - h_t", edit=("(1.0 - h_t ** 2)", "(1.0 - h_t)")),

    # rnn_step_backward
    Plant("rnn_step_backward", "missing_local_derivative", "tanh' left out",
          edit=("delta = dh_next * (1.0 - h_next ** 2)", "delta = dh_next")),
    Plant("rnn_step_backward", "missing_local_derivative", "tanh' at h_prev",
          edit=("(1.0 - h_next ** 2)", "(1.0 - h_prev ** 2)")),
    Plant("rnn_step_backward", "transpose", "dWh transposed", edit=("dWh = h_prev.T @ delta", "dWh = delta.T @ h_prev")),
    Plant("rnn_step_backward", "transpose", "dh_prev through Wh, not Wh.T",
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
    # (T, N, H): the hidden check keeps N != T, so that the swapped axes show in the shape
    Plant("rnn_forward", "transpose", "time-major output",
          edit=("return h, cache", "return h.transpose(1, 0, 2), cache")),
    Plant("rnn_forward", "type", "cache holds an object", edit=("return h, cache", "return h, cache + [object()]")),

    # rnn_backward (and "dh_prev dropped" above)
    Plant("rnn_backward", "last_step", "only the last step's upstream gradient",
          edit=("dh[:, t] + dh_prev", "(dh[:, t] if t == T - 1 else dh_prev)")),
    Plant("rnn_backward", "not_accumulated", "weight gradients of the last step only", edit=(
        "        dWx = dWx + dWx_t\n        dWh = dWh + dWh_t\n        db = db + db_t\n",
        "        if t == T - 1:\n            dWx, dWh, db = dWx_t, dWh_t, db_t\n")),
    Plant("rnn_backward", "not_accumulated", "dW = instead of dW +=",
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
    Plant("rnn_backward", "time_reversed", "dx in reversed time order",
          edit=("np.stack(dx, axis=1)", "np.stack(dx[::-1], axis=1)")),
    Plant("rnn_step_backward", "missing_local_derivative", "tanh' left out (through rnn_backward)",
          edit=("delta = dh_next * (1.0 - h_next ** 2)", "delta = dh_next"), exercise="test_rnn_backward"),

    # clip_grad_norm
    Plant("clip_grad_norm", "not_global_norm", "each tensor clipped by its own norm",
          edit=("g * scale for", "g * min(1.0, max_norm / np.sqrt(np.sum(g ** 2))) for")),
    Plant("clip_grad_norm", "not_global_norm", "clipped by value",
          edit=("g * scale for", "np.clip(g, -max_norm, max_norm) for")),
    Plant("clip_grad_norm", None, "sum of the tensors' norms", edit=(
        "float(np.sqrt(sum(np.sum(np.square(g)) for g in grads.values())))",
        "float(sum(np.sqrt(np.sum(np.square(g))) for g in grads.values()))")),
    Plant("clip_grad_norm", None, "norm after clipping returned", edit=("}, total_norm", "}, total_norm * scale")),
    Plant("clip_grad_norm", "factor", "rescaled even below max_norm",
          edit=("max_norm / total_norm if total_norm > max_norm else 1.0", "max_norm / total_norm")),
    Plant("clip_grad_norm", "factor", "inverted factor", edit=("max_norm / total_norm if", "total_norm / max_norm if")),
    Plant("clip_grad_norm", "inplace", "gradients scaled in place", edit=(
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
    Plant("tbptt_epoch", "not_global_norm", "each tensor clipped by its own norm", edit=(
        f"grads, _ = clip_grad_norm({TBPTT_GRADS}, max_norm)",
        f"grads = {{name: clip_grad_norm({{name: g}}, max_norm)[0][name] for name, g in {TBPTT_GRADS}.items()}}")),
    Plant("tbptt_epoch", None, "loss after the update", edit=(
        "        h = hs[:, -1]\n        losses.append(loss)\n",
        (f"        hs_after, _ = rnn_forward(x_chunk, h, {RNN_PARAMS})\n"
         '        losses.append(mse_readout(hs_after, y_chunk, params["Wy"], params["by"])[0])\n'
         "        h = hs[:, -1]\n"))),
    Plant("tbptt_epoch", None, "state from the updated parameters",
          edit=("        h = hs[:, -1]\n", f"        h = rnn_forward(x_chunk, h, {RNN_PARAMS})[0][:, -1]\n")),
    Plant("tbptt_epoch", "inplace", "params updated in place", edit=(
        "        params = {name: params[name] - lr * grads[name] for name in params}\n",
        "        for name in params:\n            params[name] -= lr * grads[name]\n")),

    # The language model (exercises 7 to 11). The sampler's plants name no kind: the checks test properties of
    # samples (the greedy path, the generator's state, frequencies) and say what is wrong in words.

    # embedding_forward
    Plant("embedding_forward", "shape", "output flattened to (idx.size, D)", edit=("out = W[idx]", "out = W[np.ravel(idx)]")),
    Plant("embedding_forward", "shape", "hard-coded visible answer", code=(
        "def embedding_forward(idx, W):\n    return np.array([[[4.0, 5.0], [0.0, 1.0]], [[2.0, 3.0], [4.0, 5.0]]]), (idx,)\n")),
    Plant("embedding_forward", "type", "cache holds an object",
          edit=("cache = (idx, W.shape)", "cache = (idx, W.shape, object())")),

    # embedding_backward
    Plant("embedding_backward", "not_accumulated", "dW[idx] += dout (repeated words not added up)",
          edit=("np.add.at(dW, idx, dout)", "dW[idx] += dout")),
    Plant("embedding_backward", "not_accumulated", "dW[idx] = dout",
          edit=("np.add.at(dW, idx, dout)", "dW[idx] = dout")),
    Plant("embedding_backward", "transpose", "dW transposed", edit=("return dW", "return dW.T")),

    # temporal_softmax_cross_entropy
    Plant("temporal_softmax_cross_entropy", "factor", "padding counted in the mean",
          edit=[(LOSS, LOSS.replace("count", "targets.size")), (GRAD, GRAD.replace("count", "targets.size"))]),
    Plant("temporal_softmax_cross_entropy", "factor", "mean over the batch only",
          edit=[(LOSS, LOSS.replace("count", "len(targets)")), (GRAD, GRAD.replace("count", "len(targets)"))]),
    Plant("temporal_softmax_cross_entropy", "factor", "sum instead of mean",
          edit=[(LOSS, LOSS.replace(" / count", "")), (GRAD, GRAD.replace(" / count", ""))]),
    Plant("temporal_softmax_cross_entropy", "nan", "no max shift (exp overflows)",
          edit=("shifted = logits - logits.max(axis=-1, keepdims=True)", "shifted = logits")),
    Plant("temporal_softmax_cross_entropy", None, "ignored positions given a gradient",
          edit=(GRAD, "dlogits /= count")),
    Plant("temporal_softmax_cross_entropy", "nan", "log of the probability (underflows to log 0)",
          edit=(LOG_P, "log_p = np.log(np.take_along_axis(exp / total, safe, axis=-1)[..., 0])")),
    Plant("temporal_softmax_cross_entropy", "nan", "all padding divides by zero", edit=(
        "    if count == 0:\n        return 0.0, np.zeros_like(logits)\n", "")),
    Plant("temporal_softmax_cross_entropy", None, "softmax over the time axis", edit=[
        ("logits.max(axis=-1, keepdims=True)", "logits.max(axis=1, keepdims=True)"),
        ("exp.sum(axis=-1, keepdims=True)", "exp.sum(axis=1, keepdims=True)"),
        ("np.log(total[..., 0])", "np.log(np.take_along_axis(total, safe, axis=-1)[..., 0])")]),

    # rnn_lm_loss
    Plant("rnn_lm_loss", None, "targets shifted by one again", edit=(
        "temporal_softmax_cross_entropy(logits, targets, ignore_index)",
        "temporal_softmax_cross_entropy(\n        logits, np.concatenate([targets[:, 1:], np.full((N, 1), ignore_index)], axis=1), ignore_index)")),
    Plant("rnn_lm_loss", None, "ignore_index not passed on", edit=(
        "temporal_softmax_cross_entropy(logits, targets, ignore_index)", "temporal_softmax_cross_entropy(logits, targets)")),
    Plant("rnn_lm_loss", None, "h0 ignored",
          edit=('rnn_forward(x, h0, params["Wx"]', 'rnn_forward(x, np.zeros_like(h0), params["Wx"]')),
    Plant("rnn_lm_loss", "transpose", "dW_out transposed", edit=("dW_out = h2.T @ d2", "dW_out = d2.T @ h2")),
    Plant("rnn_lm_loss", "broadcast", "db_out summed over time only",
          edit=("db_out = d2.sum(axis=0)", "db_out = dlogits.sum(axis=1)")),
    Plant("rnn_lm_loss", "zero", "W_embed gets no gradient",
          edit=("dW_embed = embedding_backward(dx, embed_cache)", 'dW_embed = np.zeros_like(params["W_embed"])')),
    Plant("rnn_lm_loss", None, "h_last is the first step's state", edit=("return loss, grads, h[:, -1]", "return loss, grads, h[:, 0]")),

    # sample_lm
    Plant("sample_lm", None, "temperature ignored", edit=("softmax(logits / temperature)", "softmax(logits)")),
    Plant("sample_lm", None, "logits multiplied by the temperature",
          edit=("softmax(logits / temperature)", "softmax(logits * temperature)")),
    Plant("sample_lm", None, "greedy instead of sampling",
          edit=("word = rng.choice(V, p=softmax(logits / temperature))", "word = int(np.argmax(logits))")),
    Plant("sample_lm", None, "numpy's global generator instead of rng",
          edit=("word = rng.choice(V, p=", "word = np.random.choice(V, p=")),
    Plant("sample_lm", None, "state reset at every step",
          edit=('rnn_step_forward(x, h, params["Wx"]', 'rnn_step_forward(x, np.zeros_like(h), params["Wx"]')),
    Plant("sample_lm", None, "start_id returned as the first id", edit=[
        ("    for i in range(length):\n", "    ids[0] = start_id\n    for i in range(length - 1):\n"),
        ("        ids[i] = word\n", "        ids[i + 1] = word\n")]),
]
