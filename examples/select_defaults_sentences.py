"""
How the small-data defaults were chosen: the sentence sets' training data only
=============================================================================

For each of Kim's (2014) seven sentence sets, splits training data alone into a
part to fit and a part to validate: SST-1 and SST-2 their own dev split; TREC a
stratified fifth of its training split; MR, Subj, CR and MPQA a stratified fifth
of the training part of the first of the ten folds that
``compare_text_tasks.py`` scores on (so the test folds of the final table are
looked at once, there). Fits each candidate (keywords of
``make_lstm_pipeline`` over the defaults) and TF-IDF + logistic regression on
the first part, and prints the accuracy on the second, per set and on average.

Run: ``python examples/select_defaults_sentences.py SENTENCES_DIR default
"learning rate 0.001"`` (a candidate takes about 3 minutes for the seven sets
on 2 CPU cores); ``--seeds 2`` fits each candidate with seeds 0 and 1.
"""

import argparse
import time
from pathlib import Path

import numpy as np
from compare_text_tasks import SENTENCE_SETS, make, read_sentences
from sklearn.model_selection import StratifiedKFold, train_test_split

from sk_lstm import make_lstm_pipeline

CANDIDATES = {
    "default": {},
    # the defaults before early_stopping="auto": 2 epochs, at least 400 steps
    "no early stopping": {"early_stopping": False},
    "learning rate 0.001": {"learning_rate": None},
    "no early stopping, 1,500 steps, rate 0.005": {
        "early_stopping": False,
        "min_steps": 1500,
        "learning_rate": 0.005,
    },
    "learning rate 0.005": {"learning_rate": 0.005},
    "patience 3": {"n_iter_no_change": 3},
    "embedding 64": {"embedding_dim": 64},
    "embedding 128, LSTM 128": {"embedding_dim": 128, "units": 128},
    "bidirectional LSTM": {"bidirectional": True},
    "dropout 0.3": {"dropout": 0.3},
    "dropout 0.2": {"dropout": 0.2},
    "label smoothing 0.1": {"label_smoothing": 0.1},
    "no label smoothing": {"label_smoothing": 0.0},
    "bag of 1-2-grams": {"bag_ngrams": 2},
    "case kept": {"lowercase": False},
    "LSTM alone": {"bag_ngrams": 0},
}


def dev_split(folder, name):
    files, protocol = SENTENCE_SETS[name]
    if name.startswith("SST"):
        dev = files[0].replace(".train", ".dev")
        return (*read_sentences(folder / files[0]), *read_sentences(folder / dev))
    X, y = read_sentences(folder / files[0])
    if protocol == "cv":
        folds = StratifiedKFold(10, shuffle=True, random_state=0)
        train, _ = next(folds.split(X, y))
        X, y = [X[i] for i in train], y[train]
    X_fit, X_dev, y_fit, y_dev = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=1
    )
    return X_fit, y_fit, X_dev, y_dev


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("sentences", type=Path, help="folder of the sentence sets")
    parser.add_argument("names", nargs="*", help=f"candidates; of {list(CANDIDATES)}")
    parser.add_argument("--sets", nargs="+", default=list(SENTENCE_SETS))
    parser.add_argument("--seeds", type=int, default=1)
    args = parser.parse_args()

    splits = {name: dev_split(args.sentences, name) for name in args.sets}
    header = " ".join(f"{name:>6}" for name in args.sets)
    print(f"{'candidate':<26} {header} {'mean':>6} {'fit (s)':>7}")
    rows = {"(tfidf+lr)": lambda seed: make("tfidf+lr", seed)}
    for name in args.names or CANDIDATES:
        params = CANDIDATES[name]
        rows[name] = lambda seed, params=params: make_lstm_pipeline(
            **params, random_state=seed
        )
    for name, build in rows.items():
        accuracies, fit_s = [], []
        for X_fit, y_fit, X_dev, y_dev in splits.values():
            scores = []
            for seed in range(1 if name == "(tfidf+lr)" else args.seeds):
                model = build(seed)
                start = time.perf_counter()
                model.fit(X_fit, y_fit)
                fit_s.append(time.perf_counter() - start)
                scores.append(100 * np.mean(model.predict(X_dev) == y_dev))
            accuracies.append(np.mean(scores))
        cells = " ".join(f"{a:>6.2f}" for a in accuracies)
        print(
            f"{name:<26} {cells} {np.mean(accuracies):>6.2f} {np.mean(fit_s):>7.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
