"""Pretrained word vectors: reading their files, and the embedding rows they start."""

import gzip
import tracemalloc

import keras
import numpy as np
import pytest
import sklearn

from sk_lstm import LSTMClassifier, TextSequencer, load, make_lstm_pipeline, save
from sk_lstm._vectors import word_vector_rows

from .conftest import TINY, make_reviews

DIM = TINY["embedding_dim"]
WORDS = ["good", "great", "bad", "awful", "film", "the"]


def vectors_of(words, dim=DIM, seed=1):
    rng = np.random.default_rng(seed)
    return {word: rng.normal(size=dim).astype(np.float32) for word in words}


def write_vectors(path, vectors, header=False):
    lines = [f"{w} " + " ".join(repr(float(x)) for x in v) for w, v in vectors.items()]
    if header:
        lines.insert(0, f"{len(vectors)} {len(next(iter(vectors.values())))}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def embedding_rows(classifier):
    """What the embedding gives each index, frozen rows included."""
    layer = next(
        x for x in classifier.model_.layers if isinstance(x, keras.layers.Embedding)
    )
    return np.asarray(layer(np.arange(classifier.vocab_size_)[None]))[0]


# Reading


@pytest.mark.parametrize("form", ["glove", "word2vec header", "gzip", "mapping"])
def test_every_form_gives_the_rows_of_the_words(tmp_path, form):
    vectors = vectors_of(["good", "bad", "other", "words"])
    if form == "mapping":
        source = vectors
    elif form == "gzip":
        source = tmp_path / "v.txt.gz"
        with gzip.open(source, "wt", encoding="utf-8") as file:
            file.write(write_vectors(tmp_path / "plain", vectors).read_text())
    else:
        source = write_vectors(tmp_path / "v.vec", vectors, form != "glove")
    rows, found = word_vector_rows(source, ["", "good", "film", "bad"])
    assert found.tolist() == [False, True, False, True]
    np.testing.assert_array_equal(rows[1], vectors["good"])
    np.testing.assert_array_equal(rows[3], vectors["bad"])
    np.testing.assert_array_equal(rows[[0, 2]], 0)


def test_a_cased_file_serves_a_lowercased_vocabulary_exact_words_first(tmp_path):
    path = tmp_path / "v.txt"
    path.write_text(
        "Paris 1 1\nparis 2 2\nBerlin 3 3\nNew York 4 4\n", encoding="utf-8"
    )
    rows, found = word_vector_rows(path, ["paris", "berlin", "new york", "rome"])
    assert rows.tolist() == [[2, 2], [3, 3], [4, 4], [0, 0]]  # a word with a space
    assert found.tolist() == [True, True, True, False]


@pytest.mark.parametrize(
    "content, message",
    [
        ("good 1 2 3\nbad 1 2\n", "line 2 is not a word and 3 numbers"),
        ("good 1 2 3\nbad 1 2 3 4\n", "line 2 is not a word and 3 numbers"),
        ("2 3\ngood 1 2\n", "line 2 is not a word and 3 numbers"),
        ("good 1 x 3\n", "line 1 is not a vector of numbers"),
        ("good 1 nan 3\n", "infinite or NaN"),
        ("good\n", "line 1 is not a word and some numbers"),
        ("", "holds no word vector"),
    ],
)
def test_a_bad_file_gets_one_error_naming_the_line(tmp_path, content, message):
    path = tmp_path / "v.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        word_vector_rows(path, ["good", "bad"])


def test_binary_and_damaged_files_are_named(tmp_path):
    binary = tmp_path / "GoogleNews.bin"
    binary.write_bytes(b"3 2\ngood \xff\xfe\x00\x01\x80\x81\x82\x83\n")
    with pytest.raises(ValueError, match="not UTF-8 text near line.*binary word2vec"):
        word_vector_rows(binary, ["good"])
    truncated = tmp_path / "v.txt.gz"
    truncated.write_bytes(gzip.compress(b"good 1 2\n" * 1000)[:-20])
    with pytest.raises(ValueError, match="cannot be read.*truncated"):
        word_vector_rows(truncated, ["good"])
    with pytest.raises(FileNotFoundError):
        word_vector_rows(tmp_path / "missing.txt", ["good"])


def test_bad_mappings_are_refused():
    with pytest.raises(
        ValueError, match="'bad' has 2 numbers, the vectors before it 3"
    ):
        word_vector_rows({"good": [1, 2, 3], "bad": [1, 2]}, ["good"])
    with pytest.raises(ValueError, match="'good' is not a vector of numbers"):
        word_vector_rows({"good": ["a", "b"]}, ["good"])
    with pytest.raises(TypeError, match="must be str"):
        word_vector_rows({1: [1.0]}, ["good"])
    with pytest.raises(TypeError, match="path to a text file.*not a list"):
        word_vector_rows([[1.0]], ["good"])


def test_a_large_file_is_read_in_bounded_memory(tmp_path):
    path = tmp_path / "big.txt"
    line = " " + " ".join(["0.125"] * 50) + "\n"
    with open(path, "w", encoding="utf-8") as file:
        for i in range(100_000):
            file.write(f"w{i}{line}")
    assert path.stat().st_size > 25_000_000
    tracemalloc.start()
    try:
        rows, found = word_vector_rows(path, ["w7", "w99999", "absent"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found.tolist() == [True, True, False]
    assert (rows[:2] == 0.125).all()
    assert peak < 2_000_000  # the file is 25 MB


# The model


@pytest.fixture(scope="module")
def data():
    return make_reviews(96)


@pytest.fixture(scope="module")
def vectors():
    return vectors_of(WORDS)


def _pipe(vectors, **params):
    return make_lstm_pipeline(**{**TINY, "word_vectors": vectors, **params})


@pytest.fixture(scope="module")
def frozen(data, vectors):
    return _pipe(vectors, freeze_word_vectors=True).fit(*data)


def test_frozen_rows_keep_the_vectors_and_the_others_learn(data, vectors, frozen):
    vocabulary = frozen[0].get_vocabulary()
    rows = embedding_rows(frozen[-1])
    for word in WORDS:
        np.testing.assert_array_equal(rows[vocabulary.index(word)], vectors[word])
    # the other words' rows moved from where a fit without vectors starts them
    plain = make_lstm_pipeline(**{**TINY, "epochs": 1, "learning_rate": 1e-12})
    start = embedding_rows(plain.fit(*data)[-1])
    other = vocabulary.index("superb")
    assert not np.allclose(rows[other], start[other], atol=1e-3)


def test_fine_tuned_rows_start_from_the_vectors_and_the_rest_as_before(data, vectors):
    # A learning rate of 1e-12: the rows are where the fit started them.
    still = {"epochs": 1, "learning_rate": 1e-12}
    tuned = _pipe(vectors, **still).fit(*data)
    plain = make_lstm_pipeline(**{**TINY, **still}).fit(*data)
    rows, start = embedding_rows(tuned[-1]), embedding_rows(plain[-1])
    vocabulary = tuned[0].get_vocabulary()
    given = [vocabulary.index(word) for word in WORDS]
    np.testing.assert_allclose(rows[given], [vectors[w] for w in WORDS], atol=1e-6)
    others = np.setdiff1d(np.arange(len(rows)), given)
    np.testing.assert_allclose(rows[others], start[others], atol=1e-6)
    # and, trained, they move: fine-tuned
    trained = embedding_rows(_pipe(vectors).fit(*data)[-1])
    assert not np.allclose(trained[given], rows[given], atol=1e-3)


def test_a_vectors_pipeline_saves_loads_and_predicts_the_same(
    tmp_path, data, vectors, frozen
):
    path = write_vectors(tmp_path / "v.txt", vectors)
    pipe = _pipe(path, freeze_word_vectors=True).fit(*data)
    np.testing.assert_array_equal(
        pipe.predict_proba(data[0]), frozen.predict_proba(data[0])
    )
    save(pipe, tmp_path / "model.sklstm")
    path.unlink()  # the vectors live in the model's weights now
    loaded = load(tmp_path / "model.sklstm")
    np.testing.assert_array_equal(
        loaded.predict_proba(data[0]), pipe.predict_proba(data[0])
    )
    with pytest.raises(TypeError, match="word_vectors=.*cannot be saved safely"):
        save(frozen, tmp_path / "mapping.sklstm")  # a mapping is no JSON
    assert not (tmp_path / "mapping.sklstm").exists()


def test_a_dimension_mismatch_fails_before_training_and_changes_nothing(
    data, vectors, frozen
):
    before = frozen.predict_proba(data[0])
    frozen.set_params(classifier__embedding_dim=DIM + 1)
    try:
        with pytest.raises(ValueError, match=f"{DIM} dimensions but embedding_dim="):
            frozen.fit(*data)
    finally:
        frozen.set_params(classifier__embedding_dim=DIM)
    np.testing.assert_array_equal(frozen.predict_proba(data[0]), before)


def test_the_classifier_alone_needs_the_words(data, vectors):
    sequencer = TextSequencer().fit(data[0])
    X = sequencer.transform(data[0])
    still = {**TINY, "epochs": 1, "learning_rate": 1e-12}
    classifier = LSTMClassifier(**still, word_vectors=vectors, warm_start=True)
    with pytest.raises(ValueError, match="needs the word of each index"):
        classifier.fit(X, data[1])
    assert not hasattr(classifier, "model_")
    vocabulary = sequencer.get_vocabulary()
    classifier.fit(X, data[1], words=vocabulary)
    good = embedding_rows(classifier)[vocabulary.index("good")]
    np.testing.assert_allclose(good, vectors["good"], atol=1e-6)
    classifier.fit(X, data[1])  # warm-started: the model is kept, no words needed
    # more indices than words (a vocab_size of its own): the rest start at random
    wide = LSTMClassifier(**still, word_vectors=vectors, vocab_size=len(vocabulary) + 5)
    wide.fit(X, data[1], words=vocabulary)
    rows = embedding_rows(wide)
    assert rows.shape[0] == len(vocabulary) + 5
    np.testing.assert_allclose(rows[vocabulary.index("good")], good, atol=1e-6)
    # partial_fit takes them on the call that builds the model
    partial = LSTMClassifier(**TINY, word_vectors=vectors, freeze_word_vectors=True)
    partial.partial_fit(X, data[1], words=vocabulary)
    np.testing.assert_array_equal(
        embedding_rows(partial)[vocabulary.index("good")], vectors["good"]
    )
    partial.partial_fit(X, data[1])  # the model is built: no words needed


def test_no_word_found_warns(data):
    with pytest.warns(UserWarning, match="None of the .* words has a vector"):
        _pipe({"zebra": np.ones(DIM)}, epochs=1).fit(*data)


def test_words_reach_the_classifier_with_metadata_routing(data, vectors):
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = _pipe(vectors, freeze_word_vectors=True, epochs=1).fit(*data)
    vocabulary = pipe[0].get_vocabulary()
    np.testing.assert_array_equal(
        embedding_rows(pipe[-1])[vocabulary.index("bad")], vectors["bad"]
    )
