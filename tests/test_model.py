"""The model factory's bag of n-grams (`NgramBag`) and its naive Bayes prior."""

import inspect

import keras
import numpy as np
import pytest
import tensorflow as tf

from sk_lstm import LSTMClassifier
from sk_lstm._model import (
    MAX_AUTO_BUCKETS,
    NgramBag,
    auto_buckets,
    build_lstm_model,
    count_weights,
    naive_bayes_prior,
    occurrences,
)


def ids_of(bag, X):
    ids, valid = (keras.ops.convert_to_numpy(a) for a in bag.ngram_ids(np.array(X)))
    return ids, valid


def test_ngrams_are_the_words_then_hashed_runs_of_words():
    bag = NgramBag(vocab_size=10, buckets=1000, max_n=3, units=1)
    ids, valid = ids_of(bag, [[0, 0, 4, 5, 6]])
    words, pairs, triples = ids[0, :5], ids[0, 5:10], ids[0, 10:]
    np.testing.assert_array_equal(words, [0, 0, 4, 5, 6])
    assert ((pairs >= 10) & (pairs < 1010)).all() and (triples >= 10).all()
    # Real: words, the pairs "4 5" and "5 6", the triple "4 5 6"; not the
    # n-grams that touch padding or run past the end.
    np.testing.assert_array_equal(
        valid[0], [0, 0, 1, 1, 1] + [0, 0, 1, 1, 0] + [0, 0, 1, 0, 0]
    )
    # The same words give the same n-gram wherever they are, other words another.
    moved, _ = ids_of(bag, [[4, 5, 6, 0, 0], [5, 4, 6, 0, 0]])
    assert moved[0, 5] == pairs[2] and moved[0, 10] == triples[2]
    assert moved[1, 5] != pairs[2]


def test_bag_sums_prior_times_kernel_over_real_ngrams():
    bag = NgramBag(vocab_size=6, buckets=7, max_n=2, units=1)
    bag.build((None, None))
    bag.kernel.assign(np.arange(13, dtype="float32")[:, None])
    bag.prior.assign(np.full((13, 1), 0.5, dtype="float32"))
    ids, valid = ids_of(bag, [[0, 2, 3, 2]])
    expected = 0.5 * ids[valid].sum()
    out = keras.ops.convert_to_numpy(bag(np.array([[0, 2, 3, 2]])))
    np.testing.assert_allclose(out, [[expected]], rtol=1e-6)
    # Padding, wherever it is, changes nothing.
    padded = keras.ops.convert_to_numpy(bag(np.array([[0, 0, 0, 0, 2, 3, 2]])))
    np.testing.assert_allclose(padded, out, rtol=1e-6)
    # Gates of 0 weigh 1; a large gate doubles a position's n-grams.
    gates = np.zeros((1, 4, 1), dtype="float32")
    gated = keras.ops.convert_to_numpy(bag(np.array([[0, 2, 3, 2]]), gates))
    np.testing.assert_allclose(gated, out, rtol=1e-6)
    gates[0, 3] = 50.0  # the last word "2" (no pair starts there)
    doubled = keras.ops.convert_to_numpy(bag(np.array([[0, 2, 3, 2]]), gates))
    np.testing.assert_allclose(doubled, out + 0.5 * 2, rtol=1e-6)
    gates[0, 3], gates[0, 1] = 0.0, -50.0  # "2" and the pair "2 3" weigh nothing
    dropped = keras.ops.convert_to_numpy(bag(np.array([[0, 2, 3, 2]]), gates))
    np.testing.assert_allclose(dropped, out - 0.5 * (2 + ids[0, 5]), rtol=1e-6)


@pytest.mark.parametrize("shape", [(3, 7), (2, 1), (5, 300), (4, 0), (0, 5)])
def test_occurrences_counts_each_id_in_its_row(shape):
    ids = np.random.default_rng(0).integers(-1, 6, size=shape)
    ids[:, :2] = 2**40  # ids far beyond int32
    expected = (ids[:, :, None] == ids[:, None, :]).sum(axis=2)
    np.testing.assert_array_equal(occurrences(ids), expected)
    spec = tf.TensorSpec([None, None], tf.int64)
    compiled = tf.function(occurrences, jit_compile=True, input_signature=[spec])
    np.testing.assert_array_equal(compiled(ids), expected)  # XLA, as on a GPU


def test_binary_bag_counts_each_ngram_of_a_text_once():
    bag = NgramBag(vocab_size=6, buckets=7, max_n=2, units=1, binary=True)
    bag.build((None, None))
    bag.kernel.assign(np.arange(13, dtype="float32")[:, None])
    X = np.array([[0, 2, 2, 2, 3], [2, 3, 4, 5, 1]])
    ids, valid = ids_of(bag, X)
    once = [sum(set(row[ok].tolist())) for row, ok in zip(ids, valid, strict=True)]
    out = keras.ops.convert_to_numpy(bag(X))
    np.testing.assert_allclose(out[:, 0], once, rtol=1e-6)
    assert once[0] < ids[0][valid[0]].sum()  # "2" and "2 2" repeat in the first
    # Padding, wherever it is, changes nothing.
    padded = keras.ops.convert_to_numpy(bag(np.pad(X, [(0, 0), (3, 0)])))
    np.testing.assert_allclose(padded, out, rtol=1e-6)
    # Each occurrence weighs its gate: an n-gram weighs the mean of its gates.
    gates = np.zeros((2, 5, 1), dtype="float32")
    gates[0, 1] = 50.0  # the first of three "2"s, and the first of two "2 2"s
    gated = keras.ops.convert_to_numpy(bag(X, gates))
    # "2" (row 2 of the kernel) weighs (2 + 1 + 1) / 3, "2 2" (2 + 1) / 2
    expected = once[0] + 2 * (4 / 3 - 1) + ids[0, 6] * (3 / 2 - 1)
    np.testing.assert_allclose(gated[:, 0], [expected, once[1]], rtol=1e-5)


@pytest.mark.parametrize("steps", [1, 2, 3])
def test_texts_shorter_than_the_longest_ngram(steps):
    bag = NgramBag(vocab_size=6, buckets=7, max_n=4, units=2)
    X = np.full((3, steps), 4)
    ids, valid = ids_of(bag, X)
    assert ids.shape == valid.shape == (3, 4 * steps)
    assert valid.sum(axis=1).tolist() == [steps * (steps + 1) // 2] * 3
    gates = np.zeros((3, steps, 1), dtype="float32")
    assert keras.ops.convert_to_numpy(bag(X, gates)).shape == (3, 2)


def test_hashes_stay_in_range_for_the_largest_indices_and_buckets():
    bag = NgramBag(vocab_size=2**31 - 1, buckets=2**31 - 1, max_n=3, units=1)
    ids, valid = ids_of(bag, np.full((1, 3), 2**31 - 2, dtype=np.int32))
    assert valid.sum() == 3 + 2 + 1
    assert (ids >= 0).all() and (ids < bag.rows).all()


def test_naive_bayes_prior_is_the_log_count_ratio():
    bag = NgramBag(vocab_size=5, buckets=3, max_n=1, units=1)
    # Word 2 in both texts of class 1 (twice in one: counted once), word 3 in
    # the text of class 0, word 4 nowhere.
    X = np.array([[0, 2, 2], [0, 0, 2], [0, 0, 3]])
    prior = naive_bayes_prior(bag, X, np.array([1, 1, 0]), chunk=2)
    assert prior.shape == (5, 1) and prior.dtype == np.float32
    p = np.array([1, 1, 3, 1, 1]) / 7  # 1 + texts of class 1 with the word
    q = np.array([1, 1, 1, 2, 1]) / 6
    np.testing.assert_allclose(prior[:, 0], np.log(p / q), rtol=1e-6)


def test_naive_bayes_prior_of_several_classes_is_one_against_the_rest():
    bag = NgramBag(vocab_size=4, buckets=3, max_n=2, units=3)
    X = np.array([[2, 3], [3, 3], [0, 2]])
    prior = naive_bayes_prior(bag, X, np.array([0, 1, 2]))
    assert prior.shape == (7, 3)
    inside = np.array([1, 1, 2, 2]) / 6  # class 0 holds words 2 and 3
    outside = np.array([1, 1, 2, 2]) / 6  # the two other texts hold 2, and 3
    np.testing.assert_allclose(prior[:4, 0], np.log(inside / outside), rtol=1e-6)
    assert prior[3, 1] > 0 > prior[2, 1]  # class 1: word 3 only


@pytest.mark.parametrize("pooling", ["last", "max", "mean"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_model_with_a_bag_starts_as_the_lstm_alone(pooling, bidirectional):
    """The bag's kernel starts at zero and its gates at weight 1."""
    model = build_lstm_model(
        vocab_size=20,
        n_classes=3,
        embedding_dim=4,
        units=3,
        pooling=pooling,
        bidirectional=bidirectional,
        bag_ngrams=3,
        bag_buckets=50,
    )
    bag, gates = model.get_layer("ngram_bag"), model.get_layer("gates")
    assert gates.input.shape[-1] == 3 * (2 if bidirectional else 1)
    assert not np.asarray(gates.kernel).any()
    bag.prior.assign(np.full(bag.prior.shape, 3.0, dtype="float32"))
    X = np.array([[0, 4, 5, 6, 7], [3, 3, 9, 2, 1]])
    assert not keras.ops.convert_to_numpy(bag(X)).any()
    proba = model.predict(X, verbose=0)
    assert proba.shape == (2, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)


def test_the_model_factory_defaults_are_the_estimators():
    factory = inspect.signature(build_lstm_model).parameters
    estimator = LSTMClassifier().get_params()
    # the data's, and frozen_rows, which word_vectors with freeze_word_vectors give
    shared = set(factory) - {"vocab_size", "n_classes", "multi_label", "frozen_rows"}
    assert shared <= set(estimator)
    # The estimator's "auto" sizes of the bag, at their most.
    resolved = {**estimator, "bag_buckets": MAX_AUTO_BUCKETS, "bag_dim": None}
    assert estimator["bag_buckets"] == estimator["bag_dim"] == "auto"
    assert {name: factory[name].default for name in shared} == {
        name: resolved[name] for name in shared
    }
    assert set(inspect.signature(count_weights).parameters) <= set(factory)


@pytest.mark.parametrize("n_classes", [2, 5, 40])
@pytest.mark.parametrize("bag_ngrams", [0, 1, 3])
@pytest.mark.parametrize("bag_dim", [None, 8])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("multi_label", [False, True])
def test_count_weights_is_count_params(
    n_classes, bag_ngrams, bag_dim, bidirectional, multi_label
):
    params = dict(
        vocab_size=30,
        n_classes=n_classes,
        multi_label=multi_label,
        embedding_dim=4,
        units=3,
        bidirectional=bidirectional,
        bag_ngrams=bag_ngrams,
        bag_buckets=101,
        bag_dim=bag_dim,
    )
    assert count_weights(**params) == build_lstm_model(**params).count_params()


@pytest.mark.parametrize("bag_ngrams", [0, 3])
def test_count_weights_counts_frozen_rows(bag_ngrams):
    params = dict(
        vocab_size=30, n_classes=3, embedding_dim=4, units=3, bag_ngrams=bag_ngrams
    )
    params["bag_buckets"] = 101
    frozen = count_weights(**params, frozen_rows=True)
    assert frozen == count_weights(**params) + 30 * (4 + 1)
    assert frozen == build_lstm_model(**params, frozen_rows=True).count_params()


def test_a_bag_narrower_than_the_classes_shares_a_projection():
    model = build_lstm_model(
        vocab_size=30, n_classes=40, units=3, bag_buckets=101, bag_dim=8
    )
    bag, projection = model.get_layer("ngram_bag"), model.get_layer("bag_projection")
    assert bag.units == 8 and not bag.with_prior and not hasattr(bag, "prior")
    assert tuple(bag.kernel.shape) == (30 + 101, 8)
    assert tuple(projection.kernel.shape) == (8, 40)
    proba = model.predict(np.array([[0, 4, 5, 6, 7]]), verbose=0)
    assert proba.shape == (1, 40)
    # As wide as the classes, or wider: one column per class, with its prior.
    for bag_dim in (40, 64, None):
        model = build_lstm_model(
            vocab_size=30, n_classes=40, units=3, bag_buckets=101, bag_dim=bag_dim
        )
        assert model.get_layer("ngram_bag").units == 40
        assert "bag_projection" not in [layer.name for layer in model.layers]


def test_auto_buckets_are_four_rows_an_ngram_and_prime():
    # Texts of 0, 1, 2 and 5 words: 0 + 0 + 1 + 4 pairs, 0 + 0 + 0 + 3 triples.
    X = np.array([[0] * 5, [0, 0, 0, 0, 3], [0, 0, 0, 2, 3], [4, 5, 6, 7, 8]] * 100)
    assert auto_buckets(X, 2) == 2003  # 4 * 500 = 2000, the next prime
    assert auto_buckets(X, 3) == 3203  # 4 * 800 = 3200, the next prime
    assert auto_buckets(X[:4], 3) == 1021  # the least
    assert auto_buckets(np.ones((10**6, 3), dtype=np.int32), 3) == MAX_AUTO_BUCKETS
    assert auto_buckets(np.ones((3, 3), dtype=np.int32), 1) == 1021
