"""``sk-lstm predict``: label texts with a saved model."""

import functools
import json
import os
import sys

from ._errors import CommandError
from ._files import load_model, several_labels

#: Lines read, labelled and written at a time by ``sk-lstm predict``.
CHUNK_LINES = 1000


def run(args):
    """Run ``sk-lstm predict`` with the parsed ``args``; return the exit status."""
    check_text_source(args)
    model = load_model(args.model)
    labels = model.classes_.tolist()  # plain Python values, for JSON
    if several_labels(model):
        show = functools.partial(_several, labels, args.json)
    else:
        show = functools.partial(_one, labels, args.json)
    labelled = 0
    # A chunk at a time: memory stays that of one chunk, and the first labels
    # come out while the rest of the input is still being read.
    for texts in text_chunks(args):
        for text, proba in zip(texts, model.predict_proba(texts).tolist(), strict=True):
            print(show(text, proba))
        sys.stdout.flush()
        labelled += len(texts)
    if not labelled:
        raise CommandError("No texts to label: the input has only empty lines.")
    return 0


def _one(labels, as_json, text, proba):
    """The line of a text: its label, its probability, the text (or JSON)."""
    best = max(range(len(labels)), key=proba.__getitem__)
    if as_json:
        record = {
            "text": text,
            "label": labels[best],
            "probability": proba[best],
            "probabilities": dict(zip(map(str, labels), proba, strict=True)),
        }
        return json.dumps(record, ensure_ascii=False)
    return f"{labels[best]}\t{proba[best]:.4f}\t{_abridged(text)}"


def _several(labels, as_json, text, proba):
    """The line of a text of several labels: those above 0.5, their
    probabilities ("-" for none), the text (or JSON)."""
    chosen = [i for i, p in enumerate(proba) if p > 0.5]
    if as_json:
        record = {
            "text": text,
            "labels": [labels[i] for i in chosen],
            "probabilities": dict(zip(map(str, labels), proba, strict=True)),
        }
        return json.dumps(record, ensure_ascii=False)
    names = ",".join(str(labels[i]) for i in chosen) or "-"
    values = ",".join(f"{proba[i]:.4f}" for i in chosen) or "-"
    return f"{names}\t{values}\t{_abridged(text)}"


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
    texts = [text for chunk in text_chunks(args) for text in chunk]
    if not texts:
        raise CommandError("No texts: the input has only empty lines.")
    return texts


def text_chunks(args, size=CHUNK_LINES):
    """Yield the texts of `read_texts` in lists of up to ``size``, reading the
    file or standard input only as far as the next list needs."""
    texts = list(args.texts)
    for start in range(0, len(texts), size):
        yield texts[start : start + size]
    if args.file is not None and not _reads_stdin(args):
        with open(args.file, encoding="utf-8") as file:
            yield from _chunks(file, size)
    elif _reads_stdin(args):
        yield from _chunks(sys.stdin, size)


def _chunks(file, size):
    chunk = []
    for line in file:
        if line.strip():
            chunk.append(line.rstrip("\r\n"))
            if len(chunk) == size:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def _abridged(text, width=70):
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."
