"""The files the commands read and write: fitted models and CSV tables."""

import csv
import os
import zipfile

import joblib

from .. import _persistence
from .._atomic import atomic_write
from ._errors import CommandError

SAFE_SUFFIX = ".sklstm"


def model_paths(output, file_format):
    """Where a fitted pipeline goes: ``{"joblib": path, "sklstm": path}``.

    The joblib file is ``output`` (or ``output`` with ``.joblib`` in place of a
    ``.sklstm`` suffix); the safe format is ``output`` with the suffix
    ``.sklstm``. ``file_format`` ``"joblib"`` or ``"sklstm"`` keeps one of them.
    """
    stem, suffix = os.path.splitext(output)
    paths = {
        "joblib": stem + ".joblib" if suffix == SAFE_SUFFIX else output,
        "sklstm": stem + SAFE_SUFFIX,
    }
    return paths if file_format == "both" else {file_format: paths[file_format]}


def sibling(path, name):
    """``path`` without its suffix, then ``_name``: model.joblib -> model_name."""
    return f"{os.path.splitext(path)[0]}_{name}"


def check_writable(*paths):
    """Fail before a long fit, not after it, when an output cannot be written."""
    for path in paths:
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise FileNotFoundError(f"Cannot save to {path}: no folder {folder}.")
        if not os.access(folder, os.W_OK):
            raise PermissionError(f"Cannot save to {path}: {folder} is not writable.")


def save_model(pipe, paths):
    """Save ``pipe`` to each file of `model_paths`."""
    if "joblib" in paths:
        with atomic_write(paths["joblib"]) as file:
            # joblib reads compression from a name's suffix (.gz, .xz...)
            joblib.dump(pipe, file, compress=_compression(paths["joblib"]))
    if "sklstm" in paths:
        try:
            _persistence.save(pipe, paths["sklstm"])
        except TypeError as error:
            raise CommandError(
                f"Cannot save {paths['sklstm']} in the safe format: {error} "
                "Use --format joblib."
            ) from None


def _compression(path):
    """joblib's compression for a file name, as ``joblib.dump(value, path)``
    would choose it: by suffix, none for ``.joblib`` or ``.pkl``."""
    suffix = os.path.splitext(path)[1].lower()
    methods = {".z": "zlib", ".gz": "gzip", ".bz2": "bz2", ".xz": "xz",
               ".lzma": "lzma"}  # fmt: skip
    return (methods[suffix], 3) if suffix in methods else 0


def several_labels(model):
    """Whether a loaded model learned several labels per text."""
    last = model.steps[-1][1] if hasattr(model, "steps") else model
    return bool(getattr(last, "_multi_label", False))


def load_model(path):
    """Load a fitted classifier from a joblib file or an `sk_lstm.save` file.

    The safe format is recognized by its content (a zip holding the sk_lstm
    manifest) or its ``.sklstm`` suffix; anything else is read with joblib.
    Keras' progress output is turned off for prediction.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    CommandError, ValueError
        If the file cannot be read, or holds no fitted classifier.
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No model at {path}: no such file.")
    if _is_safe_file(path) or path.endswith(SAFE_SUFFIX):
        model = _persistence.load(path)
    else:
        try:
            model = joblib.load(path)
        except Exception as error:  # a pickle can fail in any way
            raise CommandError(
                f"Cannot read the model {path}: it is neither an sk_lstm file nor "
                f"a joblib file ({type(error).__name__}: {error})."
            ) from None
    expected = ("predict_proba", "classes_", "get_params")
    if not all(hasattr(model, name) for name in expected):
        raise CommandError(
            f"{path} holds a {type(model).__name__}, not a fitted classifier."
        )
    model.set_params(
        **{
            name: 0
            for name in model.get_params()
            if name == "verbose" or name.endswith("__verbose")
        }
    )
    return model


def _is_safe_file(path):
    if not zipfile.is_zipfile(path):
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            return _persistence.MANIFEST in archive.namelist()
    except zipfile.BadZipFile:  # a damaged zip: sk_lstm.load says what is wrong
        return True


def write_csv(path, columns, rows):
    """Write ``rows`` (dicts) under a header; a crash never leaves half a file."""
    with atomic_write(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def history_table(history):
    """Columns and rows of a Keras history: ``epoch``, then every metric.

    The training metrics come first (loss first), then the ``val_`` ones.
    """
    metrics = sorted(history, key=lambda k: (k.startswith("val_"), "loss" not in k, k))
    n_epochs = len(history[metrics[0]]) if metrics else 0
    rows = [
        {"epoch": epoch + 1, **{metric: history[metric][epoch] for metric in metrics}}
        for epoch in range(n_epochs)
    ]
    return ["epoch", *metrics], rows
