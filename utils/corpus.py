"""Real English text, as a stream of word ids, for the language models of units 03 and 04 and for
word2vec (unit 06).

    from utils.corpus import load_corpus, batchify
    corpus = load_corpus()                      # source COURSE_CORPUS, else "wiki"; vocab_size=2000
    corpus.description                          # one sentence to print in a notebook
    corpus.decode(corpus.train[:50])            # ids -> text
    X = batchify(corpus.train, batch_size=32)   # (32, L): one long stream per row, for truncated BPTT

Sources (nothing is downloaded)
-------------------------------
- "wiki": the 106 articles of the English Wikipedia sample dump that the gensim wheel ships with its
  tests (gensim/test/test_data/enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2),
  about 470k tokens. The XML is read with the standard library and the wiki markup removed by
  regular expressions, in one process: redirects are skipped; comments, <ref>, <math> and similar
  elements, templates {{...}}, tables {|...|}, files and images, category and interlanguage links
  are dropped with their content; a link [[target|label]] keeps its label ([[target]] its target),
  an external link [http://... label] its label; bare URLs, bold and italic quotes, magic words and
  other tags are dropped, and HTML entities decoded. Each line (a paragraph, a heading, a list
  item) that holds a word ends with <eos>.
- "lee": the Lee background corpus that gensim ships (gensim/test/test_data/lee_background.cor):
  300 news articles of the Australian Broadcasting Corporation, one per line, about 60k tokens.
- Any other string: the path of a UTF-8 plain-text file (text8, a Penn Treebank split, a book...),
  "~" expanded; each of its lines that holds a word ends with <eos>.
`source=None` takes the environment variable COURSE_CORPUS when it is set, so that a whole class
switches corpus without editing a notebook, and "wiki" otherwise.

Tokenisation
------------
The text is lowercased, "’" is read as "'", and a token is either the literal "<unk>" (as in the
Penn Treebank files) or a maximal run of letters and digits (Unicode: the regular expression
[^\\W_]) in which single apostrophes may join runs: "don't", "o'clock" and "1990s" are one token
each, "rock'n'roll" too; "students'" gives "students". Everything else (punctuation, underscores,
markup left over) separates tokens and is dropped. A newline that ends a line holding at least one
token is the token <eos>; blank lines give nothing, and the last line of a file or article ends
with <eos> whether or not a newline follows it. `Corpus.encode` applies the same rule to its text
as if the text continued a line that holds a word: a newline at its very start is an <eos> too, and
no <eos> is added after a last line without a newline (a prompt does not end a sentence). So
`encode(decode(ids))` gives back any piece of a stream, indeed any ids without two <eos> in a row.

Vocabulary
----------
id 0 is "<unk>", id 1 "<eos>", then the vocab_size - 2 most frequent words of the stream (after
max_tokens), the most frequent first, ties broken alphabetically (by code point). Every other word,
and the literal "<unk>", becomes id 0.

Determinism
-----------
The same source file and settings give byte-identical arrays: nothing is random or depends on the
order of a set or a dict, and the splits are cut in order, without shuffling. What counts as a
letter and how a letter is lowercased follow Python's Unicode tables, so the guarantee is for a
given Python minor version (the sources are plain English, which no recent version changes).

Cache
-----
Parsing the wiki dump takes a second or two, a large text file more, so the token stream (not the
vocabulary, which depends on vocab_size and max_tokens) is kept in a cache folder,
~/.cache/nlp-gradients-course/ or the folder that the environment variable COURSE_CACHE names.
NAME-KEY.stream.npy holds the stream, an int32 array where 0 is <eos> and k > 0 the k-th distinct
word; NAME-KEY.words.txt a checksum of both files' contents on its first line, then the distinct
words in alphabetical order, one per line. KEY hashes the source file's absolute path, size and
modification time and FORMAT_VERSION, so that an edited file, or a change to the rules above, is
parsed afresh. A cache that is missing, unreadable or fails its checksum is rebuilt, never
reported; a cache folder that cannot be written only costs the parse at the next load (with a
warning). Files are written under a temporary name and renamed, so that notebooks running side by
side never read half a file; files of an older key are left behind (delete the folder at will).

Nothing here computes a gradient or an answer to an exercise: these are data only.
"""

import bz2
import hashlib
import html
import importlib.util
import numbers
import os
import re
import tempfile
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

# Part of the cache key: bump it whenever a change here changes the token stream of a source.
FORMAT_VERSION = 1
UNK, EOS = "<unk>", "<eos>"
MIN_TOKENS = 20  # the smallest stream whose 5 % splits (n // 20 tokens each) hold a token
DEFAULT_CACHE = Path("~/.cache/nlp-gradients-course")

GENSIM_DATA = {
    "wiki": "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2",
    "lee": "lee_background.cor",
}
ABOUT = {
    "wiki": "106 English Wikipedia articles (the sample dump shipped with gensim)",
    "lee": "the Lee background corpus (300 ABC news articles, shipped with gensim)",
}
HELP = 'set COURSE_CORPUS to an existing UTF-8 text file, or use source="wiki" or source="lee"'


# ------------------------------------------------------------------------------------ Corpus


@dataclass(frozen=True, eq=False, repr=False)
class Corpus:
    """A tokenised text, its vocabulary and its train / valid / test streams of ids.

    words: list, id -> word (words[0] == "<unk>", words[1] == "<eos>");  ids: dict, word -> id.
    train, valid, test: read-only int64 arrays of shape (n_train,), (n_valid,), (n_test,): the
    stream of ids cut 90 / 5 / 5 in order (train first).
    """

    name: str
    description: str
    words: list
    ids: dict
    train: np.ndarray
    valid: np.ndarray
    test: np.ndarray
    unk_id: ClassVar[int] = 0
    eos_id: ClassVar[int] = 1

    @property
    def vocab_size(self):
        return len(self.words)

    def encode(self, text):
        """str -> int64 array (n_tokens,) of ids, by the module's tokenisation rule; unknown -> unk_id.

        A newline at the start of `text` is an <eos>; a last line without a newline gets none.
        """
        get = self.ids.get
        ids = np.array([self.eos_id if w == "\n" else get(w, self.unk_id) for w in _words(text)],
                       dtype=np.int64)
        return ids[_kept(ids == self.eos_id, after_word=True)]

    def decode(self, ids):
        """Ids (a 1-D array or sequence of ints) -> str: the words joined by spaces, <eos> as a newline."""
        ids = np.asarray(ids)
        if ids.ndim != 1 or (ids.size and not np.issubdtype(ids.dtype, np.integer)):
            raise ValueError(f"decode takes a 1-D sequence of integer ids, got an array of shape "
                             f"{ids.shape} and dtype {ids.dtype}")
        if ids.size and (ids.min() < 0 or ids.max() >= self.vocab_size):
            raise ValueError(f"ids must lie in [0, {self.vocab_size}), got {ids.min()} .. {ids.max()}")
        pieces = []
        for i in ids.tolist():
            if i == self.eos_id:
                pieces.append("\n")
            else:
                pieces.append(self.words[i] if not pieces or pieces[-1] == "\n" else " " + self.words[i])
        return "".join(pieces)

    def __repr__(self):
        return (f"Corpus({self.name!r}, vocab_size={self.vocab_size}, train={self.train.size}, "
                f"valid={self.valid.size}, test={self.test.size})")


def load_corpus(source=None, vocab_size=2000, max_tokens=None):
    """Load a text as a `Corpus`: vocabulary of `vocab_size` words, splits 90 / 5 / 5 in order.

    source: None (COURSE_CORPUS if set, else "wiki"), "wiki", "lee" or the path of a text file.
    max_tokens: keep only the first max_tokens tokens of the whole stream (<eos> included), before
    the vocabulary is counted and the stream split; None keeps everything.
    """
    _check_positive_int("vocab_size", vocab_size, at_least=3,
                        why="<unk>, <eos> and at least one word")
    if max_tokens is not None:
        _check_positive_int("max_tokens", max_tokens, at_least=MIN_TOKENS,
                            why="the valid and test splits need a token each")
    name, path, kind, about = _resolve(source)
    codes, types = _cached_stream(name, path, kind)
    if max_tokens is not None:
        codes = codes[:max_tokens]
    if codes.size < MIN_TOKENS:
        raise ValueError(f"{path} gives only {codes.size} tokens, too few to split 90/5/5 (at least "
                         f"{MIN_TOKENS}): use a longer text, or source=\"wiki\"")
    words, stream = _vocabulary(codes, types, vocab_size)
    stream.flags.writeable = False
    n_train, n_valid = _split_sizes(stream.size)
    return Corpus(name=name, words=words, ids={w: i for i, w in enumerate(words)},
                  description=_describe(name, about, stream, len(words), max_tokens),
                  train=stream[:n_train], valid=stream[n_train:n_train + n_valid],
                  test=stream[n_train + n_valid:])


def batchify(ids, batch_size):
    """Cut a stream into `batch_size` contiguous rows of equal length, for stateful truncated BPTT.

    ids: 1-D array (n,). Returns a new C-contiguous array (batch_size, n // batch_size) of the same
    dtype: row b is ids[b * L:(b + 1) * L], so that row b of the chunk [:, t:t + T] continues row b
    of the chunk [:, t - T:t]. The last n % batch_size ids are dropped.
    """
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"batchify takes a 1-D stream of ids, got shape {ids.shape}")
    _check_positive_int("batch_size", batch_size, at_least=1, why="a batch holds at least one row")
    if batch_size > ids.size:
        raise ValueError(f"batch_size={batch_size} is larger than the stream ({ids.size} tokens): use "
                         f"batch_size <= {ids.size}, or a longer stream (corpus.train rather than "
                         f"corpus.valid, or a larger max_tokens)")
    length = ids.size // batch_size
    return ids[:batch_size * length].reshape(batch_size, length).copy()


# ------------------------------------------------------------------------- sources and checks


def _check_positive_int(name, value, at_least, why):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < at_least:
        raise ValueError(f"{name} must be an integer >= {at_least} ({why}), got {value!r}")


def _resolve(source):
    """source -> (name, absolute path of the file to read, kind: "wiki" or "text", about: its origin)."""
    from_env = source is None and bool(os.environ.get("COURSE_CORPUS"))
    if source is None:
        source = os.environ.get("COURSE_CORPUS") or "wiki"
    source = os.fspath(source)
    if source in GENSIM_DATA:
        kind = "wiki" if source == "wiki" else "text"
        return source, _gensim_file(GENSIM_DATA[source]), kind, ABOUT[source]
    path = Path(source).expanduser().absolute()
    where = " (from the environment variable COURSE_CORPUS)" if from_env else ""
    if not path.exists():
        raise FileNotFoundError(f"corpus file {path} does not exist{where}: {HELP}")
    if not path.is_file():
        raise ValueError(f"corpus source {path}{where} is not a file: {HELP}")
    if not os.access(path, os.R_OK):
        raise ValueError(f"corpus file {path}{where} cannot be read (permission denied): {HELP}")
    return re.sub(r"[^\w.-]", "_", path.stem) or "text", path, "text", f"the text file {path}"


def _gensim_file(filename):
    """The path of a file of gensim's test data, found without importing gensim (a second)."""
    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"the corpora 'wiki' and 'lee' are test data of gensim, which is not "
                                  f"installed: pip install -r requirements.txt, or {HELP}")
    path = Path(next(iter(spec.submodule_search_locations)), "test", "test_data", filename)
    if not path.is_file():
        raise FileNotFoundError(f"gensim is installed without its test data ({path} is missing): "
                                f"reinstall it with pip install --force-reinstall gensim==4.4.0, or {HELP}")
    return path


def _split_sizes(n):
    """(n_train, n_valid) of a stream of n tokens: valid and test get n // 20 each, train the rest."""
    return n - 2 * (n // 20), n // 20


def _describe(name, about, stream, vocab_size, max_tokens):
    if max_tokens is not None:
        about = f"the first tokens of {about}"
    unk_share = np.count_nonzero(stream == Corpus.unk_id) / stream.size
    return (f'"{name}": {about}: {stream.size:,} tokens, a vocabulary of {vocab_size:,} words, and '
            f"{unk_share:.1%} of the tokens are <unk>.")


def _vocabulary(codes, types, vocab_size):
    """Codes (0 = <eos>, k = types[k - 1]) -> (words, int64 ids), by "Vocabulary" in the module docstring."""
    counts = np.bincount(codes, minlength=len(types) + 1)[1:]
    if UNK in types:  # a literal <unk> in the text is id 0, not a word of the vocabulary
        counts[types.index(UNK)] = 0
    # types are sorted alphabetically, so a stable sort by count breaks ties alphabetically.
    order = np.argsort(-counts, kind="stable")[:vocab_size - 2]
    order = order[counts[order] > 0]
    table = np.full(len(types) + 1, Corpus.unk_id, dtype=np.int64)
    table[0] = Corpus.eos_id
    table[order + 1] = np.arange(2, order.size + 2)
    return [UNK, EOS] + [types[k] for k in order.tolist()], table[codes]


# ------------------------------------------------------------------------------- tokenisation

# <unk> comes last: an alternative tried at every position costs time, and "<" is rare.
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*|\n|<unk>")


def _words(text):
    """The words of `text` and "\\n" for each newline, in order (blank lines not yet removed)."""
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


def _kept(is_newline, after_word=False):
    """Bool mask of the tokens to keep: a newline is <eos> only when it ends a line that holds a word.

    is_newline: bool array (n,). after_word: the text continues a line that already holds a word
    (a file read in pieces); otherwise a newline at the start ends an empty line.
    """
    before = np.concatenate(([not after_word], is_newline))[:-1]
    return ~(is_newline & before)


def _encode_pieces(pieces):
    """Consecutive pieces of one text (never cut inside a token) -> (codes, types).

    types: the distinct words, sorted; codes: int32 array (n_tokens,), 0 for <eos>, k for types[k - 1].
    A last line without a newline still ends with <eos>.
    """
    index = {"\n": 0}  # word -> code, in order of first appearance: sorted at the end
    chunks, after_word = [], False
    for piece in pieces:
        codes = _codes(_words(piece), index)
        codes = codes[_kept(codes == 0, after_word)]
        if codes.size:
            after_word = codes[-1] != 0
            chunks.append(codes)
    if after_word:
        chunks.append(np.zeros(1, dtype=np.int32))
    first_seen = list(index)[1:]
    alphabetical = sorted(range(len(first_seen)), key=first_seen.__getitem__)
    recode = np.zeros(len(index), dtype=np.int32)
    recode[np.array(alphabetical, dtype=np.int64) + 1] = np.arange(1, len(index), dtype=np.int32)
    codes = recode[np.concatenate(chunks)] if chunks else np.zeros(0, dtype=np.int32)
    return codes, [first_seen[k] for k in alphabetical]


def _codes(words, index):
    """Words -> int32 array (len(words),) of their codes in `index`, which gains the new words."""
    # A Python loop over the distinct words only: map() and numpy do the per-token work.
    distinct = sorted(set(words))
    local = {w: k for k, w in enumerate(distinct)}
    to_index = np.array([index.setdefault(w, len(index)) for w in distinct], dtype=np.int32)
    return to_index[np.fromiter(map(local.__getitem__, words), dtype=np.int32, count=len(words))]


def _batched(texts, size=1 << 20):
    """Texts joined into pieces of at least `size` characters (the last one may be shorter)."""
    batch, length = [], 0
    for text in texts:
        batch.append(text)
        length += len(text)
        if length >= size:
            yield "".join(batch)
            batch, length = [], 0
    yield "".join(batch)


def _text_pieces(path, size=1 << 20):
    """The text of a UTF-8 file in pieces of about `size` characters, each cut after a newline or space."""
    try:
        with open(path, encoding="utf-8") as f:
            carry = ""
            while block := f.read(size):
                block = carry + block
                cut = max(block.rfind("\n"), block.rfind(" ")) + 1  # 0: no place to cut, read on
                carry = block[cut:]
                yield block[:cut]
            yield carry
    except UnicodeDecodeError as error:
        raise ValueError(f"corpus file {path} is not UTF-8 text ({error.reason}): convert it to "
                         f"UTF-8, or {HELP}") from None
    except OSError as error:
        raise ValueError(f"corpus file {path} cannot be read ({error.strerror or error}): {HELP}") from None


# -------------------------------------------------------------------------------- wiki markup

_REDIRECT = re.compile(r"\s*#redirect", re.I)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_DROPPED_ELEMENT = re.compile(
    r"<(ref|math|gallery|timeline|imagemap|score|syntaxhighlight|source|hiero|chem|ce)\b[^>]*?"
    r"(?:/>|>.*?</\1\s*>)", re.S | re.I)
_TEMPLATE = (re.compile(r"\{\{"), re.compile(r"(\{\{)|(\}\})"))
_TABLE = (re.compile(r"^[ \t:]*\{\|", re.M), re.compile(r"(^[ \t:]*\{\|)|(^[ \t]*\|\})", re.M))
_FILE = (re.compile(r"\[\[[ \t]*:?(?:file|image)[ \t]*:", re.I), re.compile(r"(\[\[)|(\]\])"))
_SUBSTITUTIONS = [
    (re.compile(r"\[\[:?[A-Za-z-]+:[^\[\]]*\]\]"), ""),                # category, interlanguage
    (re.compile(r"\[\[[^\[\]|]*\|([^\[\]]*)\]\]"), r"\1"),              # [[target|label]]
    (re.compile(r"\[\[([^\[\]]*)\]\]"), r"\1"),                         # [[target]]
    (re.compile(r"\[(?:https?:|ftp:)?//[^\s\]]*[ \t]*([^\]\n]*)\]"), r"\1"),  # [http://... label]
    (re.compile(r"(?:https?|ftp)://[^\s<>\[\]|]*"), ""),                # bare URL
    (re.compile(r"<br[ \t]*/?>", re.I), " "),
    (re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>"), ""),             # any other tag
    (re.compile(r"''+"), ""),                                           # bold, italic
    (re.compile(r"__[A-Z]+__"), ""),                                    # __NOTOC__
]


def _wiki_articles(path):
    """The wikitext of each article of a bz2 MediaWiki XML dump: namespace 0, redirects skipped."""
    try:
        with bz2.open(path) as f:
            for _, element in ET.iterparse(f):
                if element.tag.endswith("}page"):
                    text = element.findtext("{*}revision/{*}text") or ""
                    if element.findtext("{*}ns") == "0" and not _REDIRECT.match(text):
                        yield text
                    element.clear()  # a dump can be far larger than memory
    except (OSError, EOFError, ET.ParseError) as error:
        raise ValueError(f"{path} is not a readable bz2 MediaWiki dump ({error}): reinstall gensim "
                         f"(pip install --force-reinstall gensim==4.4.0), or {HELP}") from None


def _plain_text(wikitext):
    """Wikitext -> plain text, by the rules listed for "wiki" in the module docstring."""
    text = _DROPPED_ELEMENT.sub("", _COMMENT.sub("", wikitext))
    for opener, brackets in (_TEMPLATE, _TABLE, _FILE):
        text = _drop_nested(text, opener, brackets)
    for pattern, replacement in _SUBSTITUTIONS:
        text = pattern.sub(replacement, text)
    return html.unescape(text)


def _drop_nested(text, opener, brackets):
    """`text` without the spans that start at a match of `opener` and end where its brackets close.

    brackets: a pattern whose group 1 opens and group 2 closes; they nest. An opener that is never
    closed is left in place (its brackets are not word characters anyway).
    """
    pieces, done = [], 0
    for start in opener.finditer(text):
        if start.start() < done:
            continue
        depth = 0
        for bracket in brackets.finditer(text, start.start()):
            depth += 1 if bracket.lastindex == 1 else -1
            if depth == 0:
                pieces.append(text[done:start.start()])
                done = bracket.end()
                break
    pieces.append(text[done:])
    return "".join(pieces)


# ------------------------------------------------------------------------------------- cache


def _cached_stream(name, path, kind):
    """(codes, types) of a source, from the cache when it holds a valid copy, else parsed and cached."""
    folder = _cache_folder()
    stat = path.stat()
    key = hashlib.sha256(f"{FORMAT_VERSION}|{kind}|{path}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    stem = folder / f"{name}-{key.hexdigest()[:16]}"
    words_file, stream_file = Path(f"{stem}.words.txt"), Path(f"{stem}.stream.npy")
    cached = _read_cache(words_file, stream_file)
    if cached is not None:
        return cached
    if kind == "wiki":
        articles = (_plain_text(article) + "\n" for article in _wiki_articles(path))
        codes, types = _encode_pieces(_batched(articles))
    else:
        codes, types = _encode_pieces(_text_pieces(path))
    if codes.size == 0:
        raise ValueError(f"corpus file {path} holds no words (it is empty, or has only punctuation "
                         f"and symbols): {HELP}")
    _write_cache(folder, words_file, stream_file, codes, types)
    return codes, types


def _cache_folder():
    try:
        return Path(os.environ.get("COURSE_CACHE") or DEFAULT_CACHE).expanduser()
    except RuntimeError:  # no home directory (a bare container): a cache for this machine's session
        return Path(tempfile.gettempdir(), DEFAULT_CACHE.name)


def _read_cache(words_file, stream_file):
    """(codes, types), or None when the files are missing, unreadable or do not match their checksum."""
    try:
        header, *types = words_file.read_text(encoding="utf-8").split("\n")[:-1]
        codes = np.load(stream_file, allow_pickle=False)
        valid = (codes.dtype == np.int32 and codes.ndim == 1 and header == _checksum(codes, types))
    except Exception:  # whatever is wrong with a cache file, parsing again mends it
        return None
    return (codes, types) if valid else None


def _checksum(codes, types):
    """The first line of a words file: a hash of the stream and the words, to catch a damaged cache."""
    digest = hashlib.sha256(codes.astype("<i4").tobytes())
    digest.update("\n".join(types).encode("utf-8"))
    return f"sha256 {digest.hexdigest()}"


def _write_cache(folder, words_file, stream_file, codes, types):
    lines = [_checksum(codes, types)] + types
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomically(stream_file, lambda f: np.save(f, codes, allow_pickle=False))
        _write_atomically(words_file, lambda f: f.write("".join(w + "\n" for w in lines).encode("utf-8")))
    except OSError as error:
        warnings.warn(f"could not write the corpus cache in {folder} ({error}); the next load parses "
                      f"the text again: set COURSE_CACHE to a writable folder", stacklevel=4)


def _write_atomically(path, write):
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as f:
            write(f)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide a shared cache from other users
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
