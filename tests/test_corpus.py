"""utils.corpus: the tokenisation rule, vocabulary, splits, batches, errors and the cache.

Every test reads and writes its cache under tmp_path (COURSE_CACHE), never the user's.
"""
import numpy as np
import pytest

from utils import corpus as corpus_module
from utils.corpus import Corpus, batchify, load_corpus

# A blank line, punctuation, a curly apostrophe, a literal <UNK>, an underscore and a last line
# without a newline: every case of the tokenisation rule.
TEXT = ("The cat sat on the mat.\n"
        "The dog sat on the log! \n"
        "\n"
        "  Don't panic: the cat's O'Brien\u2019s 1990s <UNK> rock_n_roll\n"
        "last line without newline")
STREAM = ("the cat sat on the mat\n"
          "the dog sat on the log\n"
          "don't panic the cat's o'brien's 1990s <unk> rock n roll\n"
          "last line without newline\n")
# "the" 5 times, "on" and "sat" twice, the rest once: ties alphabetically, by code point.
VOCABULARY = ["<unk>", "<eos>", "the", "on", "sat", "1990s", "cat", "cat's", "dog", "don't", "last",
              "line", "log", "mat", "n", "newline", "o'brien's", "panic", "rock", "roll", "without"]
N_TOKENS = 30  # 26 words and 4 <eos>


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("COURSE_CACHE", str(folder))
    monkeypatch.delenv("COURSE_CORPUS", raising=False)
    return folder


@pytest.fixture
def text_file(tmp_path):
    path = tmp_path / "sample.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def stream_of(corpus):
    return np.concatenate([corpus.train, corpus.valid, corpus.test])


def parsing_forbidden(monkeypatch):
    def fail(*args):
        raise AssertionError("the corpus was parsed again instead of read from the cache")
    monkeypatch.setattr(corpus_module, "_encode_pieces", fail)


# --------------------------------------------------------------------------- vocabulary, text


def test_vocabulary_order_and_special_ids(text_file):
    corpus = load_corpus(text_file, vocab_size=100)
    assert isinstance(corpus, Corpus)
    assert repr(corpus) == "Corpus('sample', vocab_size=21, train=28, valid=1, test=1)"
    assert corpus.words == VOCABULARY
    assert corpus.ids == {w: i for i, w in enumerate(VOCABULARY)}
    assert (corpus.unk_id, corpus.eos_id, corpus.vocab_size) == (0, 1, len(VOCABULARY))
    assert corpus.name == "sample"


def test_a_small_vocabulary_keeps_the_most_frequent_words(text_file):
    corpus = load_corpus(text_file, vocab_size=6)
    assert corpus.words == VOCABULARY[:6] and corpus.vocab_size == 6
    unknown = {"<unk>"} | set(VOCABULARY[6:])
    expected = ["<unk>" if w in unknown else w for w in STREAM.replace("\n", " <eos> ").split()]
    assert [corpus.words[i] for i in stream_of(corpus)] == expected
    unk_share = expected.count("<unk>") / N_TOKENS
    assert "6 words" in corpus.description and f"{unk_share:.1%} of the tokens are <unk>" in corpus.description


def test_stream_follows_the_tokenisation_rule(text_file):
    corpus = load_corpus(text_file, vocab_size=100)
    stream = stream_of(corpus)
    assert stream.dtype == np.int64 and stream.size == N_TOKENS
    assert corpus.decode(stream) == STREAM
    # encode applies the same rule, but adds no <eos> after a last line without a newline.
    assert np.array_equal(corpus.encode(TEXT), stream[:-1])
    assert np.array_equal(corpus.encode(TEXT + "\n\n"), stream)


def test_encode_decode_round_trip(text_file):
    corpus = load_corpus(text_file, vocab_size=8)
    stream = stream_of(corpus)
    for start in range(stream.size):  # every piece of the stream, those that start with <eos> too
        for stop in range(start, stream.size + 1):
            piece = stream[start:stop]
            assert np.array_equal(corpus.encode(corpus.decode(piece)), piece), (start, stop)
    assert corpus.encode("The zebra, the cat.").tolist() == [2, 0, 2, 6]
    assert corpus.encode("").dtype == np.int64 and corpus.encode("").size == 0
    assert corpus.decode([2, 6, 1, 2]) == "the cat\nthe"
    assert corpus.decode([1, 2]) == "\nthe" and corpus.encode("\nthe").tolist() == [1, 2]
    assert corpus.encode("the\n\n\nthe\n").tolist() == [2, 1, 2, 1]
    with pytest.raises(ValueError, match=r"\[0, 8\)"):
        corpus.decode([8])


def test_splits_are_in_order_and_sized_90_5_5(text_file):
    corpus = load_corpus(text_file, vocab_size=100)
    assert (corpus.train.size, corpus.valid.size, corpus.test.size) == (28, 1, 1)
    assert corpus.decode(corpus.train).startswith("the cat sat")
    assert corpus.words[corpus.test[0]] == "<eos>" and corpus.words[corpus.valid[0]] == "newline"
    for split in (corpus.train, corpus.valid, corpus.test):
        assert split.dtype == np.int64 and split.ndim == 1 and not split.flags.writeable


def test_split_sizes_of_a_long_stream():
    assert corpus_module._split_sizes(1000) == (900, 50)
    assert corpus_module._split_sizes(1019) == (919, 50)


def test_loads_are_deterministic(text_file, cache, tmp_path, monkeypatch):
    first, second = load_corpus(text_file), load_corpus(text_file)  # parsed, then cached
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path / "another cache"))
    third = load_corpus(text_file)
    for other in (second, third):
        assert other.words == first.words and other.description == first.description
        for split in ("train", "valid", "test"):
            assert getattr(other, split).tobytes() == getattr(first, split).tobytes()
    assert sorted(p.read_bytes() for p in cache.iterdir()) == sorted(
        p.read_bytes() for p in (tmp_path / "another cache").iterdir())


def test_source_from_the_environment(text_file, monkeypatch):
    monkeypatch.setenv("COURSE_CORPUS", str(text_file))
    corpus = load_corpus(vocab_size=100)
    assert corpus.name == "sample" and corpus.words == VOCABULARY
    assert str(text_file) in corpus.description and "30 tokens" in corpus.description


def test_a_large_file_is_read_in_pieces(tmp_path, monkeypatch):
    """Pieces cut inside a line, or right after a word, keep the tokens and <eos> of the whole text."""
    path = tmp_path / "pieces.txt"
    path.write_text(TEXT * 3, encoding="utf-8")
    whole = load_corpus(path, vocab_size=100)
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path / "other"))
    for size in (1, 5, 17):
        monkeypatch.setattr(corpus_module, "_text_pieces",
                            lambda p, f=corpus_module._text_pieces, s=size: f(p, size=s))
        assert np.array_equal(stream_of(load_corpus(path, vocab_size=100)), stream_of(whole)), size


def test_a_file_named_like_a_source_is_still_that_file(tmp_path):
    path = tmp_path / "wiki.txt"
    path.write_text(TEXT, encoding="utf-8")
    corpus = load_corpus(path, vocab_size=100)
    assert corpus.words == VOCABULARY and "Wikipedia" not in corpus.description


def test_max_tokens_keeps_the_start_of_the_stream(text_file):
    full = load_corpus(text_file, vocab_size=100)
    short = load_corpus(text_file, vocab_size=100, max_tokens=20)
    assert stream_of(short).size == 20 and short.train.size == 18
    assert [short.words[i] for i in stream_of(short)] == [full.words[i] for i in stream_of(full)[:20]]
    assert "newline" not in short.words  # the vocabulary counts only the tokens kept
    assert "the first tokens of" in short.description


# -------------------------------------------------------------------------------- batchify


def test_batchify_cuts_contiguous_rows():
    ids = np.arange(103, dtype=np.int64)
    batches = batchify(ids, 4)
    assert batches.shape == (4, 25) and batches.dtype == np.int64 and batches.flags.c_contiguous
    for row in range(4):
        assert np.array_equal(batches[row], np.arange(25 * row, 25 * (row + 1)))
    # Row b of one chunk of T steps continues where row b of the chunk before ended.
    first, second = batches[:, 0:5], batches[:, 5:10]
    assert np.array_equal(second[:, 0], first[:, -1] + 1)
    assert batchify(ids, 103).shape == (103, 1)
    assert batchify(list(range(7)), 2).tolist() == [[0, 1, 2], [3, 4, 5]]


def test_batchify_returns_a_writable_copy(text_file):
    corpus = load_corpus(text_file)
    batches = batchify(corpus.train, 2)
    batches[0, 0] = -1
    assert corpus.train[0] != -1


@pytest.mark.parametrize("batch_size", [0, -1, 2.0, True])
def test_batchify_rejects_a_bad_batch_size(batch_size):
    with pytest.raises(ValueError, match="batch_size"):
        batchify(np.arange(10), batch_size)


def test_batchify_rejects_a_batch_larger_than_the_stream():
    with pytest.raises(ValueError, match=r"batch_size=11 is larger than the stream \(10 tokens\)"):
        batchify(np.arange(10), 11)
    with pytest.raises(ValueError, match="1-D"):
        batchify(np.zeros((2, 5)), 2)


# ---------------------------------------------------------------------------------- errors


def test_a_missing_file_names_the_path_and_the_way_out(tmp_path, monkeypatch):
    missing = tmp_path / "no such corpus.txt"
    with pytest.raises(FileNotFoundError) as error:
        load_corpus(missing)
    assert str(missing) in str(error.value) and "COURSE_CORPUS" in str(error.value)
    assert 'source="wiki"' in str(error.value)
    monkeypatch.setenv("COURSE_CORPUS", str(missing))
    with pytest.raises(FileNotFoundError, match="from the environment variable COURSE_CORPUS"):
        load_corpus()


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", b"... !!! -- ?\n"])
def test_a_text_without_words_is_refused(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="holds no words") as error:
        load_corpus(path)
    assert str(path) in str(error.value)


def test_unreadable_sources_are_refused(tmp_path):
    with pytest.raises(ValueError, match="is not a file"):
        load_corpus(tmp_path)
    binary = tmp_path / "binary.bin"
    binary.write_bytes(b"hello \xff\xfe world\n" * 5)
    with pytest.raises(ValueError, match="is not UTF-8 text") as error:
        load_corpus(binary)
    assert str(binary) in str(error.value)


def test_a_text_too_short_to_split_is_refused(tmp_path, text_file):
    path = tmp_path / "short.txt"
    path.write_text("only five words in here\n")
    with pytest.raises(ValueError, match="only 6 tokens, too few"):
        load_corpus(path)
    with pytest.raises(ValueError, match="max_tokens must be an integer >= 20"):
        load_corpus(text_file, max_tokens=5)


@pytest.mark.parametrize("vocab_size", [2, 0, -5, 2.5, "2000", None, True])
def test_a_bad_vocab_size_is_refused(text_file, vocab_size):
    with pytest.raises(ValueError, match=r"vocab_size must be an integer >= 3 \(<unk>, <eos> and"):
        load_corpus(text_file, vocab_size=vocab_size)


def test_the_smallest_vocabulary(text_file):
    corpus = load_corpus(text_file, vocab_size=np.int64(3))
    assert corpus.words == ["<unk>", "<eos>", "the"]


def test_wiki_and_lee_without_gensim_say_what_to_install(monkeypatch):
    monkeypatch.setattr(corpus_module.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModuleNotFoundError, match="pip install"):
        load_corpus("lee")


# ----------------------------------------------------------------------------------- cache


def test_the_second_load_reads_the_cache(text_file, cache, monkeypatch):
    first = load_corpus(text_file)
    assert sorted(p.name.split("-")[0] + p.name[p.name.index("."):] for p in cache.iterdir()) == [
        "sample.stream.npy", "sample.words.txt"]
    parsing_forbidden(monkeypatch)
    assert np.array_equal(stream_of(load_corpus(text_file)), stream_of(first))


@pytest.mark.parametrize("damage", ["garbage", "truncate", "flip a byte", "delete"])
def test_a_damaged_cache_is_rebuilt(text_file, cache, monkeypatch, damage):
    expected = stream_of(load_corpus(text_file))
    stream_file = next(cache.glob("*.stream.npy"))
    words_file = next(cache.glob("*.words.txt"))
    if damage == "garbage":
        stream_file.write_bytes(b"not numpy at all")
        words_file.write_bytes(b"\xff\xfe garbage")
    elif damage == "truncate":
        stream_file.write_bytes(stream_file.read_bytes()[:-8])
    elif damage == "flip a byte":
        data = bytearray(stream_file.read_bytes())
        data[-4] ^= 1  # a valid .npy still, with another word in it: only the checksum tells
        stream_file.write_bytes(bytes(data))
    else:
        words_file.unlink()
    assert np.array_equal(stream_of(load_corpus(text_file)), expected)
    parsing_forbidden(monkeypatch)  # the rebuilt cache is whole again
    assert np.array_equal(stream_of(load_corpus(text_file)), expected)


def test_an_edited_file_is_parsed_again(text_file):
    assert load_corpus(text_file, vocab_size=100).words == VOCABULARY
    text_file.write_text(TEXT.replace("cat", "fox"), encoding="utf-8")
    assert "fox" in load_corpus(text_file, vocab_size=100).words


def test_a_cache_folder_that_cannot_be_written_only_warns(text_file, tmp_path, monkeypatch):
    blocker = tmp_path / "a file, not a folder"
    blocker.write_text("")
    monkeypatch.setenv("COURSE_CACHE", str(blocker))
    with pytest.warns(UserWarning, match="could not write the corpus cache"):
        corpus = load_corpus(text_file, vocab_size=100)
    assert corpus.words == VOCABULARY


# ----------------------------------------------------------------------------- real sources


def test_wiki(cache):
    corpus = load_corpus("wiki", vocab_size=5000)
    stream = stream_of(corpus)
    print(corpus.description)
    assert corpus.name == "wiki" and corpus.vocab_size == 5000
    assert 400_000 < stream.size < 500_000
    assert corpus.decode(corpus.train[:4]) == "anarchism is a political"
    assert corpus.words[2:5] == ["the", "of", "and"]
    assert not {"ref", "nbsp", "thumb", "http", "cite", "wikitable"} & set(corpus.words)
    assert 0.05 < np.mean(stream == corpus.unk_id) < 0.25


def test_lee(cache):
    corpus = load_corpus("lee", vocab_size=2000)
    stream = stream_of(corpus)
    print(corpus.description)
    assert corpus.name == "lee" and corpus.vocab_size == 2000
    assert 50_000 < stream.size < 70_000
    assert np.count_nonzero(stream == corpus.eos_id) == 300  # one article a line
    assert corpus.decode(corpus.train[:3]) == "hundreds of people"
    assert corpus.words[2:4] == ["the", "to"]


def test_wiki_markup_is_removed():
    wikitext = ("{{Infobox|name={{nested|x}}}}'''Bold''' text<ref name=a>{{cite|no}}</ref> with "
                "[[target|a label]], [[plain link]]s and [http://example.com an external link].<!-- no -->\n"
                "{| class=\"wikitable\"\n|-\n| cell || cell\n|}\n"
                "[[File:X.jpg|thumb|A [[caption]]]]\n[[Category:Dropped]]\n[[de:Dropped]]\n"
                "A&nbsp;B &amp; C<br />D <span style=\"x\">kept</span> http://bare.example.org\n")
    text = corpus_module._plain_text(wikitext)
    assert [line.split() for line in text.split("\n") if line.split()] == [
        ["Bold", "text", "with", "a", "label,", "plain", "links", "and", "an", "external", "link."],
        ["A", "B", "&", "C", "D", "kept"]]  # str.split splits at the no-break space too
