import pickle
import tracemalloc

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.utils import estimator_checks, get_tags

from sk_lstm import LSTMClassifier, TextSequencer

from .conftest import TINY, make_reviews

CORPUS = ["a good film", "a bad film, a bad day", "Good<br />good"]


def test_word_index_by_descending_frequency_ties_alphabetical():
    seq = TextSequencer(ngram_range=(1, 1)).fit(["b a c", "c a", "a"])
    assert seq.vocabulary_ == {"a": 2, "c": 3, "b": 4}
    assert seq.word_counts_ == {"a": 3, "c": 2, "b": 1}
    assert seq.get_vocabulary() == ["", "[UNK]", "a", "c", "b"]


def test_transform_pads_and_truncates_like_keras():
    texts = ["a b c d e", "a"]
    seq = TextSequencer(ngram_range=(1, 1), maxlen=3).fit(texts)
    a, b, c, d, e = (seq.vocabulary_[w] for w in "abcde")
    assert seq.transform(texts).tolist() == [[c, d, e], [0, 0, a]]
    seq.set_params(padding="post", truncating="post")
    assert seq.transform(texts).tolist() == [[a, b, c], [a, 0, 0]]
    out = seq.transform(texts)
    assert out.dtype == np.int32 and out.shape == (2, 3)


def test_num_words_caps_every_index():
    texts = [" ".join(f"w{i}" for i in range(j)) for j in range(1, 30)]
    seq = TextSequencer(num_words=10).fit(texts)
    assert len(seq.vocabulary_) == 8
    out = seq.transform(texts)
    assert out.max() == 9 and out.max() < 10
    # every kept index is used, and the dropped words became OOV (1)
    assert set(seq.vocabulary_.values()) == set(range(2, 10))
    assert (out == 1).any()


def test_unknown_words_map_to_oov():
    seq = TextSequencer(ngram_range=(1, 1), maxlen=4).fit(CORPUS)
    assert seq.transform(["zzz good qqq"]).tolist() == [
        [0, 1, seq.vocabulary_["good"], 1]
    ]
    assert seq.transform([""]).tolist() == [[0, 0, 0, 0]]


def test_default_tokens_keep_one_letter_words_apostrophes_and_drop_br():
    tokenize = TextSequencer().build_tokenizer()
    assert tokenize("I don't like it.<br /><br />A br film") == [
        "i",
        "don't",
        "like",
        "it",
        "a",
        "br",
        "film",
    ]
    assert tokenize("'Quoted' rock'n'roll") == ["quoted", "rock'n'roll"]
    assert tokenize('x<y and <i>italic</i>, <a href="u">link</a>') == [
        "x", "y", "and", "italic", "link"
    ]  # fmt: skip


def test_tokenization_options():
    assert TextSequencer(ngram_range=(1, 1), lowercase=False).fit(
        ["Good good"]
    ).vocabulary_ == {
        "Good": 2,
        "good": 3,
    }
    seq = TextSequencer(ngram_range=(1, 1), tokenizer=str.split).fit(["x-y x-y z"])
    assert seq.vocabulary_ == {"x-y": 2, "z": 3}
    seq = TextSequencer(ngram_range=(1, 1), token_pattern=r"(\w+)!").fit(
        ["wow! no yes!"]
    )
    assert seq.vocabulary_ == {"wow": 2, "yes": 3}
    with pytest.raises(ValueError, match="capturing groups"):
        TextSequencer(ngram_range=(1, 1), token_pattern=r"(a)(b)").fit(["ab"])


def test_min_df_int_and_proportion():
    texts = ["a b", "a c", "a b"]
    assert set(TextSequencer(ngram_range=(1, 1), min_df=2).fit(texts).vocabulary_) == {
        "a",
        "b",
    }
    assert set(
        TextSequencer(ngram_range=(1, 1), min_df=1.0).fit(texts).vocabulary_
    ) == {"a"}
    with pytest.raises(ValueError, match="No word is left"):
        TextSequencer(ngram_range=(1, 1), min_df=5).fit(texts)


def test_inverse_transform_round_trip():
    seq = TextSequencer(ngram_range=(1, 1), maxlen=8).fit(CORPUS)
    tokens = seq.inverse_transform(seq.transform(["a good day", "unseen film"]))
    assert tokens == [["a", "good", "day"], ["[UNK]", "film"]]
    with pytest.raises(ValueError, match="Word indices"):
        seq.inverse_transform([[99]])


@pytest.mark.parametrize(
    "X",
    [
        CORPUS,
        tuple(CORPUS),
        np.array(CORPUS, dtype=object),
        pd.Series(CORPUS),
        (t for t in CORPUS),
        # one column, as MLflow's pyfunc, ColumnTransformer and bagging pass it
        np.array(CORPUS, dtype=object)[:, None],
        np.array(CORPUS)[:, None],
        pd.DataFrame({"text": CORPUS}),
        pd.DataFrame({"text": CORPUS}, dtype="string"),
        [[text] for text in CORPUS],
        [(text,) for text in CORPUS],
    ],
)
def test_accepts_any_iterable_of_str(X):
    expected = TextSequencer().fit(CORPUS).transform(CORPUS)
    np.testing.assert_array_equal(TextSequencer().fit(X).transform(CORPUS), expected)


@pytest.mark.parametrize(
    "X, error, match",
    [
        ("a single text", ValueError, "string object received"),
        (None, TypeError, "got NoneType"),
        (["ok", None], TypeError, "NoneType .* at position 1"),
        (["ok", "fine", 3], TypeError, "int .* at position 2"),
        ([b"\xff\xfe"], ValueError, "position 0 is bytes that are not valid UTF-8"),
        (np.array([["a", "b"], ["c", "d"]]), ValueError, r"shape \(2, 2\)"),
        (np.array([[["a"]], [["b"]]]), ValueError, r"shape \(2, 1, 1\)"),
        ([["a"], ["b", "c"]], ValueError, "row of 2 items at position 1"),
        ([["a"], []], ValueError, "row of 0 items at position 1"),
    ],
)
def test_bad_input_names_the_problem_and_keeps_fitted_state(X, error, match):
    seq = TextSequencer().fit(CORPUS)
    before = dict(seq.vocabulary_)
    with pytest.raises(error, match=match):
        seq.fit(X)
    with pytest.raises(error, match=match):
        seq.transform(X)
    assert seq.vocabulary_ == before


def test_utf8_bytes_are_decoded():
    seq = TextSequencer().fit(["café good"])
    np.testing.assert_array_equal(
        seq.transform([b"caf\xc3\xa9 good"]), seq.transform(["café good"])
    )


@pytest.mark.parametrize(
    "params",
    [{"maxlen": 0}, {"num_words": 2}, {"padding": "left"}, {"min_df": 0}],
)
def test_parameters_out_of_range(params):
    with pytest.raises(ValueError, match=next(iter(params))):
        TextSequencer(**params).fit(CORPUS)
    fitted = TextSequencer().fit(CORPUS).set_params(**params)
    with pytest.raises(ValueError, match=next(iter(params))):
        fitted.transform(CORPUS)


def test_ngrams_follow_the_word_they_start_at():
    seq = TextSequencer(ngram_range=(1, 2), maxlen=7).fit(CORPUS)
    assert seq.build_analyzer()("Not a good film") == [
        "not", "not a", "a", "a good", "good", "good film", "film"
    ]  # fmt: skip
    assert list(seq.vocabulary_)[:4] == ["a", "good", "a bad", "bad"]  # by count
    assert {"a good", "bad film", "film a", "good good"} <= set(seq.vocabulary_)
    tokens = seq.inverse_transform(seq.transform(["a good film"]))
    assert tokens == [["a", "a good", "good", "good film", "film"]]
    only_pairs = TextSequencer(ngram_range=(2, 3)).build_analyzer()("a b c d")
    assert only_pairs == ["a b", "a b c", "b c", "b c d", "c d"]
    assert TextSequencer(ngram_range=(1, 2)).build_analyzer()("word") == ["word"]
    # As a list (how JSON gives it back) it works the same.
    as_list = TextSequencer(ngram_range=[1, 2], maxlen=7).fit(CORPUS)
    assert as_list.vocabulary_ == seq.vocabulary_


@pytest.mark.parametrize("ngram_range", [(0, 1), (2, 1), (1,), (1, 2, 3), (1.0, 2)])
def test_bad_ngram_range(ngram_range):
    with pytest.raises(ValueError, match=r"ngram_range must be a tuple \(min_n"):
        TextSequencer(ngram_range=ngram_range).fit(CORPUS)


def test_output_columns_follow_maxlen_set_after_fit():
    seq = TextSequencer(maxlen=5).fit(CORPUS).set_params(maxlen=9)
    assert seq.transform(CORPUS).shape == (3, 9)
    assert len(seq.get_feature_names_out()) == 9


def test_transform_before_fit():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        TextSequencer().transform(CORPUS)


def test_sklearn_conventions():
    seq = TextSequencer(num_words=100, maxlen=7)
    assert clone(seq).get_params() == seq.get_params()
    assert seq.set_params(maxlen=9).maxlen == 9
    tags = get_tags(seq)
    assert tags.input_tags.string and not tags.input_tags.two_d_array
    seq.fit(CORPUS)
    copy = pickle.loads(pickle.dumps(seq))
    np.testing.assert_array_equal(copy.transform(CORPUS), seq.transform(CORPUS))
    np.testing.assert_array_equal(
        TextSequencer(maxlen=9).fit_transform(CORPUS), seq.transform(CORPUS)
    )
    assert list(seq.get_feature_names_out())[:2] == ["textsequencer0", "textsequencer1"]
    assert len(seq.get_feature_names_out()) == 9
    frame = clone(seq).set_output(transform="pandas").fit_transform(CORPUS)
    assert list(frame.columns) == list(seq.get_feature_names_out())


def test_fit_is_idempotent_and_leaves_its_input_alone():
    texts = list(CORPUS)
    array = np.array(CORPUS, dtype=object)
    seq = TextSequencer(maxlen=6)
    first = seq.fit(texts).transform(texts)
    vocabulary = dict(seq.vocabulary_)
    seq.fit(["other words entirely"])
    np.testing.assert_array_equal(seq.fit(texts).transform(texts), first)
    assert seq.vocabulary_ == vocabulary
    seq.fit(array)
    assert texts == CORPUS and list(array) == CORPUS


@pytest.mark.slow
def test_grid_search_over_sequencer_parameters():
    X, y = make_reviews(32)
    pipe = make_pipeline(TextSequencer(), LSTMClassifier(**{**TINY, "epochs": 1}))
    search = GridSearchCV(
        pipe, {"textsequencer__maxlen": [6, 12], "textsequencer__num_words": [8, 50]},
        cv=2,
    ).fit(X, y)  # fmt: skip
    assert len(search.cv_results_["params"]) == 4
    best = search.best_estimator_.named_steps["textsequencer"]
    assert best.maxlen == search.best_params_["textsequencer__maxlen"]


def made_up_corpus(n, random_state=0):
    """Texts of a Zipf-like vocabulary, of lengths from 0 to 60 words."""
    rng = np.random.default_rng(random_state)
    words = [f"w{i}" for i in range(400)]
    weights = 1 / np.arange(1, len(words) + 1)
    return [
        " ".join(rng.choice(words, size=rng.integers(0, 60), p=weights / weights.sum()))
        for _ in range(n)
    ]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"num_words": 50, "maxlen": 20},
        {"ngram_range": (1, 2), "min_df": 3, "maxlen": 30, "padding": "post"},
        {"ngram_range": (2, 3), "min_df": 0.01, "truncating": "post", "maxlen": 7},
        {"num_words": None, "maxlen": 100},
    ],
)
def test_fit_transform_reads_each_text_once_and_equals_fit_then_transform(params):
    texts = made_up_corpus(2500)  # more than one block of texts
    sequencer = TextSequencer(**params)
    once = sequencer.fit_transform(texts)
    separately = TextSequencer(**params).fit(texts)
    assert separately.vocabulary_ == sequencer.vocabulary_
    assert separately.word_counts_ == sequencer.word_counts_
    np.testing.assert_array_equal(once, separately.transform(texts))
    assert once.dtype == np.int32 and once.shape == (2500, sequencer.maxlen)


def test_fit_transform_memory_is_the_output_and_the_counts():
    """No list of every token of the corpus: extra memory stays near the output."""
    texts = made_up_corpus(5000) * 4  # 20,000 texts, 600,000 tokens
    sequencer = TextSequencer(maxlen=60)
    tracemalloc.start()
    try:
        sequences = sequencer.fit_transform(texts)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # The output is 4.8 MB; holding every token as a string would take 40 MB+.
    assert peak < sequences.nbytes + 8 * 2**20


def test_verbose_shows_a_progress_bar(capsys):
    texts = made_up_corpus(1500)
    TextSequencer(verbose=1).fit(texts).transform(texts[:10])
    out = capsys.readouterr().out
    assert "Indexing 1,500 texts" in out and "1500/1500" in out
    assert "Reading 10 texts" in out
    TextSequencer().fit(texts)
    assert capsys.readouterr().out == ""


# scikit-learn's check_estimator skips every check of an estimator that reads
# strings (as it does CountVectorizer's): the checks feed numeric arrays. The
# checks of the API alone, which need no data, run here; those that fit on
# numbers would only see TextSequencer refuse them, as it should.
@pytest.mark.parametrize(
    "check",
    [
        "check_no_attributes_set_in_init",
        "check_parameters_default_constructible",
        "check_get_params_invariance",
        "check_set_params",
        "check_estimator_cloneable",
        "check_estimator_repr",
        "check_estimator_tags_renamed",
        "check_valid_tag_types",
        "check_do_not_raise_errors_in_init_or_set_params",
        "check_mixin_order",
    ],
)
def test_scikit_learn_api_checks(check):
    getattr(estimator_checks, check)("TextSequencer", TextSequencer())
