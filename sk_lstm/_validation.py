"""Input checks shared by the estimators."""

import numpy as np


def check_texts(X):
    """Return ``X`` as a list of str, or raise an error that names the problem.

    Accepts any iterable of texts (list, tuple, 1-D array, pandas Series,
    generator). ``bytes`` items are decoded as UTF-8.

    Raises
    ------
    TypeError
        If ``X`` is not iterable or an item is neither str nor bytes (the error
        gives the item's position and type).
    ValueError
        If ``X`` is a single string, is not one-dimensional, or holds bytes that
        are not valid UTF-8.
    """
    if isinstance(X, (str, bytes)):
        raise ValueError(
            "Iterable over raw text documents expected, string object received. "
            "Wrap a single text in a list: [text]."
        )
    ndim = getattr(X, "ndim", 1)
    if ndim != 1:
        raise ValueError(
            "Expected a one-dimensional iterable of texts, got an array of shape "
            f"{np.shape(X)}. Pass a list of str or a single column, e.g. X[:, 0]."
        )
    try:
        items = list(X)
    except TypeError:
        raise TypeError(
            "Expected an iterable of str (list, 1-D array, pandas Series), "
            f"got {type(X).__name__}."
        ) from None
    for position, item in enumerate(items):
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
