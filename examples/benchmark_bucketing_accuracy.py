"""
Does length bucketing cost accuracy?
====================================

The classic recipe (``make_lstm_pipeline(**CLASSIC_RECIPE)``: 5,000 words, 500 tokens,
Embedding 32 -> LSTM 100, Adam, batch 64, 3 epochs) fitted with and without
``length_bucketing`` on the same data and seeds; prints test accuracy and fit
time per seed and on average.

Run: ``python examples/benchmark_bucketing_accuracy.py`` (about 17 minutes on
2 CPU cores for 3 seeds), or ``--max-samples 2000 --seeds 1`` for a quick look.
"""

import argparse
import time

import numpy as np
from _common import load_train_test

from sk_lstm import CLASSIC_RECIPE, make_lstm_pipeline

parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
parser.add_argument("--seeds", type=int, default=3)
parser.add_argument("--max-samples", type=int, metavar="N")
args = parser.parse_args()

X_train, X_test, y_train, y_test = load_train_test(args.max_samples)
results = {False: [], True: []}
print("seed  length_bucketing  test accuracy  fit time (s)")
for seed in range(args.seeds):
    for bucketing in (False, True):
        pipe = make_lstm_pipeline(
            **CLASSIC_RECIPE, random_state=seed, length_bucketing=bucketing
        )
        start = time.perf_counter()
        pipe.fit(X_train, y_train)
        fit_time = time.perf_counter() - start
        accuracy = pipe.score(X_test, y_test)
        results[bucketing].append((accuracy, fit_time))
        print(
            f"{seed:>4}  {bucketing!s:>16}  {accuracy:>13.4f}  {fit_time:>12.1f}",
            flush=True,
        )
print()
for bucketing, runs in results.items():
    accuracy, fit_time = np.mean(runs, axis=0)
    print(f"mean  {bucketing!s:>16}  {accuracy:>13.4f}  {fit_time:>12.1f}")
difference = np.mean(results[True], axis=0)[0] - np.mean(results[False], axis=0)[0]
print(f"bucketed minus plain: {100 * difference:+.2f} accuracy points")
