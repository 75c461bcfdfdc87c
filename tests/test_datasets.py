"""The generated data sets: deterministic, well-formed, balanced, and (for NER) in need of context."""
from collections import Counter, defaultdict

import numpy as np
import pytest

from utils.datasets import (
    AMBIGUOUS,
    HELD_OUT,
    NER_CLASSES,
    PAD_LEFT,
    PAD_RIGHT,
    UNK,
    build_vocab,
    ner_corpus,
    ner_windows,
    spiral,
)

# ----------------------------------------------------------------------------------- spiral

def test_spiral_is_deterministic():
    X1, y1 = spiral(seed=3)
    X2, y2 = spiral(seed=3)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.array_equal(X1, spiral(seed=4)[0])


@pytest.mark.parametrize("n_per_class,n_classes", [(100, 3), (7, 5)])
def test_spiral_shapes_and_balance(n_per_class, n_classes):
    X, y = spiral(n_per_class=n_per_class, n_classes=n_classes)
    assert X.shape == (n_per_class * n_classes, 2) and X.dtype == np.float64
    assert y.shape == (n_per_class * n_classes,) and y.dtype.kind == "i"
    assert np.bincount(y).tolist() == [n_per_class] * n_classes
    assert np.linalg.norm(X, axis=1).max() <= 1 + 1e-12  # noise moves the angle, not the radius


def test_spiral_is_not_linearly_separable():
    # A least-squares linear classifier on one-hot targets gets nowhere near the spiral.
    X, y = spiral()
    features = np.column_stack([X, np.ones(len(X))])
    weights, *_ = np.linalg.lstsq(features, np.eye(3)[y], rcond=None)
    assert np.mean((features @ weights).argmax(axis=1) == y) < 0.7


# --------------------------------------------------------------------------------- NER corpus

@pytest.fixture(scope="module")
def train():
    return ner_corpus(2000, seed=0, split="train")


@pytest.fixture(scope="module")
def test_split():
    return ner_corpus(500, seed=0, split="test")


def test_ner_corpus_is_deterministic(train):
    assert ner_corpus(2000, seed=0, split="train") == train
    assert ner_corpus(50, seed=1) != ner_corpus(50, seed=0)
    assert ner_corpus(50, seed=0, split="test") != ner_corpus(50, seed=0, split="train")
    with pytest.raises(ValueError):
        ner_corpus(5, split="dev")


def test_ner_corpus_is_well_formed(train):
    assert len(train) == 2000
    for tokens, tags in train:
        assert isinstance(tokens, tuple) and isinstance(tags, tuple)
        assert len(tokens) == len(tags) >= 3
        assert set(tags) <= set(NER_CLASSES)
        assert all(isinstance(w, str) and w and " " not in w for w in tokens)
        assert tokens[-1] == "."  # sentences, ending like sentences


def test_ner_corpus_has_several_entity_classes_in_reasonable_balance(train):
    counts = Counter(tag for _, tags in train for tag in tags)
    entities = sum(counts[c] for c in NER_CLASSES[1:])
    assert counts["O"] > entities  # as in real text, most words are not entities
    for c in NER_CLASSES[1:]:
        assert counts[c] / entities > 0.1, f"class {c} is too rare: {counts}"
    assert sum(1 for _, tags in train if len(set(tags) - {"O"}) >= 2) > 500  # sentences mixing classes


def test_ner_corpus_looks_like_varied_sentences(train):
    sentences = {" ".join(tokens) for tokens, _ in train}
    assert len(sentences) > 1500  # few exact repeats
    openings = Counter(tokens[0] for tokens, _ in train)
    assert len(openings) > 40


def word_labels(corpus):
    labels = defaultdict(Counter)
    for tokens, tags in corpus:
        for word, tag in zip(tokens, tags):
            labels[word][tag] += 1
    return labels


def test_ambiguous_words_take_several_labels(train):
    labels = word_labels(train)
    assert len(AMBIGUOUS) >= 15
    assert {"PER", "LOC"} <= set(AMBIGUOUS["Washington"]) and {"PER", "ORG"} <= set(AMBIGUOUS["Ford"])
    assert {"PER", "DATE"} <= set(AMBIGUOUS["May"]) and {"DATE", "O"} <= set(AMBIGUOUS["12"])
    for word, expected in AMBIGUOUS.items():
        assert set(labels[word]) == set(expected), (word, labels[word])
        assert min(labels[word].values()) >= 5, f"{word} is too rare in one of its roles: {labels[word]}"
        assert max(labels[word].values()) / sum(labels[word].values()) < 0.85, (word, labels[word])


def test_context_decides_the_ambiguous_words(train, test_split):
    """The word alone gets the ambiguous words of the test split wrong often; the word with its
    neighbours (a lookup table of (left, word, right) learned on the train split) almost never."""
    by_word = {w: c.most_common(1)[0][0] for w, c in word_labels(train).items()}
    by_context = defaultdict(Counter)
    for tokens, tags in train:
        padded = [PAD_LEFT, *tokens, PAD_RIGHT]
        for i, tag in enumerate(tags):
            by_context[tuple(padded[i:i + 3])][tag] += 1
    word_right, context_right, context_seen, total = 0, 0, 0, 0
    for tokens, tags in test_split:
        padded = [PAD_LEFT, *tokens, PAD_RIGHT]
        for i, (word, tag) in enumerate(zip(tokens, tags)):
            if word not in AMBIGUOUS:
                continue
            total += 1
            word_right += by_word[word] == tag
            key = tuple(padded[i:i + 3])
            if key in by_context:
                context_seen += 1
                context_right += by_context[key].most_common(1)[0][0] == tag
    assert total > 150
    assert word_right / total < 0.75
    assert context_right / context_seen > 0.95


def test_test_split_has_names_never_seen_in_training(train, test_split):
    train_words = {w for tokens, _ in train for w in tokens}
    test_words = {w for tokens, _ in test_split for w in tokens}
    held_out = {w for names in HELD_OUT.values() for name in names for w in name.split()}
    unseen = held_out & test_words
    assert len(unseen) > 30
    assert not (unseen - {"Siemens"}) & train_words  # "Siemens Energy" shares a word with "Siemens"


def test_build_vocab(train):
    vocab = build_vocab(train)
    assert [vocab[PAD_LEFT], vocab[PAD_RIGHT], vocab[UNK]] == [0, 1, 2]
    assert sorted(vocab.values()) == list(range(len(vocab)))
    assert build_vocab(train) == vocab
    rare = build_vocab(train, min_count=2)
    assert len(rare) < len(vocab)  # the made-up one-off names drop out
    counts = Counter(w for tokens, _ in train for w in tokens)
    assert all(counts[w] >= 2 for w in rare if w not in (PAD_LEFT, PAD_RIGHT, UNK))


@pytest.mark.parametrize("m", [0, 1, 2])
def test_ner_windows(train, m):
    corpus = train[:50]
    vocab = build_vocab(train, min_count=2)
    windows, labels = ner_windows(corpus, vocab, m)
    n_tokens = sum(len(tokens) for tokens, _ in corpus)
    assert windows.shape == (n_tokens, 2 * m + 1) and windows.dtype == np.int64
    assert labels.shape == (n_tokens,) and labels.dtype == np.int64
    row = 0
    for tokens, tags in corpus:
        for t, (word, tag) in enumerate(zip(tokens, tags)):
            assert windows[row, m] == vocab.get(word, vocab[UNK])
            assert NER_CLASSES[labels[row]] == tag
            for j in range(-m, m + 1):
                k = t + j
                expected = (vocab[PAD_LEFT] if k < 0 else vocab[PAD_RIGHT] if k >= len(tokens)
                            else vocab.get(tokens[k], vocab[UNK]))
                assert windows[row, m + j] == expected
            row += 1
