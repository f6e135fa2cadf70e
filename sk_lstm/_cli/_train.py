"""``sk-lstm train``: fit a pipeline, print its test accuracy, save it."""

import contextlib
import os
import signal
import sys
import threading
import time

import numpy as np
from sklearn.metrics import f1_score

from .._checkpoint import checkpoint_files, kept_until
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


class Terminated(KeyboardInterrupt):
    """SIGTERM, read as Ctrl-C is: the fit stops and its checkpoint stays."""


def run(args):
    """Run ``sk-lstm train`` with the parsed ``args``; return the exit status."""
    models = model_paths(args.output, args.format)
    history_path = sibling(args.output, "history.csv")
    plot_path = sibling(args.output, "learning_curves.png")
    checkpoints = None
    if not args.no_checkpoint:
        checkpoints = args.checkpoint_dir or sibling(args.output, "checkpoints")
    check_writable(
        *models.values(), history_path, plot_path, *[checkpoints] * bool(checkpoints)
    )

    start = time.perf_counter()
    X_train, y_train, X_test, y_test, test_name, names = train_and_test(args)
    print(
        f"Loaded {len(y_train):,} training texts and {len(y_test):,} {test_name} "
        f"in {time.perf_counter() - start:.1f} s"
    )
    params = {**recipe_params(args), **given_hyperparameters(args)}
    pipe = make_lstm_pipeline(**params, checkpoint_dir=checkpoints)
    if checkpoints is not None and checkpoint_files(checkpoints):
        print(
            f"Found checkpoints in {checkpoints}: the fit resumes from them if "
            "the data and options are those of the interrupted one"
        )
    fits = []
    try:
        # The checkpoint stays until the model is saved: an interrupted or
        # failed save resumes with nothing left to train.
        with sigterm_interrupts(), kept_until(fits):
            _fit_and_save(pipe, (X_train, y_train, X_test, y_test), test_name,
                          names, models, history_path, plot_path)  # fmt: skip
    except KeyboardInterrupt as stop:
        print(f"sk-lstm train: {interrupted(checkpoints, fits)}", file=sys.stderr)
        return 143 if isinstance(stop, Terminated) else 130
    finally:
        if checkpoints is not None and not args.checkpoint_dir:
            with contextlib.suppress(OSError):  # only if empty: another fit's stay
                os.rmdir(checkpoints)
    others = checkpoint_files(checkpoints) if checkpoints is not None else []
    if others:
        print(
            f"Left {len(others)} checkpoint{'s' * (len(others) > 1)} of other "
            f"fits in {checkpoints}: delete them if their data or options are "
            "no longer used"
        )
    return 0


def _fit_and_save(pipe, data, test_name, names, models, history_path, plot_path):
    X_train, y_train, X_test, y_test = data
    start = time.perf_counter()
    pipe.fit(X_train, y_train)
    name_labels(pipe, names)
    print(f"Fit time: {time.perf_counter() - start:.1f} s")
    pipe.set_params(
        sequencer__verbose=0, classifier__verbose=0, classifier__checkpoint_dir=None
    )
    accuracy = pipe.score(X_test, y_test)
    print(f"Test accuracy: {accuracy:.4f} on {len(y_test):,} {test_name}")
    if names is not None:
        micro = f1_score(y_test, pipe.predict(X_test), average="micro")
        print(f"(every label of a text right; micro-F1 of the labels: {micro:.4f})")

    save_model(pipe, models)
    print(f"Saved the fitted pipeline to {' and '.join(models.values())}")
    history = pipe.named_steps["classifier"].history_
    write_csv(history_path, *history_table(history))
    print(f"Saved the training history to {history_path}")
    if _plots.learning_curves(history, plot_path):
        print(f"Saved the learning curves to {plot_path}")
    else:
        print(_plots.MISSING, file=sys.stderr)


def name_labels(pipe, names):
    """Give a pipeline fitted on an indicator matrix the labels' names."""
    if names is not None:
        pipe.steps[-1][1].classes_ = np.asarray(names)


def interrupted(checkpoints, fits):
    """The line that says what the interrupted ``fits`` kept, and how to go on."""
    if checkpoints is None:
        return "interrupted (nothing kept: --no-checkpoint)"
    if not fits and checkpoint_files(checkpoints):  # (an earlier run's)
        return (
            "interrupted before the fit began: nothing new kept (the checkpoints "
            f"in {checkpoints} stay; the same command resumes from its own)"
        )
    epochs = max((fit.epochs_saved for fit in fits), default=0)
    if not epochs:
        return "interrupted before the first epoch ended: nothing kept"
    return (
        f"interrupted: {epochs} epoch{'s' * (epochs > 1)} kept in {checkpoints}; "
        "run the same command again to resume"
    )


@contextlib.contextmanager
def sigterm_interrupts():
    """Within the block, SIGTERM raises `Terminated` (in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise Terminated

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
