"""Length-bucketed batches: run the LSTM over the words, not over the padding.

A padded row holds its words in one span, with zeros before (``padding="pre"``) or
after (``"post"``). Each row gets a *window*: its span widened on the padding side
to a multiple of `BUCKET_STEP` tokens. Rows with windows of the same width are
batched together, so every batch is as short as its rows allow, the number of
distinct batch shapes stays small (at most ``seq_len / BUCKET_STEP``), and a row's
model input depends on the row alone, not on the other rows of its batch.

With a mask on the padding, where the zeros sit does not matter to the model, so
every window starts at the row's first word (``left_aligned``): the padding then
always trails, which is what the cuDNN LSTM on a GPU needs to use its fast kernel.
"""

import numpy as np
import tensorflow as tf

BUCKET_STEP = 16


def windows(X, step=BUCKET_STEP, left_aligned=False):
    """Return the start column and the width of each row's window.

    Parameters
    ----------
    X : ndarray of shape (n_samples, seq_len)
        Padded word indices, 0 being padding.
    step : int
        Widths are rounded up to a multiple of ``step`` (capped at ``seq_len``).
    left_aligned : bool
        Start every window at the row's first word; a window may then run up to
        ``step - 1`` columns past the end of ``X``, to be read as zeros.

    Returns
    -------
    starts, widths : ndarray of shape (n_samples,)
        Row ``i`` is read as ``X[i, starts[i]:starts[i] + widths[i]]``.
    """
    n_samples, seq_len = X.shape
    nonzero = X != 0
    first = np.where(nonzero.any(axis=1), nonzero.argmax(axis=1), seq_len - 1)
    last = seq_len - 1 - nonzero[:, ::-1].argmax(axis=1)
    last = np.maximum(last, first)
    widths = np.minimum(-(-(last - first + 1) // step) * step, seq_len)
    if left_aligned:
        return first, widths
    # Pre-padded rows (words up to the last column) widen to the left, into their
    # padding; all others widen to the right.
    starts = np.where(last == seq_len - 1, seq_len - widths, first)
    starts = np.minimum(starts, seq_len - widths)
    return starts, widths


def batches(widths, batch_size, rng=None):
    """Split row indices into batches of rows that share a window width.

    Parameters
    ----------
    widths : ndarray of shape (n_samples,)
        Window width of each row.
    batch_size : int
        Most rows per batch.
    rng : numpy.random.Generator or None
        Shuffles the rows within each width and then the order of the batches
        (training). ``None`` keeps the rows in order (prediction).

    Returns
    -------
    list of ndarray
        Row indices of each batch.
    """
    result = []
    for width in np.unique(widths):
        rows = np.flatnonzero(widths == width)
        if rng is not None:
            rows = rng.permutation(rows)
        result.extend(np.array_split(rows, range(batch_size, len(rows), batch_size)))
    if rng is not None:
        result = [result[i] for i in rng.permutation(len(result))]
    return result


def gather(X, rows, starts, width):
    """Return the windows of ``rows``, all of width ``width``, as one array."""
    columns = starts[rows, None] + np.arange(width)
    return X[rows[:, None], columns]


def bucketed_dataset(
    X, y=None, sample_weight=None, *, batch_size, rng=None, left_aligned=False
):
    """A ``tf.data.Dataset`` of length-bucketed batches of ``(X, y, sample_weight)``.

    With ``rng`` the rows are reshuffled at every pass over the dataset, i.e. at
    every epoch. Without it the batches come in a fixed order: see `batches`.
    ``left_aligned`` moves each row's words to the start of its window (for
    masked models, see the module's docstring).

    Returns
    -------
    dataset : tf.data.Dataset
        Batches whose first element has shape ``(batch, width)``.
    order : list of ndarray
        The row indices of each batch, for the fixed order (``rng=None``).
    """
    starts, widths = windows(X, left_aligned=left_aligned)
    if left_aligned:
        X = np.pad(X, ((0, 0), (0, BUCKET_STEP)))
    order = batches(widths, batch_size)
    arrays = [a for a in (y, sample_weight) if a is not None]

    def generate():
        batch_rows = order if rng is None else batches(widths, batch_size, rng)
        for rows in batch_rows:
            x = gather(X, rows, starts, widths[rows[0]])
            yield (x, *(a[rows] for a in arrays)) if arrays else x

    x_spec = tf.TensorSpec(shape=(None, None), dtype=X.dtype)
    specs = [tf.TensorSpec(shape=(None, *a.shape[1:]), dtype=a.dtype) for a in arrays]
    signature = (x_spec, *specs) if arrays else x_spec
    dataset = tf.data.Dataset.from_generator(generate, output_signature=signature)
    # Known length: Keras can show progress bars and stop each epoch cleanly.
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(len(order)))
    return dataset.prefetch(2), order
