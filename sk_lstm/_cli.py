"""The ``sk-lstm`` command line."""

import argparse
import os
import sys
import time


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def _rate(text):
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a rate in [0, 1), got {text}")
    return value


def build_parser():
    parser = argparse.ArgumentParser(
        prog="sk-lstm",
        description="Train and use LSTM text classifiers built with scikit-learn "
        "and Keras.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser(
        "train",
        help="train on IMDB, print test accuracy, save the fitted pipeline",
        description="Fit make_lstm_pipeline() on the 25,000 IMDB training reviews, "
        "print the accuracy on the 25,000 test reviews and save the fitted "
        "pipeline with joblib. Defaults are the classic Keras recipe.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    train.add_argument(
        "--data",
        metavar="PATH",
        help="IMDB archive (aclImdb_v1.tar.gz) or extracted aclImdb folder; "
        "default: $SK_LSTM_DATA, else the scikit-learn data home (downloaded "
        "there if missing)",
    )
    train.add_argument(
        "--output",
        default="imdb_lstm.joblib",
        metavar="FILE",
        help="where to save the fitted pipeline (joblib)",
    )
    train.add_argument(
        "--max-samples",
        type=_positive_int,
        metavar="N",
        help="use a stratified subset of N train and N test reviews (quick runs)",
    )
    model = train.add_argument_group("model")
    model.add_argument("--num-words", type=_positive_int, default=5000)
    model.add_argument("--maxlen", type=_positive_int, default=500)
    model.add_argument("--embedding-dim", type=_positive_int, default=32)
    model.add_argument("--units", type=_positive_int, default=100)
    model.add_argument("--dropout", type=_rate, default=0.0)
    model.add_argument("--epochs", type=_positive_int, default=3)
    model.add_argument("--batch-size", type=_positive_int, default=64)
    model.add_argument("--random-state", type=int, default=7)
    model.add_argument(
        "--verbose",
        type=int,
        choices=[0, 1, 2],
        default=1,
        help="Keras output: 1 a progress bar per epoch, 2 one line per epoch",
    )
    train.set_defaults(handler=train_command)
    return parser


def _subsample(X, y, n, random_state):
    from sklearn.model_selection import train_test_split

    if n is None or n >= len(y):
        return X, y
    X_sub, _, y_sub, _ = train_test_split(
        X, y, train_size=n, stratify=y, random_state=random_state
    )
    return X_sub, y_sub


def _check_writable(path):
    """Fail before a long fit, not after it, when the output cannot be written."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"Cannot save to {path}: no folder {folder}.")
    if not os.access(folder, os.W_OK):
        raise PermissionError(f"Cannot save to {path}: {folder} is not writable.")


def train_command(args):
    # Imported here, not at the top, so that `sk-lstm --help` needs no TensorFlow.
    import joblib

    from ._pipeline import make_lstm_pipeline
    from .datasets import load_imdb

    _check_writable(args.output)
    start = time.perf_counter()
    X_train, y_train = load_imdb(subset="train", path=args.data, return_X_y=True)
    X_test, y_test = load_imdb(subset="test", path=args.data, return_X_y=True)
    X_train, y_train = _subsample(X_train, y_train, args.max_samples, args.random_state)
    X_test, y_test = _subsample(X_test, y_test, args.max_samples, args.random_state)
    print(
        f"Loaded {len(y_train):,} train and {len(y_test):,} test reviews "
        f"in {time.perf_counter() - start:.1f} s"
    )

    pipe = make_lstm_pipeline(
        num_words=args.num_words,
        maxlen=args.maxlen,
        embedding_dim=args.embedding_dim,
        units=args.units,
        dropout=args.dropout,
        epochs=args.epochs,
        batch_size=args.batch_size,
        random_state=args.random_state,
        verbose=args.verbose,
    )
    start = time.perf_counter()
    pipe.fit(X_train, y_train)
    fit_time = time.perf_counter() - start
    print(f"Fit time: {fit_time:.1f} s")

    pipe.set_params(classifier__verbose=0)
    accuracy = pipe.score(X_test, y_test)
    print(f"Test accuracy: {accuracy:.4f}")
    joblib.dump(pipe, args.output)
    print(f"Saved the fitted pipeline to {args.output}")
    return 0


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (OSError, ValueError) as error:
        print(f"sk-lstm {args.command}: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
