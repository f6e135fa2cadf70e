"""Determinism across processes and memory over many fits."""

import os
import subprocess
import sys

import numpy as np
import pytest

from sk_lstm import make_lstm_pipeline

from .conftest import TINY, make_reviews

FIT_AND_PRINT = """
from sk_lstm import make_lstm_pipeline
from tests.conftest import TINY, make_reviews
X, y = make_reviews(48)
pipe = make_lstm_pipeline(maxlen=12, **TINY).fit(X, y)
print(pipe.predict_proba(X).tobytes().hex())
"""


@pytest.mark.slow
def test_same_seed_same_predictions_in_two_processes():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    outputs = [
        subprocess.run(
            [sys.executable, "-c", FIT_AND_PRINT],
            capture_output=True, text=True, cwd=root, check=True,
        ).stdout.split()[-1]
        for _ in range(2)
    ]  # fmt: skip
    assert outputs[0] == outputs[1]
    X, y = make_reviews(48)
    here = make_lstm_pipeline(maxlen=12, **TINY).fit(X, y).predict_proba(X)
    assert here.tobytes().hex() == outputs[0]


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads /proc")
@pytest.mark.slow
def test_memory_does_not_grow_over_many_fits():
    def rss_mb():
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    X, y = make_reviews(64)
    rss = []
    for seed in range(8):
        params = {**TINY, "epochs": 1, "random_state": seed}
        make_lstm_pipeline(maxlen=12, **params).fit(X, y).predict_proba(X)
        rss.append(rss_mb())
    # examples/memory_many_fits.py measured +14 MB over 17 fits; allow far more.
    assert rss[-1] - rss[2] < 150, np.round(rss)
