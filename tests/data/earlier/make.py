"""Write the files of this folder: a tiny pipeline fitted by an earlier sk_lstm.

Run with that version first on the path, for each commit C::

    git worktree add /tmp/C C
    PYTHONPATH=/tmp/C python tests/data/earlier/make.py tests/data/earlier/C

It writes ``C.joblib``, ``C.sklstm`` and ``C.json`` (probe texts and their
``predict_proba``). 50a20ee: the first safe format (an LSTM's last state, no
bag, no clipping); b36afc7: the last commit before the bag of n-grams;
4cea29d: the last before ``bag_binary``.
"""

import inspect
import json
import sys

import joblib
import numpy as np

import sk_lstm
from sk_lstm import LSTMClassifier, make_lstm_pipeline


def main(out):
    rng = np.random.default_rng(0)
    good, bad = ["good", "great", "fine"], ["bad", "awful", "dull"]
    filler = ["the", "film", "plot", "was", "a", "it"]
    texts, y = [], []
    for i in range(64):
        words = [*rng.choice(filler, 6), *rng.choice(good if i % 2 else bad, 2)]
        rng.shuffle(words)
        texts.append(" ".join(words))
        y.append(["neg", "pos"][i % 2])
    params = dict(
        maxlen=12, embedding_dim=4, units=4, epochs=2, batch_size=16, random_state=0
    )
    if "bag_buckets" in inspect.signature(LSTMClassifier).parameters:
        params["bag_buckets"] = 101
    pipe = make_lstm_pipeline(**params).fit(texts, y)
    probe = ["a good film", "a dull plot", "great great great fine", "the film"]
    joblib.dump(pipe, out + ".joblib")
    sk_lstm.save(pipe, out + ".sklstm")
    with open(out + ".json", "w") as file:
        json.dump({"texts": probe, "proba": pipe.predict_proba(probe).tolist()}, file)


if __name__ == "__main__":
    main(sys.argv[1])
