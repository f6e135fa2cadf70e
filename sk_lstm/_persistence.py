"""Saving fitted estimators in a format that cannot run code when loaded.

A file is a zip holding ``sk_lstm.json`` (the classes, parameters and learned
vocabulary and labels) and one ``.keras`` model per classifier, which Keras loads
with ``safe_mode=True`` (no ``Lambda`` layers, no unknown classes). Only
`TextSequencer` and `LSTMClassifier`, alone or in a Pipeline, are saved.
"""

import json
import os
import tempfile
import zipfile

import keras
import numpy as np
from sklearn.pipeline import Pipeline

from ._classifier import LSTMClassifier
from ._sequencer import TextSequencer

FORMAT = "sk_lstm"
VERSION = 1
MANIFEST = "sk_lstm.json"
_CLASSES = {"TextSequencer": TextSequencer, "LSTMClassifier": LSTMClassifier}
# Parameters added since the first files were written, with the value that gives
# the model those files hold (an LSTM without a bag of n-grams).
_ADDED_PARAMS = {
    "LSTMClassifier": {"bag_ngrams": 0, "min_steps": 0, "predict_batch_size": None}
}


def save(estimator, path):
    """Save a fitted `TextSequencer`, `LSTMClassifier` or Pipeline of them.

    Unlike ``joblib.dump``, the file can be loaded with `load` without running
    any code it holds. The file is written to a temporary file first and then
    renamed, so a crash while saving leaves an existing file intact.

    Parameters
    ----------
    estimator : TextSequencer, LSTMClassifier or Pipeline
        Fitted; a Pipeline must be made of these two classes only.
    path : str or os.PathLike
        Where to write the file (by convention ending in ``.sklstm``).

    Raises
    ------
    TypeError
        If the estimator (or a step) is of another class, or a parameter (a
        callable ``tokenizer``, ``callbacks``...) cannot be written as JSON.
    sklearn.exceptions.NotFittedError
        If it is not fitted.
    """
    is_pipeline = isinstance(estimator, Pipeline)
    steps = estimator.steps if is_pipeline else [("estimator", estimator)]
    manifest = {"format": FORMAT, "version": VERSION, "pipeline": is_pipeline}
    models = {}
    manifest["steps"] = []
    for index, (name, step) in enumerate(steps):
        entry = {"name": name, **_describe(step)}
        if isinstance(step, LSTMClassifier):
            entry["model"] = f"model_{index}.keras"
            models[entry["model"]] = step.model_
        manifest["steps"].append(entry)

    folder = os.path.dirname(os.path.abspath(path))
    with tempfile.TemporaryDirectory() as scratch:
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
                    archive.writestr(MANIFEST, json.dumps(manifest))
                    for member, model in models.items():
                        model_path = os.path.join(scratch, member)
                        model.save(model_path)
                        archive.write(model_path, member)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise


def load(path):
    """Load an estimator written by `save`, without running code from the file.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by `save`.

    Returns
    -------
    estimator : TextSequencer, LSTMClassifier or Pipeline
        Fitted, giving the same predictions as the saved one.

    Raises
    ------
    ValueError
        If the file is not a complete sk_lstm file (truncated, not a zip, no or
        bad manifest), names a class other than `TextSequencer` or
        `LSTMClassifier`, or holds a Keras model that safe mode refuses (a
        ``Lambda`` layer, an unknown class).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read(MANIFEST))
            if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
                raise ValueError(
                    f"expected format {FORMAT!r} version {VERSION}, got "
                    f"{manifest.get('format')!r} version {manifest.get('version')!r}"
                )
            steps = [
                (entry["name"], _rebuild(entry, archive)) for entry in manifest["steps"]
            ]
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, TypeError) as error:
        raise ValueError(
            f"{path} is not a readable sk_lstm file ({type(error).__name__}: "
            f"{error}); it may be truncated or written by something else."
        ) from None
    except ValueError as error:
        raise ValueError(f"Refusing to load {path}: {error}") from None
    if manifest["pipeline"]:
        return Pipeline(steps)
    if len(steps) != 1:
        raise ValueError(f"Refusing to load {path}: several steps but no pipeline.")
    return steps[0][1]


def _describe(step):
    """The JSON description of a fitted step: class, parameters, learned state."""
    cls = type(step).__name__
    if _CLASSES.get(cls) is not type(step):
        raise TypeError(
            f"Only TextSequencer and LSTMClassifier can be saved safely, got {cls}; "
            "use joblib for other estimators."
        )
    if isinstance(step, TextSequencer):
        fitted = {"vocabulary_": step.vocabulary_, "word_counts_": step.word_counts_}
    else:
        fitted = {
            "classes_": step.classes_.tolist(),
            "classes_dtype": step.classes_.dtype.str,
            "n_features_in_": step.n_features_in_,
            "vocab_size_": step.vocab_size_,
            "history_": {k: [float(v) for v in vs] for k, vs in step.history_.items()},
        }
    params = step.get_params()
    for name, value in params.items():
        try:
            json.dumps(value)
        except TypeError:
            raise TypeError(
                f"{cls} parameter {name}={value!r} cannot be saved safely (not "
                "JSON); set it to a plain value or use joblib."
            ) from None
    return {"class": cls, "params": params, "fitted": fitted}


def _rebuild(entry, archive):
    """A fitted estimator from its JSON description (and Keras model)."""
    cls = _CLASSES.get(entry["class"])
    if cls is None:
        raise ValueError(f"unexpected class {entry['class']!r} in the manifest")
    estimator = cls(**{**_ADDED_PARAMS.get(entry["class"], {}), **entry["params"]})
    fitted = entry["fitted"]
    if cls is TextSequencer:
        estimator.vocabulary_ = {
            str(k): int(v) for k, v in fitted["vocabulary_"].items()
        }
        estimator.word_counts_ = {
            str(k): int(v) for k, v in fitted["word_counts_"].items()
        }
        estimator.n_features_in_ = 1
        return estimator
    # Let scikeras set up its encoders and metadata on stand-in data that has the
    # saved classes, sequence length and vocabulary size; then put the saved
    # model in place of the freshly built one.
    classes = np.array(fitted["classes_"], dtype=np.dtype(fitted["classes_dtype"]))
    X = np.zeros((len(classes), fitted["n_features_in_"]), dtype=np.int32)
    X[0, 0] = fitted["vocab_size_"] - 1
    estimator.initialize(X, classes)
    estimator.model_ = _load_model(archive.read(entry["model"]))
    estimator.history_ = fitted["history_"]
    return estimator


def _load_model(data):
    with tempfile.TemporaryDirectory() as scratch:
        model_path = os.path.join(scratch, "model.keras")
        with open(model_path, "wb") as file:
            file.write(data)
        try:
            return keras.saving.load_model(model_path, safe_mode=True)
        except Exception as error:  # Keras raises many kinds for a refused file
            raise ValueError(f"the Keras model was refused: {error}") from None
