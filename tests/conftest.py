import csv
import subprocess
import sys

import keras
import numpy as np
import pytest

POSITIVE = ["good", "great", "superb", "loved", "wonderful", "fine"]
NEGATIVE = ["bad", "awful", "boring", "hated", "terrible", "dull"]
NEUTRAL = ["the", "film", "movie", "a", "plot", "actor", "it", "was", "and"]


def make_reviews(n, random_state=0, labels=("neg", "pos")):
    """Made-up reviews whose label shows in their words: an easy, learnable task."""
    rng = np.random.default_rng(random_state)
    texts, y = [], []
    for i in range(n):
        label = i % 2
        cue = POSITIVE if label else NEGATIVE
        length = rng.integers(3, 12)
        words = list(rng.choice(NEUTRAL, size=length)) + list(rng.choice(cue, size=2))
        rng.shuffle(words)
        texts.append(" ".join(words))
        y.append(labels[label])
    return texts, np.array(y)


@pytest.fixture
def reviews():
    return make_reviews(64)


# Small enough to fit in about a second, big enough to learn the toy task; all
# the data is trained on (a tenth of a toy set is too few to stop early on), for
# exactly `epochs` epochs (no `min_steps`), with a small bag of n-grams.
collect_ignore = ["data"]  # files for the tests, not tests

TINY = dict(
    embedding_dim=8,
    units=8,
    epochs=8,
    min_steps=0,
    bag_buckets=1024,
    batch_size=16,
    learning_rate=0.01,
    random_state=0,
    early_stopping=False,
    validation_fraction=None,
)


@pytest.fixture(autouse=True, scope="module")
def _fresh_keras_session():
    # Once per test module: clearing costs about 0.2 s, a third of a quick test.
    yield
    keras.backend.clear_session()


def logits_of(proba):
    """The model's logits from its probabilities: log-odds, or log-softmax."""
    if proba.shape[1] == 2:
        return np.log(proba[:, 1:] / proba[:, :1])
    return np.log(proba)


def check_exact(pipe, texts, explanations):
    proba = pipe.predict_proba(texts)
    assert len(explanations) == len(texts)
    for text, e, p in zip(texts, explanations, proba, strict=True):
        parts = e.bias + e.bag.sum(axis=0) + e.lstm.sum(axis=0) + e.lstm_padding
        np.testing.assert_allclose(parts, e.logit, atol=1e-5)
        if e.ngrams:
            np.testing.assert_allclose(
                e.ngram_values.sum(axis=0), e.bag.sum(axis=0), atol=1e-5
            )
        assert e.text == text
        assert e.label == pipe.classes_[np.argmax(p)]
        assert e.probability == pytest.approx(p.max(), abs=1e-6)
        assert e.bag.shape == e.lstm.shape == (len(e.tokens), len(e.classes))
        for token, span in zip(e.tokens, e.spans, strict=True):
            if span is None:  # a custom tokenizer's token not in the text
                continue
            read = text[span[0] : span[1]].lower()  # n-grams span what is between
            words = token.split() or [""]  # (a pattern may match empty tokens)
            assert read.startswith(words[0]) or "İ" in text
            assert read.endswith(words[-1]) or "İ" in text
    logits = np.array([e.logit for e in explanations])
    expected = logits_of(proba)
    if proba.shape[1] > 2:  # softmax logits are known up to a constant
        logits = logits - logits.max(axis=1, keepdims=True)
        expected = expected - expected.max(axis=1, keepdims=True)
    np.testing.assert_allclose(logits, expected, atol=1e-4)


def layer_of(model, kind):
    """The layers of ``model`` of class ``kind``."""
    return [layer for layer in model.layers if isinstance(layer, kind)]


def run_cli(*args, **kwargs):
    """``python -m sk_lstm ARGS...`` in a new process, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "sk_lstm", *args],
        capture_output=True,
        text=True,
        timeout=600,
        **kwargs,
    )


# --- the command line's files and errors ---------------------------------------

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_png(path, min_width=300, min_height=200):
    """A real PNG image that matplotlib reads back, of a readable size."""
    with open(path, "rb") as file:
        assert file.read(8) == PNG_MAGIC
    import matplotlib.image

    image = matplotlib.image.imread(path)
    height, width, channels = image.shape
    assert width >= min_width and height >= min_height and channels in (3, 4)
    assert image.std() > 0.05  # not a blank canvas


def write_csv(path, texts, labels, columns=("text", "label"), delimiter=","):
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, delimiter=delimiter)
        writer.writerow(columns)
        writer.writerows(zip(texts, labels, strict=True))
    return path


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        return reader.fieldnames, list(reader)


def one_error_line(captured, command):
    """The single line a failed command writes to stderr."""
    assert "Traceback" not in captured.err
    lines = [line for line in captured.err.splitlines() if line.startswith("sk-lstm")]
    assert len(lines) == 1 and lines[0].startswith(f"sk-lstm {command}: error: ")
    return lines[0]
