"""
Unbalanced classes: class_weight="balanced" against a balanced linear pipeline
==============================================================================

Cuts IMDB to a few positive reviews among all the negative ones (10 % positive,
then 2 %), in the training and the test set alike, and fits, in one run:
TF-IDF + ``LogisticRegression(class_weight="balanced")``, the default pipeline,
and the default pipeline with ``class_weight="balanced"``. Prints balanced
accuracy, macro-F1, plain accuracy and fit seconds of each, side by side.

Run: ``python examples/unbalanced_classes.py`` (about 10 minutes on 2 CPU
cores; ``--positive 0.1`` for one share only).
"""

import argparse
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score
from sklearn.pipeline import make_pipeline

from sk_lstm import make_lstm_pipeline
from sk_lstm.datasets import load_imdb

PIPELINES = {
    "TF-IDF + LR, balanced": lambda seed: make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        LogisticRegression(C=10, max_iter=2000, class_weight="balanced"),
    ),
    "default": lambda seed: make_lstm_pipeline(random_state=seed),
    "default, balanced": lambda seed: make_lstm_pipeline(
        class_weight="balanced", random_state=seed
    ),
}


def skewed(X, y, positive, random_state):
    """All negative texts and as many positive ones as make ``positive`` of them."""
    rng = np.random.default_rng(random_state)
    negative = np.flatnonzero(y == 0)
    wanted = round(len(negative) * positive / (1 - positive))
    kept = np.sort(
        np.r_[negative, rng.choice(np.flatnonzero(y == 1), wanted, replace=False)]
    )
    return [X[i] for i in kept], y[kept]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--positive", type=float, nargs="+", default=[0.1, 0.02])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    train = load_imdb(subset="train", return_X_y=True)
    test = load_imdb(subset="test", return_X_y=True)
    print(
        f"{'positive':>8} {'pipeline':<22} {'balanced acc':>12} {'macro-F1':>8} "
        f"{'accuracy':>8} {'fit (s)':>7}"
    )
    for positive in args.positive:
        X_train, y_train = skewed(*train, positive, random_state=0)
        X_test, y_test = skewed(*test, positive, random_state=1)
        for name, build in PIPELINES.items():
            model = build(args.seed)
            start = time.perf_counter()
            model.fit(X_train, y_train)
            fit_s = time.perf_counter() - start
            predicted = model.predict(X_test)
            print(
                f"{positive:>8.0%} {name:<22} "
                f"{100 * balanced_accuracy_score(y_test, predicted):>12.2f} "
                f"{100 * f1_score(y_test, predicted, average='macro'):>8.2f} "
                f"{100 * accuracy_score(y_test, predicted):>8.2f} {fit_s:>7.1f}",
                flush=True,
            )
        print(f"{'':>8} ({len(y_train)} training texts, {len(y_test)} test texts)")


if __name__ == "__main__":
    main()
