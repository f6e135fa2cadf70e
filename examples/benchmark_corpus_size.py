"""
Time and memory against the number of reviews, up to 400,000
=============================================================

Builds corpora of 25,000, 100,000 and 400,000 reviews from IMDB's training
reviews, repeated, each copy with a distinct extra token (so that the
vocabulary grows with the corpus, as it would with new texts), and measures in
one run, for each size:

- ``TextSequencer().fit_transform`` (the default text step);
- ``CountVectorizer(ngram_range=(1, 2)).fit_transform`` on the same texts (the
  text step of a linear n-gram pipeline), for comparison;
- one epoch of ``LSTMClassifier(epochs=1, min_steps=0).fit`` on the sequences.

Memory is the peak resident memory while the step runs, above what the process
held before it (sampled every 10 ms; freed memory is handed back to the system
first). For ``fit_transform``, what it holds beside its output array (the
vocabulary, the token counts and its working memory) should stay under 300 MB
at every size.

Run: ``python examples/benchmark_corpus_size.py`` (about 40 minutes on 2 CPU
cores); ``--sizes 25000 100000`` for a shorter run, ``--no-fit`` to skip the
epochs.
"""

import argparse
import ctypes
import gc
import os
import threading
import time

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from sk_lstm import LSTMClassifier, TextSequencer
from sk_lstm.datasets import load_imdb

parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
parser.add_argument("--sizes", type=int, nargs="+", default=[25000, 100000, 400000])
parser.add_argument("--no-fit", action="store_true", help="skip the epochs")
args = parser.parse_args()

PAGE = os.sysconf("SC_PAGE_SIZE")
MiB = 2**20


def rss():
    with open("/proc/self/statm") as file:
        return int(file.read().split()[1]) * PAGE


def release():
    """Hand freed memory back to the system, so that the next baseline is true."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def measure(function):
    """Run ``function()``; return its result, seconds and peak extra memory."""
    release()
    before = peak = rss()
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.wait(0.01):
            peak = max(peak, rss())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    try:
        result = function()
    finally:
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
    return result, seconds, max(peak, rss()) - before


def corpus(reviews, labels, size):
    """``size`` reviews: copies of ``reviews``, each with its own extra token."""
    copies = -(-size // len(reviews))
    texts = [
        f"{text} copy{copy}" if copy else text
        for copy in range(copies)
        for text in reviews
    ][:size]
    return texts, np.resize(labels, size)


def run(texts, y, fit):
    """Measure the steps on one corpus; print and return the sequencer's figures."""
    size = len(texts)
    _, count_seconds, count_memory = measure(
        lambda: CountVectorizer(ngram_range=(1, 2)).fit_transform(texts)
    )
    sequencer = TextSequencer()
    sequences, seconds, memory = measure(lambda: sequencer.fit_transform(texts))
    steps = [
        ("TextSequencer().fit_transform", seconds, memory),
        ("CountVectorizer((1, 2)).fit_trans.", count_seconds, count_memory),
    ]
    if fit:
        clf = LSTMClassifier(epochs=1, min_steps=0, random_state=0, verbose=0)
        _, fit_seconds, fit_memory = measure(lambda: clf.fit(sequences, y))
        steps.append(("LSTMClassifier, one epoch", fit_seconds, fit_memory))
    for name, seconds_, memory_ in steps:
        print(f"{name:<34} {size:>8,} {seconds_:>8.1f} {seconds_ / size * 1e6:>10.0f} "
              f"{memory_ / MiB:>10.0f} {memory_ / size / 1024:>11.1f}")  # fmt: skip
    beside = memory - sequences.nbytes  # vocabulary, counts, working memory
    print(
        f"  fit_transform: the output's {sequences.nbytes / MiB:.0f} MiB + "
        f"{beside / MiB:.0f} MiB beside it (<= 300: "
        f"{'yes' if beside <= 300 * MiB else 'no'}); {count_seconds / seconds:.2f}x "
        "the speed of CountVectorizer "
        f"(>= 1: {'yes' if seconds <= count_seconds else 'no'})",
        flush=True,
    )
    return size, seconds, memory


reviews, labels = load_imdb(subset="train", return_X_y=True)
order = np.random.default_rng(0).permutation(len(labels))  # IMDB is sorted by label
reviews, labels = [reviews[i] for i in order], labels[order]
print(f"{'step':<34} {'reviews':>8} {'seconds':>8} {'µs/review':>10} "
      f"{'extra MiB':>10} {'KiB/review':>11}")  # fmt: skip
rows = [run(*corpus(reviews, labels, size), fit=not args.no_fit) for size in args.sizes]
if len(rows) > 1:
    (n0, t0, m0), (n1, t1, m1) = rows[0], rows[-1]
    print(
        f"\nfit_transform from {n0:,} to {n1:,} reviews ({n1 / n0:.0f}x): "
        f"time {t1 / t0:.1f}x, memory {m1 / m0:.1f}x"
    )
