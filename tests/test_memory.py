"""Models too large for the machine are refused before they are built."""

import numpy as np
import pytest

from sk_lstm import LSTMClassifier, _memory
from sk_lstm._memory import available_memory, check_model_memory

from .conftest import TINY


def test_available_memory_is_a_positive_number_of_bytes():
    available = available_memory()
    assert available is None or available > 0


def test_check_model_memory_names_the_bag_and_what_to_lower():
    check_model_memory(10**6, 1000, 1, available=16 * 10**6)  # just fits
    with pytest.raises(MemoryError, match=r"1,000,001 weights.*0\.0 GiB") as error:
        check_model_memory(10**6 + 1, 1000, 1, available=16 * 10**6)
    assert "1,000 rows x 1 columns: lower bag_buckets or bag_dim" in str(error.value)
    with pytest.raises(MemoryError) as error:
        check_model_memory(10**6 + 1, 0, 0, available=16 * 10**6)
    assert "bag" not in str(error.value) and "num_words" in str(error.value)


def test_fixed_weights_count_a_quarter_and_loading_is_not_checked():
    check_model_memory(2 * 10**6, 10**6, 1, fixed=10**6, available=20 * 10**6)
    with pytest.raises(MemoryError):
        check_model_memory(2 * 10**6, 10**6, 1, available=20 * 10**6)
    with _memory.memory_check_off():
        check_model_memory(2 * 10**6, 10**6, 1, available=1)


def test_a_model_too_large_is_refused_before_training(monkeypatch):
    X = np.array([[0, 2, 3], [0, 4, 5], [2, 3, 3], [4, 5, 5]] * 8)
    y = np.arange(32) % 4
    clf = LSTMClassifier(**TINY).fit(X, y)
    before = clf.predict_proba(X)
    # 2**31 - 1 rows of 4 columns: 8.6 billion weights, 128 GiB
    clf.set_params(bag_buckets=2**31 - 1)
    monkeypatch.setattr(_memory, "available_memory", lambda: 2**30)
    with pytest.raises(MemoryError, match="2,147,483,653 rows x 4 columns"):
        clf.fit(X, y)
    assert clf.bag_buckets_ == 1024  # the fitted model is kept
    np.testing.assert_array_equal(clf.predict_proba(X), before)
