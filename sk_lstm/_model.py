"""The Keras model factory: an LSTM over the words, beside a bag of n-grams.

``Embedding -> Dropout -> LSTM -> [pooling] -> Dropout -> Dense`` gives one
logit per class (one for two classes); `NgramBag`, when asked for, adds a linear
bag-of-n-grams logit to it before the sigmoid or softmax.
"""

import math

import keras
import numpy as np
from keras import ops

# Word n-grams are hashed into buckets from their word indices: a polynomial hash
# modulo the number of buckets (best a prime), offset by the n-gram's length. With
# at most 2**31 buckets, every intermediate value fits in int64.
_HASH_MULTIPLIER = 1_000_003
_HASH_OFFSET = 7919


class _MaskedPooling(keras.layers.Layer):
    """A pooling over time that reads the mask and passes none on."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])


@keras.saving.register_keras_serializable(package="sk_lstm")
class MaskedGlobalMaxPooling1D(_MaskedPooling):
    """Maximum over time that skips masked steps (Keras' own ignores the mask).

    A sequence with every step masked (an empty text) pools to zeros.
    """

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.max(inputs, axis=1)
        mask = ops.expand_dims(ops.cast(mask, "bool"), -1)
        pooled = ops.max(ops.where(mask, inputs, float("-inf")), axis=1)
        return ops.where(ops.any(mask, axis=1), pooled, 0)


@keras.saving.register_keras_serializable(package="sk_lstm")
class MaskedGlobalAveragePooling1D(_MaskedPooling):
    """Mean over the unmasked time steps; a sequence with none pools to zeros.

    Keras' ``GlobalAveragePooling1D`` divides by the number of unmasked steps,
    which gives NaN for an empty text under ``mask_zero=True``.
    """

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.mean(inputs, axis=1)
        mask = ops.expand_dims(ops.cast(mask, inputs.dtype), -1)
        total = ops.sum(inputs * mask, axis=1)
        return total / ops.maximum(ops.sum(mask, axis=1), 1)


@keras.saving.register_keras_serializable(package="sk_lstm")
class NgramBag(keras.layers.Layer):
    """A linear model of the words and word n-grams of a text, as a Keras layer.

    Every word index, and every run of 2 to ``max_n`` consecutive words hashed
    into one of ``buckets`` rows, has a weight per output; the layer sums the
    weights of the n-grams of a text. N-grams that touch padding (index 0) are
    left out, so the output does not depend on how much padding a row carries.
    Given ``gates`` (one logit per position, from an LSTM reading the text), the
    n-grams starting at a position weigh ``2 * sigmoid(gate)`` there: 1 for a
    gate of 0, less or more in context.
    An n-gram counts at every occurrence, or with ``binary=True`` once per text
    however often it occurs (each occurrence weighs ``1 / count``, so the
    n-gram weighs its weight times the mean of its gates), as NBSVM's binarized
    features do; n-grams hashed into one row count as one.

    Each weight is the product of a trainable ``kernel`` (zeros at first) and a
    fixed ``prior`` (ones unless set). With the naive Bayes log-count ratios of
    the training data as prior (`naive_bayes_prior`), this is close to the NBSVM
    of Wang and Manning (2012), trained by gradient descent (closer still with
    ``binary=True``, NBSVM's binarized features), and learns from few texts:
    the prior scales each n-gram's steps by how telling it was in the training
    data.

    Parameters
    ----------
    vocab_size : int
        Word indices are in ``[0, vocab_size)``.
    buckets : int
        Rows shared by the hashed n-grams of 2 words and more, at most
        ``2**31 - 1``; a prime spreads them best.
    max_n : int
        Longest n-gram; 1 uses the words alone.
    units : int
        Outputs (logits) per text.
    binary : bool, default=False
        Count each n-gram of a text once (weighted by its mean gate), not once
        per occurrence.
    with_prior : bool, default=True
        Give the layer its fixed ``prior``; False leaves it out (the weights are
        the kernel alone), which halves the layer's memory.
    """

    def __init__(
        self, vocab_size, buckets, max_n, units, binary=False, with_prior=True, **kwargs
    ):
        super().__init__(**kwargs)
        self.vocab_size = vocab_size
        self.buckets = buckets
        self.max_n = max_n
        self.units = units
        self.binary = binary
        self.with_prior = with_prior

    @property
    def rows(self):
        """Rows of the kernel and the prior: the words, then the buckets."""
        return self.vocab_size + (self.buckets if self.max_n > 1 else 0)

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(self.rows, self.units), initializer="zeros", name="kernel"
        )
        if self.with_prior:
            self.prior = self.add_weight(
                shape=(self.rows, self.units),
                initializer="ones",
                name="prior",
                trainable=False,
            )

    def ngram_ids(self, inputs):
        """Return the row of every n-gram of ``inputs``, and which are real.

        Parameters
        ----------
        inputs : int tensor of shape (batch, steps)
            Word indices, 0 being padding.

        Returns
        -------
        ids : int64 tensor of shape (batch, max_n * steps)
            The words, then the n-grams of 2 words starting at each step, and so
            on up to ``max_n``.
        valid : bool tensor of the same shape
            False where an n-gram runs into padding or past the end.
        """
        words = ops.cast(inputs, "int64")
        steps = ops.shape(words)[1]
        # Zeros after the end, so that the word n - 1 steps on always exists.
        padded = ops.pad(words, [[0, 0], [0, self.max_n - 1]])
        ids, valid = [words], [words > 0]
        hashed, inside = words, words > 0
        for n in range(2, self.max_n + 1):
            following = padded[:, n - 1 : n - 1 + steps]
            hashed = (hashed * _HASH_MULTIPLIER + following) % self.buckets
            inside = inside & (following > 0)
            ids.append(self.vocab_size + (hashed + n * _HASH_OFFSET) % self.buckets)
            valid.append(inside)
        return ops.concatenate(ids, axis=1), ops.concatenate(valid, axis=1)

    def call(self, inputs, gates=None):
        return ops.sum(self.contributions(inputs, gates), axis=1)

    def contributions(self, inputs, gates=None):
        """Return what each n-gram adds to the layer's output (`call` sums them).

        Parameters
        ----------
        inputs : int tensor of shape (batch, steps)
            Word indices, 0 being padding.
        gates : float tensor of shape (batch, steps, 1), optional
            The gate logit of each position.

        Returns
        -------
        contributions : float tensor of shape (batch, max_n * steps, units)
            In the order of `ngram_ids`; 0 where an n-gram is not real.
        """
        ids, valid = self.ngram_ids(inputs)
        # Two lookups rather than one of the product: the kernel's gradient then
        # touches only the rows of the batch's n-grams.
        weights = ops.take(self.kernel, ids, axis=0)
        if self.with_prior:
            weights = weights * ops.take(self.prior, ids, axis=0)
        weights = weights * ops.cast(valid, weights.dtype)[..., None]
        if self.binary:
            # N-grams touching padding share the id -1 (their weight is 0).
            counts = occurrences(ops.where(valid, ids, -1))
            weights = weights / ops.cast(counts, weights.dtype)[..., None]
        if gates is not None:  # (batch, steps, 1), the same for every n
            weights = weights * ops.tile(2 * ops.sigmoid(gates), (1, self.max_n, 1))
        return weights

    def compute_output_shape(self, inputs_shape, gates_shape=None):
        return (inputs_shape[0], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "vocab_size": self.vocab_size,
            "buckets": self.buckets,
            "max_n": self.max_n,
            "units": self.units,
            "binary": self.binary,
            "with_prior": self.with_prior,
        }


#: The most rows the bag hashes its n-grams into by default: the largest prime
#: below 2**21.
MAX_AUTO_BUCKETS = 2_097_143
_MIN_AUTO_BUCKETS = 1021


@keras.saving.register_keras_serializable(package="sk_lstm")
class PartlyFrozenEmbedding(keras.layers.Embedding):
    """An Embedding whose rows marked frozen keep the values they were given.

    Training moves the other rows, as a plain Embedding's. Pretrained word
    vectors kept as they are (``freeze_word_vectors=True``) are rows of the
    non-trainable ``fixed`` matrix, marked 1 in ``frozen``; the words without
    one learn their rows from the data.
    """

    def build(self, input_shape=None):
        super().build(input_shape)
        self.fixed = self.add_weight(
            shape=(self.input_dim, self.output_dim),
            initializer="zeros",
            trainable=False,
            name="fixed",
        )
        self.frozen = self.add_weight(
            shape=(self.input_dim,), initializer="zeros", trainable=False, name="frozen"
        )

    def call(self, inputs):
        learned = super().call(inputs)
        inputs = ops.cast(inputs, "int32")
        keep = ops.expand_dims(ops.take(self.frozen, inputs, axis=0), -1)
        keep = ops.cast(keep, learned.dtype)
        fixed = ops.cast(ops.take(self.fixed, inputs, axis=0), learned.dtype)
        return keep * fixed + (1 - keep) * learned

    # Embedding saves its `embeddings` alone; a Layer saves all its variables.
    def save_own_variables(self, store):
        keras.layers.Layer.save_own_variables(self, store)

    def load_own_variables(self, store):
        keras.layers.Layer.load_own_variables(self, store)

    def set_vectors(self, vectors, found):
        """Freeze the rows ``found`` at ``vectors``' values."""
        self.fixed.assign(np.where(found[:, None], vectors, 0).astype("float32"))
        self.frozen.assign(found.astype("float32"))


def auto_buckets(X, max_n):
    """The bag's rows for ``bag_buckets="auto"``: 4 per n-gram in ``X``, prime.

    Counts the n-grams of 2 to ``max_n`` words of the sequences ``X`` (a word
    being any non-zero index), takes 4 rows per occurrence, so that distinct
    n-grams seldom share a row, and rounds up to a prime, between 1,021 and
    `MAX_AUTO_BUCKETS`. Short texts get a small bag, which trains faster; the
    25,000 IMDB reviews (over 10 million n-grams) get the most.

    Parameters
    ----------
    X : ndarray of shape (n_samples, steps)
        Word indices, 0 being padding.
    max_n : int
        The bag's longest n-gram.

    Returns
    -------
    buckets : int
    """
    lengths = np.count_nonzero(X, axis=1)
    ngrams = sum(int(np.maximum(lengths - n + 1, 0).sum()) for n in range(2, max_n + 1))
    wanted = 4 * ngrams
    if wanted >= MAX_AUTO_BUCKETS:
        return MAX_AUTO_BUCKETS
    candidate = max(wanted, _MIN_AUTO_BUCKETS)
    while not _is_prime(candidate):
        candidate += 1
    return candidate


def _is_prime(n):
    if n < 2 or n % 2 == 0:
        return n == 2
    return all(n % d for d in range(3, math.isqrt(n) + 1, 2))


def occurrences(ids):
    """How often each element of ``ids`` occurs in its row.

    Row by row, in sorts and gathers only (which XLA compiles): sort the row,
    find where each run of equal ids starts, and take the distance to the next
    start.

    Parameters
    ----------
    ids : int tensor of shape (batch, length)

    Returns
    -------
    counts : int32 tensor of shape (batch, length)
        At each position, how many positions of its row hold the same id.
    """
    order = ops.argsort(ids, axis=-1)
    ordered = ops.take_along_axis(ids, order, axis=-1)
    length = ops.shape(ids)[1]
    position = ops.arange(length)[None, :]
    starts = (ordered != ops.roll(ordered, 1, axis=1)) | (position == 0)
    # The positions where runs start, in order, then `length` for the rest.
    bounds = ops.sort(ops.where(starts, position, length), axis=-1)
    bounds = ops.concatenate([bounds, ops.full_like(bounds[:, :1], length)], axis=1)
    run = ops.cumsum(ops.cast(starts, "int32"), axis=1) - 1
    counts = ops.take_along_axis(bounds, run + 1, axis=-1) - ops.take_along_axis(
        bounds, run, axis=-1
    )
    return ops.take_along_axis(counts, ops.argsort(order, axis=-1), axis=-1)


@keras.saving.register_keras_serializable(package="sk_lstm")
class SparseCrossentropy(keras.losses.Loss):
    """Categorical cross-entropy of class indices, with label smoothing.

    Keras' ``SparseCategoricalCrossentropy`` has no ``label_smoothing``; this
    one-hot encodes the indices and hands them to ``categorical_crossentropy``.

    Parameters
    ----------
    label_smoothing : float, default=0.0
        The true class gets ``1 - label_smoothing`` and every class
        ``label_smoothing / n_classes`` more.
    """

    def __init__(
        self, label_smoothing=0.0, name="sparse_categorical_crossentropy", **kwargs
    ):
        super().__init__(name=name, **kwargs)
        self.label_smoothing = label_smoothing

    def call(self, y_true, y_pred):
        indices = ops.reshape(ops.cast(y_true, "int32"), ops.shape(y_pred)[:-1])
        return keras.losses.categorical_crossentropy(
            ops.one_hot(indices, ops.shape(y_pred)[-1]),
            y_pred,
            label_smoothing=self.label_smoothing,
        )

    def get_config(self):
        return {**super().get_config(), "label_smoothing": self.label_smoothing}


#: How far `ClassWeightShift` moves the logits: ``tau * log(weight)``.
CLASS_WEIGHT_TAU = 0.5


@keras.saving.register_keras_serializable(package="sk_lstm")
class ClassWeightShift(keras.losses.Loss):
    """A loss of probabilities, taken after dividing them by powers of the class
    weights (logit adjustment, Menon et al., 2021).

    With class weights ``w``, training on ``softmax(z - tau * log w)`` (one
    sigmoid: ``z - tau * log(w1 / w0)``) with an unweighted loss makes
    ``softmax(z)`` aim at ``w_k ** tau * p(k | x)``, normalized; the model
    predicts with ``z``. ``tau=1`` aims where a loss weighted by ``w`` aims,
    the rule of balanced accuracy for "balanced" weights, without scaling
    the rare classes' gradients up as weighting does. The default, 0.5, was
    chosen on held-out training data (IMDB, MR and Subj cut to 10 % and 2 %
    positive texts): the full shift labelled too many texts with the rare
    class there (macro-F1 15 to 37 points lower), half of it kept the
    balanced accuracy higher on 5 of the 6 and macro-F1 at the level of a
    balanced logistic regression.

    Parameters
    ----------
    loss : keras.losses.Loss
        The loss of the shifted probabilities (binary or categorical
        cross-entropy of the model's sigmoid or softmax outputs).
    outputs : int
        The model's output units: 1 (a sigmoid) or one per class.
    tau : float, default=CLASS_WEIGHT_TAU
        The power of the weights.
    """

    def __init__(
        self,
        loss,
        outputs,
        tau=CLASS_WEIGHT_TAU,
        name="class_weight_shift",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        if isinstance(loss, dict):
            loss = keras.losses.deserialize(loss)
        self.loss, self.outputs, self.tau = loss, outputs, tau
        # tau * log w per class (one sigmoid: of w1 / w0), set by each fit
        self.log_weights = keras.Variable(
            np.zeros(outputs, "float32"), trainable=False, name="log_class_weights"
        )

    def set_weights(self, weights):
        """Shift by the class weights ``weights`` (one per class, in order)."""
        logs = self.tau * np.log(np.asarray(weights, dtype="float64"))
        if self.outputs == 1:
            logs = logs[1:] - logs[:1]
        self.log_weights.assign(logs.astype("float32"))

    def call(self, y_true, y_pred):
        # The logits the sigmoid or softmax read, where the backend keeps them
        # (TensorFlow's does, as Keras' own cross-entropies use): exact, and no
        # gradient vanishes on saturated outputs. Else from the probabilities.
        logits = getattr(y_pred, "_keras_logits", None)
        if logits is None:
            epsilon = keras.config.epsilon()
            y_pred = ops.clip(y_pred, epsilon, 1 - epsilon)
            logits = ops.log(y_pred)
            if self.outputs == 1:
                logits -= ops.log(1 - y_pred)
        logits = logits - self.log_weights
        if self.outputs == 1:
            shifted = ops.sigmoid(logits)
        else:
            shifted = ops.softmax(logits, axis=-1)
        return self.loss.call(y_true, shifted)

    def get_config(self):
        return {
            **super().get_config(),
            "loss": keras.losses.serialize(self.loss),
            "outputs": self.outputs,
            "tau": self.tau,
        }


def naive_bayes_prior(bag, X, labels, sample_weight=None, chunk=1000):
    """Naive Bayes log-count ratios of the n-grams of ``X``, as a `NgramBag` prior.

    For output ``k`` (class ``k``, or class 1 of two classes) the ratio of an
    n-gram is ``log((p / |p|) / (q / |q|))``, where ``p`` and ``q`` count the
    texts that hold it in the class and outside it (weighted, given
    ``sample_weight``), plus one (Wang and Manning, 2012).

    Parameters
    ----------
    bag : NgramBag
        The layer whose rows are counted.
    X : ndarray of shape (n_samples, steps)
        Word indices.
    labels : ndarray of shape (n_samples,) or (n_samples, n_labels)
        Class index of each text, in ``[0, n_classes)``; or, for several
        labels per text, their 0/1 indicator matrix: each label's ratios are
        then those of its texts against the others.
    sample_weight : ndarray of shape (n_samples,), optional
        What each text counts for (1 each by default).
    chunk : int, default=1000
        Texts hashed at a time, which bounds the memory used.

    Returns
    -------
    prior : ndarray of shape (bag.rows, bag.units), dtype float32
    """
    labels = np.asarray(labels)
    multi_label = labels.ndim == 2
    n_classes = labels.shape[1] if multi_label else max(bag.units, 2)
    counts = np.zeros(n_classes * bag.rows)
    texts = np.zeros(bag.rows)  # texts holding each n-gram (multi-label)
    for start in range(0, len(X), chunk):
        ids, valid = (np.asarray(a) for a in bag.ngram_ids(X[start : start + chunk]))
        # Each n-gram once per text: sort each row, keep the first of each run.
        ids = np.sort(np.where(valid, ids, -1), axis=1)
        first = np.ones(ids.shape, dtype=bool)
        first[:, 1:] = ids[:, 1:] != ids[:, :-1]
        first &= ids >= 0
        weights = None
        if sample_weight is not None:
            weights = np.broadcast_to(
                sample_weight[start : start + chunk, None], ids.shape
            )[first]
        if multi_label:
            texts += np.bincount(ids[first], weights=weights, minlength=bag.rows)
            rows = np.broadcast_to(np.arange(ids.shape[0])[:, None], ids.shape)[first]
            block = labels[start : start + chunk]
            for label in range(n_classes):
                holds = block[rows, label] > 0
                counts[label * bag.rows : (label + 1) * bag.rows] += np.bincount(
                    ids[first][holds],
                    weights=None if weights is None else weights[holds],
                    minlength=bag.rows,
                )
            continue
        of_text = np.broadcast_to(labels[start : start + chunk, None], ids.shape)
        counts += np.bincount(
            of_text[first] * bag.rows + ids[first],
            weights=weights,
            minlength=counts.size,
        )
    counts = counts.reshape(n_classes, bag.rows)
    inside = counts + 1
    outside = (texts if multi_label else counts.sum(axis=0)) - counts + 1
    ratios = np.log(inside / inside.sum(axis=1, keepdims=True)) - np.log(
        outside / outside.sum(axis=1, keepdims=True)
    )
    if bag.units == 1 and not multi_label:
        ratios = ratios[1:]
    return ratios.T.astype(np.float32)


def n_outputs(n_classes, multi_label=False):
    """Output units: one sigmoid for two classes, one per class (a softmax) for
    more, one sigmoid per label for several labels per text."""
    return n_classes if multi_label or n_classes > 2 else 1


def bag_shape(
    *, vocab_size, n_classes, bag_ngrams, bag_buckets, bag_dim=None, multi_label=False
):
    """Rows and columns of `build_lstm_model`'s bag, and whether it has a prior.

    Returns
    -------
    rows, columns : int
        0 and 0 without a bag (``bag_ngrams=0``).
    with_prior : bool
        One column per output: the naive Bayes prior applies.
    """
    if not bag_ngrams:
        return 0, 0, False
    outputs = n_outputs(n_classes, multi_label)
    columns = outputs if bag_dim is None else min(bag_dim, outputs)
    rows = vocab_size + (bag_buckets if bag_ngrams > 1 else 0)
    return rows, columns, columns == outputs


def count_weights(
    *,
    vocab_size,
    n_classes,
    embedding_dim=32,
    units=64,
    bidirectional=False,
    bag_ngrams=3,
    bag_buckets=2_097_143,
    bag_dim=None,
    multi_label=False,
    frozen_rows=False,
):
    """The number of weights of `build_lstm_model`'s model, without building it.

    The parameters are `build_lstm_model`'s (the others change no weight).

    Returns
    -------
    count : int
        What the model's ``count_params()`` gives: every weight, trainable
        (the bag's kernel) or not (its prior).
    """
    directions = 2 if bidirectional else 1
    features = directions * units
    outputs = n_outputs(n_classes, multi_label)
    count = vocab_size * embedding_dim
    if frozen_rows:  # the fixed rows and the mark of each
        count += vocab_size * (embedding_dim + 1)
    count += directions * 4 * units * (embedding_dim + units + 1)
    count += (features + 1) * outputs
    rows, columns, with_prior = bag_shape(
        vocab_size=vocab_size,
        n_classes=n_classes,
        bag_ngrams=bag_ngrams,
        bag_buckets=bag_buckets,
        bag_dim=bag_dim,
        multi_label=multi_label,
    )
    if bag_ngrams:  # the gates; kernel and prior, or kernel and projection
        count += features + 1 + rows * columns
        count += rows * columns if with_prior else columns * outputs
    return count


def build_lstm_model(
    *,
    vocab_size,
    n_classes,
    embedding_dim=32,
    units=64,
    dropout=0.5,
    recurrent_dropout=0.0,
    mask_zero=False,
    bidirectional=False,
    pooling="max",
    bag_ngrams=3,
    bag_buckets=2_097_143,
    bag_binary=True,
    bag_dim=None,
    multi_label=False,
    frozen_rows=False,
):
    """Build the (uncompiled) LSTM text classifier.

    The defaults are `LSTMClassifier`'s. The classic Keras IMDB model is
    ``units=100, dropout=0.0, pooling="last", bag_ngrams=0``.

    Parameters
    ----------
    vocab_size : int
        Number of rows of the embedding: inputs are word indices in
        ``[0, vocab_size)``.
    n_classes : int
        Number of classes; 2 gives one sigmoid unit, more a softmax layer
        (with ``multi_label``: the number of labels, a sigmoid unit each).
    embedding_dim : int, default=32
        Size of the word vectors.
    units : int, default=64
        Size of the LSTM state.
    dropout : float, default=0.5
        Rate of the Dropout layers after the embedding and after the LSTM; 0 leaves
        them out.
    recurrent_dropout : float, default=0.0
        Dropout on the LSTM's recurrent state (a non-zero rate rules out cuDNN).
    mask_zero : bool, default=False
        Let the LSTM skip index 0 (padding) through a Keras mask.
    bidirectional : bool, default=False
        Run a second LSTM from the end of the text to its start and concatenate
        the two (``2 * units`` features).
    pooling : {"last", "max", "mean"}, default="max"
        What the output layer reads: the LSTM's last state, or the maximum or
        mean of its states over all time steps.
    bag_ngrams : int, default=3
        Add the logits of an `NgramBag` of the words and word n-grams up to this
        length (layer ``"ngram_bag"``) to the LSTM's, each position's n-grams
        weighted by a gate read off the LSTM's state there (layer ``"gates"``,
        which starts at weight 1); 0 leaves it out.
    bag_buckets : int, default=2_097_143
        Rows of the bag's hashed n-grams of 2 words and more (the largest prime
        below 2**21).
    bag_binary : bool, default=True
        Count each n-gram of a text once in the bag, however often it occurs.
    bag_dim : int or None, default=None
        Columns of the bag's rows. None gives one per output (a logit per class,
        which a naive Bayes prior can start); fewer than the outputs make the
        bag a low-rank model, as fastText's hidden layer: its columns go through
        a shared projection (layer ``"bag_projection"``) to the outputs, so
        that its size does not grow with the number of classes.
    multi_label : bool, default=False
        Several labels per text: an independent sigmoid unit per label.
    frozen_rows : bool, default=False
        Make the embedding a `PartlyFrozenEmbedding`, whose rows marked frozen
        (pretrained word vectors) training leaves as they are.

    Returns
    -------
    model : keras.Model
        Takes int sequences of any length, returns class probabilities: shape
        ``(batch, 1)`` for two classes, ``(batch, n_classes)`` otherwise.
    """
    outputs = n_outputs(n_classes, multi_label)
    inputs = keras.Input(shape=(None,), dtype="int32")
    embedding = PartlyFrozenEmbedding if frozen_rows else keras.layers.Embedding
    x = embedding(vocab_size, embedding_dim, mask_zero=mask_zero)(inputs)
    if dropout:
        x = keras.layers.Dropout(dropout)(x)
    # The bag's gates read the LSTM's state at every step; "last" pooling then
    # takes the final states, which the LSTM returns beside the sequence.
    recurrent = keras.layers.LSTM(
        units,
        recurrent_dropout=recurrent_dropout,
        return_sequences=bool(bag_ngrams) or pooling != "last",
        return_state=bool(bag_ngrams) and pooling == "last",
    )
    if bidirectional:
        recurrent = keras.layers.Bidirectional(recurrent)
    states = recurrent(x)
    if bag_ngrams and pooling == "last":
        # [sequence, h, c] or [sequence, forward h, c, backward h, c]
        states, *final = states
        features = keras.layers.Concatenate()(final[::2]) if bidirectional else final[0]
    else:
        features = states
    if pooling == "max":
        features = MaskedGlobalMaxPooling1D()(states)
    elif pooling == "mean":
        features = MaskedGlobalAveragePooling1D()(states)
    if dropout:
        features = keras.layers.Dropout(dropout)(features)
    logits = keras.layers.Dense(outputs)(features)
    if bag_ngrams:
        if dropout:
            states = keras.layers.Dropout(dropout)(states)
        gates = keras.layers.Dense(1, kernel_initializer="zeros", name="gates")(states)
        _, columns, with_prior = bag_shape(
            vocab_size=vocab_size,
            n_classes=n_classes,
            bag_ngrams=bag_ngrams,
            bag_buckets=bag_buckets,
            bag_dim=bag_dim,
            multi_label=multi_label,
        )
        bag = NgramBag(
            vocab_size,
            bag_buckets,
            bag_ngrams,
            columns,
            bag_binary,
            with_prior=with_prior,  # naive Bayes ratios are per class
            name="ngram_bag",
        )
        bagged = bag(inputs, gates)
        if not with_prior:
            projection = keras.layers.Dense(
                outputs, use_bias=False, name="bag_projection"
            )
            bagged = projection(bagged)
        logits = keras.layers.Add()([logits, bagged])
    sigmoid = outputs == 1 or multi_label
    probabilities = keras.layers.Activation("sigmoid" if sigmoid else "softmax")
    return keras.Model(inputs, probabilities(logits), name="lstm_classifier")
