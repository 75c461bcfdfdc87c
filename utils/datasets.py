"""Small data sets for the course, generated offline and deterministically (same seed, same data).

- `spiral`: the interleaved spirals of CS231n, a 2-D classification task no linear model solves.
- `ner_corpus`, `build_vocab`, `ner_windows`: a labelled named-entity corpus of English-like
  sentences for the window classifier of CS224N lecture 3.

How the NER corpus is built
---------------------------
Each sentence comes from one of 66 hand-written templates ("Shares of {ORG} fell {NUM}
percent on {WEEKDAY} .", "{PER} was born in {LOC} in {YEAR} ."), whose slots are filled at random
from small lexicons of first names, surnames, cities, countries, organisations, months, weekdays
and numbers. The slot decides the label of each of its tokens: PER, LOC, ORG or DATE; every other
token is O (titles such as "Mr." and the "the" before an organisation included, as in CoNLL).

The lexicons overlap on purpose, as real language does: "Washington", "Jordan", "Paris" or
"Houston" is a person in one sentence and a place in the next, "Ford" or "Chase" a person or a
company, "May" or "June" a person or a month, and "12" a day of the month or a plain number. For
these words the word itself cannot decide the label; the neighbouring words ("born in", "Mr.",
"shares of", "on") usually can. `AMBIGUOUS` lists them. A few templates ("{PER} welcomed the
decision .", "{LOC} welcomed ...", "{ORG} welcomed ...") give the same context to several classes,
so that there the word has to decide, and an ambiguous word in them stays ambiguous.

The "train" split also fills a few entity slots with made-up names that almost never repeat
(`RARE_WEIGHT`): `build_vocab(corpus, min_count=2)` maps them to the unknown word, so that a model
meets unknown words in training too. The "test" split uses a different random stream and, for a third of the entity slots, names that
never occur in the "train" split (`HELD_OUT`), so that a classifier is also judged on entities it
has never seen, which only the context can identify.

Nothing here computes a gradient or an answer to an exercise: these are data only.
"""

import numpy as np

# ----------------------------------------------------------------------------------- spiral


def spiral(n_per_class=100, n_classes=3, noise=0.2, seed=0):
    """Points on `n_classes` interleaved spiral arms in the plane, as in CS231n.

    Returns X, float64 array (n_per_class * n_classes, 2), inside the unit disc (up to noise), and
    y, int64 array of the same length with the class of each point (0 .. n_classes - 1), the
    classes in blocks: y = [0, 0, ..., 1, 1, ..., 2, ...]. The same seed gives the same data.
    """
    rng = np.random.default_rng(seed)
    X = np.zeros((n_per_class * n_classes, 2))
    y = np.zeros(n_per_class * n_classes, dtype=np.int64)
    for k in range(n_classes):
        rows = slice(n_per_class * k, n_per_class * (k + 1))
        radius = np.linspace(0.0, 1.0, n_per_class)
        angle = np.linspace(k * 4.0, (k + 1) * 4.0, n_per_class) + noise * rng.standard_normal(n_per_class)
        X[rows] = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
        y[rows] = k
    return X, y


# ------------------------------------------------------------------------------ NER corpus

NER_CLASSES = ("O", "PER", "LOC", "ORG", "DATE")
PAD_LEFT, PAD_RIGHT, UNK = "<s>", "</s>", "<unk>"

FIRST_NAMES = [
    "James", "Mary", "John", "Linda", "Robert", "Susan", "Michael", "Karen", "David", "Sarah",
    "Thomas", "Laura", "Daniel", "Anna", "Peter", "Emma", "Ahmed", "Fatima", "Yuki", "Hiroshi",
    "Priya", "Raj", "Wei", "Mei", "Olga", "Pierre", "Lucia", "Kofi", "Amara", "Diego", "Ingrid",
    "Omar", "Elena", "Carlos", "Grace", "Samuel", "Nadia", "Tom", "Hannah", "Kenji",
]
SURNAMES = [
    "Smith", "Johnson", "Brown", "Garcia", "Miller", "Davis", "Martinez", "Lopez", "Wilson",
    "Anderson", "Taylor", "Moore", "Tanaka", "Sato", "Suzuki", "Kim", "Park", "Nguyen", "Singh",
    "Patel", "Mueller", "Schmidt", "Rossi", "Dubois", "Silva", "Okafor", "Mensah", "Ivanova",
    "Kowalski", "Jensen", "Walker", "Clarke", "Haddad", "Novak", "Reyes", "Fischer",
]
CITIES = [
    "London", "Tokyo", "Berlin", "Nairobi", "Lagos", "Mumbai", "Toronto", "Madrid", "Rome",
    "Cairo", "Lima", "Oslo", "Seoul", "Osaka", "Boston", "Chicago", "Denver", "Vienna", "Prague",
    "Dublin", "Manila", "Hanoi", "Accra", "Quito", "New York", "San Francisco", "Buenos Aires",
    "Hong Kong", "Los Angeles", "Cape Town",
]
COUNTRIES = [
    "France", "Japan", "Kenya", "Brazil", "Canada", "India", "Germany", "Egypt", "Peru",
    "Norway", "Chile", "Ghana", "Mexico", "Spain", "Italy", "Vietnam", "Poland", "Sweden",
    "Nigeria", "Australia", "South Korea", "New Zealand",
]
ORGANISATIONS = [
    "Google", "Microsoft", "Toyota", "Siemens", "Reuters", "UNESCO", "Samsung", "Nestle",
    "Oxfam", "Interpol", "NASA", "Boeing", "Airbus", "Sony", "Unilever", "Pfizer", "IKEA",
    "Bank of England", "General Motors", "Deutsche Bank", "Red Cross", "the United Nations",
    "the World Bank", "Barclays", "Nokia", "Honda", "Amazon", "Jaguar",
]
CLUBS = ["Arsenal", "Juventus", "Ajax", "Benfica", "Celtic", "Porto", "Valencia", "Everton"]
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
TITLES = ["Mr.", "Ms.", "Dr.", "President", "Professor", "Senator"]

# Words that take several labels, by slot. Each list is drawn from with extra weight, so that
# these words are frequent enough to be learned in every role.
AMBIGUOUS_BY_SLOT = {
    "FIRST": ["Paris", "Georgia", "Florence", "Sydney", "Victoria", "Austin", "Jordan", "Chelsea",
              "Madison", "Chad", "May", "June", "April", "August"],
    "LAST": ["Washington", "Jackson", "Lincoln", "Houston", "Ford", "Chase", "Dell", "Jordan",
             "Morgan", "Santos"],
    "CITY": ["Paris", "Sydney", "Washington", "Jackson", "Lincoln", "Houston", "Florence",
             "Victoria", "Austin", "Madison"],
    "COUNTRY": ["Jordan", "Georgia", "Chad"],
    "ORG": ["Ford", "Chase", "Dell", "Morgan", "Lincoln"],
    "CLUB": ["Chelsea", "Santos"],
    "MONTH": ["May", "June", "April", "August"],
    "DAYNUM": ["12", "3", "21"],
    "NUM": ["12", "3", "21", "40"],
}
AMBIGUOUS_WEIGHT = 0.35  # probability that a slot with ambiguous words draws one of them

# Names that occur only in the test split (a third of its entity slots use them).
HELD_OUT = {
    "FIRST": ["Aiko", "Bruno", "Chiara", "Dmitri", "Esther", "Femi", "Gustav", "Haruto", "Isabel",
              "Jonas", "Leila", "Mateo"],
    "LAST": ["Abara", "Bergstrom", "Castillo", "Dimitrov", "Eriksen", "Fujita", "Gallo", "Hoffman",
             "Iyer", "Jovanovic", "Kaur", "Lindqvist"],
    "CITY": ["Helsinki", "Lisbon", "Bogota", "Kampala", "Sapporo", "Krakow", "Marseille",
             "Montreal", "Dakar", "Perth"],
    "COUNTRY": ["Portugal", "Colombia", "Uganda", "Finland", "Senegal", "Malaysia"],
    "ORG": ["Siemens Energy", "Ericsson", "Philips", "Hitachi", "Heineken", "Novartis",
            "Carrefour", "Volvo"],
    "CLUB": ["Feyenoord", "Boca Juniors"],
}
HELD_OUT_WEIGHT = 1 / 3

# In the train split, some entity slots get a made-up name that almost never repeats (say
# "Dolavi" or "Kesmaro"): a vocabulary built with min_count=2 maps these to UNK, so that a model
# learns a vector for unknown words, as real corpora (full of rare names) teach it.
RARE_SLOTS = ("FIRST", "LAST", "CITY", "COUNTRY", "ORG", "CLUB")
RARE_WEIGHT = 0.08
SYLLABLES = ["ka", "lo", "mi", "ra", "ven", "to", "sa", "dor", "li", "ne", "ba", "ru", "te", "mo",
             "vi", "zan", "el", "go", "ri", "an", "su", "ke", "da", "pol"]

LEXICON = {
    "FIRST": FIRST_NAMES, "LAST": SURNAMES, "CITY": CITIES, "COUNTRY": COUNTRIES,
    "ORG": ORGANISATIONS, "CLUB": CLUBS, "MONTH": MONTHS, "WEEKDAY": WEEKDAYS, "TITLE": TITLES,
    "DAYNUM": [str(d) for d in range(1, 29)],
    "YEAR": [str(y) for y in range(1950, 2024, 3)],
    "NUM": ["2", "5", "7", "8", "10", "15", "20", "30", "50", "100", "250"],
}

# Composite slots: what they expand to, and the label every token of the expansion gets.
COMPOSITE = {
    # a person: "John Smith", "Smith", "Mr. Smith", "John"
    "PER": ([["FIRST", "LAST"], ["FIRST", "LAST"], ["LAST"], ["FIRST"]], "PER"),
    "LOC": ([["CITY"], ["COUNTRY"]], "LOC"),
    "DATE": ([["MONTH", "DAYNUM"], ["WEEKDAY"], ["MONTH"], ["DAYNUM", "MONTH"], ["MONTH", "YEAR"]], "DATE"),
}
SLOT_CLASS = {
    "FIRST": "PER", "LAST": "PER", "CITY": "LOC", "COUNTRY": "LOC", "ORG": "ORG", "CLUB": "ORG",
    "MONTH": "DATE", "WEEKDAY": "DATE", "DAYNUM": "DATE", "YEAR": "DATE",
    "TITLE": "O", "NUM": "O",
}

TEMPLATES = [
    # people
    "{PER} was born in {LOC} in {YEAR} .",
    "{PER} said the deal would close on {DATE} .",
    "{TITLE} {LAST} told reporters in {CITY} that the talks had stalled .",
    "{FIRST} {LAST} , the chief executive of {ORG} , resigned on {DATE} .",
    "According to {PER} , sales at {ORG} rose {NUM} percent .",
    "{PER} met {PER} in {CITY} on {WEEKDAY} .",
    "The novel by {FIRST} {LAST} was published in {YEAR} .",
    "{FIRST} scored twice as {CLUB} beat {CLUB} {NUM} - {NUM} .",
    "{FIRST} {LAST} and {FIRST} {LAST} are expected to attend the summit .",
    "{TITLE} {LAST} has lived in {LOC} since {YEAR} .",
    "Police in {CITY} arrested {FIRST} {LAST} on {WEEKDAY} .",
    "{FIRST} thanked {FIRST} for the flowers .",
    "{TITLE} {FIRST} {LAST} will visit {COUNTRY} in {MONTH} .",
    "My sister {FIRST} works as a nurse in {CITY} .",
    "{LAST} , who joined {CLUB} in {YEAR} , was injured again .",
    "The award went to {FIRST} {LAST} of {ORG} .",
    "Yesterday {FIRST} told me that {FIRST} had moved to {CITY} .",
    "{PER} wrote to {TITLE} {LAST} about the report .",
    "Voters in {CITY} elected {FIRST} {LAST} as mayor .",
    "{FIRST} {LAST} , {NUM} , was rescued by fishermen .",
    # places
    "Heavy rain flooded parts of {LOC} on {WEEKDAY} .",
    "She flew from {CITY} to {CITY} last {WEEKDAY} .",
    "The company opened a new office in {CITY} , {COUNTRY} .",
    "Tourists visiting {LOC} in {MONTH} should book early .",
    "The road between {CITY} and {CITY} was closed for {NUM} days .",
    "He moved to {LOC} after the war .",
    "The mayor of {CITY} announced a new budget .",
    "Exports from {COUNTRY} fell sharply in {MONTH} .",
    "{NUM} people were injured in an earthquake near {CITY} .",
    "The train to {CITY} leaves at {NUM} o'clock .",
    "Thousands marched through {CITY} on {DATE} .",
    "The border between {COUNTRY} and {COUNTRY} reopened on {DATE} .",
    "We spent {NUM} days in {CITY} and then drove to {CITY} .",
    "The embassy of {COUNTRY} in {CITY} was closed .",
    "Flights to {CITY} were cancelled because of the storm .",
    # organisations
    "Shares of {ORG} fell {NUM} percent on {WEEKDAY} .",
    "{ORG} announced that it will cut {NUM} jobs .",
    "{FIRST} {LAST} joined {ORG} as an engineer in {YEAR} .",
    "Analysts at {ORG} expect prices to rise .",
    "{ORG} signed a contract with {ORG} worth {NUM} million dollars .",
    "A spokesman for {ORG} declined to comment .",
    "{ORG} is headquartered in {CITY} .",
    "The report was released by {ORG} on {DATE} .",
    "Workers at {ORG} went on strike in {MONTH} .",
    "{CLUB} signed the striker from {CLUB} for {NUM} million .",
    "{ORG} bought a small startup in {CITY} .",
    "The chairman of {ORG} , {FIRST} {LAST} , defended the plan .",
    "Profits at {ORG} doubled in {YEAR} .",
    "{TITLE} {LAST} criticised {ORG} for the delay .",
    # contexts that fit several classes: here only the word itself can tell (when it can)
    "{PER} welcomed the decision .",
    "{LOC} welcomed the decision .",
    "{ORG} welcomed the decision .",
    "We have heard a lot about {PER} recently .",
    "We have heard a lot about {LOC} recently .",
    "We have heard a lot about {ORG} recently .",
    # dates and plain text
    "The meeting was moved to {DATE} .",
    "On {DATE} , {ORG} will report its earnings .",
    "The festival begins on {WEEKDAY} , {MONTH} {DAYNUM} .",
    "Prices have doubled since {YEAR} .",
    "The deadline is {MONTH} {DAYNUM} , {YEAR} .",
    "We waited for {NUM} hours at the station .",
    "The museum is closed on {WEEKDAY} .",
    "About {NUM} students passed the exam .",
    "The school opened in {MONTH} {YEAR} with {NUM} pupils .",
    "It rained for {NUM} days in a row .",
    "Please call me back before {WEEKDAY} .",
]


def ner_corpus(n_sentences=2000, seed=0, split="train"):
    """A labelled NER corpus: a list of (tokens, tags) pairs, one per sentence.

    tokens: tuple of str (words and punctuation); tags: tuple of str from NER_CLASSES, one per token.
    split: "train" or "test"; the test split also uses the HELD_OUT names (see the module docstring).
    The same (n_sentences, seed, split) gives the same corpus.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    # Separate random streams for the two splits, whatever the seed.
    rng = np.random.default_rng([seed, 0 if split == "train" else 1])
    held_out = split == "test"
    corpus = []
    for _ in range(n_sentences):
        template = TEMPLATES[rng.integers(len(TEMPLATES))]
        tokens, tags = [], []
        for piece in template.split():
            if piece.startswith("{") and piece.endswith("}"):
                words, label = _fill(piece[1:-1], rng, held_out)
                tokens += words
                tags += [label] * len(words)
            else:
                tokens.append(piece)
                tags.append("O")
        corpus.append((tuple(tokens), tuple(tags)))
    return corpus


def _fill(slot, rng, held_out):
    """Words for one slot of a template and their label."""
    if slot in COMPOSITE:
        expansions, label = COMPOSITE[slot]
        parts = expansions[rng.integers(len(expansions))]
        return [w for part in parts for w in _draw(part, rng, held_out)], label
    return _draw(slot, rng, held_out), SLOT_CLASS[slot]


def _draw(slot, rng, held_out):
    if held_out and slot in HELD_OUT and rng.random() < HELD_OUT_WEIGHT:
        choices = HELD_OUT[slot]
    elif not held_out and slot in RARE_SLOTS and rng.random() < RARE_WEIGHT:
        syllables = rng.choice(SYLLABLES, size=rng.integers(2, 4))
        return ["".join(syllables).capitalize()]
    elif slot in AMBIGUOUS_BY_SLOT and rng.random() < AMBIGUOUS_WEIGHT:
        choices = AMBIGUOUS_BY_SLOT[slot]
    else:
        choices = LEXICON[slot]
    return choices[rng.integers(len(choices))].split()


def _ambiguous_words():
    """Every word that some slot labels differently from another slot (or that is also O)."""
    labels = {}
    for slot, words in AMBIGUOUS_BY_SLOT.items():
        for word in words:
            labels.setdefault(word, set()).add(SLOT_CLASS[slot])
    return {word: tuple(sorted(ls)) for word, ls in labels.items() if len(ls) > 1}


# word -> the labels it takes in the corpus, for the words whose label depends on the context
AMBIGUOUS = _ambiguous_words()


def build_vocab(corpus, min_count=1):
    """Word -> index for the words of `corpus` seen at least `min_count` times.

    Indices 0, 1 and 2 are the padding tokens PAD_LEFT ("<s>"), PAD_RIGHT ("</s>") and UNK
    ("<unk>", for any word not in the vocabulary); the words follow in order of first appearance,
    so the same corpus always gives the same vocabulary.
    """
    counts = {}
    for tokens, _ in corpus:
        for word in tokens:
            counts[word] = counts.get(word, 0) + 1
    vocab = {PAD_LEFT: 0, PAD_RIGHT: 1, UNK: 2}
    for word, count in counts.items():
        if count >= min_count and word not in vocab:
            vocab[word] = len(vocab)
    return vocab


def ner_windows(corpus, vocab, m=2):
    """One window of 2m+1 word indices per token of `corpus`, and the token's label.

    Returns windows, int64 array (number of tokens, 2m+1), whose row is [w_{t-m}, ..., w_t, ...,
    w_{t+m}] (the token to classify in the middle, column m; positions before the start of the
    sentence are PAD_LEFT, after its end PAD_RIGHT, unknown words UNK), and labels, int64 array
    (number of tokens,), the index of the token's tag in NER_CLASSES.
    """
    unk = vocab[UNK]
    windows, labels = [], []
    for tokens, tags in corpus:
        ids = ([vocab[PAD_LEFT]] * m + [vocab.get(w, unk) for w in tokens] + [vocab[PAD_RIGHT]] * m)
        for t, tag in enumerate(tags):
            windows.append(ids[t:t + 2 * m + 1])
            labels.append(NER_CLASSES.index(tag))
    return (np.array(windows, dtype=np.int64).reshape(-1, 2 * m + 1),
            np.array(labels, dtype=np.int64))
