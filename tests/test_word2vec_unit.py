"""utils.word_vectors (the measurements of unit 06): the test sets load, each measure gives the answer
known for planted vectors, and bad input fails with a message that says what is wrong."""
import numpy as np
import pytest

from utils.word_vectors import (
    analogy_accuracy,
    load_analogies,
    load_similarity,
    nearest,
    similarity_correlation,
    spearman,
)

WORDS = ["athens", "greece", "oslo", "norway", "paris", "france", "berlin"]


def planted_vectors():
    """Capitals = country + one "capital" direction, so that every analogy among them is answered right."""
    capital, rng = np.eye(8)[0], np.random.default_rng(0)
    countries = {c: rng.normal(size=8) * np.r_[0, np.ones(7)] for c in ("greece", "norway", "france")}
    vectors = {"greece": countries["greece"], "norway": countries["norway"], "france": countries["france"],
               "athens": countries["greece"] + 3 * capital, "oslo": countries["norway"] + 3 * capital,
               "paris": countries["france"] + 3 * capital, "berlin": 5 * capital + rng.normal(size=8)}
    return np.array([vectors[w] for w in WORDS])


def test_the_test_sets_load_as_published():
    questions = load_analogies()
    assert len(questions) == 19544
    assert questions[0] == ("capital-common-countries", ["athens", "greece", "baghdad", "iraq"])
    assert len({section for section, _ in questions}) == 14
    assert len(load_similarity("wordsim353")) == 353 and len(load_similarity("simlex999")) == 999
    assert ("tiger", "cat", 7.35) in load_similarity("wordsim353")


def test_nearest_leaves_the_word_out_and_orders_by_cosine():
    vectors = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [-1.0, 0.0]])
    result = nearest(vectors, ["a", "b", "c", "d"], "a", k=3)
    assert [w for w, _ in result] == ["b", "c", "d"]
    assert result[0][1] == pytest.approx(0.9 / np.hypot(0.9, 0.1)) and result[2][1] == pytest.approx(-1.0)
    assert nearest(vectors, ["a", "b", "c", "d"], "A", k=10)[0][0] == "b"  # case-insensitive; k capped at V - 1


def test_analogies_with_a_known_answer():
    accuracy, answered, total = analogy_accuracy(planted_vectors(), WORDS)
    # athens greece oslo norway, and every other ordering of two of the three capital-country pairs
    assert answered > 0 and accuracy == 1.0 and total == 19544
    shuffled = planted_vectors()[[0, 3, 2, 1, 4, 5, 6]]  # greece and norway swap vectors: the answers break
    assert analogy_accuracy(shuffled, WORDS)[0] < 1.0
    assert analogy_accuracy(planted_vectors(), WORDS, sections="syntactic")[1] == 0
    assert np.isnan(analogy_accuracy(np.eye(2), ["x", "y"])[0])


def test_similarity_correlation_is_spearman_of_the_covered_pairs():
    pairs = load_similarity("wordsim353")[:40]
    words = sorted({w for a, b, _ in pairs for w in (a, b)})
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(len(words), 30))
    rho, covered, total = similarity_correlation(vectors, words, "wordsim353")
    assert total == 353 and covered >= 40
    index = {w: i for i, w in enumerate(words)}
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    all_pairs = [(a, b, r) for a, b, r in load_similarity("wordsim353") if a in index and b in index]
    cosines = [unit[index[a]] @ unit[index[b]] for a, b, _ in all_pairs]
    assert rho == pytest.approx(spearman(cosines, [r for _, _, r in all_pairs]))


def test_spearman_matches_its_definition_with_ties():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # ties get their average rank: x ranks [1.5, 1.5, 3, 4], y ranks [1, 2, 3, 4]
    rx, ry = np.array([1.5, 1.5, 3, 4]), np.array([1, 2, 3, 4.0])
    expected = np.corrcoef(rx, ry)[0, 1]
    assert spearman([5, 5, 6, 7], [1, 2, 3, 4]) == pytest.approx(expected)


@pytest.mark.parametrize("call, message", [
    (lambda: nearest(np.eye(3), ["a", "b", "c"], "zebra"), "'zebra' is not in the vocabulary"),
    (lambda: nearest(np.eye(3), ["a", "b"], "a"), "3 rows but words has 2 words"),
    (lambda: nearest(np.ones(3), ["a", "b", "c"], "a"), r"must be a \(V, D\) array"),
    (lambda: nearest(np.eye(3), ["a", "b", "c"], "a", k=0), "k must be a positive integer"),
    (lambda: nearest(np.full((2, 2), np.nan), ["a", "b"], "a"), "nan or inf"),
    (lambda: nearest(np.eye(2), ["a", "a"], "a"), "more than once"),
    (lambda: similarity_correlation(np.eye(2), ["a", "b"], "men"), "unknown similarity data set 'men'"),
    (lambda: analogy_accuracy(np.eye(2), ["a", "b"], sections=["no-such-section"]), "unknown analogy sections"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
