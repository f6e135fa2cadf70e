"""``sk-lstm train``: fit a pipeline, print its test accuracy, save it."""

import sys
import time

from .._pipeline import make_lstm_pipeline
from . import _plots
from ._data import train_and_test
from ._files import (
    check_writable,
    history_table,
    model_paths,
    save_model,
    sibling,
    write_csv,
)
from ._parser import given_hyperparameters, recipe_params


def run(args):
    """Run ``sk-lstm train`` with the parsed ``args``; return the exit status."""
    models = model_paths(args.output, args.format)
    history_path = sibling(args.output, "history.csv")
    plot_path = sibling(args.output, "learning_curves.png")
    check_writable(*models.values(), history_path, plot_path)

    start = time.perf_counter()
    X_train, y_train, X_test, y_test, test_name = train_and_test(args)
    print(
        f"Loaded {len(y_train):,} training texts and {len(y_test):,} {test_name} "
        f"in {time.perf_counter() - start:.1f} s"
    )
    pipe = make_lstm_pipeline(**{**recipe_params(args), **given_hyperparameters(args)})
    start = time.perf_counter()
    pipe.fit(X_train, y_train)
    print(f"Fit time: {time.perf_counter() - start:.1f} s")

    pipe.set_params(sequencer__verbose=0, classifier__verbose=0)
    accuracy = pipe.score(X_test, y_test)
    print(f"Test accuracy: {accuracy:.4f} on {len(y_test):,} {test_name}")

    save_model(pipe, models)
    print(f"Saved the fitted pipeline to {' and '.join(models.values())}")
    history = pipe.named_steps["classifier"].history_
    write_csv(history_path, *history_table(history))
    print(f"Saved the training history to {history_path}")
    if _plots.learning_curves(history, plot_path):
        print(f"Saved the learning curves to {plot_path}")
    else:
        print(_plots.MISSING, file=sys.stderr)
    return 0
