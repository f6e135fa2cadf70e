"""The default tokens in every script (sk_lstm._tokens)."""

import os
import re
import unicodedata
import warnings

import numpy as np
import pytest

from sk_lstm import TextSequencer, make_lstm_pipeline
from sk_lstm._tokens import (
    LEGACY_TOKEN_PATTERN,
    default_classes,
    default_token_pattern,
    default_tokenizer,
)

from .conftest import TINY, make_reviews

tokenize = default_tokenizer()


@pytest.mark.parametrize(
    "text, tokens",
    [
        # scripts that write vowels as combining marks: words stay whole
        ("आधुनिक भारत अच्छा है", ["आधुनिक", "भारत", "अच्छा", "है"]),
        ("সিনেমাটা দারুণ", ["সিনেমাটা", "দারুণ"]),
        ("படம் நன்றாக", ["படம்", "நன்றாக"]),
        ("ఈ సినిమా బాగుంది", ["ఈ", "సినిమా", "బాగుంది"]),
        ("مَرْحَبًا بِكُم", ["مَرْحَبًا", "بِكُم"]),
        ("שָׁלוֹם עוֹלָם", ["שָׁלוֹם", "עוֹלָם"]),
        # scripts without spaces: a character (and its marks) a token
        ("今天是个阴天。", ["今", "天", "是", "个", "阴", "天"]),
        ("東京タワーに", ["東", "京", "タ", "ワ", "ー", "に"]),
        ("หนังดีมาก", ["ห", "นั", "ง", "ดี", "ม", "า", "ก"]),
        ("ຮູບດີ", ["ຮູ", "ບ", "ດີ"]),
        ("ខ្ញុំ។", ["ខ្", "ញុំ"]),  # the full stop is no token
        ("ကောင်း။", ["ကော", "င်း"]),
        # mixtures: a word ends where a script without spaces begins
        ("abc今天def", ["abc", "今", "天", "def"]),
        ("天'a a'天 don't", ["天", "a", "a", "天", "don't"]),
        ("e\u0301t\u0e31", ["e\u0301t", "\u0e31"]),  # a Thai mark after Latin
        ("İstanbul".lower(), ["i\u0307stanbul"]),
        ("<br />映画<b>good</b>", ["映", "画", "good"]),
        # emoji, their variation selectors and keycaps are no words
        ("❤️ ❤️ x 1️⃣ 👍🏽", ["x", "1"]),
    ],
)
def test_words_stay_whole_and_scripts_without_spaces_split(text, tokens):
    assert tokenize(text) == tokens


def test_the_issue_example_is_read_right():
    texts = ["आधुनिक भारत अच्छा है", "今天是个阴天", "ఈ సినిమా బాగుంది"]
    vocabulary = TextSequencer(ngram_range=(1, 1)).fit(texts).vocabulary_
    assert {"आधुनिक", "भारत", "अच्छा", "है", "今", "天", "阴"} <= vocabulary.keys()
    assert "सिनेमा" not in vocabulary and "अच" not in vocabulary
    assert "今天是个阴天" not in vocabulary and "స" not in vocabulary


def random_texts(alphabet, n=3000, seed=0):
    rng = np.random.default_rng(seed)
    pieces = [*alphabet, " ", "'", "''", "<br />", "<i>", "-", ".", "!", "\n"]
    return ["".join(rng.choice(pieces, rng.integers(0, 30))) for _ in range(n)]


# Latin (with Latin-1 and Extended-A/B letters), Greek, Cyrillic, digits; not
# "İ", whose lowercase has a combining dot: "i̇stanbul" is now one word, not two.
LATIN_GREEK_CYRILLIC = [
    *"aZ09_éÆøßĳǅ",
    "ΣσςΑω",
    "ЖжЁё",
    "Ω",
    "ℓ",
    "²",
    "٣",
    "😀",
    "\u200b",
    "\xa0",
]


def test_latin_greek_and_cyrillic_get_the_legacy_tokens():
    legacy = re.compile(LEGACY_TOKEN_PATTERN)
    full = re.compile(default_token_pattern())
    for text in random_texts(LATIN_GREEK_CYRILLIC):
        expected = [t for t in legacy.findall(text.lower()) if t]
        assert tokenize(text.lower()) == expected, text
        # the fast path for plain texts is the full pattern's reading
        assert [t for t in full.findall(text.lower()) if t] == expected, text


def test_the_fast_path_reads_as_the_full_pattern_in_every_script():
    full = re.compile(default_token_pattern())
    alphabet = [*LATIN_GREEK_CYRILLIC, "आ", "\u093f", "\u094d", "ดี", "\u0e31",
                "ខ្", "天", "ー", "ｶ", "\u0301", "\U00020001", "\u302a"]  # fmt: skip
    for text in random_texts(alphabet, seed=1):
        assert tokenize(text) == [t for t in full.findall(text) if t], text


def test_the_classes_are_what_they_say():
    classes = default_classes()

    def chars(name):
        return {chr(c) for low, high in classes[name] for c in range(low, high + 1)}

    word, no_space, mark = chars("word"), chars("no_space"), chars("mark")
    assert not word & no_space
    assert all(unicodedata.category(c)[0] == "M" for c in mark)
    assert {"\u0301", "\u093f", "\u094d", "\u0e31", "\u05b8"} <= mark
    assert {"a", "_", "5", "ж", "आ", "\u093f", "\u0301"} <= word
    assert {"天", "ก", "\u0e31", "ア", "ー", "ក", "က", "ສ"} <= no_space
    assert not {"。", "។", "๏", " ", "'"} & (word | no_space)


def test_mostly_phrases_warn_once_naming_the_script():
    javanese = ["ꦲꦏ꧀ꦱꦫꦗꦮꦲꦏ꧀ꦱꦫꦗꦮꦲꦏ꧀ꦱꦫꦗꦮ", "ꦲꦏ꧀ꦱꦫꦗꦮꦏ꧀ꦱꦫꦗꦮꦏ꧀ꦱꦫꦗꦮꦏ꧀ꦱꦫꦗꦮ ok"] * 3
    with pytest.warns(UserWarning, match="in the Javanese script") as caught:
        TextSequencer(ngram_range=(1, 2)).fit(javanese)
    assert len(caught) == 1
    assert "token_pattern=r'\\w'" in str(caught[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TextSequencer().fit(["a fine film " * 3, "今天是个阴天"])  # short tokens
        TextSequencer(token_pattern=r"\S+").fit(javanese)  # the user's own pattern


def test_the_pipeline_learns_from_a_script_without_spaces():
    # Chinese reviews made up of a positive or negative two-character word in
    # neutral text: only character n-grams tell them apart.
    texts, y = make_reviews(120)
    good, bad = "好看", "难看"
    neutral = "这部电影的故事演员导演音乐"
    rng = np.random.default_rng(0)
    chinese = [
        "".join(rng.choice(list(neutral), 6)) + (good if label == "pos" else bad)
        for label in y
    ]
    pipe = make_lstm_pipeline(**{**TINY, "epochs": 10}).fit(chinese, y)
    assert pipe.score(chinese, y) == 1.0
    assert {"好", "看", "难"} <= pipe.named_steps["sequencer"].vocabulary_.keys()


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("SK_LSTM_DATA"),
    reason="SK_LSTM_DATA is not set: no local copy of the IMDB data to read",
)
def test_imdb_vocabulary_is_unchanged():
    from sk_lstm.datasets import load_imdb

    X, _ = load_imdb(subset="train", return_X_y=True)
    new = TextSequencer().fit(X)
    old = TextSequencer(token_pattern=LEGACY_TOKEN_PATTERN).fit(X)
    assert new.vocabulary_ == old.vocabulary_
    assert new.word_counts_ == old.word_counts_
