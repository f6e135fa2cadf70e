"""
Speed of length bucketing on IMDB, side by side with plain Keras
================================================================

The seed's model (Embedding 32 -> LSTM 100 -> Dense 1, batch 64) and data (5,000
words, 500 tokens, pre-padded), timed in one run:

1. seconds per training epoch: plain Keras ``model.fit`` on the fixed
   (n, 500) array vs ``LSTMClassifier`` (length-bucketed batches);
2. reviews per second of ``predict_proba`` on the test reviews, both ways;
3. ``TextSequencer`` vs scikit-learn's ``CountVectorizer`` on the training texts;
4. peak memory of the process.

Run: ``python examples/benchmark_speed.py`` (about 4 minutes on 2 CPU cores), or
``--quick`` for 2,000 reviews of each split (under 3 minutes).
"""

import argparse
import resource
import time

import keras
from _common import load_train_test
from sklearn.feature_extraction.text import CountVectorizer

from sk_lstm import LSTMClassifier, TextSequencer
from sk_lstm._model import build_lstm_model

parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
parser.add_argument("--quick", action="store_true", help="2,000 reviews per split")
parser.add_argument("--epochs", type=int, default=1, help="epochs to time, each way")
parser.add_argument("--predict-batch-size", type=int, default=256)
args = parser.parse_args()

X_train, X_test, y_train, y_test = load_train_test(2000 if args.quick else None)
print(f"{len(X_train):,} train and {len(X_test):,} test reviews\n")


class EpochTimer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)

    def on_train_begin(self, logs=None):
        self.seconds = []


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def row(label, baseline, ours, unit, higher_is_better=False):
    ratio = ours / baseline if higher_is_better else baseline / ours
    print(f"{label:<34} {baseline:>12.2f} {ours:>12.2f}  {unit:<10} {ratio:>6.2f}x")


# 3. Text to features (first, so that it runs on a quiet process).
sequencer = TextSequencer(num_words=5000, maxlen=500)
X_train_seq, seq_fit_s = timed(sequencer.fit_transform, X_train)
_, seq_transform_s = timed(sequencer.transform, X_train)
_, count_s = timed(CountVectorizer().fit_transform, X_train)
X_test_seq = sequencer.transform(X_test)

# 1. Training epochs.
plain = build_lstm_model(  # the seed's model
    vocab_size=5000, n_classes=2, units=100, dropout=0.0, pooling="last", bag_ngrams=0
)
plain.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
plain_timer = EpochTimer()
plain.fit(
    X_train_seq,
    y_train,
    batch_size=64,
    epochs=args.epochs,
    verbose=2,
    callbacks=[plain_timer],
)
bucketed_timer = EpochTimer()
clf = LSTMClassifier(
    vocab_size=5000,
    embedding_dim=32,
    units=100,
    bidirectional=False,
    pooling="last",
    bag_ngrams=0,
    min_steps=0,
    early_stopping=False,
    validation_fraction=None,
    epochs=args.epochs,
    batch_size=64,
    verbose=2,
    callbacks=[bucketed_timer],
    random_state=0,
    predict__batch_size=args.predict_batch_size,
)
clf.fit(X_train_seq, y_train)

# 2. Prediction.
_, plain_predict_s = timed(
    plain.predict, X_test_seq, batch_size=args.predict_batch_size, verbose=0
)
clf.set_params(verbose=0)
_, bucketed_predict_s = timed(clf.predict_proba, X_test_seq)

print(f"\n{'':<34} {'plain Keras':>12} {'sk_lstm':>12}  {'unit':<10} {'speed-up':>7}")
for epoch, (p, b) in enumerate(
    zip(plain_timer.seconds, bucketed_timer.seconds, strict=True), start=1
):
    row(f"training epoch {epoch}", p, b, "s")
n_test = len(X_test_seq)
row(
    "predict_proba",
    n_test / plain_predict_s,
    n_test / bucketed_predict_s,
    "reviews/s",
    higher_is_better=True,
)
print(f"\n{'':<34} {'CountVect.':>12} {'TextSeq.':>12}")
row("fit_transform (train texts)", count_s, seq_fit_s, "s")
row("transform vs CV fit_transform", count_s, seq_transform_s, "s")
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"\npeak memory of the process: {peak_mb:,.0f} MB")
