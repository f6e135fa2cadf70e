"""
Save a fitted pipeline and use it in another process
====================================================

``joblib.dump`` writes the whole fitted pipeline (word index and Keras model);
``joblib.load`` in a new Python process predicts without refitting and gives the
same probabilities. A joblib file runs code when loaded: load only files you trust.

Run: ``python examples/persistence.py --max-samples 2000`` (under a minute).
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import joblib
import numpy as np
from _common import load_train_test, parse_args

from sk_lstm import make_lstm_pipeline

args = parse_args(__doc__.split("\n")[1])
X_train, X_test, y_train, y_test = load_train_test(args.max_samples)

pipe = make_lstm_pipeline(maxlen=200, epochs=2, random_state=7)
pipe.fit(X_train, y_train)
reviews = [
    "A moving story with wonderful acting. One of the best films of the year.",
    "Dull, predictable and far too long. I wanted my money back.",
]

with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "imdb_lstm.joblib"
    joblib.dump(pipe, path)
    print(f"saved {path.stat().st_size / 1e6:.1f} MB")
    code = (
        "import joblib, sys, json\n"
        f"pipe = joblib.load({str(path)!r})\n"
        "reviews = json.loads(sys.stdin.read())\n"
        "print(json.dumps(pipe.predict_proba(reviews).tolist()))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(reviews),
        capture_output=True,
        text=True,
        check=True,
    )
    loaded_proba = np.array(json.loads(done.stdout.strip().splitlines()[-1]))

proba = pipe.predict_proba(reviews)
for review, p in zip(reviews, loaded_proba, strict=True):
    print(f"P(positive) = {p[1]:.3f}  {review}")
print("max difference from the original:", np.abs(loaded_proba - proba).max())
assert np.allclose(loaded_proba, proba, atol=1e-6)
