"""``sk-lstm evaluate``: how well a saved model labels texts it was not fit on."""

import sys

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    classification_report,
    confusion_matrix,
    multilabel_confusion_matrix,
    roc_auc_score,
)

from . import _plots
from ._data import evaluation_set, indicator, is_multi_label
from ._errors import CommandError
from ._files import check_writable, load_model, several_labels, sibling

#: Texts labelled at a time: the encoded sequences of one chunk are in memory.
CHUNK_TEXTS = 10_000


def run(args):
    """Run ``sk-lstm evaluate`` with the parsed ``args``; return the exit status."""
    model = load_model(args.model)
    plot_path = args.plot or sibling(args.model, "confusion_matrix.png")
    check_writable(plot_path)
    X, y, name = evaluation_set(args)
    classes = model.classes_
    multi_label = several_labels(model)
    if multi_label != is_multi_label(y):
        learned, given = ("several", "one") if multi_label else ("one", "several")
        advice = (
            "pass --label-separator (or give .jsonl labels as lists)"
            if multi_label
            else "leave out --label-separator (and give .jsonl labels one by one)"
        )
        raise CommandError(
            f"{args.model} learned {learned} label(s) per text, the data has "
            f"{given}: {advice}."
        )
    if multi_label:
        return _several_labels(args, model, X, indicator(y, classes)[0], name)
    unknown = set(np.unique(y).tolist()) - set(classes.tolist())
    if unknown:
        raise CommandError(
            f"The data has labels the model does not know: "
            f"{sorted(map(str, unknown))[:5]} (the model's labels: "
            f"{[str(c) for c in classes]})."
        )
    proba = _chunked_proba(model, X)
    predicted = classes[proba.argmax(axis=1)]

    print(f"{args.model} on {len(y):,} {name}\n")
    print(
        classification_report(
            y,
            predicted,
            labels=classes,
            target_names=[str(c) for c in classes],
            digits=4,
            zero_division=0,
        )
    )
    print(f"ROC AUC: {_roc_auc(y, proba, classes)}\n")
    matrix = confusion_matrix(y, predicted, labels=classes)
    _print_matrix(matrix, classes)
    title = f"Confusion matrix\n{len(y):,} {name}"
    if _plots.confusion_matrix(matrix, classes, plot_path, title):
        print(f"\nSaved the confusion matrix plot to {plot_path}")
    else:
        print(_plots.MISSING, file=sys.stderr)
    return 0


def _chunked_proba(model, X):
    return np.concatenate(
        [
            model.predict_proba(X[start : start + CHUNK_TEXTS])
            for start in range(0, len(X), CHUNK_TEXTS)
        ]
    )


def _several_labels(args, model, X, Y, name):
    """The report of a model of several labels per text: per label, then
    micro and macro averages, ROC AUC and each label's 2x2 matrix."""
    classes = model.classes_
    proba = _chunked_proba(model, X)
    predicted = (proba > 0.5).astype(int)
    print(f"{args.model} on {len(Y):,} {name}, several labels per text\n")
    names = [str(c) for c in classes]
    print(classification_report(Y, predicted, target_names=names, digits=4,
                                zero_division=0))  # fmt: skip
    print(f"Subset accuracy (every label of a text right): "
          f"{accuracy_score(Y, predicted):.4f}")  # fmt: skip
    try:
        auc = f"{roc_auc_score(Y, proba, average='macro'):.4f} (macro average)"
    except ValueError as error:  # a label that every text has, or none
        auc = f"undefined ({error})"
    print(f"ROC AUC: {auc}\n")
    print("Per label (rows: true, columns: predicted; 0 without, 1 with):")
    width = max(len(n) for n in names)
    for label, matrix in zip(names, multilabel_confusion_matrix(Y, predicted),
                             strict=True):  # fmt: skip
        (tn, fp), (fn, tp) = matrix
        print(f"{label.rjust(width)}   0: {tn:>7} {fp:>7}   1: {fn:>7} {tp:>7}")
    print("\nNo confusion matrix plot for several labels per text.")
    return 0


def _roc_auc(y, proba, classes):
    """The ROC AUC as text: binary, or one-vs-rest macro average."""
    try:
        if len(classes) == 2:
            return f"{roc_auc_score(y == classes[1], proba[:, 1]):.4f}"
        score = roc_auc_score(y, proba, multi_class="ovr", labels=classes)
        return f"{score:.4f} (one-vs-rest, macro average)"
    except ValueError as error:  # a label missing from the data
        return f"undefined ({error})"


def _print_matrix(matrix, classes):
    print("Confusion matrix (rows: true label, columns: predicted label):")
    names = [str(c) for c in classes]
    width = max(len(text) for text in [*names, *map(str, matrix.ravel())])
    print(" " * width, *(name.rjust(width) for name in names))
    for name, row in zip(names, matrix, strict=True):
        print(name.rjust(width), *(str(count).rjust(width) for count in row))
