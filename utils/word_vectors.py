"""Evaluate word vectors: nearest neighbours, analogies, and similarity judgements (unit 06).

    from utils.word_vectors import nearest, analogy_accuracy, similarity_correlation
    nearest(vectors, words, "king", k=5)                     # [(word, cosine), ...], the word itself left out
    accuracy, answered, total = analogy_accuracy(vectors, words)
    rho, covered, total = similarity_correlation(vectors, words, "wordsim353")   # or "simlex999"

`vectors` is a (V, D) array, one row per word, and `words` the list of the V words (word `words[i]`
has the vector `vectors[i]`), e.g. `corpus.words` of `utils.corpus.load_corpus`. Words are compared
in lower case, as `load_corpus` writes them.

The test sets are the ones the gensim wheel ships with its tests (nothing is downloaded, and gensim
is not imported, which takes a second or two):

- questions-words.txt: the Google analogy questions of Mikolov et al. (2013), 19,544 questions
  "a is to b as c is to d" in 14 sections (5 semantic: capitals, currencies, family...; 9 syntactic:
  plurals, tenses, comparatives...);
- wordsim353.tsv: WordSim-353 (Finkelstein et al., 2002), 353 word pairs with the mean human rating
  of how *related* the two words are (0-10: "cup" and "coffee" score high);
- simlex999.txt: SimLex-999 (Hill et al., 2015), 999 pairs rated for *similarity* proper (0-10:
  "cup" and "coffee" score low), which distributional vectors find much harder.

How each is scored
------------------
- nearest: the cosine similarity of the word's vector with every other word's; the k largest.
- analogy_accuracy: the 3CosAdd rule, as gensim's `evaluate_word_analogies` and the word2vec tool:
  with unit-length vectors, the answer to "a : b :: c : ?" is the word whose vector has the largest
  cosine with b - a + c, a, b and c themselves excluded. Only the questions whose four words are all
  in the vocabulary are asked ("answered"); the accuracy is the fraction of those answered right.
  With a small vocabulary few questions are covered, so always report the coverage with the accuracy.
- similarity_correlation: Spearman's rank correlation between the cosines of the pairs whose two
  words are in the vocabulary and the human ratings (ties get their average rank).

Nothing here computes a gradient or trains anything: these are measurements only.
"""

import numbers

import numpy as np

from utils.corpus import _gensim_file

DATASETS = {"wordsim353": "wordsim353.tsv", "simlex999": "simlex999.txt"}
ANALOGY_FILE = "questions-words.txt"
SEMANTIC_SECTIONS = ("capital-common-countries", "capital-world", "currency", "city-in-state", "family")

_cache = {}


def load_analogies():
    """The Google analogy questions: a list of (section, [a, b, c, d]) in the file's order, lowercased."""
    if "analogies" not in _cache:
        questions, section = [], None
        with open(_gensim_file(ANALOGY_FILE), encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                if line.startswith(":"):
                    section = line[1:].strip()
                    continue
                quad = line.lower().split()
                if len(quad) == 4:
                    questions.append((section, quad))
        _cache["analogies"] = questions
    return list(_cache["analogies"])


def load_similarity(dataset="wordsim353"):
    """The word pairs of `dataset` ("wordsim353" or "simlex999"): a list of (word1, word2, rating), lowercased."""
    if dataset not in DATASETS:
        raise ValueError(f"unknown similarity data set {dataset!r}: choose one of {', '.join(DATASETS)}")
    if dataset not in _cache:
        pairs = []
        with open(_gensim_file(DATASETS[dataset]), encoding="utf-8") as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                first, second, rating = line.rstrip("\n").split("\t")[:3]
                pairs.append((first.strip().lower(), second.strip().lower(), float(rating)))
        _cache[dataset] = pairs
    return list(_cache[dataset])


def nearest(vectors, words, word, k=5):
    """The k words whose vectors have the largest cosine similarity with `word`'s (the word itself left out).

    vectors: (V, D); words: the V words; word: a word of `words` (ValueError if it is not one); k: how many.
    Returns a list of k (word, cosine) pairs, the most similar first (ties: the lower index first).
    """
    unit, index = _prepare(vectors, words)
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    i = _lookup(index, word)
    cosines = unit @ unit[i]
    cosines[i] = -np.inf
    order = np.argsort(-cosines, kind="stable")[:min(int(k), len(words) - 1)]
    return [(words[j], float(cosines[j])) for j in order]


def analogy_accuracy(vectors, words, sections=None, batch=512):
    """The accuracy of the 3CosAdd rule on the Google analogy questions whose four words are all in `words`.

    vectors: (V, D); words: the V words. sections: None for all 14 sections, "semantic" or "syntactic",
    or a list of section names ("capital-common-countries", "gram1-adjective-to-adverb", ...).
    Returns (accuracy, answered, total): the fraction answered right (nan when none could be asked),
    the number of questions asked, and the number of questions in the chosen sections.
    """
    unit, index = _prepare(vectors, words)
    chosen = _sections(sections)
    questions = [quad for section, quad in load_analogies() if section in chosen]
    asked = np.array([[index[w] for w in quad] for quad in questions if all(w in index for w in quad)],
                     dtype=np.int64).reshape(-1, 4)
    correct = 0
    for start in range(0, len(asked), batch):
        a, b, c, d = asked[start:start + batch].T
        scores = (unit[b] - unit[a] + unit[c]) @ unit.T
        rows = np.arange(len(a))
        for excluded in (a, b, c):
            scores[rows, excluded] = -np.inf
        correct += int(np.sum(np.argmax(scores, axis=1) == d))
    accuracy = correct / len(asked) if len(asked) else float("nan")
    return accuracy, len(asked), len(questions)


def similarity_correlation(vectors, words, dataset="wordsim353"):
    """Spearman's correlation between cosine similarities and the human ratings of `dataset`.

    vectors: (V, D); words: the V words; dataset: "wordsim353" or "simlex999".
    Returns (spearman, covered, total): the correlation over the pairs whose two words are in `words`
    (nan when fewer than 2 are), the number of such pairs, and the number of pairs in the data set.
    """
    unit, index = _prepare(vectors, words)
    pairs = load_similarity(dataset)
    covered = [(index[a], index[b], rating) for a, b, rating in pairs if a in index and b in index]
    if len(covered) < 2:
        return float("nan"), len(covered), len(pairs)
    first, second, ratings = (np.array(column) for column in zip(*covered))
    cosines = np.sum(unit[first] * unit[second], axis=1)
    return spearman(cosines, ratings), len(covered), len(pairs)


def spearman(x, y):
    """Spearman's rank correlation of two equally long sequences of numbers (ties get their average rank)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"spearman needs two 1-D sequences of the same length, got shapes {x.shape} and {y.shape}")
    rx, ry = _ranks(x), _ranks(y)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    denominator = np.sqrt(np.sum(rx ** 2) * np.sum(ry ** 2))
    return float(np.sum(rx * ry) / denominator) if denominator > 0 else float("nan")


def _ranks(values):
    """Ranks 1..n of values, ties given the average of the ranks they share."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=ranks)
    return sums[inverse] / counts[inverse]


def _prepare(vectors, words):
    """Unit-length rows of vectors (zero rows stay zero) and {word: index}; ValueError for bad input."""
    vectors = np.asarray(vectors)
    if vectors.ndim != 2 or vectors.dtype.kind not in "fiu":
        raise ValueError(f"vectors must be a (V, D) array of numbers, got an array of shape {vectors.shape} "
                         f"and dtype {vectors.dtype}")
    words = list(words)
    if len(words) != vectors.shape[0]:
        raise ValueError(f"vectors has {vectors.shape[0]} rows but words has {len(words)} words: "
                         "they must match, one vector per word (row i is the vector of words[i])")
    if not np.isfinite(vectors).all():
        raise ValueError("vectors contains nan or inf: did the training diverge?")
    if len(set(words)) != len(words):
        raise ValueError("words has a word more than once: each row must be a different word")
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = vectors / np.where(norms > 0, norms, 1.0)
    return unit.astype(np.float64, copy=False), {str(w).lower(): i for i, w in enumerate(words)}


def _lookup(index, word):
    if not isinstance(word, str):
        raise ValueError(f"word must be a string, got {type(word).__name__}")
    if word.lower() not in index:
        raise ValueError(f"{word!r} is not in the vocabulary ({len(index)} words): pick a word of `words`")
    return index[word.lower()]


def _sections(sections):
    names = list(dict.fromkeys(section for section, _ in load_analogies()))
    if sections is None:
        return set(names)
    if sections == "semantic":
        return set(SEMANTIC_SECTIONS)
    if sections == "syntactic":
        return set(names) - set(SEMANTIC_SECTIONS)
    chosen = [sections] if isinstance(sections, str) else list(sections)
    unknown = [s for s in chosen if s not in names]
    if unknown:
        raise ValueError(f"unknown analogy sections {unknown}: choose 'semantic', 'syntactic' or among {names}")
    return set(chosen)
