"""
The classic Keras IMDB recipe as a scikit-learn Pipeline
========================================================

Top 5,000 words, sequences of 500, Embedding(32) -> LSTM(100) -> Dense(1),
Adam, batch 64, 3 epochs: about 0.86 test accuracy. Then the same with Dropout
layers (rate 0.2) before and after the LSTM.

Run: ``python examples/imdb_classic_recipe.py`` (about 8 minutes on 2 CPU cores),
or ``--max-samples 2000`` for a quick look.
"""

import time

from _common import load_train_test, parse_args

from sk_lstm import CLASSIC_RECIPE, make_lstm_pipeline

args = parse_args(__doc__.split("\n")[1])
X_train, X_test, y_train, y_test = load_train_test(args.max_samples)

for dropout in (0.0, 0.2):
    pipe = make_lstm_pipeline(
        **{**CLASSIC_RECIPE, "dropout": dropout}, random_state=7, verbose=2
    )
    start = time.perf_counter()
    pipe.fit(X_train, y_train)
    fit_time = time.perf_counter() - start
    accuracy = pipe.score(X_test, y_test)
    print(f"dropout={dropout}: test accuracy {accuracy:.4f}, fit {fit_time:.0f} s")
