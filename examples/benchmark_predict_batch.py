"""
Prediction speed against the prediction batch size
==================================================

Fits ``make_lstm_pipeline()`` on some IMDB training reviews, then times
``predict_proba`` on the 25,000 test reviews (raw texts in, so the text step
counts) for several ``predict_batch_size`` values, beside TF-IDF + logistic
regression fitted on the same reviews. Prints reviews per second.

Run: ``python examples/benchmark_predict_batch.py`` (about 5 minutes on 2 CPU
cores); ``--max-samples N`` sets the training reviews (default 5,000).
"""

import argparse
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sk_lstm import make_lstm_pipeline
from sk_lstm.datasets import load_imdb

parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
parser.add_argument("--max-samples", type=int, default=5000, metavar="N")
parser.add_argument("--sizes", type=int, nargs="+", default=[64, 256, 512, 1024])
args = parser.parse_args()

X, y = load_imdb(subset="train", return_X_y=True)
X_train, _, y_train, _ = train_test_split(
    X, y, train_size=args.max_samples, stratify=y, random_state=0
)
X_test, _ = load_imdb(subset="test", return_X_y=True)
tfidf = make_pipeline(
    TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
    LogisticRegression(C=10, max_iter=2000),
).fit(X_train, y_train)
pipe = make_lstm_pipeline(random_state=0).fit(X_train, y_train)


def rate(model):
    start = time.perf_counter()
    proba = model.predict_proba(X_test)
    return len(X_test) / (time.perf_counter() - start), proba


print(f"predict_proba on {len(X_test):,} raw test reviews\n")
print(f"{'pipeline':<32} {'reviews/s':>10}")
print(f"{'TF-IDF + logistic regression':<32} {rate(tfidf)[0]:>10,.0f}")
reference = None
for size in args.sizes:
    pipe.set_params(classifier__predict_batch_size=size)
    per_second, proba = rate(pipe)
    # Rows of one width share a batch, so every row is read the same way.
    reference = proba if reference is None else reference
    same = np.allclose(proba, reference, atol=1e-5)
    name = f"default, predict_batch_size={size}"
    print(f"{name:<32} {per_second:>10,.0f}{'' if same else '  (differs!)'}")
