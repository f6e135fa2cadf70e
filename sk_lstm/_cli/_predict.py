"""``sk-lstm predict``: label texts with a saved model."""

import json
import os
import sys

from ._errors import CommandError
from ._files import load_model


def run(args):
    """Run ``sk-lstm predict`` with the parsed ``args``; return the exit status."""
    check_text_source(args)
    model = load_model(args.model)
    texts = read_texts(args)
    labels = model.classes_.tolist()  # plain Python values, for JSON
    for text, proba in zip(texts, model.predict_proba(texts).tolist(), strict=True):
        best = max(range(len(labels)), key=proba.__getitem__)
        if args.json:
            record = {
                "text": text,
                "label": labels[best],
                "probability": proba[best],
                "probabilities": dict(zip(map(str, labels), proba, strict=True)),
            }
            print(json.dumps(record, ensure_ascii=False))
        else:
            print(f"{labels[best]}\t{proba[best]:.4f}\t{_abridged(text)}")
    return 0


def check_text_source(args):
    """Refuse a ``--file`` that does not exist, or no texts from a terminal."""
    if args.file not in (None, "-") and not os.path.isfile(args.file):
        raise FileNotFoundError(f"No text file at {args.file}: no such file.")
    if _reads_stdin(args) and sys.stdin.isatty():
        raise CommandError(
            "No texts: give them as arguments, with --file, or on standard input."
        )


def _reads_stdin(args):
    return args.file == "-" or (args.file is None and not args.texts)


def read_texts(args):
    """The texts of ``args.texts``, then the lines of ``args.file`` (or of
    standard input when neither is given); empty lines are skipped."""
    reads_stdin = _reads_stdin(args)
    texts = list(args.texts)
    if args.file is not None and not reads_stdin:
        with open(args.file, encoding="utf-8") as file:
            texts += _lines(file)
    elif reads_stdin:
        texts += _lines(sys.stdin)
    if not texts:
        raise CommandError("No texts to label: the input has only empty lines.")
    return texts


def _lines(file):
    return [line.rstrip("\r\n") for line in file if line.strip()]


def _abridged(text, width=70):
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."
