"""The bad-input table (docs/bad_input.md), row by row, on a fitted pipeline.

Each row either raises a clear error (and leaves the fitted pipeline exactly as it
was) or gives a defined result.
"""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from sk_lstm import LSTMClassifier, TextSequencer, make_lstm_pipeline

from .conftest import TINY, make_reviews


@pytest.fixture(scope="module")
def fitted():
    X, y = make_reviews(48)
    return make_lstm_pipeline(maxlen=12, **{**TINY, "epochs": 2}).fit(X, y), X, y


def snapshot(pipe, X):
    return dict(pipe.named_steps["sequencer"].vocabulary_), pipe.predict_proba(X)


FIT_ERRORS = [
    # (texts, labels, error, message)
    (["good", None], ["pos", "neg"], TypeError, "NoneType .* position 1"),
    (["good", 3.5], ["pos", "neg"], TypeError, "float .* position 1"),
    ([b"good", b"\xff"], ["pos", "neg"], ValueError, "position 1 .* not valid UTF-8"),
    ("a bare string", ["pos"], ValueError, "string object received"),
    ([], [], ValueError, "at least one text"),
    (np.array([["good", "x"], ["bad", "y"]]), [0, 1], ValueError, r"shape \(2, 2\)"),
    (["zzz qqq"] * 4, ["pos"] * 4, ValueError, "one class only"),
    (["good", "bad"], ["pos", None], ValueError, "missing label.*position 1"),
    (["good", "bad"], [1.0, np.nan], ValueError, "missing label.*position 1"),
    (["good", "bad", "fine"], ["pos", "neg"], ValueError, "inconsistent numbers"),
]


@pytest.mark.parametrize("texts, labels, error, match", FIT_ERRORS)
def test_bad_fit_input_raises_and_keeps_the_fitted_pipeline(
    fitted, texts, labels, error, match
):
    pipe, X, _ = fitted
    before = snapshot(pipe, X)
    with pytest.raises(error, match=match):
        pipe.fit(texts, labels)
    after = snapshot(pipe, X)
    assert after[0] == before[0]
    np.testing.assert_array_equal(after[1], before[1])


@pytest.mark.parametrize("bad", [-1.0, np.nan, np.inf])
def test_bad_sample_weight_raises_and_keeps_the_fitted_pipeline(fitted, bad):
    pipe, X, y = fitted
    before = snapshot(pipe, X)
    weights = np.ones(len(y))
    weights[5] = bad
    with pytest.raises(ValueError, match=r"sample_weight .* at position 5"):
        pipe.fit(X[::-1], y[::-1], classifier__sample_weight=weights)
    after = snapshot(pipe, X)
    assert after[0] == before[0]
    np.testing.assert_array_equal(after[1], before[1])


def test_no_token_survives_min_df(fitted):
    pipe, X, y = fitted
    before = snapshot(pipe, X)
    with pytest.raises(ValueError, match="No word is left to index"):
        pipe.set_params(sequencer__min_df=1000).fit(X, y)
    pipe.set_params(sequencer__min_df=1)
    assert snapshot(pipe, X)[0] == before[0]


@pytest.mark.parametrize(
    "texts",
    [
        ["", "   ", "\n\t"],  # empty and whitespace-only: all padding
        ["zzz qqq xxx"],  # only unknown words: all out-of-vocabulary
        ["Café déjà vu 😀 שלום عالم"],  # accents, emoji, right-to-left scripts
        ["good film " * 250_000],  # a 5 MB review: truncated to maxlen
    ],
)
def test_odd_texts_get_a_defined_prediction(fitted, texts):
    pipe, *_ = fitted
    proba = pipe.predict_proba(texts)
    assert proba.shape == (len(texts), 2)
    assert np.isfinite(proba).all()
    assert set(pipe.predict(texts)) <= {"neg", "pos"}


def test_odd_texts_tokenize_as_documented(fitted):
    sequencer = fitted[0].named_steps["sequencer"]
    assert sequencer.transform(["", "   "]).tolist() == [[0] * 12] * 2
    assert sequencer.transform(["zzz qqq xxx"])[0, -3:].tolist() == [1, 1, 1]
    tokenize = sequencer.build_tokenizer()
    assert tokenize("Café déjà vu 😀 שלום عالم") == [
        "café",
        "déjà",
        "vu",
        "שלום",
        "عالم",
    ]
    assert sequencer.transform([])[:0].shape == (0, 12)


def test_predict_before_fit():
    with pytest.raises(NotFittedError):
        make_lstm_pipeline().predict(["good"])
    with pytest.raises(NotFittedError):
        TextSequencer().transform(["good"])
    with pytest.raises(NotFittedError):
        LSTMClassifier().predict_proba(np.ones((1, 3), dtype=int))


@pytest.mark.parametrize(
    "param, value",
    [("classifier__dropout", 1.5), ("classifier__units", 0), ("sequencer__maxlen", 0)],
)
def test_parameters_out_of_range_keep_the_fitted_pipeline(fitted, param, value):
    pipe, X, y = fitted
    before = snapshot(pipe, X)
    good = pipe.get_params()[param]
    other_texts, other_y = make_reviews(20, random_state=5)
    pipe.set_params(**{param: value})
    with pytest.raises(ValueError, match=param.split("__")[1]):
        pipe.fit(other_texts, other_y)
    pipe.set_params(**{param: good})
    after = snapshot(pipe, X)
    assert after[0] == before[0]
    np.testing.assert_array_equal(after[1], before[1])
