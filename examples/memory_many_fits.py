"""
Memory over many fits
=====================

A grid search fits many models in one process. This fits 20 small
``make_lstm_pipeline`` models in a row on made-up reviews and prints the resident
memory (RSS) after each fit, and how much it grew after the first three fits
(which load TensorFlow's kernels and trace its functions).

Run: ``python examples/memory_many_fits.py`` (about a minute). Linux only (reads
``/proc``).
"""

import argparse
import os

import numpy as np

from sk_lstm import make_lstm_pipeline


def rss_mb():
    """Resident memory of this process, in MB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def made_up_reviews(n, seed):
    rng = np.random.default_rng(seed)
    words = np.array([f"w{i}" for i in range(300)])
    y = rng.integers(0, 2, n)
    texts = [
        " ".join(rng.choice(words[label::2], size=rng.integers(5, 60))) for label in y
    ]
    return texts, y


def rss_after_fits(n_fits):
    """Fit ``n_fits`` small pipelines; return the RSS (MB) after each."""
    X, y = made_up_reviews(400, seed=0)
    rss = []
    for seed in range(n_fits):
        pipe = make_lstm_pipeline(
            maxlen=60,
            embedding_dim=16,
            units=16,
            epochs=1,
            min_steps=0,
            random_state=seed,
        )
        pipe.fit(X, y).predict_proba(X[:50])
        rss.append(rss_mb())
    return rss


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--fits", type=int, default=20)
    args = parser.parse_args()
    rss = rss_after_fits(args.fits)
    for fit, mb in enumerate(rss, start=1):
        print(f"after fit {fit:>2}: {mb:8.1f} MB")
    print(f"growth from fit 3 to fit {len(rss)}: {rss[-1] - rss[2]:+.1f} MB")
