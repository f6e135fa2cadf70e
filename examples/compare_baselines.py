"""
The default recipe against linear baselines and the Keras seed recipe
=====================================================================

Fits, on the same IMDB data: TF-IDF + logistic regression ("tfidf+lr"), NBSVM-style
naive Bayes features + logistic regression ("nb+lr", Wang & Manning 2012), the
classic Keras IMDB recipe in plain Keras ("keras seed recipe"), the same recipe
through sk_lstm ("classic") and ``make_lstm_pipeline()`` ("default", several
seeds); then "default" and "tfidf+lr" on small stratified subsets of the training
reviews. Prints one row per fit (test accuracy, fit seconds, predict reviews/s on
raw texts, weights), a summary with the checks of the target, and writes
``results.csv``, ``accuracy_vs_size.png`` and ``accuracy_vs_fit_time.png`` to
``--out``.

Run: ``python examples/compare_baselines.py`` (about 25 minutes on 2 CPU cores),
or ``--max-samples 2000 --seeds 1 --sizes 500`` for a quick look (a few minutes).
"""

import argparse
import csv
import re
import time
from collections import Counter, defaultdict
from pathlib import Path

import keras
import numpy as np
import scipy.sparse as sp
from _common import load_train_test
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sk_lstm import CLASSIC_RECIPE, make_lstm_pipeline


class NBScaler(TransformerMixin, BaseEstimator):
    """Scale binary features by the naive Bayes log-count ratio ``r_`` (2 classes)."""

    def fit(self, X, y):
        y = np.asarray(y)
        negative, positive = np.unique(y)
        p = 1 + np.asarray(X[y == positive].sum(axis=0)).ravel()
        q = 1 + np.asarray(X[y == negative].sum(axis=0)).ravel()
        self.r_ = np.log(p / p.sum()) - np.log(q / q.sum())
        return self

    def transform(self, X):
        return X @ sp.diags(self.r_)


class KerasSeedRecipe:
    """The classic Keras IMDB recipe, raw texts in: 5,000 words, 500 tokens."""

    token = re.compile(r"[a-z0-9']+")

    def __init__(self, seed):
        self.seed = seed

    def _sequences(self, texts):
        words = (self.token.findall(text.lower()) for text in texts)
        ids = [[self.index_.get(word, 1) for word in text] for text in words]
        return keras.utils.pad_sequences(ids, maxlen=500)

    def fit(self, X, y):
        keras.utils.set_random_seed(self.seed)
        counts = Counter(w for text in X for w in self.token.findall(text.lower()))
        top = counts.most_common(5000 - 2)  # 0 is padding, 1 out-of-vocabulary
        self.index_ = {word: i for i, (word, _) in enumerate(top, start=2)}
        self.model_ = keras.Sequential(
            [
                keras.Input((500,), dtype="int32"),
                keras.layers.Embedding(5000, 32),
                keras.layers.LSTM(100),
                keras.layers.Dense(1, activation="sigmoid"),
            ]
        )
        self.model_.compile(optimizer="adam", loss="binary_crossentropy")
        self.model_.fit(
            self._sequences(X), np.asarray(y), batch_size=64, epochs=3, verbose=0
        )
        return self

    def predict(self, X):
        proba = self.model_.predict(self._sequences(X), batch_size=256, verbose=0)
        return (proba[:, 0] > 0.5).astype(int)


PIPELINES = {
    "tfidf+lr": lambda seed: make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
        LogisticRegression(C=10, max_iter=2000),
    ),
    "nb+lr": lambda seed: make_pipeline(
        CountVectorizer(ngram_range=(1, 3), binary=True, token_pattern=r"\w+|[!?]"),
        NBScaler(),
        LogisticRegression(C=1, max_iter=1000),
    ),
    "keras seed recipe": KerasSeedRecipe,
    "classic": lambda seed: make_lstm_pipeline(**CLASSIC_RECIPE, random_state=seed),
    "default": lambda seed: make_lstm_pipeline(random_state=seed),
}
COLUMNS = ["pipeline", "train", "seed", "accuracy", "fit_s", "predict_per_s", "weights"]

parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
parser.add_argument("--seeds", type=int, default=3)
parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000, 10000])
parser.add_argument("--max-samples", type=int, metavar="N")
parser.add_argument("--skip-full", action="store_true", help="only the small data")
parser.add_argument("--out", type=Path, default=Path("compare_baselines"))
args = parser.parse_args()

X_train, X_test, y_train, y_test = load_train_test(args.max_samples)
n_full = len(X_train)
print(f"{n_full:,} train and {len(X_test):,} test reviews\n")
print(
    f"{'pipeline':<18} {'train':>6} {'seed':>4} {'test acc.':>9} {'fit (s)':>8} "
    f"{'pred/s':>8} {'weights':>11}"
)
rows = []


def fit_and_score(name, X, y, seed=None):
    model = PIPELINES[name](seed)
    start = time.perf_counter()
    model.fit(X, y)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    accuracy = np.mean(model.predict(X_test) == y_test)
    predict_per_s = len(X_test) / (time.perf_counter() - start)
    last = model.steps[-1][1] if hasattr(model, "steps") else model
    if hasattr(last, "coef_"):
        weights = last.coef_.size + last.intercept_.size
    else:
        weights = last.model_.count_params()
    values = [name, len(y), seed, accuracy, fit_s, predict_per_s, weights]
    rows.append(dict(zip(COLUMNS, values, strict=True)))
    print(
        f"{name:<18} {len(y):>6} {'-' if seed is None else seed:>4} "
        f"{accuracy:>9.4f} {fit_s:>8.1f} {predict_per_s:>8.0f} {weights:>11,}",
        flush=True,
    )


if not args.skip_full:
    for name in ("tfidf+lr", "nb+lr"):
        fit_and_score(name, X_train, y_train)
    for name in ("keras seed recipe", "classic"):
        fit_and_score(name, X_train, y_train, seed=0)
    for seed in range(args.seeds):
        fit_and_score("default", X_train, y_train, seed=seed)
sizes = [size for size in args.sizes if size < n_full]
for size in sizes:
    for seed in range(args.seeds if size <= 3000 else 1):
        X, _, y, _ = train_test_split(
            X_train, y_train, train_size=size, stratify=y_train, random_state=seed
        )
        for name in ("default", "tfidf+lr"):
            fit_and_score(name, X, y, seed=seed)

runs = defaultdict(list)  # (pipeline, train size) -> rows
for row in rows:
    runs[row["pipeline"], row["train"]].append(row)
accuracies = {key: [row["accuracy"] for row in group] for key, group in runs.items()}
print(
    f"\n{'pipeline':<18} {'train':>6} {'fits':>4} {'mean acc.':>9} {'fit (s)':>8} "
    f"{'min acc.':>9}"
)
for (name, size), group in runs.items():
    acc = accuracies[name, size]
    fit_s = np.mean([row["fit_s"] for row in group])
    print(
        f"{name:<18} {size:>6} {len(acc):>4} {np.mean(acc):>9.4f} {fit_s:>8.1f} "
        f"{min(acc):>9.4f}"
    )

print()
yes = {True: "yes", False: "no"}
if not args.skip_full:
    default = accuracies["default", n_full]
    nb, tfidf = accuracies["nb+lr", n_full][0], accuracies["tfidf+lr", n_full][0]
    slowest = max(row["fit_s"] for row in runs["default", n_full])
    keras_s = runs["keras seed recipe", n_full][0]["fit_s"]
    print(
        # five decimals: a test accuracy moves in steps of 0.00004
        f"full data: default mean {np.mean(default):.5f} vs nb+lr {nb:.5f} "
        f"(>=: {yes[np.mean(default) >= nb]}); every default seed >= tfidf+lr "
        f"{tfidf:.4f}: {yes[min(default) >= tfidf]}; slowest default fit "
        f"{slowest:.0f} s vs keras seed recipe {keras_s:.0f} s "
        f"(<=: {yes[slowest <= keras_s]})"
    )
for size in (size for size in sizes if size <= 3000):
    default, tfidf = accuracies["default", size], accuracies["tfidf+lr", size]
    gap = 100 * (np.mean(tfidf) - np.mean(default))
    print(
        f"{size:,} reviews: default mean {np.mean(default):.3f} vs tfidf+lr mean "
        f"{np.mean(tfidf):.3f}: gap {gap:.1f} points (<= 5: {yes[gap <= 5]}); "
        f"lowest seed {min(default):.3f}"
    )

args.out.mkdir(parents=True, exist_ok=True)
with open(args.out / "results.csv", "w", newline="") as file:
    writer = csv.DictWriter(file, COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import LogFormatter
except ImportError:
    print(f"matplotlib is not installed: wrote {args.out / 'results.csv'}, no plots")
    raise SystemExit from None


def save(ax, xlabel, title, filename):
    ax.set(xlabel=xlabel, ylabel="test accuracy", title=title)
    ax.grid(alpha=0.3)
    ax.legend()
    ax.figure.tight_layout()
    ax.figure.savefig(args.out / filename, dpi=120)


ax = plt.figure(figsize=(7, 4.5)).gca()
ax.set_xscale("log")
for name in ("default", "tfidf+lr"):
    x = sorted(size for n, size in accuracies if n == name)
    acc = [accuracies[name, size] for size in x]
    mean = np.array([np.mean(a) for a in acc])
    spread = [mean - [min(a) for a in acc], [max(a) for a in acc] - mean]
    ax.errorbar(x, mean, yerr=spread, marker="o", capsize=4, label=name)
ticks = sorted({size for _, size in accuracies})
ax.set_xticks(ticks, [f"{size:,}" for size in ticks])
ax.minorticks_off()
title = "IMDB: mean over seeds, bars from lowest to highest"
save(ax, "training reviews", title, "accuracy_vs_size.png")
if not args.skip_full:
    ax = plt.figure(figsize=(7, 4.5)).gca()
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(LogFormatter())
    ax.xaxis.set_minor_formatter(LogFormatter(minor_thresholds=(2, 0.5)))
    for name in PIPELINES:
        fit_s = [row["fit_s"] for row in runs[name, n_full]]
        ax.plot(fit_s, accuracies[name, n_full], "o", alpha=0.8, label=name)
    title = f"IMDB, {n_full:,} training reviews: one point per fit"
    save(ax, "fit seconds", title, "accuracy_vs_fit_time.png")
print(f"wrote results.csv and the plots to {args.out}")
