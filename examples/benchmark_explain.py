"""
Explaining against predicting: the time of sk_lstm.explain on IMDB reviews
=========================================================================

Fits ``make_lstm_pipeline()`` on the IMDB training reviews (``--model FILE``
loads a saved pipeline instead), then, in turns, times ``predict_proba`` and
`sk_lstm.explain` on 1,000 test reviews (raw texts in for both), and checks
that every explanation adds up to its logit. Prints the median of each and
their ratio, then the model's strongest n-grams and a page for one review
(``--html FILE``).

Run: ``python examples/benchmark_explain.py`` (about 3 minutes on 2 CPU
cores); ``--max-samples N`` fits on N training reviews.
"""

import argparse
import time

import numpy as np
from _common import load_train_test

import sk_lstm
from sk_lstm import explain, make_lstm_pipeline, render_html, top_ngrams

parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
parser.add_argument("--max-samples", type=int, metavar="N")
parser.add_argument("--model", metavar="FILE", help="a pipeline saved by sk_lstm.save")
parser.add_argument("--texts", type=int, default=1000, metavar="N")
parser.add_argument("--repeats", type=int, default=3)
parser.add_argument("--html", metavar="FILE", help="write the page of one review")
args = parser.parse_args()

X_train, X_test, y_train, y_test = load_train_test(args.max_samples)
if args.model:
    pipe = sk_lstm.load(args.model)
else:
    start = time.perf_counter()
    pipe = make_lstm_pipeline(random_state=0).fit(X_train, y_train)
    print(f"fit: {time.perf_counter() - start:.1f} s")
texts = X_test[: args.texts]
pipe.predict_proba(texts[:10]), explain(pipe, texts[:10])  # traced once each

times = {"predict_proba": [], "explain": []}
for _ in range(args.repeats):
    start = time.perf_counter()
    proba = pipe.predict_proba(texts)
    times["predict_proba"].append(time.perf_counter() - start)
    start = time.perf_counter()
    explanations = explain(pipe, texts)
    times["explain"].append(time.perf_counter() - start)

error = max(
    float(np.abs(e.bias + e.bag.sum(0) + e.lstm.sum(0) + e.lstm_padding - e.logit)[0])
    for e in explanations
)
gap = max(
    abs(e.probability - p.max()) for e, p in zip(explanations, proba, strict=True)
)
predict, explained = (np.median(times[k]) for k in ("predict_proba", "explain"))
print(f"{len(texts)} test reviews, median of {args.repeats}:")
print(f"  predict_proba {predict:6.2f} s  ({len(texts) / predict:,.0f} reviews/s)")
print(f"  explain       {explained:6.2f} s  ({len(texts) / explained:,.0f} reviews/s)")
print(f"  explain / predict_proba: {explained / predict:.2f}")
print(f"  largest |parts - logit| {error:.1e}, |probability - predict_proba| {gap:.1e}")
for label, ngrams in top_ngrams(pipe, 8).items():
    print(f"  toward {label}: " + ", ".join(f"{w} ({v:+.2f})" for w, v in ngrams))
if args.html:
    short = min(range(len(texts)), key=lambda i: abs(len(texts[i]) - 600))
    with open(args.html, "w", encoding="utf-8") as file:
        file.write(render_html([explanations[short]], title="An IMDB test review"))
    print(f"wrote {args.html}")
