"""Input checks of the estimators: texts, word indices, labels, sample weights."""

import numpy as np
import scipy.sparse as sp
from scipy import sparse
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import column_or_1d


def check_texts(X):
    """Return ``X`` as a list of str, or raise an error that names the problem.

    Accepts any iterable of texts (list, tuple, 1-D array, pandas Series,
    generator), or one column of them: a 2-D array or DataFrame of shape
    ``(n, 1)``, or rows of one text each (what MLflow's pyfunc, a
    ``ColumnTransformer`` given ``["text"]`` and ``BaggingClassifier`` pass).
    ``bytes`` items are decoded as UTF-8.

    Raises
    ------
    TypeError
        If ``X`` is not iterable or an item is neither str nor bytes (the error
        gives the item's position and type).
    ValueError
        If ``X`` is a single string, has more than one column (or a row of
        more than one item), more than two dimensions, or holds bytes that are
        not valid UTF-8.
    """
    if isinstance(X, (str, bytes)):
        raise ValueError(
            "Iterable over raw text documents expected, string object received. "
            "Wrap a single text in a list: [text]."
        )
    shape = getattr(X, "shape", None)
    if shape is not None and len(shape) == 2 and shape[1] == 1:
        X = np.asarray(X, dtype=object)[:, 0]  # one column: unambiguous
    elif getattr(X, "ndim", 1) != 1:
        columns = getattr(X, "columns", None)
        named = f" (columns {list(columns)!r:.200})" if columns is not None else ""
        raise ValueError(
            "Expected one text per row: a list of str or a single column, got an "
            f"array of shape {np.shape(X)}{named}. Select the column of texts, "
            'e.g. X[:, 0] or frame["text"].'
        )
    try:
        items = list(X)
    except TypeError:
        raise TypeError(
            "Expected an iterable of str (list, 1-D array, pandas Series, one "
            "column), "
            f"got {type(X).__name__}."
        ) from None
    for position, item in enumerate(items):
        if isinstance(item, (list, tuple, np.ndarray)):
            if len(item) != 1:
                raise ValueError(
                    f"Expected one text per row, got a row of {len(item)} items "
                    f"at position {position}. Select the column of texts."
                )
            item = items[position] = item[0]
        if isinstance(item, str):
            continue
        if isinstance(item, bytes):
            try:
                items[position] = item.decode("utf-8")
            except UnicodeDecodeError as error:
                raise ValueError(
                    f"Text at position {position} is bytes that are not valid "
                    f"UTF-8 ({error.reason} at byte {error.start}); decode it first."
                ) from None
            continue
        raise TypeError(
            f"Expected every text to be a str, got {type(item).__name__} "
            f"({item!r:.50}) at position {position}."
        )
    return items


def check_labels(y, classes=None):
    """Refuse labels the model cannot learn, before any state changes.

    ``classes`` are all the classes (``partial_fit``), None to take them from
    ``y``, or False when an earlier ``partial_fit`` already fixed them.
    """
    if y is None:
        raise ValueError(
            "LSTMClassifier requires y to be passed, but the target y is None."
        )
    labels = np.asarray(y)
    if labels.ndim == 2 and len(labels):
        target_type = type_of_target(labels)
        if target_type == "multilabel-indicator" and not np.isin(labels, (0, 1)).all():
            target_type = f"of values {np.unique(labels).tolist()}"  # {0, 2}...
        if target_type != "multilabel-indicator":
            raise ValueError(
                f"y of shape {labels.shape} is {target_type}: a 2-D y must be "
                "an indicator matrix of 0 and 1, a column per label (as "
                "MultiLabelBinarizer makes), with at least two columns."
            )
        return
    if labels.ndim != 1:
        raise ValueError(
            "y should be a 1d array (one label per text) or a 2-D indicator "
            f"matrix (several labels per text), got shape {labels.shape}."
        )
    if len(labels) == 0:
        raise ValueError("Found array with 0 sample(s): y is empty.")
    missing = [i for i, label in enumerate(labels.tolist()) if _is_missing(label)]
    if missing:
        raise ValueError(
            f"y contains {len(missing)} missing label(s) (None or NaN), the first at "
            f"position {missing[0]}."
        )
    target_type = type_of_target(labels)
    if target_type not in ("binary", "multiclass"):
        raise ValueError(
            f"Unknown label type {target_type!r}: LSTMClassifier needs class labels "
            "(binary or multiclass), such as ints or strings."
        )
    if classes is False:  # a later partial_fit: the classes are already known
        return
    n_classes = len(np.unique(labels if classes is None else classes))
    if n_classes < 2:
        raise ValueError(
            f"y has one class only ({labels[0]!r}); a classifier needs at least two."
        )


def label_names(y):
    """The column names of a DataFrame of several labels per text (else None)."""
    columns = getattr(y, "columns", None)
    if columns is None or len(columns) < 2:
        return None
    names = np.asarray(columns)
    if len(set(names.tolist())) != len(names):
        raise ValueError(
            f"y's columns, the labels, are not distinct: {names.tolist()[:10]}"
        )
    return names


def as_label_vector(y):
    # A column vector is taken as 1-D with a warning, as scikit-learn does; an
    # indicator matrix of several columns stays: several labels per text.
    if y is None:
        return y
    if sparse.issparse(y):  # MultiLabelBinarizer(sparse_output=True)
        y = y.toarray()
    labels = np.asarray(y)
    if labels.ndim == 2 and labels.shape[1] == 1:
        return column_or_1d(labels, warn=True)
    return labels


def checked_sample_weight(sample_weight):
    """Check the weights and copy them, or raise an error naming the bad one.

    scikeras multiplies class weights into sample_weight in place: the copy keeps
    the caller's array intact and lets integer weights be scaled. A negative
    weight would turn the loss upside down.
    """
    if sample_weight is None:
        return None
    weights = np.array(sample_weight, dtype=float)
    bad = ~np.isfinite(weights) | (weights < 0)
    if bad.any():
        position = int(np.flatnonzero(bad.ravel())[0])
        raise ValueError(
            "sample_weight must be finite and >= 0; got "
            f"{weights.ravel()[position]!r} at position {position}."
        )
    return weights


def _is_missing(label):
    """None, NaN, pandas' NA or NaT: anything that is not equal to itself."""
    try:
        return label is None or bool(label != label)
    except (TypeError, ValueError):  # pd.NA refuses to be a bool
        return True


def check_sequences(X):
    """Return word indices as a 2-D int32 array, or raise an error naming the flaw.

    Indices too large for int32 are clipped: the encoder reads them as
    out-of-vocabulary anyway. An int32 array comes back as it is, not copied.
    """
    if sp.issparse(X):
        raise TypeError(
            "Sparse data is not supported: pass a dense 2-D array of word indices."
        )
    try:
        X = np.asarray(X)
    except ValueError:  # NumPy refuses ragged nested lists
        raise ValueError(
            "Expected a 2-D array of word indices, got rows of different lengths: "
            "pad them to one length first (TextSequencer does)."
        ) from None
    if X.ndim != 2:
        raise ValueError(
            "Expected a 2-D array of word indices (n_samples, seq_len), got shape "
            f"{X.shape}. Reshape your data, or pass raw texts through TextSequencer "
            "first."
        )
    if X.shape[0] == 0:
        raise ValueError(f"Found array with 0 sample(s) (shape={X.shape}).")
    if X.shape[1] == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={X.shape}) while a minimum of 1 "
            "is required: sequences need at least one position."
        )
    if X.dtype.kind == "O":
        try:
            X = X.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(
                "Word indices must be numbers, got an object array holding "
                f"{type(X.flat[0]).__name__}."
            ) from None
    if X.dtype.kind == "f":
        if not np.isfinite(X).all():
            row, col = np.argwhere(~np.isfinite(X))[0]
            raise ValueError(
                f"Input X contains NaN or infinity: {X[row, col].item()} at row "
                f"{row}, column {col}."
            )
        fractional = X != np.round(X)
        if fractional.any():
            row, col = np.argwhere(fractional)[0]
            raise ValueError(
                "Word indices must be whole numbers; got "
                f"{X[row, col].item()!r} at row {row}, column {col}."
            )
    elif X.dtype.kind not in "iub":
        raise TypeError(
            f"Word indices must be integers, got an array of dtype {X.dtype}."
        )
    if X.min() < 0:
        row, col = np.argwhere(X < 0)[0]
        raise ValueError(
            "Negative values in data: word indices must be >= 0; got "
            f"{X[row, col].item()} at row {row}, column {col}."
        )
    if X.dtype == np.int32:
        return X  # as TextSequencer writes it: no copy
    if X.max() > np.iinfo(np.int32).max:
        X = np.minimum(X, np.iinfo(np.int32).max)
    return X.astype(np.int32)
