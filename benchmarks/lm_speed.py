"""How fast unit 03's language model trains, and how long its solution notebook takes headless.

    python benchmarks/lm_speed.py

1. Training throughput at the capstone's settings: the reference answers of the solution notebook
   (its graded functions, read by the course model) and the capstone's own code cells (the corpus, the
   baselines, `lm_settings` and `train_epoch`, executed from the notebook by cell id, so that nothing is
   retyped here) train one epoch of stateful truncated BPTT with Adam. Printed: the words per second over
   the epoch (median of 3 epochs), and what one chunk's `rnn_lm_loss` costs, split into its parts.
2. The whole solution notebook run top to bottom in a fresh kernel with nbclient, as CI runs it, and the
   "LM verdict" line it prints: once with this process's environment (numpy's BLAS picks its threads), once
   with one BLAS thread (as the grading sandbox and tests/test_lm_capstone.py run it). OpenBLAS's threads
   busy-wait for work, so on a machine busy with other work the first can be several times slower.

The course sizes the capstone for well under a minute of training on 2 cores, and the whole notebook for
well under a minute.
"""

import os
import statistics
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.reference_cells import reference_namespace  # noqa: E402
from grading.course import Course  # noqa: E402

CAPSTONE_CELLS = ("lm-data", "lm-train")  # the corpus and baselines; the settings and the training code
REPEATS = 3




def throughput(ns):
    settings, corpus = ns["lm_settings"], ns["corpus"]
    data = ns["batchify"](corpus.train, settings["N"])
    words = data.shape[0] * (data.shape[1] - 1)  # one target per input word
    seconds = []
    for repeat in range(REPEATS):
        params = ns["init_lm"](ns["unigram"], settings["embedding"], settings["hidden"],
                                np.random.default_rng(repeat))
        start = time.perf_counter()
        ns["train_epoch"](params, {"t": 0, "m": {}, "v": {}}, data, settings["T"], settings["lr"])
        seconds.append(time.perf_counter() - start)
    epoch = statistics.median(seconds)
    print(f"corpus {corpus.name}: {len(corpus.train):,} training words, vocabulary {corpus.vocab_size:,}")
    print(f"settings {settings}")
    print(f"one epoch: {epoch:.2f} s (median of {REPEATS}), {words / epoch:,.0f} words per second")
    return params, data


def parts(ns, params, data):
    """Median time of each part of one chunk's rnn_lm_loss, and of the clipping and Adam update."""
    settings = ns["lm_settings"]
    N, T = settings["N"], settings["T"]
    inputs, targets, h0 = data[:, :T], data[:, 1:T + 1], np.zeros((N, settings["hidden"]))
    x, embed_cache = ns["embedding_forward"](inputs, params["W_embed"])
    h, rnn_cache = ns["rnn_forward"](x, h0, params["Wx"], params["Wh"], params["b"])
    logits = (h.reshape(N * T, -1) @ params["W_out"]).reshape(N, T, -1) + params["b_out"]
    _, dlogits = ns["temporal_softmax_cross_entropy"](logits, targets)
    dh = (dlogits.reshape(N * T, -1) @ params["W_out"].T).reshape(h.shape)
    dx = ns["rnn_backward"](dh, rnn_cache)[0]
    grads = ns["rnn_lm_loss"](params, inputs, targets, h0)[1]
    timed = {
        "embedding_forward": lambda: ns["embedding_forward"](inputs, params["W_embed"]),
        "rnn_forward": lambda: ns["rnn_forward"](x, h0, params["Wx"], params["Wh"], params["b"]),
        "output layer forward": lambda: h.reshape(N * T, -1) @ params["W_out"],
        "temporal_softmax_cross_entropy": lambda: ns["temporal_softmax_cross_entropy"](logits, targets),
        "output layer backward": lambda: (h.reshape(N * T, -1).T @ dlogits.reshape(N * T, -1),
                                          dlogits.reshape(N * T, -1) @ params["W_out"].T),
        "rnn_backward": lambda: ns["rnn_backward"](dh, rnn_cache),
        "embedding_backward": lambda: ns["embedding_backward"](dx, embed_cache),
        "rnn_lm_loss (all of the above)": lambda: ns["rnn_lm_loss"](params, inputs, targets, h0),
        "clip_grad_norm": lambda: ns["clip_grad_norm"](grads, 5.0),
    }
    print(f"\none chunk of {N} x {T} words (median of 20 calls)")
    for name, call in timed.items():
        times = []
        for _ in range(20):
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
        print(f"  {name:34s} {1000 * statistics.median(times):7.2f} ms")


def headless(notebook, env, label):
    """Run the notebook in a fresh kernel started with `env` added to this process's environment."""
    nb = nbformat.read(notebook.path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(notebook.path.parent)}})
    saved = dict(os.environ)
    os.environ.update(env)  # the kernel inherits it
    try:
        start = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - start
    finally:
        os.environ.clear()
        os.environ.update(saved)
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                      for o in c.outputs if o.output_type == "stream")
    verdict = next((line for line in printed.splitlines() if line.startswith("LM verdict:")), "no LM verdict printed")
    print(f"{notebook.path.relative_to(REPO)} headless, {label}: {seconds:.1f} s (kernel start included)")
    print(f"  {verdict}")


def main():
    notebook = Course(REPO).unit("03_rnn_bptt").notebooks[0]
    blas = {name: os.environ[name] for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS") if name in os.environ}
    print(f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, numpy {np.__version__}, "
          f"BLAS threads: {blas or 'numpy default'}")
    os.chdir(notebook.path.parent)  # as the notebook runs
    ns = reference_namespace(notebook, CAPSTONE_CELLS)
    params, data = throughput(ns)
    parts(ns, params, data)
    print()
    headless(notebook, {}, "BLAS threads as above")
    headless(notebook, {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")},
             "one BLAS thread")


if __name__ == "__main__":
    main()
