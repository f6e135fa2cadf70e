"""
The default recipe against the classic Keras recipe
===================================================

Fits ``make_lstm_pipeline()`` with its defaults and with the classic Keras
IMDB recipe (``make_lstm_pipeline(**CLASSIC_RECIPE)``: 5,000 words, 500 tokens,
Embedding 32 -> LSTM 100 -> Dense 1, 3 epochs) on the same data and seeds, and
prints per seed and on average: test accuracy, fit time, epochs run and the
number of weights.

Run: ``python examples/compare_recipes.py`` (about 25 minutes on 2 CPU cores
for 3 seeds), or ``--max-samples 2000 --seeds 1`` for a quick look.
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
print(f"{len(X_train):,} train and {len(X_test):,} test reviews\n")
recipes = {"classic": CLASSIC_RECIPE, "default": {}}
results = {name: [] for name in recipes}
print(f"{'seed':>4}  {'recipe':<8} {'test acc.':>9} {'fit (s)':>8} {'epochs':>6} "
      f"{'weights':>10}")  # fmt: skip
for seed in range(args.seeds):
    for name, recipe in recipes.items():
        pipe = make_lstm_pipeline(**recipe, random_state=seed)
        start = time.perf_counter()
        pipe.fit(X_train, y_train)
        fit_time = time.perf_counter() - start
        accuracy = pipe.score(X_test, y_test)
        classifier = pipe.named_steps["classifier"]
        epochs = len(classifier.history_["loss"])
        weights = classifier.model_.count_params()
        results[name].append((accuracy, fit_time, epochs, weights))
        print(
            f"{seed:>4}  {name:<8} {accuracy:>9.4f} {fit_time:>8.1f} {epochs:>6} "
            f"{weights:>10,}",
            flush=True,
        )
print()
for name, runs in results.items():
    accuracy, fit_time, epochs, weights = np.mean(runs, axis=0)
    print(
        f"{'mean':>4}  {name:<8} {accuracy:>9.4f} {fit_time:>8.1f} {epochs:>6.1f} "
        f"{weights:>10,.0f}"
    )
gain = np.mean(results["default"], axis=0)[0] - np.mean(results["classic"], axis=0)[0]
print(f"default minus classic: {100 * gain:+.2f} accuracy points")
