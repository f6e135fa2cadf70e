"""
One set of defaults on nine text tasks, beside the pipelines a user would pick
=============================================================================

Fits, on each task, TF-IDF 1-2-grams + logistic regression ("tfidf+lr"),
binary 1-3-grams scaled by naive Bayes ratios + logistic regression ("nb+lr",
NBSVM; one binary model per class against the rest beyond two classes), the
classic Keras IMDB recipe through sk_lstm ("classic") and
``make_lstm_pipeline()`` ("default"), all with their defaults, on:

- the seven sentence sets of Kim (2014), from the folder given: MR, Subj, CR
  and MPQA by 10-fold stratified cross-validation (shuffled, seed 0); SST-1,
  SST-2 and TREC fitted on their training split (SST's dev split unused) and
  scored on their test split;
- IMDB's sentiment (25,000 reviews to train on, 25,000 to test on; the default
  with seeds 0, 1 and 2, and the defaults before their "auto" values, to
  compare fit times: "previous") and its star ratings (1-4 and 7-10: 8 classes), read
  by `sk_lstm.datasets.load_imdb` (``SK_LSTM_DATA``...).

Prints one row per task and pipeline (accuracy, macro-F1 beyond two classes,
seconds per fit, texts predicted per second, means over folds), the checks of
the targets, and writes ``results.csv`` (one row per fit) and
``accuracy_by_task.png`` to ``--out``.

Run: ``python examples/compare_text_tasks.py SENTENCES_DIR`` (about an hour on
2 CPU cores), or ``--folds 2 --max-samples 2000 --sets MR TREC --imdb`` (no
IMDB task) for a quick look; ``--sets --imdb sentiment --pipelines default
previous`` compares the fit times of IMDB alone. The folder holds the files
of the sentence sets in the format of Kim's and its reimplementations'
distributions: one text a line, ``LABEL TEXT``.
"""

import argparse
import csv
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline

from sk_lstm import CLASSIC_RECIPE, make_lstm_pipeline
from sk_lstm.datasets import load_imdb

# (files, protocol): "cv" cross-validates the one file; "split" fits on the
# first file and scores on the last.
SENTENCE_SETS = {
    "MR": (["rt-polarity.all"], "cv"),
    "SST-1": (["stsa.fine.train", "stsa.fine.test"], "split"),
    "SST-2": (["stsa.binary.train", "stsa.binary.test"], "split"),
    "Subj": (["subj.all"], "cv"),
    "TREC": (["TREC.train.all", "TREC.test.all"], "split"),
    "CR": (["custrev.all"], "cv"),
    "MPQA": (["mpqa.all"], "cv"),
}
# Kim (2014), Table 2: CNN-rand, random word vectors. On SST it also trained on
# the treebank's phrases, which these files lack: there the linear pipelines
# are the bar.
IMDB_TASKS = {"sentiment": ("IMDB", "target"), "ratings": ("IMDB ratings", "rating")}
CNN_RAND = {"MR": 76.1, "Subj": 89.6, "TREC": 91.2, "CR": 79.8, "MPQA": 83.4}
PIPELINES = ("tfidf+lr", "nb+lr", "classic", "default", "previous")
# The defaults before the "auto" values (main at 3744ccd), fitted on IMDB alone,
# where the new defaults come to the same values: the fit time to compare with.
PREVIOUS_DEFAULTS = dict(
    bag_buckets=2_097_143, bag_dim=None, early_stopping=False,
    validation_fraction=None, epochs=2, learning_rate=None,
)  # fmt: skip
COLUMNS = [
    "task", "pipeline", "fold", "seed", "accuracy", "macro_f1", "fit_s",
    "predict_per_s",
]  # fmt: skip


class NBLogisticRegression(ClassifierMixin, BaseEstimator):
    """Logistic regression on binary features scaled by naive Bayes ratios.

    NBSVM (Wang and Manning, 2012) with a logistic loss: for each class, the
    features are scaled by their log-count ratio ``log((p / |p|) / (q / |q|))``
    (``p`` and ``q`` count the feature in the class's texts and in the others',
    plus one) and a binary model is fitted; beyond two classes, the class of
    the largest decision wins (one against the rest).
    """

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y):
        self.classes_, y = np.unique(y, return_inverse=True)
        positives = self.classes_[1:] if len(self.classes_) == 2 else self.classes_
        self.ratios_, self.models_ = [], []
        for k in range(len(self.classes_) - len(positives), len(self.classes_)):
            inside = y == k
            p = 1 + np.asarray(X[inside].sum(axis=0)).ravel()
            q = 1 + np.asarray(X[~inside].sum(axis=0)).ravel()
            ratio = np.log(p / p.sum()) - np.log(q / q.sum())
            model = LogisticRegression(C=self.C, max_iter=1000)
            self.models_.append(model.fit(X @ sp.diags(ratio), inside))
            self.ratios_.append(ratio)
        return self

    def decision_function(self, X):
        scores = np.column_stack(
            [
                model.decision_function(X @ sp.diags(ratio))
                for model, ratio in zip(self.models_, self.ratios_, strict=True)
            ]
        )
        return scores[:, 0] if len(self.classes_) == 2 else scores

    def predict(self, X):
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[scores.argmax(axis=1)]


def make(name, seed):
    if name == "tfidf+lr":
        return make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            LogisticRegression(C=10, max_iter=2000),
        )
    if name == "nb+lr":
        return make_pipeline(
            CountVectorizer(ngram_range=(1, 3), binary=True, token_pattern=r"\w+|[!?]"),
            NBLogisticRegression(C=1),
        )
    if name == "classic":
        return make_lstm_pipeline(**CLASSIC_RECIPE, random_state=seed)
    if name == "previous":
        return make_lstm_pipeline(**PREVIOUS_DEFAULTS, random_state=seed)
    return make_lstm_pipeline(random_state=seed)


def read_sentences(path):
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:  # MR's snippets are Latin-1
        text = data.decode("latin-1")
    lines = text.split("\n")  # (splitlines would also split at U+0085 and more)
    texts, labels = [], []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        label, _, text = line.rstrip("\r").partition(" ")
        if not label.lstrip("-").isdigit():
            raise SystemExit(f"{path}:{number}: expected 'LABEL TEXT', got {line!r}")
        texts.append(text)
        labels.append(int(label))
    return texts, np.array(labels)


def subsample(texts, labels, max_samples):
    if max_samples is None or max_samples >= len(labels):
        return texts, labels
    index, _ = train_test_split(
        np.arange(len(labels)), train_size=max_samples, stratify=labels, random_state=0
    )
    return [texts[i] for i in index], labels[index]


def tasks(args):
    """Yield (task, fold, X_train, y_train, X_test, y_test, seeds)."""
    for name in args.sets:
        files, protocol = SENTENCE_SETS[name]
        parts = [read_sentences(args.sentences / file) for file in files]
        if protocol == "split":
            (X, y), (X_test, y_test) = (subsample(*p, args.max_samples) for p in parts)
            yield name, 0, X, y, X_test, y_test, [0]
            continue
        X, y = subsample(*parts[0], args.max_samples)
        folds = StratifiedKFold(args.folds, shuffle=True, random_state=0)
        for fold, (train, test) in enumerate(folds.split(X, y)):
            yield (
                name, fold, [X[i] for i in train], y[train], [X[i] for i in test],
                y[test], [0],
            )  # fmt: skip
    if not args.imdb:
        return
    train, test = load_imdb(subset="train"), load_imdb(subset="test")
    for name in args.imdb:
        task, target = IMDB_TASKS[name]
        X, y = subsample(train.data, getattr(train, target), args.max_samples)
        X_test, y_test = subsample(test.data, getattr(test, target), args.max_samples)
        seeds = list(range(args.seeds)) if task == "IMDB" else [0]
        yield task, 0, X, y, X_test, y_test, seeds


def fit_and_score(task, fold, name, seed, X, y, X_test, y_test):
    model = make(name, seed)
    start = time.perf_counter()
    model.fit(X, y)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    predicted = model.predict(X_test)
    predict_per_s = len(X_test) / (time.perf_counter() - start)
    macro_f1 = f1_score(y_test, predicted, average="macro")
    return dict(
        zip(
            COLUMNS,
            [
                task, name, fold, seed, 100 * accuracy_score(y_test, predicted),
                100 * macro_f1, fit_s, predict_per_s,
            ],
            strict=True,
        )
    )  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("sentences", type=Path, help="folder of the sentence sets")
    parser.add_argument("--sets", nargs="*", default=list(SENTENCE_SETS),
                        choices=list(SENTENCE_SETS), metavar="SET")  # fmt: skip
    parser.add_argument("--imdb", nargs="*", default=list(IMDB_TASKS),
                        choices=list(IMDB_TASKS), metavar="TASK",
                        help="IMDB's tasks: sentiment, ratings")  # fmt: skip
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--seeds", type=int, default=3, help="IMDB's default fits")
    parser.add_argument("--max-samples", type=int, metavar="N",
                        help="at most N texts of each file (a quick run)")  # fmt: skip
    parser.add_argument("--pipelines", nargs="+", default=list(PIPELINES),
                        choices=PIPELINES, metavar="NAME")  # fmt: skip
    parser.add_argument("--out", type=Path, default=Path("compare_text_tasks"))
    args = parser.parse_args()

    rows = []
    print(f"{'task':<13} {'pipeline':<9} {'fold':>4} {'seed':>4} {'acc.':>6} "
          f"{'F1':>6} {'fit (s)':>8} {'pred/s':>8}")  # fmt: skip
    for task, fold, X, y, X_test, y_test, seeds in tasks(args):
        for name in args.pipelines:
            if name == "previous" and task != "IMDB":
                continue
            for seed in seeds if name == "default" else [0]:
                row = fit_and_score(task, fold, name, seed, X, y, X_test, y_test)
                rows.append(row)
                print(f"{task:<13} {name:<9} {fold:>4} {seed:>4} "
                      f"{row['accuracy']:>6.2f} {row['macro_f1']:>6.2f} "
                      f"{row['fit_s']:>8.1f} {row['predict_per_s']:>8.0f}",
                      flush=True)  # fmt: skip
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "results.csv", "w", newline="") as file:
        writer = csv.DictWriter(file, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    summary = summarize(rows)
    report(summary, args)
    plot(summary, args.out / "accuracy_by_task.png")


def summarize(rows):
    """(task, pipeline) -> means over folds (per seed, then over seeds)."""
    groups = defaultdict(list)
    for row in rows:
        groups[row["task"], row["pipeline"]].append(row)
    summary = {}
    for key, group in groups.items():
        by_seed = defaultdict(list)
        for row in group:
            by_seed[row["seed"]].append(row["accuracy"])
        summary[key] = {
            "accuracy": np.mean([np.mean(a) for a in by_seed.values()]),
            "seeds": [np.mean(a) for a in by_seed.values()],
            "macro_f1": np.mean([row["macro_f1"] for row in group]),
            "fit_s": np.mean([row["fit_s"] for row in group]),
            "max_fit_s": max(row["fit_s"] for row in group),
            "predict_per_s": np.mean([row["predict_per_s"] for row in group]),
            "classes": None,
        }
    return summary


def report(summary, args):
    task_names = list(dict.fromkeys(task for task, _ in summary))
    print(f"\n{'task':<13} {'pipeline':<9} {'accuracy':>8} {'macro-F1':>8} "
          f"{'fit (s)':>8} {'pred/s':>8}")  # fmt: skip
    for task in task_names:
        for name in args.pipelines:
            if (task, name) in summary:
                s = summary[task, name]
                print(f"{task:<13} {name:<9} {s['accuracy']:>8.2f} "
                      f"{s['macro_f1']:>8.2f} {s['fit_s']:>8.1f} "
                      f"{s['predict_per_s']:>8.0f}")  # fmt: skip
    yes = {True: "yes", False: "no"}
    sentences = [task for task in task_names if task in SENTENCE_SETS]
    print()
    if ("IMDB", "previous") in summary and ("IMDB", "default") in summary:
        default, previous = summary["IMDB", "default"], summary["IMDB", "previous"]
        ratio = default["max_fit_s"] / previous["fit_s"]
        print(f"IMDB, the previous defaults (seed 0): {previous['accuracy']:.3f}, fit "
              f"{previous['fit_s']:.0f} s; the slowest default fit / it: {ratio:.2f} "
              f"(<= 1.1: {yes[ratio <= 1.1]})")  # fmt: skip
    if not {"tfidf+lr", "nb+lr", "default"} <= set(args.pipelines):
        return
    if sentences:
        means = {
            name: np.mean([summary[task, name]["accuracy"] for task in sentences])
            for name in ("tfidf+lr", "nb+lr", "default")
        }
        linear = max(means["tfidf+lr"], means["nb+lr"])
        print(f"sentences, mean of {len(sentences)}: default {means['default']:.2f}, "
              f"tfidf+lr {means['tfidf+lr']:.2f}, nb+lr {means['nb+lr']:.2f} "
              f"(>= the better: {yes[means['default'] >= linear]})")  # fmt: skip
        for task in sentences:
            default = summary[task, "default"]
            best = max(summary[task, n]["accuracy"] for n in ("tfidf+lr", "nb+lr"))
            cnn = CNN_RAND.get(task)
            versus = (
                f"; CNN-rand {cnn:.1f} (>=: {yes[default['accuracy'] >= cnn]})"
                if cnn
                else ""
            )
            print(f"  {task:<6} default {default['accuracy']:.2f} vs better linear "
                  f"{best:.2f}: {default['accuracy'] - best:+.2f} (>= -1.0: "
                  f"{yes[default['accuracy'] >= best - 1.0]}){versus}; slowest fit "
                  f"{default['max_fit_s']:.0f} s (<= 60: "
                  f"{yes[default['max_fit_s'] <= 60]})")  # fmt: skip
    if ("IMDB", "default") in summary:
        default, nb = summary["IMDB", "default"], summary["IMDB", "nb+lr"]
        seeds = ", ".join(f"{a:.2f}" for a in default["seeds"])
        print(f"IMDB: default mean {default['accuracy']:.3f} ({seeds}) vs nb+lr "
              f"{nb['accuracy']:.3f} (>=: {yes[default['accuracy'] >= nb['accuracy']]})"
              f"; fit {default['fit_s']:.0f} s")  # fmt: skip
    if ("IMDB ratings", "default") in summary:
        default, tfidf = (
            summary["IMDB ratings", "default"],
            summary["IMDB ratings", "tfidf+lr"],
        )
        print(f"IMDB ratings: default {default['accuracy']:.2f} / macro-F1 "
              f"{default['macro_f1']:.2f} vs tfidf+lr {tfidf['accuracy']:.2f} / "
              f"{tfidf['macro_f1']:.2f} (>= on both: "
              f"{yes[default['accuracy'] >= tfidf['accuracy'] and default['macro_f1'] >= tfidf['macro_f1']]})")  # noqa: E501  # fmt: skip


def plot(summary, path):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no figure")
        return
    task_names = list(dict.fromkeys(task for task, _ in summary))
    names = [n for n in PIPELINES if any((t, n) in summary for t in task_names)]
    width = 0.8 / len(names)
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(task_names) + 1.5), 4.5))
    for i, name in enumerate(names):
        x = np.arange(len(task_names)) + (i - (len(names) - 1) / 2) * width
        accuracy = [
            summary[t, name]["accuracy"] if (t, name) in summary else np.nan
            for t in task_names
        ]
        ax.bar(x, accuracy, width, label=name)
    for j, task in enumerate(task_names):
        if task in CNN_RAND:
            ax.plot([j - 0.4, j + 0.4], [CNN_RAND[task]] * 2, "k:", lw=1)
    ax.set_xticks(np.arange(len(task_names)), task_names)
    low = np.nanmin([s["accuracy"] for s in summary.values()])
    ax.set_ylim(max(0, low - 5), 100)
    ax.set(ylabel="test accuracy (%)",
           title="Accuracy by task (dotted: CNN-rand, Kim 2014)")  # fmt: skip
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
