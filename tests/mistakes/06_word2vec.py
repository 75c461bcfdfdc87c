"""Unit 06's planted mistakes (see tests/mistakes/__init__.py).

The round trips (tests/roundtrip.py) submit the first named plant: it comes first, before the plants
grouped by exercise in notebook order. It costs test_neg_sampling_loss_and_gradient only: skipgram's
checks use a pair loss of their own, and sgns_batch_loss_and_gradient does not call it.

A repeated word's contributions written once instead of added ("not_accumulated": `d[idx] += g` where
np.add.at belongs, or a window that keeps its last word only) are named because the checks give their
losses the indices read as parameters: the checker splits a failing gradient into one per reading.
"""
from tests.mistakes import Plant

NEG_G = ("g_o = sigmoid(s_o) - 1.0  # dJ / ds_o", "g_neg = sigmoid(s_neg)  # dJ / ds_neg, (K,)")
BATCH_G = ("g_o = (sigmoid(s_o) - 1.0) / B", "g_neg = sigmoid(s_neg) / B")

PLANTS = [
    Plant("neg_sampling_loss_and_gradient", "sign", "gradient of the log-likelihood, not of the loss",
          edit=[(NEG_G[0], "g_o = 1.0 - sigmoid(s_o)"), (NEG_G[1], "g_neg = -sigmoid(s_neg)")]),

    # naive_softmax_loss_and_gradient
    Plant("naive_softmax_loss_and_gradient", "missing_one_hot", "one-hot not subtracted",
          edit=("delta[outside_idx] -= 1.0", "pass")),
    Plant("naive_softmax_loss_and_gradient", "sign", "dcenter sign flipped",
          edit=("dcenter = outside_vectors.T @ delta", "dcenter = -(outside_vectors.T @ delta)")),
    Plant("naive_softmax_loss_and_gradient", "transpose", "doutside transposed",
          edit=("doutside = np.outer(delta, center_vec)", "doutside = np.outer(center_vec, delta)")),
    Plant("naive_softmax_loss_and_gradient", "sign", "loss without the minus (the log-likelihood)",
          edit=("loss = np.log(np.sum(np.exp(shifted))) - shifted[outside_idx]",
                "loss = shifted[outside_idx] - np.log(np.sum(np.exp(shifted)))")),
    Plant("naive_softmax_loss_and_gradient", "missing_one_hot", "dcenter without the one-hot (U^T y_hat)",
          edit=("dcenter = outside_vectors.T @ delta", "dcenter = outside_vectors.T @ softmax(scores)")),

    # neg_sampling_loss_and_gradient (and the log-likelihood plant above)
    Plant("neg_sampling_loss_and_gradient", None, "repeated negatives counted once (np.unique)",
          edit=("neg_idx = np.asarray(neg_idx)", "neg_idx = np.unique(neg_idx)")),
    Plant("neg_sampling_loss_and_gradient", "not_accumulated", "doutside[neg_idx] += loses repeated negatives",
          edit=("np.add.at(doutside, neg_idx, np.outer(g_neg, center_vec))",
                             "doutside[neg_idx] += np.outer(g_neg, center_vec)")),
    Plant("neg_sampling_loss_and_gradient", None, "sigmoid(-x) where sigmoid(x) belongs (negatives' gradient)",
          edit=(NEG_G[1], "g_neg = sigmoid(-s_neg)")),
    Plant("neg_sampling_loss_and_gradient", None, "log sigmoid(x) where log sigmoid(-x) belongs (negatives' loss)",
          edit=("np.sum(np.logaddexp(0.0, s_neg))", "np.sum(np.logaddexp(0.0, -s_neg))")),
    Plant("neg_sampling_loss_and_gradient", "not_accumulated", "outside row assigned, not added (a negative equal to o)",
          edit=[("doutside[outside_idx] += g_o * center_vec\n    np.add.at(doutside, neg_idx, np.outer(g_neg, center_vec))",
                 "np.add.at(doutside, neg_idx, np.outer(g_neg, center_vec))\n    doutside[outside_idx] = g_o * center_vec")]),
    Plant("neg_sampling_loss_and_gradient", "sign", "dcenter sign flipped",
          edit=("dcenter = g_o * u_o + g_neg @ u_neg", "dcenter = -(g_o * u_o + g_neg @ u_neg)")),

    # skipgram
    Plant("skipgram", "not_accumulated", "gradients of the last window word only",
          edit=[("dcenter_vectors[center_word] += dcenter", "dcenter_vectors[center_word] = dcenter"),
                ("doutside_vectors += doutside", "doutside_vectors = doutside")]),
    # named as a factor only when the window repeats one word (then the sum is that many times the last term)
    Plant("skipgram", "not_accumulated", "loss of the last window word only",
          edit=("loss += pair_loss", "loss = pair_loss")),
    Plant("skipgram", None, "center gradient in the outside word's row",
          edit=("dcenter_vectors[center_word] += dcenter", "dcenter_vectors[outside_word] += dcenter")),
    Plant("skipgram", None, "center gradient in every row (broadcast)",
          edit=("dcenter_vectors[center_word] += dcenter", "dcenter_vectors += dcenter")),
    Plant("skipgram", None, "gradients returned in the wrong order",
          edit=("return float(loss), dcenter_vectors, doutside_vectors",
                "return float(loss), doutside_vectors, dcenter_vectors")),

    # sgns_batch_loss_and_gradient
    Plant("sgns_batch_loss_and_gradient", "factor", "gradient of the sum, loss the mean (1/B left out)",
          edit=[(BATCH_G[0], "g_o = sigmoid(s_o) - 1.0"), (BATCH_G[1], "g_neg = sigmoid(s_neg)")]),
    Plant("sgns_batch_loss_and_gradient", "not_accumulated", "doutside_vectors[negs] += loses repeats",
          edit=("add_rows(doutside_vectors, negs, g_neg[:, :, None] * v[:, None, :])",
                "doutside_vectors[negs] += g_neg[:, :, None] * v[:, None, :]")),
    Plant("sgns_batch_loss_and_gradient", "not_accumulated", "dcenter_vectors[centers] += loses repeated centers",
          edit=("add_rows(dcenter_vectors, centers, dv)", "dcenter_vectors[centers] += dv")),
    Plant("sgns_batch_loss_and_gradient", None, "sigmoid(-x) where sigmoid(x) belongs (negatives' gradient)",
          edit=(BATCH_G[1], "g_neg = sigmoid(-s_neg) / B")),
    Plant("sgns_batch_loss_and_gradient", "sign", "doutside sign flipped",
          edit=("return float(loss), dcenter_vectors, doutside_vectors",
                "return float(loss), dcenter_vectors, -doutside_vectors")),
    Plant("sgns_batch_loss_and_gradient", "factor", "loss summed, not averaged",
          edit=("np.sum(np.logaddexp(0.0, s_neg))) / B", "np.sum(np.logaddexp(0.0, s_neg)))")),
]
