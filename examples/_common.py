"""Shared by the examples: IMDB, optionally cut to a stratified subset."""

import argparse

from sklearn.model_selection import train_test_split

from sk_lstm.datasets import load_imdb


def parse_args(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--max-samples",
        type=int,
        metavar="N",
        help="use N train and N test reviews (stratified) for a quick run",
    )
    return parser.parse_args()


def load_train_test(max_samples=None):
    """Return X_train, X_test, y_train, y_test, cut to ``max_samples`` each."""
    splits = []
    for subset in ("train", "test"):
        X, y = load_imdb(subset=subset, return_X_y=True)
        if max_samples is not None and max_samples < len(y):
            X, _, y, _ = train_test_split(
                X, y, train_size=max_samples, stratify=y, random_state=0
            )
        splits.append((X, y))
    (X_train, y_train), (X_test, y_test) = splits
    return X_train, X_test, y_train, y_test
