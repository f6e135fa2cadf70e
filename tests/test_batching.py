import numpy as np
import pytest

from sk_lstm import LSTMClassifier, TextSequencer
from sk_lstm._batching import batches, bucketed_dataset, gather, windows

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
    starts, widths = windows(X, step=4)
    assert widths.tolist() == [4, 4, 4, 8, 4]
    assert starts.tolist() == [4, 0, 4, 0, 2]
    rows = np.arange(len(X))
    for row in rows:
        window = X[row, starts[row] : starts[row] + widths[row]]
        # every word of the row is in its window
        assert np.count_nonzero(window) == np.count_nonzero(X[row])
    np.testing.assert_array_equal(
        gather(X, np.array([0, 2]), starts, 4)[0], [0, 0, 5, 6]
    )


def test_widths_are_capped_at_the_sequence_length():
    X = np.ones((3, 10), dtype=int)
    X[1, :8] = 0
    _, widths = windows(X, step=16)
    assert widths.tolist() == [10, 10, 10]


def test_batches_hold_every_row_once_in_same_width_groups():
    widths = np.array([16, 32, 16, 16, 48, 32, 16, 16])
    for rng in (None, np.random.default_rng(0)):
        result = batches(widths, batch_size=3, rng=rng)
        assert sorted(np.concatenate(result).tolist()) == list(range(8))
        for rows in result:
            assert 1 <= len(rows) <= 3
            assert len(set(widths[rows])) == 1
    fixed = batches(widths, batch_size=3)
    assert [rows.tolist() for rows in fixed] == [[0, 2, 3], [6, 7], [1, 5], [4]]
    a = batches(widths, 3, np.random.default_rng(1))
    b = batches(widths, 3, np.random.default_rng(1))
    assert [r.tolist() for r in a] == [r.tolist() for r in b]


def test_dataset_reshuffles_every_epoch_and_has_a_known_length():
    X = np.arange(1, 41).reshape(20, 2)
    y = np.arange(20)
    dataset, _ = bucketed_dataset(X, y, batch_size=4, rng=np.random.default_rng(0))
    assert int(dataset.cardinality()) == 5
    first = [b[1].numpy().tolist() for b in dataset]
    second = [b[1].numpy().tolist() for b in dataset]
    assert first != second
    assert sorted(sum(first, [])) == list(range(20))


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


def test_bucketing_can_be_turned_off_and_learns_either_way(data):
    texts, y = data
    for bucketing in (True, False):
        X, clf = fitted(texts, y, length_bucketing=bucketing)
        assert clf.score(X, y) > 0.9


def test_post_padding_with_mask(data):
    texts, y = data
    X, clf = fitted(texts, y, padding="post", mask_zero=True)
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
    assert len(np.unique(windows(X)[1])) > 10
    assert clf.model_.predict_function.experimental_get_tracing_count() == 1
    assert not [r for r in caplog.records if "retracing" in r.getMessage()]


def test_left_aligned_windows_put_the_padding_last():
    X = np.array([[0, 0, 0, 5, 6, 7], [4, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 9]])
    starts, widths = windows(X, step=4, left_aligned=True)
    assert starts.tolist() == [3, 0, 5] and widths.tolist() == [4, 4, 4]
    dataset, order = bucketed_dataset(X, batch_size=8, left_aligned=True)
    (batch,) = [b.numpy() for b in dataset]
    # widths are capped at the 6 columns of X
    assert batch[np.argsort(order[0])].tolist() == [
        [5, 6, 7, 0, 0, 0], [4, 0, 0, 0, 0, 0], [9, 0, 0, 0, 0, 0]
    ]  # fmt: skip


def test_masked_model_gives_the_same_predictions_bucketed_or_not(data):
    X, clf = fitted(*data, mask_zero=True)
    bucketed = clf.predict_proba(X)
    plain = clf.set_params(length_bucketing=False).predict_proba(X)
    np.testing.assert_allclose(bucketed, plain, atol=1e-5)
