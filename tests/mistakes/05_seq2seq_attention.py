"""Unit 05's planted mistakes (see tests/mistakes/__init__.py).

The round trips (tests/roundtrip.py) submit the first named plant: it comes first, before the plants grouped
by exercise in notebook order. It costs test_seq2seq_loss too, which calls attention_backward.
"""
from tests.mistakes import Plant

SOFTMAX_GRAD = "dscores = weights * (dweights - np.sum(dweights * weights, axis=2, keepdims=True))"
MASKED = "    if mask is not None:\n        scores = np.where(mask[:, None, :], scores, -np.inf)\n    weights = softmax(scores)\n"

PLANTS = [
    Plant("attention_backward", "sign", "dh_dec's sign flipped", edit=("dh_dec = dscores @ h_enc", "dh_dec = -(dscores @ h_enc)")),

    # attention_forward
    Plant("attention_forward", None, "softmax over the decoder steps, not the encoder steps",
          edit=("weights = softmax(scores)", "weights = softmax(scores.transpose(0, 2, 1)).transpose(0, 2, 1)")),
    Plant("attention_forward", None, "the mask applied after the softmax", edit=(
        MASKED, "    weights = softmax(scores)\n    if mask is not None:\n        weights = weights * mask[:, None, :]\n")),
    Plant("attention_forward", None, "the mask ignored", edit=(MASKED, "    weights = softmax(scores)\n")),
    Plant("attention_forward", None, "scores scaled by 1/sqrt(H) (not this course's attention)",
          edit=("scores = h_dec @ h_enc.transpose(0, 2, 1)", "scores = h_dec @ h_enc.transpose(0, 2, 1) / np.sqrt(h_dec.shape[2])")),

    # attention_backward (and the sign above)
    Plant("attention_backward", None, "dh_enc missing the path through the weights (the scores)",
          edit=("dh_enc = dh_enc + dscores.transpose(0, 2, 1) @ h_dec", "dh_enc = dh_enc")),
    Plant("attention_backward", None, "dh_enc missing the path through the weighted average",
          edit=("dh_enc = weights.transpose(0, 2, 1) @ dcontext", "dh_enc = 0.0")),
    Plant("attention_backward", None, "the softmax Jacobian's outer-product term left out",
          edit=(SOFTMAX_GRAD, "dscores = weights * dweights")),

    # reparameterize_forward
    Plant("reparameterize_forward", None, "exp(logvar) (the variance) used as the standard deviation",
          edit=("std = np.exp(0.5 * logvar)", "std = np.exp(logvar)")),
    Plant("reparameterize_forward", None, "the noise added unscaled", edit=("return mu + std * eps", "return mu + eps")),

    # reparameterize_backward
    Plant("reparameterize_backward", "factor", "the 0.5 forgotten in dlogvar", edit=("0.5 * dz * std * eps", "dz * std * eps")),
    Plant("reparameterize_backward", None, "dlogvar without the noise", edit=("0.5 * dz * std * eps", "0.5 * dz * std")),
    Plant("reparameterize_backward", "sign", "dmu with the wrong sign", edit=("return dz.copy(),", "return -dz,")),

    # kl_divergence
    Plant("kl_divergence", "factor", "summed over the batch, not averaged", edit=(
        "    N = mu.shape[0]\n", "    N = 1\n")),
    Plant("kl_divergence", "factor", "the 0.5 forgotten", edit=(
        "kl = 0.5 * np.sum(mu ** 2 + var - 1.0 - logvar) / N\n    return float(kl), mu / N, 0.5 * (var - 1.0) / N",
        "kl = np.sum(mu ** 2 + var - 1.0 - logvar) / N\n    return float(kl), 2 * mu / N, (var - 1.0) / N")),
    Plant("kl_divergence", None, "dlogvar without the -1", edit=("0.5 * (var - 1.0) / N", "0.5 * var / N")),

    # seq2seq_loss
    Plant("seq2seq_loss", None, "teacher forcing shifted by one (the decoder reads what it must predict)",
          edit=("embedding_forward(target[:, :-1], params[\"W_embed_dec\"])", "embedding_forward(target[:, 1:], params[\"W_embed_dec\"])")),
    Plant("seq2seq_loss", None, "dh_enc missing the path through the decoder's initial state",
          edit=("    dh_enc[:, -1] += dh0_dec\n", "")),
    Plant("seq2seq_loss", None, "the encoder gets no gradient through attention",
          edit=("dh_dec = dfeatures[:, :, H:] + dh_dec_attention\n",
                "dh_dec = dfeatures[:, :, H:] + dh_dec_attention\n        dh_enc = np.zeros_like(h_enc)\n")),
    Plant("seq2seq_loss", None, "the decoder starts from the first encoder state",
          edit=("h_dec, dec_cache = lstm_forward(x_dec, h_enc[:, -1],", "h_dec, dec_cache = lstm_forward(x_dec, h_enc[:, 0],")),
]
