"""Names for the bag's hashed rows: the n-grams of the training texts behind them.

The bag hashes n-grams of 2 words and more into shared rows and keeps no list of
them. At the end of ``fit``, `name_strongest_rows` keeps, for the `NAMED_ROWS`
rows of largest weight of each class, the most frequent training n-gram hashed
there and how many distinct ones were; `sk_lstm.top_ngrams` reads them.
"""

import numpy as np
from keras import ops

#: Hashed rows named per class (and per direction, for two classes) at fit.
NAMED_ROWS = 50
#: Distinct n-grams of a row counted at most (the most frequent ones).
KEPT = 64
_CHUNK = 500  # texts hashed at a time


def bag_weights(model, rows):
    """The weight of each of the bag's ``rows`` for each logit, at a neutral gate.

    Kernel times prior, or the kernel through the projection of a low-rank bag:
    shape ``(len(rows), n_logits)``, float64.
    """
    bag = model.get_layer("ngram_bag")
    rows = np.asarray(rows, dtype=np.int64)
    weights = np.asarray(ops.take(bag.kernel, rows, axis=0), dtype=np.float64)
    if bag.with_prior:
        weights *= np.asarray(ops.take(bag.prior, rows, axis=0))
    if "bag_projection" in {layer.name for layer in model.layers}:
        weights = weights @ np.asarray(model.get_layer("bag_projection").kernel)
    return weights


def strongest_rows(model, k, allowed):
    """The ``k`` allowed rows of largest weight of each class.

    Reads the bag's weights a block of rows at a time (at most 2**23 weights),
    so memory does not grow with rows times classes.

    Parameters
    ----------
    model : keras.Model
        With a bag (layer ``"ngram_bag"``).
    k : int
    allowed : ndarray of bool of shape (bag.rows,)
        Rows that may be chosen.

    Returns
    -------
    chosen : list of ndarray
        For each class (for one logit: toward the first class, then the
        second), row indices, largest weight first.
    """
    bag = model.get_layer("ngram_bag")
    outputs = model.output.shape[-1]
    block = max(1, 2**23 // max(outputs, bag.units))
    best = None  # per class: (rows, weights) of the best so far
    for start in range(0, bag.rows, block):
        rows = start + np.flatnonzero(allowed[start : start + block])
        if not len(rows):
            continue
        weights = bag_weights(model, rows)
        if outputs == 1:
            weights = np.concatenate([-weights, weights], axis=1)
        if best is None:
            best = [(rows[:0], weights[:0, 0]) for _ in range(weights.shape[1])]
        for column, (kept, values) in enumerate(best):
            rows_now = np.concatenate([kept, rows])
            values_now = np.concatenate([values, weights[:, column]])
            if len(values_now) > k:
                top = np.argpartition(-values_now, k - 1)[:k]
                rows_now, values_now = rows_now[top], values_now[top]
            best[column] = (rows_now, values_now)
    if best is None:
        return [np.zeros(0, dtype=np.int64)] * (2 if outputs == 1 else outputs)
    return [rows[np.argsort(-values, kind="stable")] for rows, values in best]


def ngram_rows(bag, sequences):
    """Yield ``(start, ids, valid)``: the bag's row of every n-gram of a chunk
    of ``sequences`` starting at row ``start``, and which are real."""
    for start in range(0, len(sequences), _CHUNK):
        ids, valid = bag.ngram_ids(sequences[start : start + _CHUNK])
        yield start, np.asarray(ids), np.asarray(valid)


def name_rows(bag, sequences, rows):
    """The most frequent n-gram of ``sequences`` in each of the bag's ``rows``.

    The n-grams are counted a chunk of texts at a time, keeping the `KEPT`
    most frequent of each row between chunks, so memory does not grow with
    the texts.

    Parameters
    ----------
    bag : NgramBag
    sequences : ndarray of shape (n_samples, steps)
        Word indices.
    rows : array-like of int
        Hashed rows (at least ``bag.vocab_size``).

    Returns
    -------
    names : ndarray of int64 of shape (n_named, 2 + bag.max_n)
        Per row that ``sequences`` reach: the row, how many distinct n-grams
        of ``sequences`` are hashed there (`KEPT` meaning that many or more),
        and the word indices of the most frequent one (ties: the smallest
        indices), 0-padded.
    """
    wanted = np.zeros(bag.rows, dtype=bool)
    wanted[np.asarray(rows, dtype=np.int64)] = True
    steps, max_n = sequences.shape[1], bag.max_n
    keys = np.zeros((0, 1 + max_n), dtype=np.int64)  # row, then the words
    counts = np.zeros(0, dtype=np.int64)
    for start, ids, valid in ngram_rows(bag, sequences):
        hits = np.flatnonzero((valid & wanted[ids]).ravel())
        text, position = np.divmod(hits, ids.shape[1])
        length, first = np.divmod(position, steps)  # length: words - 1
        block = sequences[start : start + _CHUNK]
        words = np.zeros((len(hits), max_n), dtype=np.int64)
        for offset in range(max_n):
            inside = offset <= length
            words[inside, offset] = block[text[inside], first[inside] + offset]
        found = np.column_stack([ids.ravel()[hits], words])
        merged = np.concatenate([keys, found])
        keys, index = np.unique(merged, axis=0, return_inverse=True)
        weights = np.concatenate([counts, np.ones(len(found), dtype=np.int64)])
        counts = np.bincount(index.ravel(), weights=weights).astype(np.int64)
        keys, counts = _most_frequent(keys, counts, KEPT)
    if not len(keys):
        return np.zeros((0, 2 + max_n), dtype=np.int64)
    firsts, distinct = _runs(keys[:, 0])
    return np.column_stack([keys[firsts, 0], distinct, keys[firsts, 1:]])


def _most_frequent(keys, counts, kept):
    """Keep the ``kept`` most frequent keys of each row, by row, most frequent
    first (ties: the smallest words)."""
    order = np.lexsort((*keys[:, :0:-1].T, -counts, keys[:, 0]))
    keys, counts = keys[order], counts[order]
    firsts, sizes = _runs(keys[:, 0])
    rank = np.arange(len(keys)) - np.repeat(firsts, sizes)
    return keys[rank < kept], counts[rank < kept]


def _runs(values):
    """Where each run of equal ``values`` starts, and its length."""
    firsts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    return firsts, np.diff(np.r_[firsts, len(values)])


def name_strongest_rows(model, sequences, k=NAMED_ROWS):
    """`name_rows` of the ``k`` hashed rows of largest weight of each class.

    Returns None for a model without hashed n-grams, or with a bag projected to
    its classes (``bag_dim``; ranking its rows would take a product of every row
    with every class), whose rows `sk_lstm.top_ngrams` names from texts.
    """
    names = {layer.name for layer in model.layers}
    if "ngram_bag" not in names or "bag_projection" in names:
        return None
    bag = model.get_layer("ngram_bag")
    if bag.max_n < 2:
        return None
    hashed = np.arange(bag.rows) >= bag.vocab_size
    rows = np.unique(np.concatenate(strongest_rows(model, k, hashed)))
    return name_rows(bag, sequences, rows)
