"""Date-format translation for the sequence-to-sequence model of unit 05, generated deterministically.

The task: read a date written the way people write dates ("Sep 5, 1987", "9/5/87", "5.9.1987",
"Saturday, September 5, 1987", "1987年9月5日", ...) and write it in ISO form, "1987-09-05". The
source is a string of characters for the encoder; the target is always 10 characters, which the
decoder writes one at a time after the start symbol START.

    from utils.dates import CharVocab, date_pairs
    pairs = date_pairs(10_000, seed=0)              # [("Sep 5, 1987", "1987-09-05"), ...]
    vocab = CharVocab()
    x, mask = vocab.encode_sources([s for s, _ in pairs])    # (N, T) ids, (N, T) bool
    y = vocab.encode_targets([t for _, t in pairs])          # (N, 11): START, then YYYY-MM-DD
    decoder_in, decoder_out = y[:, :-1], y[:, 1:]            # teacher forcing: (N, 10) each

Why sources are padded on the LEFT: an encoder that reads a batch from left to right then reads
the padding first and the real characters last, so its final hidden state, the one handed to the
decoder, comes right after the last real character of every string, whatever its length. The
mask says which steps are real, so that attention gives no weight to the padding.

PAD is the space, which is also a real character inside many formats ("Sep 5, 1987"): the two have
the same id (0), and only the mask tells padding from a space. No formatted date begins or ends with
a space, so `CharVocab.decode` removes padding by stripping spaces from both ends only.

Formats (all of one date, Saturday 1987-09-05)
----------------------------------------------
    iso_slash       1987/09/05                  us_numeric      9/5/87      (month/day/2-digit year)
    eu_numeric      5.9.1987     (day.month)    compact         19870905
    short_month     Sep 5, 1987                 long_month      September 5, 1987
    ordinal         September 5th, 1987         day_month_year  5 September 1987
    lower_short     sep 05 1987                 oracle          05-SEP-1987
    weekday_short   Sat 5 Sep 1987              weekday_long    Saturday, September 5, 1987
    japanese        1987年9月5日
Every format is a one-to-one function of the date, so the source string determines the target. The
only numeric format with the month first (US) uses "/" and the only one with the day first (EU)
uses ".", so "9/5/87" and "5.9.1987" can be told apart by their separator.

Two-digit years: "87" could be 1987 or 2087, so `us_numeric`, the one format with a two-digit
year, only writes dates from 1969-01-01 to 2068-12-31, and reads yy as 19yy when yy >= 69 and as
20yy otherwise (the POSIX rule, the one Python's `strptime("%y")` follows). `date_pairs` draws the
dates of that format from that window; `format_date` refuses a date outside it.

Train and test: a date belongs to the test split iff a fixed integer hash of its ordinal is 0
modulo 10 (`is_test_date`), about 10% of all dates, whatever the format. The two splits never share
a date, so accuracy on "test" measures whether a model learned to translate dates, not whether it
remembered the ones it was trained on.

Month and weekday names are English and come from the tables below, not from the locale, so the
data are the same on every machine. Nothing here computes a gradient or an answer to an exercise.
"""

import datetime
import functools
import re

import numpy as np

START, PAD = "^", " "

FIRST_DATE = datetime.date(1900, 1, 1)
LAST_DATE = datetime.date(2099, 12, 31)
# The window in which a two-digit year is unambiguous under the POSIX pivot (69..99 -> 19yy, 00..68 -> 20yy).
TWO_DIGIT_FIRST = datetime.date(1969, 1, 1)
TWO_DIGIT_LAST = datetime.date(2068, 12, 31)

TEST_FRACTION_MODULUS = 10  # a date is in "test" iff its hash is 0 modulo this: about 1 date in 10
TARGET_LENGTH = 11          # START + "YYYY-MM-DD"
SPLITS = ("train", "test")

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")  # date.weekday() order


def _ordinal_suffix(day):
    """1 -> "st", 2 -> "nd", 3 -> "rd", 4 -> "th", ..., 11, 12, 13 -> "th", 21 -> "st", 22 -> "nd", ..."""
    if 11 <= day <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


# Each format writes (date, its English month name, its English weekday name) as a string.
# Written by hand rather than with strftime, whose month and weekday names depend on the locale.
_WRITERS = {
    "iso_slash": lambda d, m, w: f"{d.year:04d}/{d.month:02d}/{d.day:02d}",
    "us_numeric": lambda d, m, w: f"{d.month}/{d.day}/{d.year % 100:02d}",
    "eu_numeric": lambda d, m, w: f"{d.day}.{d.month}.{d.year:04d}",
    "compact": lambda d, m, w: f"{d.year:04d}{d.month:02d}{d.day:02d}",
    "short_month": lambda d, m, w: f"{m[:3]} {d.day}, {d.year:04d}",
    "long_month": lambda d, m, w: f"{m} {d.day}, {d.year:04d}",
    "ordinal": lambda d, m, w: f"{m} {d.day}{_ordinal_suffix(d.day)}, {d.year:04d}",
    "day_month_year": lambda d, m, w: f"{d.day} {m} {d.year:04d}",
    "lower_short": lambda d, m, w: f"{m[:3].lower()} {d.day:02d} {d.year:04d}",
    "oracle": lambda d, m, w: f"{d.day:02d}-{m[:3].upper()}-{d.year:04d}",
    "weekday_short": lambda d, m, w: f"{w[:3]} {d.day} {m[:3]} {d.year:04d}",
    "weekday_long": lambda d, m, w: f"{w}, {m} {d.day}, {d.year:04d}",
    "japanese": lambda d, m, w: f"{d.year:04d}年{d.month}月{d.day}日",
}
FORMATS = tuple(_WRITERS)
TWO_DIGIT_YEAR_FORMATS = frozenset({"us_numeric"})


def _check_formats(names):
    """Raise ValueError unless every name in `names` is one of FORMATS."""
    for name in names:
        if name not in _WRITERS:
            raise ValueError(f"unknown date format {name!r}; the formats are {', '.join(FORMATS)}")


def format_date(date, fmt):
    """Write `date` (a datetime.date) in format `fmt` (one of FORMATS); returns a str.

    A two-digit-year format (us_numeric) only writes dates from 1969-01-01 to 2068-12-31, the
    window in which its year reads back unambiguously; other dates -> ValueError.
    """
    _check_formats([fmt])
    if not isinstance(date, datetime.date):
        raise TypeError(f"format_date needs a datetime.date, got {type(date).__name__}")
    if fmt in TWO_DIGIT_YEAR_FORMATS and not TWO_DIGIT_FIRST <= date <= TWO_DIGIT_LAST:
        raise ValueError(f"{fmt} writes a two-digit year, so only dates from {TWO_DIGIT_FIRST} to "
                         f"{TWO_DIGIT_LAST}; got {date}")
    return _WRITERS[fmt](date, MONTHS[date.month - 1], WEEKDAYS[date.weekday()])


# ----------------------------------------------------------------------------------- splits

def _hash_ordinals(ordinals):
    """The splitmix64 finaliser of each ordinal: a fixed hash whose low digits look random.

    ordinals: int array (any shape). Returns a uint64 array of the same shape. numpy's uint64
    arithmetic wraps modulo 2**64, which is what the hash wants.
    """
    x = np.asarray(ordinals, dtype=np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def is_test_date(date):
    """True iff `date` (a datetime.date) belongs to the test split (about 10% of dates do)."""
    return bool(_hash_ordinals([date.toordinal()])[0] % np.uint64(TEST_FRACTION_MODULUS) == 0)


@functools.cache
def _split_ordinals(split, first, last):
    """The ordinals of the dates from `first` to `last` (inclusive) that belong to `split`, ascending."""
    ordinals = np.arange(first.toordinal(), last.toordinal() + 1, dtype=np.int64)
    in_test = _hash_ordinals(ordinals) % np.uint64(TEST_FRACTION_MODULUS) == 0
    chosen = ordinals[in_test] if split == "test" else ordinals[~in_test]
    chosen.setflags(write=False)  # cached and shared between calls: nobody may change it
    return chosen


def date_pairs(n, seed=0, split="train", formats=None):
    """`n` (source, target) pairs: a date written in some format, and the same date in ISO form.

    n: number of pairs (int >= 0). seed: an int (the same int gives the same pairs) or a
    np.random.Generator (drawn from). split: "train" or "test"; the two never share a date.
    formats: names from FORMATS to draw from (a single name is allowed), default all of them;
    a name listed twice is drawn twice as often.

    Each pair draws its format uniformly from `formats`, then its date uniformly from the dates of
    `split` between 1900-01-01 and 2099-12-31 (1969-01-01 and 2068-12-31 for a two-digit-year
    format). Returns a list of n tuples (source str, target str "YYYY-MM-DD").
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    if formats is None:
        formats = FORMATS
    elif isinstance(formats, str):
        formats = (formats,)
    formats = tuple(formats)
    if not formats:
        raise ValueError(f"formats is empty; choose some of {', '.join(FORMATS)}")
    _check_formats(formats)

    rng = np.random.default_rng(seed)
    which = rng.integers(len(formats), size=n)
    position = rng.random(n)  # where in the (format's) list of dates of the split each pair lands
    pairs = []
    for k, u in zip(which, position):
        fmt = formats[k]
        if fmt in TWO_DIGIT_YEAR_FORMATS:
            ordinals = _split_ordinals(split, TWO_DIGIT_FIRST, TWO_DIGIT_LAST)
        else:
            ordinals = _split_ordinals(split, FIRST_DATE, LAST_DATE)
        date = datetime.date.fromordinal(int(ordinals[int(u * len(ordinals))]))
        pairs.append((format_date(date, fmt), date.isoformat()))
    return pairs


# ----------------------------------------------------------------------------------- vocabulary

@functools.cache
def _every_written_string():
    """Every format applied to every day of 2000 and 2001.

    The characters a format writes depend on the year only through its digits, and those days
    already hold every digit, month, weekday, day of the month and ordinal suffix; a two-digit
    year (00, 01) is as long as any other. So these strings hold every character format_date can
    write, and the longest string it can write.
    """
    first, last = datetime.date(2000, 1, 1), datetime.date(2001, 12, 31)
    days = [datetime.date.fromordinal(k) for k in range(first.toordinal(), last.toordinal() + 1)]
    return tuple(format_date(day, fmt) for fmt in FORMATS for day in days)


MAX_SOURCE_LENGTH = max(map(len, _every_written_string()))  # "Wednesday, September 27, 2000": 29
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class CharVocab:
    """Characters <-> integer ids, for the sources and the targets alike.

    chars: tuple of the characters, chars[i] has id i; PAD (the space) is id 0, then START and every
    other character format_date can write, in sorted order. char_to_id: the inverse dict.
    size: len(chars), the number of rows of an embedding matrix.
    """

    def __init__(self):
        written = set("".join(_every_written_string())) | set("0123456789-")  # "-": the ISO target
        self.chars = (PAD,) + tuple(sorted(written - {PAD} | {START}))
        self.char_to_id = {c: i for i, c in enumerate(self.chars)}
        self.size = len(self.chars)
        self.pad_id = self.char_to_id[PAD]
        self.start_id = self.char_to_id[START]

    def __repr__(self):
        return f"CharVocab(size={self.size})"

    def _ids_of(self, string):
        """The ids of the characters of `string`; a character outside the vocabulary -> ValueError."""
        for c in string:
            if c not in self.char_to_id:
                raise ValueError(f"character {c!r} in {string!r} is not in the vocabulary; dates use only "
                                 f"{''.join(self.chars[1:])!r} and the space")
        return [self.char_to_id[c] for c in string]

    def encode_sources(self, strings, length=None):
        """Source strings -> (ids, mask), each string padded with PAD on the LEFT.

        strings: a list of N strings (or one string, as a list of one). length: T, the number of
        steps; default the length of the longest string. A string longer than `length` -> ValueError.
        Returns ids, int64 (N, T): ids[i, T - len(s_i):] are the ids of s_i, the rest PAD (0);
                mask, bool (N, T): True at the steps that hold a real character.
        """
        if isinstance(strings, str):
            strings = [strings]
        rows = [self._ids_of(s) for s in strings]
        longest = max(map(len, rows), default=0)
        T = longest if length is None else int(length)
        ids = np.full((len(rows), T), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), T), dtype=bool)
        for i, (s, row) in enumerate(zip(strings, rows)):
            if len(row) > T:
                raise ValueError(f"{s!r} has {len(row)} characters, longer than length={T}")
            if row:  # ids[i, T - 0:] would be the whole row
                ids[i, T - len(row):] = row
                mask[i, T - len(row):] = True
        return ids, mask

    def encode_targets(self, strings):
        """ISO dates "YYYY-MM-DD" -> ids, int64 (N, 11): START, then the 10 characters.

        The decoder reads ids[:, :-1] (START and the first 9 characters) and is trained to write
        ids[:, 1:] (the 10 characters). A string not of the form YYYY-MM-DD -> ValueError.
        """
        if isinstance(strings, str):
            strings = [strings]
        ids = np.zeros((len(strings), TARGET_LENGTH), dtype=np.int64)
        for i, s in enumerate(strings):
            if not isinstance(s, str) or not _ISO.fullmatch(s):
                raise ValueError(f"target {s!r} is not of the form YYYY-MM-DD")
            ids[i] = [self.start_id] + self._ids_of(s)
        return ids

    def decode(self, ids):
        """ids, int (N, T) (or one row (T,)) -> list of N strings.

        START is removed wherever it is and PAD from both ends of each string, so decode gives back
        the source of encode_sources and the date of encode_targets; a space inside a string is kept.
        """
        ids = np.asarray(ids)
        if ids.ndim == 1:
            ids = ids[None, :]
        if ids.ndim != 2 or (ids.size and ids.dtype.kind not in "iu"):
            raise ValueError(f"decode needs an int array of shape (N, T), got {ids.dtype} {ids.shape}")
        if ids.size and (ids.min() < 0 or ids.max() >= self.size):
            raise ValueError(f"ids must lie in [0, {self.size}), got values from {ids.min()} to {ids.max()}")
        return ["".join(self.chars[k] for k in row if k != self.start_id).strip(PAD) for row in ids.tolist()]
