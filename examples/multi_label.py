"""
Several labels per text: the LSTM against one-vs-rest logistic regression
=========================================================================

Fits, in one run, TF-IDF (1-2-grams) + ``OneVsRestClassifier(LogisticRegression
(C=10))`` and the default pipeline (``make_lstm_pipeline``, given the 0/1
indicator matrix of the labels) on two tasks, and prints micro- and macro-F1,
subset accuracy (every label of a text right), fit seconds and predict texts/s
of each, side by side:

- made up: 6,000 short texts of 12 neutral words and, for each of five topics a
  text has (each with probability 0.3), one of its ten cue words, where a cue
  of another topic (a distractor, in a third of the texts) is negated ("not
  t2c5"); 4,000 to fit on, 2,000 to test;
- IMDB's three derived tags, on the full train and test split: positive (rating
  7 or more), extreme (rating 1-2 or 9-10) and long (more than 300 words).

Run: ``python examples/multi_label.py`` (about 10 minutes on 2 CPU cores);
``--seeds 3`` fits the LSTM with seeds 0, 1, 2 and prints their mean;
``--max-samples N`` cuts IMDB for a quick run.
"""

import argparse
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline

from sk_lstm import make_lstm_pipeline
from sk_lstm.datasets import load_imdb


def made_up(n=6000, topics=5, seed=0):
    """Texts and their indicator matrix: cue words of each topic a text has."""
    rng = np.random.default_rng(seed)
    neutral = [f"w{i}" for i in range(300)]
    cues = [[f"t{t}c{i}" for i in range(10)] for t in range(topics)]
    Y = (rng.random((n, topics)) < 0.3).astype(int)
    texts = []
    for labels in Y:
        words = list(rng.choice(neutral, 12))
        for topic in np.flatnonzero(labels):
            words.append(rng.choice(cues[topic]))
        rng.shuffle(words)
        others = np.flatnonzero(labels == 0)
        if len(others) and rng.random() < 1 / 3:  # "not" before the cue: no label
            at = rng.integers(0, len(words) + 1)
            words[at:at] = ["not", rng.choice(cues[rng.choice(others)])]
        texts.append(" ".join(words))
    return texts[:4000], Y[:4000], texts[4000:], Y[4000:]


def imdb_tags(max_samples=None):
    """IMDB's reviews and three tags: positive, extreme rating, over 300 words."""
    splits = []
    for subset in ("train", "test"):
        data = load_imdb(subset=subset)
        texts, rating = list(data.data), np.asarray(data.rating)
        if max_samples is not None:
            keep = np.random.default_rng(0).permutation(len(texts))[:max_samples]
            texts, rating = [texts[i] for i in keep], rating[keep]
        Y = np.column_stack(
            [
                rating >= 7,
                (rating <= 2) | (rating >= 9),
                [len(text.split()) > 300 for text in texts],
            ]
        ).astype(int)
        splits += [texts, Y]
    return splits


def linear(seed):
    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        OneVsRestClassifier(LogisticRegression(C=10, max_iter=2000)),
    )


def lstm(seed):
    return make_lstm_pipeline(random_state=seed)


def scores(make, seed, X_train, Y_train, X_test, Y_test):
    pipe = make(seed)
    start = time.perf_counter()
    pipe.fit(X_train, Y_train)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    predicted = pipe.predict(X_test)
    rate = len(X_test) / (time.perf_counter() - start)
    return {
        "micro-F1": 100 * f1_score(Y_test, predicted, average="micro"),
        "macro-F1": 100 * f1_score(Y_test, predicted, average="macro"),
        "subset acc.": 100 * accuracy_score(Y_test, predicted),
        "fit s": fit_s,
        "texts/s": rate,
        "per label F1": 100 * f1_score(Y_test, predicted, average=None),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--seeds", type=int, default=1, metavar="N")
    parser.add_argument("--max-samples", type=int, metavar="N")
    args = parser.parse_args()
    tasks = {
        "made up (5 topics)": made_up(),
        "IMDB tags (positive, extreme, long)": imdb_tags(args.max_samples),
    }
    columns = ["micro-F1", "macro-F1", "subset acc.", "fit s", "texts/s"]
    for task, data in tasks.items():
        print(f"\n{task}: {len(data[0]):,} texts to fit on, {len(data[2]):,} to test")
        print(f"{'pipeline':<34}" + "".join(f"{c:>12}" for c in columns)
              + "  F1 per label")  # fmt: skip
        for name, make, seeds in [
            ("TF-IDF + one-vs-rest LR", linear, [0]),
            (f"default LSTM (mean of {args.seeds})", lstm, range(args.seeds)),
        ]:
            runs = [scores(make, seed, *data) for seed in seeds]
            mean = {key: np.mean([run[key] for run in runs], axis=0) for key in runs[0]}
            cells = "".join(
                f"{mean[c]:>12,.0f}" if c == "texts/s" else f"{mean[c]:>12.2f}"
                for c in columns
            )
            labels = " ".join(f"{v:.1f}" for v in mean["per label F1"])
            print(f"{name:<34}{cells}  {labels}", flush=True)


if __name__ == "__main__":
    main()
