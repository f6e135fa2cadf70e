"""Length-bucketed batches: run the LSTM over the words, not over the padding.

A padded row holds its words in one span, with zeros before (``padding="pre"``) or
after (``"post"``). Each row gets a *window*: its span widened on the padding side
to a multiple of `BUCKET_STEP` tokens, and a batch is cut to the widest window in
it. The number of distinct batch shapes stays small (at most
``seq_len / BUCKET_STEP``).

- Prediction batches hold rows of one window width only, so a row's model input
  depends on the row alone, not on the other rows of its batch.
- Training batches come from random chunks of rows sorted by width (then the
  batches are shuffled), so that they stay random while close to their rows'
  lengths.

With a mask on the padding, where the zeros sit does not matter to the model, so
every window starts at the row's first word (``left_aligned``): the padding then
always trails, which is what the cuDNN LSTM on a GPU needs to use its fast kernel.
"""

import numpy as np
import tensorflow as tf

BUCKET_STEP = 16
# Training batches are sorted by length within chunks of this many batches.
CHUNK_BATCHES = 50


_ROWS = 4096  # rows scanned for words at a time


class Windows:
    """Where the words of each row of ``X`` are, and how wide a window they need.

    Parameters
    ----------
    X : ndarray of shape (n_samples, seq_len)
        Padded word indices, 0 being padding.
    step : int
        Widths are rounded up to a multiple of ``step`` (capped at ``seq_len``).
    left_aligned : bool
        Read every row from its first word on, padding after the words.

    Attributes
    ----------
    first : ndarray of shape (n_samples,)
        Column of each row's first word (of its last column if it has none).
    widths : ndarray of shape (n_samples,)
        Window width of each row.
    right_anchored : ndarray of shape (n_samples,)
        Rows whose words end at the last column (pre-padded): their windows grow
        to the left, into their padding; all others grow to the right.
    """

    def __init__(self, X, step=BUCKET_STEP, left_aligned=False):
        self.X = X
        seq_len = X.shape[1]
        first, last = np.empty((2, len(X)), dtype=np.intp)
        for start in range(0, len(X), _ROWS):  # a mask of a block at a time
            nonzero = X[start : start + _ROWS] != 0
            has_words = nonzero.any(axis=1)
            block = slice(start, start + len(nonzero))
            first[block] = np.where(has_words, nonzero.argmax(axis=1), seq_len - 1)
            last[block] = seq_len - 1 - nonzero[:, ::-1].argmax(axis=1)
        self.first = first
        last = np.maximum(last, first)
        self.widths = np.minimum(-(-(last - self.first + 1) // step) * step, seq_len)
        self.right_anchored = (last == seq_len - 1) & ~left_aligned

    def gather(self, rows, width):
        """Return the windows of ``rows``, widened to ``width``, as one array."""
        seq_len = self.X.shape[1]
        starts = np.where(self.right_anchored[rows], seq_len - width, self.first[rows])
        columns = starts[:, None] + np.arange(width)
        inside = columns < seq_len
        values = self.X[rows[:, None], np.minimum(columns, seq_len - 1)]
        return np.where(inside, values, 0).astype(self.X.dtype)


def batches(widths, batch_size, rng=None):
    """Split row indices into batches of rows of similar window width.

    Parameters
    ----------
    widths : ndarray of shape (n_samples,)
        Window width of each row.
    batch_size : int
        Most rows per batch.
    rng : numpy.random.Generator or None
        ``None`` (prediction): each batch holds rows of one width, in order.
        Otherwise (training): the rows are shuffled, sorted by width within
        chunks of `CHUNK_BATCHES` batches, cut into batches, and the batches
        shuffled.

    Returns
    -------
    list of ndarray
        Row indices of each batch.
    """
    if rng is None:
        groups = [np.flatnonzero(widths == width) for width in np.unique(widths)]
    else:
        rows = rng.permutation(len(widths))
        chunk = batch_size * CHUNK_BATCHES
        groups = [
            rows[start : start + chunk][
                np.argsort(widths[rows[start : start + chunk]], kind="stable")
            ]
            for start in range(0, len(rows), chunk)
        ]
    result = [
        batch
        for group in groups
        for batch in np.array_split(group, range(batch_size, len(group), batch_size))
    ]
    if rng is not None:
        result = [result[i] for i in rng.permutation(len(result))]
    return result


def bucketed_dataset(
    X, y=None, sample_weight=None, *, batch_size, rng=None, skip=0, left_aligned=False
):
    """A ``tf.data.Dataset`` of length-bucketed batches of ``(X, y, sample_weight)``.

    With ``rng`` (training) the batches are drawn anew at every pass over the
    dataset, i.e. at every epoch; without it they come in a fixed order: see
    `batches`. ``skip`` draws are made and dropped first: the epochs that a
    resumed fit has done. ``left_aligned`` moves each row's words to the start
    of its window (for masked models, see the module's docstring).

    Returns
    -------
    dataset : tf.data.Dataset
        Batches whose first element has shape ``(batch, width)``.
    order : list of ndarray or None
        The row indices of each batch in the fixed order (``rng=None``); None
        for training.
    """
    windows = Windows(X, left_aligned=left_aligned)
    if rng is None:
        order = batches(windows.widths, batch_size)
        n_batches = len(order)
    else:
        order = None
        # Every draw gives the same number of batches: count those of one.
        n_batches = len(batches(windows.widths, batch_size, rng))
        for _ in range(skip):
            batches(windows.widths, batch_size, rng)
    arrays = [a for a in (y, sample_weight) if a is not None]

    def generate():
        batch_rows = order if rng is None else batches(windows.widths, batch_size, rng)
        for rows in batch_rows:
            x = windows.gather(rows, windows.widths[rows].max())
            yield (x, *(a[rows] for a in arrays)) if arrays else x

    x_spec = tf.TensorSpec(shape=(None, None), dtype=X.dtype)
    specs = [tf.TensorSpec(shape=(None, *a.shape[1:]), dtype=a.dtype) for a in arrays]
    signature = (x_spec, *specs) if arrays else x_spec
    dataset = tf.data.Dataset.from_generator(generate, output_signature=signature)
    # A known length lets Keras show progress bars from the first epoch.
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(n_batches))
    return dataset.prefetch(2), order
