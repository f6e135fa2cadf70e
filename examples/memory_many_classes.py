"""
Many classes: 1,000 of them in bounded memory, and a clear error past it
=======================================================================

Makes up a 1,000-class problem (``--texts`` short texts of 8 words: 6 drawn
from 20,000 words, 2 from the 5 words that mark the text's class), fits the
default pipeline on 90 % of it and scores the rest, printing the fit seconds,
the bag's shape, the weights and the peak memory of the process. Then asks for
the same model with one bag column per class (``bag_dim=None``, as before
``bag_dim="auto"``), which would need more memory than the machine has, and
prints the error that ``fit`` raises before training.

Run: ``python examples/memory_many_classes.py`` (about 5 minutes on 2 CPU
cores), or ``--texts 5000 --classes 100`` for a quick look.
"""

import argparse
import resource
import time

import numpy as np

from sk_lstm import make_lstm_pipeline

parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
parser.add_argument("--texts", type=int, default=50_000)
parser.add_argument("--classes", type=int, default=1000)
args = parser.parse_args()

rng = np.random.default_rng(0)
vocabulary = np.array([f"w{i}" for i in range(20_000)])
markers = rng.integers(0, len(vocabulary), size=(args.classes, 5))
y = rng.integers(0, args.classes, size=args.texts)
texts = [
    " ".join([*rng.choice(vocabulary, 6), *vocabulary[rng.choice(markers[c], 2)]])
    for c in y
]
train = args.texts * 9 // 10

pipe = make_lstm_pipeline(random_state=0)
start = time.perf_counter()
pipe.fit(texts[:train], y[:train])
fit_s = time.perf_counter() - start
classifier = pipe[-1]
bag = classifier.model_.get_layer("ngram_bag")
peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux
print(f"{args.classes:,} classes, {train:,} texts to fit: fit {fit_s:.0f} s")
print(
    f"bag: {bag.rows:,} rows x {bag.units} columns (projected to the classes); "
    f"{classifier.model_.count_params():,} weights"
)
print(f"accuracy on the other {args.texts - train:,} texts: "
      f"{pipe.score(texts[train:], y[train:]):.3f}")  # fmt: skip
print(f"peak memory of the process (fit and predict): {peak_gib:.2f} GiB")

wide = make_lstm_pipeline(bag_dim=None, random_state=0)
try:
    wide.fit(texts[:train], y[:train])
except MemoryError as error:
    print(f"\nbag_dim=None: MemoryError before training:\n  {error}")
else:
    print("\nbag_dim=None fitted: this machine has the memory for it")
