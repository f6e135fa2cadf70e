"""
The exported SavedModel against the pipeline: same probabilities, speed
======================================================================

Exports a fitted pipeline with ``sk_lstm.export``, loads it back with
``tf.saved_model.load`` and feeds the 25,000 IMDB test reviews (raw texts) and
some awkward texts to both it and ``pipeline.predict_proba``. Prints the
largest difference between their probabilities, and the reviews per second of
each, on the whole test set at once and in requests of 32 reviews.

Run: ``python examples/benchmark_export.py --model imdb_lstm.sklstm`` (a file
``sk-lstm train`` saved; about 3 minutes on 2 CPU cores), or without
``--model`` to fit ``make_lstm_pipeline(random_state=0)`` on ``--max-samples``
training reviews first (default 5,000).
"""

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import tensorflow as tf
from sklearn.model_selection import train_test_split

import sk_lstm
from sk_lstm.datasets import load_imdb

AWKWARD = [
    "",
    " \t\n ",
    "Café, naïve, Ærøskøbing; e\u0301 (a combining accent)",
    "映画はとても良かった。最高！",
    "Loved it 😀👍🏽 ❤️",
    "הסרט היה נהדר",
    "الفيلم كان رائعا",
    "zero\u200bwidth\u200cjoiners\u200d and\ufeffBOM",
    "<br /><i>Great</i> acting<br/>but <a href='x'>awful</a> plot",
    "ΟΔΟΣ ΣΑΣ İSTANBUL ǅemal ẞ",
    "nul\x00inside",
    "don't 'quoted' rock'n'roll ''x'' y'",
    "a great film " * 80_000,  # about 1 MB
]

parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
parser.add_argument("--model", help="a saved .sklstm pipeline")
parser.add_argument("--max-samples", type=int, default=5000, metavar="N")
args = parser.parse_args()

X_test, y_test = load_imdb(subset="test", return_X_y=True)
if args.model:
    pipe = sk_lstm.load(args.model)
else:
    X, y = load_imdb(subset="train", return_X_y=True)
    X_train, _, y_train, _ = train_test_split(
        X, y, train_size=args.max_samples, stratify=y, random_state=0
    )
    pipe = sk_lstm.make_lstm_pipeline(random_state=0).fit(X_train, y_train)

with tempfile.TemporaryDirectory() as directory:
    path = Path(directory, "sentiment", "1")
    start = time.perf_counter()
    sk_lstm.export(pipe, path)
    print(f"export: {time.perf_counter() - start:.1f} s")
    serve = tf.saved_model.load(str(path)).signatures["serving_default"]

    def exported(texts):
        return serve(text=tf.constant(texts))["probabilities"].numpy()

    exported(X_test[:64])  # warm both up
    pipe.predict_proba(X_test[:64])
    rows = []
    for name, predict in (("pipeline.predict_proba", pipe.predict_proba),
                          ("SavedModel", exported)):  # fmt: skip
        start = time.perf_counter()
        proba = predict(X_test)
        whole = time.perf_counter() - start
        start = time.perf_counter()
        for begin in range(0, 3200, 32):
            predict(X_test[begin : begin + 32])
        requests = time.perf_counter() - start
        accuracy = np.mean(pipe.classes_[proba.argmax(axis=1)] == y_test)
        rows.append((name, proba, len(X_test) / whole, 3200 / requests, accuracy))
        awkward = predict(AWKWARD)
        rows[-1] += (awkward,)

print(f"{'':24} {'reviews/s (25,000 at once)':>28} {'reviews/s (32 a request)':>26} "
      f"{'test accuracy':>14}")  # fmt: skip
for name, _, whole, requests, accuracy, _ in rows:
    print(f"{name:24} {whole:28,.0f} {requests:26,.0f} {accuracy:14.4f}")
(_, pipe_proba, *_, pipe_awkward), (_, export_proba, *_, export_awkward) = rows
print(
    "largest |difference| of probabilities: "
    f"{np.abs(pipe_proba - export_proba).max():.2e} on the test reviews, "
    f"{np.abs(pipe_awkward - export_awkward).max():.2e} on "
    f"{len(AWKWARD)} awkward texts"
)
