"""
What checkpointing a fit costs
==============================

Fits ``make_lstm_pipeline(random_state=0)`` on IMDB's training reviews in one
run: without ``checkpoint_dir``; with it (a save at the end of every epoch);
with it, stopped half-way through its last epoch, then fitted again, which
resumes; and without it again. Prints each fit's seconds, the ratio to the
mean of the two plain fits (the machine drifts), the seconds between each
epoch's end and the next step (where the checkpoint is written: a measure that
drift does not blur), the size of a checkpoint, and whether the predictions on
the test reviews equal the plain fit's, bit for bit.

Run: ``python examples/benchmark_checkpoint.py`` (about 9 minutes on 2 CPU
cores); ``--max-samples N`` for a quick run.
"""

import os
import shutil
import tempfile
import time

import keras
import numpy as np
from _common import load_train_test, parse_args

from sk_lstm import make_lstm_pipeline

args = parse_args(__doc__.split("\n")[1])
X_train, X_test, y_train, y_test = load_train_test(args.max_samples)
folder = tempfile.mkdtemp()


class Stop(Exception):
    pass


class StopIn(keras.callbacks.Callback):
    """Stop the fit half-way through epoch ``epoch`` (None: never): a Ctrl-C.

    It also times what follows each epoch's end (the checkpoint is saved after
    every other callback): ``after_epochs`` seconds, all epochs together.
    """

    def __init__(self, epoch=None):
        super().__init__()
        self.epoch = epoch

    def on_train_begin(self, logs=None):
        self.after_epochs, self.ended = 0.0, None

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch
        self._add_time_after_epoch()

    def on_epoch_end(self, epoch, logs=None):
        self.ended = time.perf_counter()

    def on_train_end(self, logs=None):
        self._add_time_after_epoch()

    def _add_time_after_epoch(self):
        if self.ended is not None:
            self.after_epochs += time.perf_counter() - self.ended
            self.ended = None

    def on_train_batch_end(self, batch, logs=None):
        if self.current == self.epoch and batch == self.params["steps"] // 2:
            raise Stop


def timed_fit(**params):
    # The same callbacks in every fit: a checkpoint is found by the parameters.
    params = {"callbacks": [StopIn()], **params}
    pipe = make_lstm_pipeline(random_state=0, **params)
    start = time.perf_counter()
    pipe.fit(X_train, y_train)
    (timer,) = pipe.named_steps["classifier"].callbacks
    return pipe, time.perf_counter() - start, timer.after_epochs


plain, plain_s, plain_after = timed_fit()
expected = plain.predict_proba(X_test)
epochs = len(plain.named_steps["classifier"].history_["loss"])
saved, saved_s, saved_after = timed_fit(checkpoint_dir=folder)

start = time.perf_counter()
try:
    timed_fit(checkpoint_dir=folder, callbacks=[StopIn(epochs - 1)])
except Stop:
    stopped_s = time.perf_counter() - start
(name,) = os.listdir(folder)
size = os.path.getsize(os.path.join(folder, name))
resumed, resumed_s, _ = timed_fit(checkpoint_dir=folder)
_, again_s, again_after = timed_fit()
baseline = (plain_s + again_s) / 2

print(f"{len(y_train):,} training reviews, {epochs} epochs; a checkpoint: "
      f"{size / 2**20:.0f} MB\n")  # fmt: skip
print(f"{'fit':<40} {'seconds':>8} {'ratio':>6} {'after epochs':>13}  same predictions")
rows = [
    ("plain", plain_s, plain_after, expected),
    ("plain, again (last)", again_s, again_after, expected),
    ("checkpointed every epoch", saved_s, saved_after, saved.predict_proba(X_test)),
    (f"stopped in epoch {epochs}, then resumed", stopped_s + resumed_s, None,
     resumed.predict_proba(X_test)),
]  # fmt: skip
for name, seconds, after, proba in rows:
    same = "yes" if np.array_equal(proba, expected) else "NO"
    after = "" if after is None else f"{after:.2f}"
    print(f"{name:<40} {seconds:>8.1f} {seconds / baseline:>6.2f} {after:>13}  {same}")
print(f"{'  of which the resumed fit':<40} {resumed_s:>8.1f}")
shutil.rmtree(folder)
