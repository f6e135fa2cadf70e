"""
Pretrained word vectors: a small labelled set, with and without them
====================================================================

Fits the default pipeline on a few labelled IMDB reviews (1,000 by default)
three ways: as it is, with its embedding started from word vectors and
fine-tuned (``word_vectors=PATH``), and with those vectors frozen
(``freeze_word_vectors=True``); scores each on the 25,000 test reviews.

The vectors are a file you give (``--vectors glove.6B.100d.txt``, say, with
``--dim 100``), or, by default, made here without labels from the texts of
all 25,000 training reviews: a truncated SVD of their TF-IDF matrix gives each
word a vector (latent semantic analysis), written to a temporary file in
GloVe's text format. The test reviews are never read for them.

Run: ``python examples/word_vectors.py`` (about 5 minutes on 2 CPU cores;
``--seeds 1`` for a third of it).
"""

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import normalize

from sk_lstm import TextSequencer, make_lstm_pipeline
from sk_lstm.datasets import load_imdb


def write_lsa_vectors(texts, path, dim, words=30_000):
    """Word vectors of ``texts`` by latent semantic analysis, in GloVe's format."""
    tfidf = TfidfVectorizer(
        analyzer=TextSequencer().build_analyzer(), max_features=words, min_df=2
    )
    documents = tfidf.fit_transform(texts)  # texts x words
    vectors = TruncatedSVD(dim, random_state=0).fit_transform(documents.T)
    vectors = normalize(vectors)  # one unit-length vector per word
    with open(path, "w", encoding="utf-8") as file:
        for word, vector in zip(tfidf.get_feature_names_out(), vectors, strict=True):
            file.write(word + " " + " ".join(f"{x:.5f}" for x in vector) + "\n")
    return len(vectors)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--vectors", type=Path, help="a word-vector text file")
    parser.add_argument("--dim", type=int, default=50, help="their dimension")
    parser.add_argument("--train-size", type=int, default=1000)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()

    X_all, y_all = load_imdb(subset="train", return_X_y=True)
    X_test, y_test = load_imdb(subset="test", return_X_y=True)
    with tempfile.TemporaryDirectory() as folder:
        path = args.vectors
        if path is None:
            path = Path(folder) / "lsa_vectors.txt"
            start = time.perf_counter()
            count = write_lsa_vectors(X_all, path, args.dim)
            print(
                f"{count:,} word vectors of {args.dim} dimensions from the "
                f"training texts in {time.perf_counter() - start:.0f} s"
            )
        candidates = {
            "no vectors": {},
            "vectors, fine-tuned": {"word_vectors": str(path)},
            "vectors, frozen": {"word_vectors": str(path), "freeze_word_vectors": True},
        }
        print(f"{'pipeline':<22} {'seed':>4} {'test acc.':>9} {'fit (s)':>7}")
        scores = {name: [] for name in candidates}
        for seed in range(args.seeds):
            X, _, y, _ = train_test_split(
                X_all, y_all, train_size=args.train_size, stratify=y_all,
                random_state=seed,
            )  # fmt: skip
            for name, params in candidates.items():
                pipe = make_lstm_pipeline(
                    embedding_dim=args.dim, random_state=seed, **params
                )
                start = time.perf_counter()
                pipe.fit(X, y)
                fit_s = time.perf_counter() - start
                scores[name].append(pipe.score(X_test, y_test))
                print(
                    f"{name:<22} {seed:>4} {scores[name][-1]:>9.4f} {fit_s:>7.1f}",
                    flush=True,
                )
    print(f"\nmean over {args.seeds} draws of {args.train_size:,} training reviews:")
    for name, values in scores.items():
        print(f"{name:<22} {np.mean(values):.4f} (lowest {np.min(values):.4f})")


if __name__ == "__main__":
    main()
