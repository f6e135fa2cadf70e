"""Saving fitted estimators in a format that cannot run code when loaded.

A file is a zip holding ``sk_lstm.json`` (the classes, parameters and learned
vocabulary and labels) and one ``.keras`` model per classifier. Loading checks
the manifest, rebuilds each model from its saved parameters with this package's
own code and reads only the weights from the ``.keras`` member: nothing in the
file is run or deserialized as code. Only `TextSequencer` and `LSTMClassifier`,
alone or in a Pipeline, are saved.
"""

import json
import os
import re
import reprlib
import tempfile
import zipfile
import zlib
from collections import Counter

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ._atomic import atomic_write
from ._classifier import ADDED_PARAMS, LSTMClassifier, SequenceEncoder
from ._constraints import MAX_BUCKETS
from ._ngram_names import NAMED_ROWS
from ._pipeline import AtomicPipeline
from ._sequencer import ADDED_PARAMS as SEQUENCER_ADDED
from ._sequencer import TextSequencer
from ._weights import (
    MAX_CLASSES,
    MAX_SEQUENCE_LENGTH,
    check_model_size,
    file_limit,
)

FORMAT = "sk_lstm"
VERSION = 1
MANIFEST = "sk_lstm.json"
_CLASSES = {"TextSequencer": TextSequencer, "LSTMClassifier": LSTMClassifier}

#: The classes of this package in a skops file of its estimators: trust them with
#: ``skops.io.load(path, trusted=SKOPS_TRUSTED_TYPES)``, or MLflow's
#: ``skops_trusted_types``. Loading rebuilds each model from its parameters
#: and reads only its weights, as `load` does.
SKOPS_TRUSTED_TYPES = [
    f"{cls.__module__}.{cls.__qualname__}"
    for cls in (AtomicPipeline, TextSequencer, LSTMClassifier, SequenceEncoder)
]
_MANIFEST_BYTES = 2**28
_CHUNK = 2**20
# What a damaged file raises on the way in, besides ValueError.
_DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    json.JSONDecodeError,
    UnicodeDecodeError,
    RecursionError,
    NotImplementedError,  # a compression method zipfile does not know
)
# filled into the files of earlier versions
_ADDED_PARAMS = {"LSTMClassifier": ADDED_PARAMS, "TextSequencer": SEQUENCER_ADDED}


def save(estimator, path):
    """Save a fitted `TextSequencer`, `LSTMClassifier` or Pipeline of them.

    Unlike ``joblib.dump``, the file can be loaded with `load` without running
    any code it holds. The file is written to ``<path>.<random>.partial`` beside
    it first and then renamed, so a crash while saving leaves an existing file
    intact (and a killed process leaves a ``.partial`` file, and a
    ``.sk_lstm-*`` scratch folder beside it, both safe to delete). A full disk
    raises ``OSError`` "Cannot write PATH: No space left on device". The
    file's mode follows the umask, as for any new file.

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

    # The models are written to a scratch folder beside the file, on its disk:
    # a full disk is then the file's, whichever write finds it.
    folder = os.path.dirname(os.path.abspath(path))
    with (
        tempfile.TemporaryDirectory(dir=folder, prefix=".sk_lstm-") as scratch,
        atomic_write(path) as file,
    ):
        with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST, json.dumps(manifest))
            for member, model in models.items():
                model_path = os.path.join(scratch, member)
                model.save(model_path)
                archive.write(model_path, member)


def load(path):
    """Load an estimator written by `save`, without running code from the file.

    The file is checked before anything is built from it: its members (no
    duplicates, nothing unexpected, sizes within bounds), the manifest's
    structure, the estimators' parameters, and that the steps agree with each
    other. The Keras model is then built by this package from the saved
    parameters, and only its weights are read from the file, so the file's own
    description of the model is never executed or trusted.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by `save`.

    Returns
    -------
    estimator : TextSequencer, LSTMClassifier or AtomicPipeline
        Fitted, giving the same predictions as the saved one (a saved Pipeline
        comes back as an `AtomicPipeline`, as `make_lstm_pipeline` makes). The
        optimizer starts afresh if training is continued.

    Raises
    ------
    FileNotFoundError, PermissionError
        If the file cannot be opened.
    ValueError
        If the file is damaged or not an sk_lstm file (truncated, not a zip,
        corrupted bytes, members missing, duplicated or unexpected, a manifest of
        the wrong shape), names a class other than `TextSequencer` or
        `LSTMClassifier`, holds parameters out of range, steps that disagree
        (sequence length, vocabulary, classes) or weights that do not fit the
        model, or would hold more than `MAX_WEIGHTS` weights (members declaring
        more bytes than that model needs are refused before they are read).
        Nothing else is raised for a bad file.
    """
    with open(path, "rb") as file:
        try:
            with zipfile.ZipFile(file) as archive:
                return _load(archive)
        except _DAMAGED as error:
            raise ValueError(
                f"{path} is damaged or not an sk_lstm file ({type(error).__name__}:"
                f" {error}); it may be truncated or written by something else."
            ) from None
        except ValueError as error:
            raise ValueError(f"Refusing to load {path}: {error}") from None


def _load(archive):
    names = archive.namelist()
    duplicates = sorted(name for name, n in Counter(names).items() if n > 1)
    if duplicates:
        raise ValueError(f"the member {duplicates[0]!r} appears more than once")
    if MANIFEST not in names:
        raise ValueError(f"no {MANIFEST} manifest: not an sk_lstm file")
    manifest = json.loads(_read_member(archive, MANIFEST, _MANIFEST_BYTES))
    _check_manifest(manifest)
    expected = {MANIFEST} | {
        e["model"] for e in manifest["steps"] if e["class"] == "LSTMClassifier"
    }
    if set(names) != expected:
        raise ValueError(
            f"members {sorted(set(names) ^ expected)} are unexpected or missing"
        )
    try:
        steps = [(e["name"], _rebuild(e, archive)) for e in manifest["steps"]]
    except (
        TypeError,
        AttributeError,
        OverflowError,
        KeyError,
        MemoryError,
        re.error,
    ) as error:
        # scikeras and Keras read some parameters (model, optimizer, loss...)
        # only when the model is built: a wrong type surfaces there.
        raise ValueError(
            f"its parameters do not make a model ({type(error).__name__}: {error})"
        ) from None
    if manifest["pipeline"]:
        _check_steps_agree(steps)
        return AtomicPipeline(steps)
    return steps[0][1]


def _read_member(archive, name, limit, out=None):
    """The bytes of a member (or write them to ``out``), refusing more than limit.

    Reads a chunk at a time, so that a member which inflates far beyond what it
    declares costs no more memory than the declared size allows.
    """
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise ValueError(
            f"the member {name!r} declares {info.file_size:,} bytes, more than the "
            f"{limit:,} allowed"
        )
    if info.flag_bits & 0x1:
        raise ValueError(f"the member {name!r} is encrypted")
    chunks, size = [], 0
    with archive.open(info) as member:
        while chunk := member.read(_CHUNK):
            size += len(chunk)
            if size > info.file_size:
                raise ValueError(f"the member {name!r} is longer than it declares")
            if out is None:
                chunks.append(chunk)
            else:
                out.write(chunk)
    return b"".join(chunks)


# The manifest's shape: key -> type, per object, checked before anything is read
# from it (a list where an object belongs, a missing key, a deep nesting...).
_MANIFEST_KEYS = {"format": str, "version": int, "pipeline": bool, "steps": list}
_STEP_KEYS = {"name": str, "class": str, "params": dict, "fitted": dict}
_FITTED_KEYS = {
    "TextSequencer": {"vocabulary_": dict, "word_counts_": dict},
    "LSTMClassifier": {
        "classes_": list,
        "classes_dtype": str,
        "n_features_in_": int,
        "vocab_size_": int,
        "history_": dict,
    },
}


def _check_keys(value, keys, what):
    if not isinstance(value, dict):
        raise ValueError(f"{what} is a {type(value).__name__}, not an object")
    missing = sorted(set(keys) - set(value))
    if missing:
        raise ValueError(f"{what} lacks {missing}")
    for key, kind in keys.items():
        item = value[key]
        if not isinstance(item, kind) or (kind is int and isinstance(item, bool)):
            raise ValueError(
                f"{what}[{key!r}] is a {type(item).__name__}, not a {kind.__name__}"
            )


def _check_manifest(manifest):
    """Refuse a manifest that is not the shape `save` writes, naming the flaw."""
    _check_keys(manifest, _MANIFEST_KEYS, "the manifest")
    if manifest["format"] != FORMAT or manifest["version"] != VERSION:
        raise ValueError(
            f"expected format {FORMAT!r} version {VERSION}, got "
            f"{manifest['format']!r} version {manifest['version']!r}"
        )
    steps = manifest["steps"]
    if not 1 <= len(steps) <= (2 if manifest["pipeline"] else 1):
        raise ValueError(f"{len(steps)} steps for pipeline={manifest['pipeline']}")
    for index, entry in enumerate(steps):
        what = f"step {index}"
        _check_keys(entry, _STEP_KEYS, what)
        if entry["class"] not in _CLASSES:
            raise ValueError(f"unexpected class {entry['class']!r} in the manifest")
        _check_keys(entry["fitted"], _FITTED_KEYS[entry["class"]], f"{what} fitted")
        allowed = set(_STEP_KEYS) | (
            {"model"} if entry["class"] == "LSTMClassifier" else set()
        )
        if set(entry) - allowed:
            raise ValueError(
                f"{what} has unexpected keys {sorted(set(entry) - allowed)}"
            )
        if entry["class"] == "LSTMClassifier":
            _check_keys(entry, {"model": str}, what)
            if entry["model"] == MANIFEST:
                raise ValueError(f"{what} names the manifest as its model")
    classes = [entry["class"] for entry in steps]
    if manifest["pipeline"] and len(steps) == 2 and classes != list(_CLASSES):
        raise ValueError("a pipeline must be a TextSequencer then an LSTMClassifier")
    names = [entry["name"] for entry in steps]
    reserved = set(Pipeline([]).get_params(deep=False))  # steps, memory...
    if len(set(names)) != len(names) or any(
        not name or "__" in name or name in reserved for name in names
    ):
        raise ValueError(
            f"step names {names} are not distinct names without '__' (nor "
            f"{sorted(reserved)})"
        )


def _check_steps_agree(steps):
    if len(steps) != 2:
        return
    (_, sequencer), (_, classifier) = steps
    # (A vocabulary larger than the embedding is fine: the classifier reads the
    # indices it lacks as out-of-vocabulary, with vocab_size set or with words
    # seen only beyond maxlen.)
    if classifier.n_features_in_ != sequencer.maxlen:
        raise ValueError(
            f"the classifier reads sequences of {classifier.n_features_in_} but "
            f"the sequencer writes {sequencer.maxlen}"
        )


def _describe(step):
    """The JSON description of a fitted step: class, parameters, learned state."""
    cls = type(step).__name__
    if _CLASSES.get(cls) is not type(step):
        raise TypeError(
            f"Only TextSequencer and LSTMClassifier can be saved safely, got {cls}; "
            "use joblib for other estimators."
        )
    check_is_fitted(step)
    if isinstance(step, TextSequencer):
        fitted = {"vocabulary_": step.vocabulary_, "word_counts_": step.word_counts_}
    else:
        fitted = {
            "classes_": step.classes_.tolist(),
            "classes_dtype": step.classes_.dtype.str,
            "n_features_in_": step.n_features_in_,
            "vocab_size_": step.vocab_size_,
            "history_": {
                k: [float(v) for v in vs]
                for k, vs in vars(step).get("history_", {}).items()
            },
            "bag_buckets_": step.bag_buckets_,
            "do_early_stopping_": bool(step.do_early_stopping_),
            "multi_label": step._multi_label,
        }
        names = getattr(step, "bag_row_names_", None)
        fitted["bag_row_names_"] = None if names is None else names.tolist()
    params = step.get_params()
    for name, value in params.items():
        if isinstance(value, os.PathLike):  # checkpoint_dir=Path(...)
            params[name] = value = os.fspath(value)
        try:
            json.dumps(value)
        except TypeError:
            raise TypeError(
                f"{cls} parameter {name}={reprlib.repr(value)} cannot be saved "
                "safely (not JSON); set it to a plain value (word vectors: a "
                "path to their file) or use joblib."
            ) from None
    return {"class": cls, "params": params, "fitted": fitted}


def _rebuild(entry, archive):
    """A fitted estimator from its JSON description (and Keras weights)."""
    name = entry["class"]
    cls = _CLASSES[name]
    params = {**_ADDED_PARAMS.get(name, {}), **entry["params"]}
    unknown = sorted(set(params) - set(cls().get_params()))
    if unknown:
        raise ValueError(f"{name} has no parameters {unknown}")
    estimator = cls(**params)
    estimator._validate_params()  # InvalidParameterError is a ValueError
    fitted = entry["fitted"]
    if cls is TextSequencer:
        _rebuild_sequencer(estimator, fitted)
    else:
        _rebuild_classifier(estimator, fitted, archive, entry["model"])
    return estimator


def _rebuild_sequencer(sequencer, fitted):
    if sequencer.maxlen is not None and sequencer.maxlen > MAX_SEQUENCE_LENGTH:
        raise ValueError(f"maxlen={sequencer.maxlen} is over {MAX_SEQUENCE_LENGTH:,}")
    vocabulary, counts = fitted["vocabulary_"], fitted["word_counts_"]
    if sorted(_whole_numbers(vocabulary, "vocabulary_")) != list(
        range(2, len(vocabulary) + 2)
    ):
        raise ValueError("the vocabulary's indices are not 2, 3, ... in some order")
    if any(count < 0 for count in _whole_numbers(counts, "word_counts_")):
        raise ValueError("a word count is negative")
    sequencer.build_analyzer()  # the token pattern compiles, ngram_range is a pair
    sequencer.vocabulary_ = dict(vocabulary)
    sequencer.word_counts_ = dict(counts)
    sequencer.n_features_in_ = 1


def _whole_numbers(mapping, what):
    values = list(mapping.values())
    if not all(type(value) is int for value in values):
        raise ValueError(f"{what} holds values that are not whole numbers")
    return values


def _rebuild_classifier(classifier, fitted, archive, member):
    classes, dtype = fitted["classes_"], fitted["classes_dtype"]
    length, vocab_size = fitted["n_features_in_"], fitted["vocab_size_"]
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise ValueError(f"classes_dtype {dtype!r} is not a NumPy dtype") from None
    kinds = {"U": (str,), "O": (str, int, float, bool)}.get(
        dtype.kind, (int, float, bool)
    )
    plain = all(type(label) in kinds for label in classes)
    if dtype.kind not in "biufUO" or not plain or not 2 <= len(classes) <= MAX_CLASSES:
        raise ValueError(
            f"{len(classes)} classes of dtype {dtype}: expected 2 to {MAX_CLASSES:,} "
            "numbers or strings"
        )
    if classifier.vocab_size not in ("auto", vocab_size):
        raise ValueError(
            f"vocab_size={classifier.vocab_size} but the embedding has {vocab_size}"
        )
    # Files from before "auto" buckets hold their number in the parameters only.
    buckets = fitted.get("bag_buckets_", classifier.bag_buckets)
    if type(buckets) is not int or not 1 <= buckets <= MAX_BUCKETS:
        raise ValueError(
            f"bag_buckets_ {buckets!r} is not a number of rows (1 to {MAX_BUCKETS:,})"
        )
    classifier.bag_buckets_ = buckets
    stopped = fitted.get("do_early_stopping_", classifier.early_stopping is True)
    if type(stopped) is not bool:
        raise ValueError(f"do_early_stopping_ {stopped!r} is not true or false")
    multi_label = fitted.get("multi_label", False)  # files from before: one label
    if type(multi_label) is not bool:
        raise ValueError(f"multi_label {multi_label!r} is not true or false")
    if multi_label:
        classifier.target_type_ = "multilabel-indicator"
    weights = classifier._weight_count(vocab_size, len(classes))
    check_model_size(length, vocab_size, len(classes), weights)  # before reading
    history = fitted["history_"]
    if not all(
        isinstance(values, list) and all(type(v) in (int, float) for v in values)
        for values in history.values()
    ):
        raise ValueError("history_ holds values that are not lists of numbers")
    classes = np.array(classes, dtype=dtype)
    if len(np.unique(classes)) != len(classes):
        raise ValueError("classes_ are not distinct")
    if isinstance(classifier.class_weight, dict):  # JSON made its keys str
        label_of = {str(label): label for label in classes.tolist()}
        classifier.class_weight = {
            label_of.get(key, key): weight
            for key, weight in classifier.class_weight.items()
        }
    with tempfile.TemporaryDirectory() as scratch:
        model_path = os.path.join(scratch, "model.keras")
        with open(model_path, "wb") as file:
            _read_member(archive, member, file_limit(weights), out=file)
        classifier._rebuild_model(
            vocab_size,
            buckets,
            classes,
            length,
            model_path,
            f"the weights in {member!r}",
        )
    if multi_label:  # the columns' names, which the stand-in labels lack
        classifier.classes_ = classes
    classifier.do_early_stopping_ = stopped
    classifier.history_ = history
    names = fitted.get("bag_row_names_")  # files from before them have none
    if names is not None:
        classifier.bag_row_names_ = _row_names(names, classifier, vocab_size, buckets)
    elif "bag_row_names_" in fitted:
        classifier.bag_row_names_ = None


def _row_names(names, classifier, vocab_size, buckets):
    """``bag_row_names_`` from the file: rows of the bag, counts, word indices."""
    width = 2 + classifier.bag_ngrams
    if not (
        isinstance(names, list)
        and len(names) <= NAMED_ROWS * max(classifier.n_classes_, 2)
        and all(
            isinstance(row, list)
            and len(row) == width
            and all(type(v) is int for v in row)
            for row in names
        )
    ):
        raise ValueError(
            f"bag_row_names_ is not a list of up to "
            f"{NAMED_ROWS * max(classifier.n_classes_, 2):,} lists of {width} "
            "whole numbers"
        )
    names = np.array(names, dtype=np.int64).reshape(-1, width)
    rows, counts, words = names[:, 0], names[:, 1], names[:, 2:]
    if (
        (rows < vocab_size).any()
        or (rows >= vocab_size + buckets).any()
        or (counts < 1).any()
        or (words < 0).any()
        or (words >= vocab_size).any()
    ):
        raise ValueError(
            "bag_row_names_ names rows or words outside the model's bag and embedding"
        )
    return names
