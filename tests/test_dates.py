"""utils.dates: deterministic pairs, disjoint splits, formats that read back to the right date and
determine it, and a vocabulary that encodes, pads on the left and decodes back."""
import datetime
import re

import numpy as np
import pytest

from utils.dates import (
    FIRST_DATE,
    FORMATS,
    LAST_DATE,
    MAX_SOURCE_LENGTH,
    PAD,
    START,
    TWO_DIGIT_FIRST,
    TWO_DIGIT_LAST,
    TWO_DIGIT_YEAR_FORMATS,
    CharVocab,
    date_pairs,
    format_date,
    is_test_date,
)

# How Python's own parser reads each format back (the C locale's English names; %b, %B, %a, %A
# match case-insensitively). "ordinal" has no strptime directive for "5th": its suffix is checked
# and stripped first.
STRPTIME = {
    "iso_slash": "%Y/%m/%d",
    "us_numeric": "%m/%d/%y",
    "eu_numeric": "%d.%m.%Y",
    "compact": "%Y%m%d",
    "short_month": "%b %d, %Y",
    "long_month": "%B %d, %Y",
    "ordinal": "%B %d, %Y",
    "day_month_year": "%d %B %Y",
    "lower_short": "%b %d %Y",
    "oracle": "%d-%b-%Y",
    "weekday_short": "%a %d %b %Y",
    "weekday_long": "%A, %B %d, %Y",
    "japanese": "%Y年%m月%d日",
}
SUFFIX = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}  # every other day: "th"
SATURDAY = datetime.date(1987, 9, 5)


def parse(source, fmt):
    """The date Python's strptime reads from `source`, written in `fmt` (and its weekday, checked)."""
    if fmt == "ordinal":
        match = re.fullmatch(r"(\w+ )(\d+)(st|nd|rd|th)(, \d{4})", source)
        assert match, source
        assert match[3] == SUFFIX.get(int(match[2]), "th"), source
        source = match[1] + match[2] + match[4]
    date = datetime.datetime.strptime(source, STRPTIME[fmt]).date()
    if fmt.startswith("weekday"):  # strptime ignores a weekday that contradicts the date
        assert source.split()[0].rstrip(",") in (date.strftime("%a"), date.strftime("%A")), source
    return date


def every_day(first, last, step=1):
    return [datetime.date.fromordinal(k) for k in range(first.toordinal(), last.toordinal() + 1, step)]


def format_date_or_none(day, fmt):
    """format_date, or None where the format cannot write the day (a two-digit year outside its window)."""
    try:
        return format_date(day, fmt)
    except ValueError:
        return None


# ----------------------------------------------------------------------------------- formats

def test_there_are_at_least_ten_formats_each_with_a_parser_here():
    assert len(FORMATS) >= 10 and len(set(FORMATS)) == len(FORMATS)
    assert set(STRPTIME) == set(FORMATS), "a new format needs its parser in STRPTIME"


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_reads_back_to_its_date(fmt):
    first, last = (TWO_DIGIT_FIRST, TWO_DIGIT_LAST) if fmt in TWO_DIGIT_YEAR_FORMATS else (FIRST_DATE, LAST_DATE)
    # Every 7th day: all days of the month, months and weekdays, and the ends of the range.
    days = every_day(first, last, step=7) + [first, last, datetime.date(2000, 2, 29), SATURDAY]
    for day in days:
        source = format_date(day, fmt)
        assert parse(source, fmt) == day, (fmt, source, day)
        assert source == source.strip() and len(source) <= MAX_SOURCE_LENGTH


def test_the_examples_of_the_docstring():
    written = {fmt: format_date(SATURDAY, fmt) for fmt in FORMATS}
    assert written["us_numeric"] == "9/5/87" and written["eu_numeric"] == "5.9.1987"
    assert written["weekday_long"] == "Saturday, September 5, 1987"
    assert written["ordinal"] == "September 5th, 1987" and written["japanese"] == "1987年9月5日"
    assert format_date(datetime.date(2000, 9, 27), "weekday_long") == "Wednesday, September 27, 2000"
    assert MAX_SOURCE_LENGTH == 29


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_one_to_one(fmt):
    """Two dates never share a source string: the target is a function of the source."""
    first, last = (TWO_DIGIT_FIRST, TWO_DIGIT_LAST) if fmt in TWO_DIGIT_YEAR_FORMATS else (FIRST_DATE, LAST_DATE)
    days = every_day(first, last, step=3)
    assert len({format_date(day, fmt) for day in days}) == len(days)


def test_a_two_digit_year_format_refuses_dates_it_would_write_ambiguously():
    for fmt in TWO_DIGIT_YEAR_FORMATS:
        format_date(TWO_DIGIT_FIRST, fmt), format_date(TWO_DIGIT_LAST, fmt)
        for outside in (TWO_DIGIT_FIRST - datetime.timedelta(days=1), TWO_DIGIT_LAST + datetime.timedelta(days=1)):
            with pytest.raises(ValueError, match="two-digit"):
                format_date(outside, fmt)


def test_an_unknown_format_is_named_with_the_formats():
    with pytest.raises(ValueError, match=r"'us_slash'.*iso_slash.*japanese"):
        format_date(SATURDAY, "us_slash")
    with pytest.raises(ValueError, match=r"'Long_month'.*long_month"):
        date_pairs(5, formats=["long_month", "Long_month"])
    with pytest.raises(ValueError):
        date_pairs(5, formats=[])


# ----------------------------------------------------------------------------------- pairs

def test_pairs_are_deterministic_and_depend_on_the_seed():
    assert date_pairs(300, seed=5) == date_pairs(300, seed=5)
    assert date_pairs(300, seed=5, split="test", formats=("oracle",)) == date_pairs(300, seed=5, split="test",
                                                                                        formats=("oracle",))
    assert date_pairs(300, seed=5) != date_pairs(300, seed=6)
    assert date_pairs(300, seed=5, split="train") != date_pairs(300, seed=5, split="test")
    assert date_pairs(0) == []


def test_pairs_are_well_formed_and_read_back():
    pairs = date_pairs(2000, seed=1)
    for source, target in pairs:
        assert isinstance(source, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", target)
        day = datetime.date.fromisoformat(target)
        assert FIRST_DATE <= day <= LAST_DATE
        readings = {fmt for fmt in FORMATS if format_date_or_none(day, fmt) == source}
        assert readings, f"{source!r} is not {target} in any format"


def test_every_format_appears_and_only_the_chosen_ones():
    seen = {fmt for source, target in date_pairs(2000, seed=2)
            for fmt in FORMATS if format_date_or_none(datetime.date.fromisoformat(target), fmt) == source}
    assert seen == set(FORMATS)
    chosen = ("japanese", "compact")
    for source, target in date_pairs(200, seed=2, formats=chosen):
        assert source in {format_date(datetime.date.fromisoformat(target), fmt) for fmt in chosen}
    assert all("/" in s for s, _ in date_pairs(50, formats="us_numeric"))  # one name alone is a list of one


def test_two_digit_years_stay_in_their_window():
    for source, target in date_pairs(500, seed=3, formats=tuple(TWO_DIGIT_YEAR_FORMATS)):
        assert TWO_DIGIT_FIRST <= datetime.date.fromisoformat(target) <= TWO_DIGIT_LAST


def test_splits_use_disjoint_dates():
    train = {t for _, t in date_pairs(6000, seed=0, split="train")}
    test = {t for _, t in date_pairs(3000, seed=0, split="test")}
    assert train and test and not train & test
    assert not any(is_test_date(datetime.date.fromisoformat(t)) for t in train)
    assert all(is_test_date(datetime.date.fromisoformat(t)) for t in test)
    fraction = np.mean([is_test_date(day) for day in every_day(FIRST_DATE, LAST_DATE, step=5)])
    assert 0.08 < fraction < 0.12  # about one date in ten is held out


def test_dates_spread_over_the_two_centuries():
    years = [int(t[:4]) for _, t in date_pairs(3000, seed=4, formats=("compact",))]
    assert min(years) < 1910 and max(years) > 2090
    assert abs(np.mean(years) - 1999.5) < 5


def test_the_source_determines_the_target():
    """No source string maps to two targets: a model can learn the mapping."""
    seen = {}
    for split in ("train", "test"):
        for source, target in date_pairs(20000, seed=7, split=split):
            assert seen.setdefault(source, target) == target, f"{source!r} -> {seen[source]} and {target}"


def test_a_bad_split_or_n_is_refused():
    with pytest.raises(ValueError, match="split"):
        date_pairs(5, split="valid")
    for n in (-1, 2.5):
        with pytest.raises(ValueError, match="n must"):
            date_pairs(n)


# ----------------------------------------------------------------------------------- vocabulary

def test_the_vocabulary_holds_every_character_with_pad_first():
    vocab = CharVocab()
    assert vocab.chars[0] == PAD and vocab.char_to_id[PAD] == 0 and vocab.pad_id == 0
    assert vocab.chars[vocab.start_id] == START
    assert vocab.size == len(vocab.chars) == len(set(vocab.chars))
    assert CharVocab().chars == vocab.chars  # deterministic
    written = {c for s, t in date_pairs(5000, seed=8) + date_pairs(1000, seed=8, split="test") for c in s + t}
    assert written | {PAD, START} == set(vocab.chars), "the vocabulary holds what dates write, and no more"


def test_sources_are_left_padded_and_decode_back():
    vocab = CharVocab()
    sources = [s for s, _ in date_pairs(3000, seed=9)]
    ids, mask = vocab.encode_sources(sources)
    assert ids.dtype == np.int64 and mask.dtype == bool
    assert ids.shape == mask.shape == (3000, max(map(len, sources)))
    assert vocab.decode(ids) == sources
    assert mask.sum(axis=1).tolist() == [len(s) for s in sources]
    assert np.all(mask[:, -1]) and np.all(np.diff(mask.astype(int), axis=1) >= 0)  # padding comes first
    assert np.all(ids[~mask] == 0)

    ids, mask = vocab.encode_sources(["9/5/87", "Sep 5, 1987"], length=MAX_SOURCE_LENGTH)
    assert ids.shape == (2, MAX_SOURCE_LENGTH)
    assert mask[0].tolist() == [False] * (MAX_SOURCE_LENGTH - 6) + [True] * 6
    assert ids[1, -8] == 0 and mask[1, -8], "the space inside a date has PAD's id, but is real"
    assert vocab.decode(ids) == ["9/5/87", "Sep 5, 1987"]


def test_targets_start_with_start_and_decode_back():
    vocab = CharVocab()
    targets = [t for _, t in date_pairs(500, seed=10)]
    ids = vocab.encode_targets(targets)
    assert ids.shape == (500, 11) and ids.dtype == np.int64
    assert np.all(ids[:, 0] == vocab.start_id) and not np.any(ids[:, 1:] == vocab.start_id)
    assert vocab.decode(ids) == targets and vocab.decode(ids[:, 1:]) == targets
    assert "".join(vocab.chars[k] for k in ids[0, 1:]) == targets[0]
    for bad in ("1987-9-5", "05/09/1987", "1987-09-05 ", "87-09-05"):
        with pytest.raises(ValueError, match="YYYY-MM-DD"):
            vocab.encode_targets([bad])


def test_an_unknown_character_is_named_with_its_string():
    vocab = CharVocab()
    with pytest.raises(ValueError, match=r"'é'.*'5 févr\. 1987'"):
        vocab.encode_sources(["Sep 5, 1987", "5 févr. 1987"])
    with pytest.raises(ValueError, match=r"'x'"):
        vocab.encode_sources(["5x9x1987"])


def test_a_string_longer_than_length_is_refused():
    vocab = CharVocab()
    with pytest.raises(ValueError, match=r"'September 5, 1987'.*longer than length=10"):
        vocab.encode_sources(["9/5/87", "September 5, 1987"], length=10)
    ids, mask = vocab.encode_sources(["9/5/87"], length=6)  # exactly as long: no padding
    assert mask.all() and vocab.decode(ids) == ["9/5/87"]
