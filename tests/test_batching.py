import numpy as np
import pytest

from sk_lstm import LSTMClassifier, TextSequencer
from sk_lstm._batching import Windows, batches, bucketed_dataset

from .conftest import TINY, make_reviews


def test_windows_cover_the_words_on_either_padding_side():
    X = np.array(
        [
            [0, 0, 0, 0, 0, 0, 5, 6],  # pre-padded, 2 words
            [5, 6, 7, 0, 0, 0, 0, 0],  # post-padded, 3 words
            [0, 0, 0, 0, 0, 0, 0, 0],  # empty
            [4, 4, 4, 4, 4, 4, 4, 4],  # full
            [0, 0, 3, 0, 9, 0, 0, 0],  # words around an inner zero
        ]
    )
    windows = Windows(X, step=4)
    assert windows.widths.tolist() == [4, 4, 4, 8, 4]
    rows = np.arange(5)
    assert windows.gather(rows[[0, 1, 2, 4]], 4).tolist() == [
        [0, 0, 5, 6], [5, 6, 7, 0], [0, 0, 0, 0], [3, 0, 9, 0]
    ]  # fmt: skip
    # widened to a batch's width: pre-padded rows grow to the left, others right
    assert windows.gather(rows[[0, 1]], 6).tolist() == [
        [0, 0, 0, 0, 5, 6], [5, 6, 7, 0, 0, 0]
    ]  # fmt: skip
    assert windows.gather(rows[[3]], 8).tolist() == [[4] * 8]


def test_widths_are_capped_at_the_sequence_length():
    X = np.ones((3, 10), dtype=int)
    X[1, :8] = 0
    assert Windows(X, step=16).widths.tolist() == [10, 10, 10]


def test_left_aligned_windows_put_the_padding_last():
    X = np.array([[0, 0, 0, 5, 6, 7], [4, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 9]])
    windows = Windows(X, step=4, left_aligned=True)
    assert windows.gather(np.arange(3), 4).tolist() == [
        [5, 6, 7, 0], [4, 0, 0, 0], [9, 0, 0, 0]
    ]  # fmt: skip


def test_prediction_batches_hold_one_width_each_in_order():
    widths = np.array([16, 32, 16, 16, 48, 32, 16, 16])
    fixed = batches(widths, batch_size=3)
    assert [rows.tolist() for rows in fixed] == [[0, 2, 3], [6, 7], [1, 5], [4]]


def test_training_batches_are_random_and_sorted_within_chunks():
    rng = np.random.default_rng(0)
    widths = rng.choice([16, 32, 48, 64], size=1000)
    first = batches(widths, 10, np.random.default_rng(1))
    again = batches(widths, 10, np.random.default_rng(1))
    other = batches(widths, 10, np.random.default_rng(2))
    assert [r.tolist() for r in first] == [r.tolist() for r in again]
    assert [r.tolist() for r in first] != [r.tolist() for r in other]
    assert sorted(np.concatenate(first).tolist()) == list(range(1000))
    assert all(1 <= len(rows) <= 10 for rows in first)
    # sorted chunks of 500 rows: most batches hold a single width
    single_width = sum(len(set(widths[rows])) == 1 for rows in first)
    assert single_width >= 0.9 * len(first)


def test_dataset_reshuffles_every_epoch_and_has_a_known_length():
    X = np.arange(1, 41).reshape(20, 2)
    y = np.arange(20)
    dataset, _ = bucketed_dataset(X, y, batch_size=4, rng=np.random.default_rng(0))
    assert int(dataset.cardinality()) == 5
    first = [b[1].numpy().tolist() for b in dataset]
    second = [b[1].numpy().tolist() for b in dataset]
    assert first != second
    assert sorted(sum(first, [])) == list(range(20))
    assert len(first) == 5


@pytest.fixture(scope="module")
def data():
    texts, y = make_reviews(64)
    return texts, y


def fitted(texts, y, **params):
    sequencer = TextSequencer(maxlen=40, padding=params.pop("padding", "pre"))
    X = sequencer.fit_transform(texts)
    return X, LSTMClassifier(**{**TINY, **params}).fit(X, y)


def test_predictions_do_not_depend_on_batch_or_order(data):
    X, clf = fitted(*data)
    proba = clf.predict_proba(X)
    permutation = np.random.default_rng(0).permutation(len(X))
    np.testing.assert_allclose(
        clf.predict_proba(X[permutation]), proba[permutation], atol=1e-6
    )
    for i in (0, 5, 17):
        np.testing.assert_allclose(
            clf.predict_proba(X[i : i + 1])[0], proba[i], atol=1e-6
        )


@pytest.mark.slow
def test_bucketing_can_be_turned_off_and_learns_either_way(data):
    texts, y = data
    for bucketing in (True, False):
        X, clf = fitted(texts, y, length_bucketing=bucketing)
        assert clf.score(X, y) > 0.9


def test_post_padding_with_mask(data):
    texts, y = data
    X, clf = fitted(texts, y, padding="post", mask_zero=True, epochs=16)
    assert (X[:, 0] != 0).all() and (X[:, -1] == 0).any()
    assert clf.score(X, y) > 0.9


def test_sample_weight_reaches_the_loss(data):
    texts, y = data
    X = TextSequencer(maxlen=40).fit_transform(texts)
    only_neg = np.where(y == "neg", 1.0, 0.0)
    clf = LSTMClassifier(**TINY).fit(X, y, sample_weight=only_neg)
    assert (clf.predict(X) == "neg").mean() > 0.9


def test_many_lengths_do_not_retrace(caplog):
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 200, size=256)
    X = np.zeros((256, 200), dtype=np.int32)
    for row, length in zip(X, lengths, strict=True):
        row[-length:] = rng.integers(2, 50, size=length)
    y = (X[:, -1] % 2).astype(int)
    clf = LSTMClassifier(**{**TINY, "epochs": 2, "batch_size": 32}).fit(X, y)
    clf.predict_proba(X)
    assert len(np.unique(Windows(X).widths)) > 10
    assert clf.model_.predict_function.experimental_get_tracing_count() == 1
    assert not [r for r in caplog.records if "retracing" in r.getMessage()]


def test_masked_model_gives_the_same_predictions_bucketed_or_not(data):
    X, clf = fitted(*data, mask_zero=True)
    bucketed = clf.predict_proba(X)
    plain = clf.set_params(length_bucketing=False).predict_proba(X)
    np.testing.assert_allclose(bucketed, plain, atol=1e-5)
