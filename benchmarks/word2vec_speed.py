"""How fast unit 06's word2vec trainer is against gensim's, and how good the vectors of both are.

    python benchmarks/word2vec_speed.py [--epochs 2] [--dim 50] [--batch 1024] [--pairs 300]

Nothing is retyped here: the reference answers of the solution notebook (its graded functions, read by the
course model) and its own training cells (the corpus, the trainer, the gensim reference: cells w2v-data,
w2v-train and w2v-references, executed from the notebook by cell id) are run as they are.

1. Per pair, a loop against the batch: the per-example loop that exercise 2 allows (one call of
   neg_sampling_loss_and_gradient per (center, outside) pair, then an SGD step on both (V, D) arrays, as a
   first trainer would be written), against the notebook's trainer, whose every step is one call of
   sgns_batch_loss_and_gradient on B pairs. Printed: targets (outside words) per second of each, and their ratio.
2. The notebook's trainer and gensim's Word2Vec (workers=1) on the same text (the Wikipedia sample without
   <unk> and <eos>), vocabulary, vector size, window, negatives, subsampling, learning rate and epochs, one
   after the other. Printed: words of text per second (each epoch reads every word, subsampled or not), the
   ratio, and both models' analogy accuracy and WordSim-353 and SimLex-999 correlations (utils.word_vectors).
   The trainer runs in the notebook's floating-point type (float32), and once more in float64 for comparison.

The course's goals: the batch at least 100 times the loop's targets per second, the trainer at least 0.25 times
gensim's words per second, and an analogy accuracy within 5 points of gensim's. Run it with one BLAS thread
(OPENBLAS_NUM_THREADS=1), as gensim runs with one worker.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.reference_cells import reference_namespace  # noqa: E402
from grading.course import Course  # noqa: E402
from utils.word_vectors import analogy_accuracy, similarity_correlation  # noqa: E402

CELLS = ("w2v-data", "w2v-train", "w2v-references")  # the corpus; the trainer and its settings; gensim's run




def loop_targets_per_second(ns, settings, pairs):
    """The per-example loop: one neg_sampling_loss_and_gradient call and one SGD step per pair."""
    rng = np.random.default_rng(0)
    V, D, K = len(ns["counts"]), settings["dim"], settings["negatives"]
    center_vectors, outside_vectors = (rng.random((V, D)) - 0.5) / D, np.zeros((V, D))
    centers, outsides = ns["context_pairs"](ns["text"][:pairs], settings["window"], rng)
    table, lr = ns["negative_table"](ns["counts"]), settings["lr"]
    start = time.perf_counter()
    for c, o in zip(centers[:pairs], outsides[:pairs]):
        negs = np.searchsorted(table, rng.random(K) * table[-1], side="right")
        _, dcenter, doutside = ns["neg_sampling_loss_and_gradient"](center_vectors[c], int(o), outside_vectors, negs)
        center_vectors[c] -= lr * dcenter
        outside_vectors -= lr * doutside
    return min(pairs, len(centers)) / (time.perf_counter() - start)


def scores(vectors, words):
    accuracy, answered, total = analogy_accuracy(vectors, words)
    wordsim, covered, pairs = similarity_correlation(vectors, words, "wordsim353")
    simlex, _, _ = similarity_correlation(vectors, words, "simlex999")
    return accuracy, answered, total, wordsim, covered, pairs, simlex


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, help="epochs (default: the notebook's)")
    parser.add_argument("--dim", type=int, help="vector size (default: the notebook's)")
    parser.add_argument("--batch", type=int, help="pairs per batch of the trainer (default: the notebook's)")
    parser.add_argument("--pairs", type=int, default=300, help="pairs the per-example loop trains on")
    args = parser.parse_args()

    notebook = Course(REPO).unit("06_word2vec").notebooks[0]
    blas = {name: os.environ[name] for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS") if name in os.environ}
    print(f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, numpy {np.__version__}, "
          f"BLAS threads: {blas or 'numpy default'}")
    os.chdir(notebook.path.parent)  # as the notebook runs
    ns = reference_namespace(notebook, CELLS)
    settings = dict(ns["w2v_settings"])
    for name, value in (("epochs", args.epochs), ("dim", args.dim), ("batch", args.batch)):
        if value is not None:
            settings[name] = value
    text, counts, words = ns["text"], ns["counts"], ns["words"]
    print(f"text: {len(text):,} words of the Wikipedia sample, vocabulary {len(words):,}; settings {settings}")

    # 1. the per-example loop against the batched trainer, in targets (pairs) per second
    loop = loop_targets_per_second(ns, settings, args.pairs)
    rng, keep = np.random.default_rng(0), ns["keep_probabilities"](counts, settings["sample"])
    kept = len(ns["context_pairs"](text[rng.random(len(text)) < keep[text]], settings["window"], rng)[0])
    print(f"\nper-example loop (neg_sampling_loss_and_gradient + SGD per pair): {loop:,.0f} targets/s")

    # 2. the trainer and gensim, same text and settings
    vectors, _, losses, seconds = ns["train_word2vec"](text, counts, settings)
    ours = settings["epochs"] * len(text) / seconds
    batch_targets = settings["epochs"] * kept / seconds
    print(f"batched trainer (sgns_batch_loss_and_gradient, B = {settings['batch']}): {batch_targets:,.0f} targets/s "
          f"(about {kept:,.0f} pairs an epoch), {batch_targets / loop:.0f} times the loop's")
    float64 = dict(settings, dtype="float64")
    *_, seconds64 = ns["train_word2vec"](text, counts, float64)
    print(f"the same trainer in float64: {settings['epochs'] * len(text) / seconds64:,.0f} words/s "
          f"({seconds64:.1f} s; the notebook trains in {settings['dtype']})")
    reference, gensim_seconds = ns["gensim_vectors"](text, settings)
    theirs = settings["epochs"] * len(text) / gensim_seconds
    print(f"\ntrainer: {ours:10,.0f} words/s ({seconds:.1f} s), final epoch loss {losses[-1]:.3f}")
    print(f"gensim:  {theirs:10,.0f} words/s ({gensim_seconds:.1f} s, workers=1)")
    print(f"ratio trainer / gensim: {ours / theirs:.3f} (goal: at least 0.25)")
    print(f"\n{'':10s} {'analogies':>10s} {'answered':>9s} {'WordSim-353':>12s} {'SimLex-999':>11s}")
    results = {}
    for name, table in (("trainer", vectors), ("gensim", reference)):
        accuracy, answered, total, wordsim, covered, pairs, simlex = results[name] = scores(table, words)
        print(f"{name:10s} {accuracy:10.3f} {answered:9d} {wordsim:12.3f} {simlex:11.3f}")
    print(f"(analogies answered of {total}; WordSim-353 pairs covered {covered} of {pairs})")
    gap = 100 * (results["trainer"][0] - results["gensim"][0])
    print(f"analogy accuracy, trainer - gensim: {gap:+.1f} points (goal: within 5)")


if __name__ == "__main__":
    main()
