"""`export`: a fitted text pipeline as a TensorFlow SavedModel that takes raw strings.

The serving function redoes `TextSequencer.transform` and
`LSTMClassifier.predict_proba` in TensorFlow ops, so that TensorFlow Serving, or
any TensorFlow program, runs it without Python's ``re``, scikit-learn or this
package:

1. lowercase as Python does (`sk_lstm._lower`);
2. tokenize with the token pattern rewritten for RE2 (`sk_lstm._re2`);
3. build the n-grams of ``ngram_range``, in the sequencer's order;
4. look the tokens up (a ``tf.lookup.StaticHashTable``, out-of-vocabulary
   index 1), truncate to ``maxlen`` on the ``truncating`` side;
5. give each text the window `predict_proba` gives it (`sk_lstm._batching`):
   its words padded to a multiple of `BUCKET_STEP` on the padding side, and run
   the model on batches of rows of one width, as ``predict_proba`` does.
"""

import errno
import os
import shutil
import uuid
from contextlib import contextmanager

import keras
import numpy as np
import tensorflow as tf
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ._atomic import naming
from ._batching import BUCKET_STEP
from ._classifier import LSTMClassifier
from ._lower import PythonLower
from ._re2 import UnsupportedPattern, default_pattern_passes, findall_program
from ._sequencer import OOV_INDEX, TextSequencer, _check_ngram_range
from ._tokens import LEGACY_TOKEN_PATTERN

#: Name of the serving signature's input: a 1-D batch of UTF-8 strings.
INPUT_NAME = "text"
_VALID_UTF8 = r"[\x{0}-\x{d7ff}\x{e000}-\x{10ffff}]*"


def export(pipeline, path):
    """Write a fitted text pipeline as a TensorFlow SavedModel that reads raw text.

    The SavedModel's ``serving_default`` signature takes a 1-D batch of strings
    (input ``"text"``) and returns, per text, ``"probabilities"`` (float32, one
    column per class in the order of ``classes_``) and ``"label"`` (the
    predicted class, as an int64, bool, float64 or string tensor after the
    labels' type); for several labels per text, ``"probabilities"`` of each
    label and ``"labels"``, their int32 indicator matrix (those above 0.5, as
    ``predict``). It runs the whole pipeline in TensorFlow ops: the
    lowercasing, the token pattern, the n-grams, the word index, truncation,
    padding and the model, batching rows of one width as ``predict_proba``
    does. Its probabilities equal ``pipeline.predict_proba``'s to within
    float rounding (1e-5). Load it with ``tf.saved_model.load``, serve it with
    TensorFlow Serving, or wrap it in ``keras.layers.TFSMLayer``: none needs
    scikit-learn or sk_lstm.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
        A fitted pipeline of two steps, a `TextSequencer` then an
        `LSTMClassifier` (as `make_lstm_pipeline` or `sk_lstm.load` give).
    path : str or os.PathLike
        Directory to create. It must not exist: the SavedModel is written
        beside it and moved there when whole.

    Raises
    ------
    TypeError
        ``pipeline`` is not such a pipeline.
    sklearn.exceptions.NotFittedError
        It is not fitted.
    ValueError
        Its sequencer uses a callable ``tokenizer`` or a ``token_pattern``
        construct that TensorFlow's regular expressions (RE2) read another way
        (lookarounds, backreferences, Unicode ``\\b``, the IGNORECASE or
        MULTILINE flags, ``$``...): the message names it. Or its labels are not
        numbers, booleans or strings.
    FileExistsError
        ``path`` exists.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import tensorflow as tf
    >>> from sk_lstm import export, make_lstm_pipeline
    >>> texts = ["a good film", "a bad film", "good, very good", "bad and dull"] * 8
    >>> pipe = make_lstm_pipeline(units=4, embedding_dim=4, bag_buckets=1021,
    ...                           min_steps=0, random_state=0)
    >>> pipe = pipe.fit(texts, ["pos", "neg", "pos", "neg"] * 8)
    >>> path = pathlib.Path(tempfile.mkdtemp(), "sentiment", "1")
    >>> export(pipe, path)
    >>> serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    >>> out = serve(text=tf.constant(["A GOOD film!", "dull"]))
    >>> out["label"].numpy()
    array([b'pos', b'neg'], dtype=object)
    >>> bool(abs(out["probabilities"].numpy() - pipe.predict_proba(
    ...     ["A GOOD film!", "dull"])).max() < 1e-5)
    True
    """
    sequencer, classifier = _steps(pipeline)
    path = os.fspath(path)
    path = path.rstrip(os.sep) or path  # "dir/1/" is "dir/1", not "dir/1/.partial"
    if os.path.lexists(path):
        raise FileExistsError(f"Cannot export to {path}: it exists.")
    serving = _Serving(sequencer, classifier)
    archive = keras.export.ExportArchive()
    # The endpoint tracks the model's variables itself (tracking the model too
    # would save each twice); the lookup table must be named.
    archive.track(serving.text_step.table)
    archive.add_endpoint(
        name="serving_default",
        fn=serving,
        input_signature=[tf.TensorSpec([None], tf.string, name=INPUT_NAME)],
    )
    with _created_whole(path) as partial:
        archive.write_out(partial, verbose=False)


@contextmanager
def _created_whole(path):
    """Yield a path beside ``path`` to write to; move it there when whole.

    Directories created for it are removed again if anything fails.
    """
    parent = os.path.dirname(os.path.abspath(path))
    missing = []
    while not os.path.isdir(parent):
        missing.append(parent)
        parent = os.path.dirname(parent)
    partial = f"{path}.{uuid.uuid4().hex[:8]}.partial"
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        yield partial
        os.rename(partial, path)
    except BaseException as error:
        if os.path.exists(partial):
            shutil.rmtree(partial)
        for directory in missing:  # the deepest first
            if os.path.isdir(directory) and not os.listdir(directory):
                os.rmdir(directory)
        if isinstance(error, OSError):
            raise naming(error, path) from None
        # TensorFlow's writers say "No space left on device" in their own error.
        if isinstance(error, tf.errors.OpError) and "No space left" in error.message:
            full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            raise naming(full, path) from None
        raise


def _steps(pipeline):
    steps = getattr(pipeline, "steps", None) if isinstance(pipeline, Pipeline) else None
    estimators = [step for _, step in steps] if steps else []
    if len(estimators) != 2 or not (
        isinstance(estimators[0], TextSequencer)
        and isinstance(estimators[1], LSTMClassifier)
    ):
        raise TypeError(
            "export needs a Pipeline of a TextSequencer then an LSTMClassifier (as "
            f"make_lstm_pipeline gives); got {pipeline!r:.200}."
        )
    return estimators


class _TextStep:
    """`TextSequencer.transform` in TensorFlow ops: strings in, ragged indices out."""

    def __init__(self, sequencer, vocab_size=None):
        check_is_fitted(sequencer)
        sequencer._validate_params()
        if sequencer.tokenizer is not None:
            raise ValueError(
                "Cannot export a TextSequencer with a callable tokenizer: Python "
                "code cannot run inside a SavedModel. Use token_pattern instead."
            )
        # The default patterns run as replaces without capture groups (faster).
        if sequencer._default_tokens:
            self.passes, self.findall = default_pattern_passes(), None
        elif sequencer.token_pattern == LEGACY_TOKEN_PATTERN:
            self.passes, self.findall = default_pattern_passes(legacy=True), None
        else:
            self.passes = None
            self.findall = findall_program(sequencer.token_pattern)
        self.lower = PythonLower() if sequencer.lowercase else None
        self.ngram_range = _check_ngram_range(sequencer.ngram_range)
        self.maxlen = sequencer.maxlen
        self.keep_end = sequencer.truncating == "pre"
        vocabulary = sequencer.vocabulary_
        self.table = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(
                tf.constant(list(vocabulary), tf.string),
                tf.constant(list(vocabulary.values()), tf.int64),
            ),
            default_value=OOV_INDEX,
        )
        # Indices from vocab_size on read as out of vocabulary, as in
        # LSTMClassifier (an embedding smaller than the vocabulary).
        self.vocab_size = vocab_size or len(vocabulary) + 2
        try:  # RE2 compiles a pattern when its op first runs: run them now.
            self(tf.constant(["A text."]))
        except tf.errors.InvalidArgumentError as error:
            raise UnsupportedPattern(
                f"token_pattern {sequencer.token_pattern!r} cannot be exported: "
                f"TensorFlow's regular expressions (RE2) cannot compile it "
                f"({error.message})."
            ) from None

    def __call__(self, texts):
        """The word indices of each text, truncated: a ragged int32 tensor."""
        if self.lower is not None:
            texts = self.lower(texts)
        tokens = self.ngrams(self.tokenize(texts))
        ids = tf.ragged.map_flat_values(self.lookup, tokens)
        ids = ids[:, -self.maxlen :] if self.keep_end else ids[:, : self.maxlen]
        return tf.cast(ids, tf.int32)

    def tokenize(self, texts):
        """The tokens of each text: a ragged string tensor."""
        if self.passes is not None:
            texts = tf.strings.join([" ", texts, " "])
            for regex, rewrite in self.passes:
                texts = tf.strings.regex_replace(texts, regex, rewrite)
            return tf.strings.split(texts)
        findall = self.findall
        if findall.stand_in is not None:
            texts = tf.strings.regex_replace(texts, *findall.stand_in)
        marked = tf.strings.regex_replace(texts, findall.regex, findall.rewrite)
        pieces = tf.strings.split(marked, findall.separator)
        if findall.every_other:
            position = tf.ragged.range(pieces.row_lengths())
            return tf.ragged.boolean_mask(pieces, position % 2 == 1)
        return tf.ragged.boolean_mask(pieces, tf.strings.length(pieces) > 0)

    def ngrams(self, words):
        """At each word, the n-grams starting there, shortest first."""
        min_n, max_n = self.ngram_range
        if (min_n, max_n) == (1, 1):
            return words
        lengths = words.row_lengths()
        columns = []
        for n in range(min_n, max_n + 1):
            grams = words if n == 1 else tf.strings.ngrams(words, n, separator=" ")
            # "" where the n-gram would run past the end, to line the n up.
            short = lengths - grams.row_lengths()
            filler = tf.RaggedTensor.from_row_lengths(
                tf.fill([tf.reduce_sum(short)], ""), short
            )
            columns.append(tf.concat([grams, filler], axis=1).flat_values)
        grams = tf.reshape(tf.stack(columns, axis=1), [-1])
        grams = tf.RaggedTensor.from_row_lengths(grams, lengths * len(columns))
        return tf.ragged.boolean_mask(grams, tf.strings.length(grams) > 0)

    def lookup(self, tokens):
        """Word indices; indices the embedding lacks read as out of vocabulary."""
        ids = self.table.lookup(tokens)
        return tf.where(ids < self.vocab_size, ids, tf.constant(OOV_INDEX, tf.int64))


class _Serving:
    """The serving function: raw strings in, probabilities and labels out."""

    def __init__(self, sequencer, classifier):
        check_is_fitted(classifier)
        if sequencer.maxlen != classifier.n_features_in_:
            raise ValueError(
                f"The sequencer's maxlen ({sequencer.maxlen}) is not the sequence "
                f"length the classifier was fitted on ({classifier.n_features_in_}), "
                "so the pipeline cannot predict: refit it, or set maxlen back."
            )
        self.text_step = _TextStep(sequencer, classifier.vocab_size_)
        self.model = classifier.model_
        self.maxlen = sequencer.maxlen
        if classifier.length_bucketing:
            self.step = BUCKET_STEP
            # Windows carry their padding before the words only when the rows
            # are pre-padded and the model reads no mask (see _batching).
            self.pad_before = sequencer.padding == "pre" and not classifier.mask_zero
        else:
            self.step = self.maxlen
            self.pad_before = sequencer.padding == "pre"
        self.batch_size = classifier._predict_batch_size()
        self.classes = _label_tensor(classifier.classes_)
        self.multi_label = classifier._multi_label

    def __call__(self, texts):
        # As TextSequencer refuses bytes that are not UTF-8: RE2 matches any
        # code point's bytes, so the class leaves out surrogates.
        valid = tf.strings.regex_full_match(texts, _VALID_UTF8)
        tf.debugging.Assert(
            tf.reduce_all(valid),
            [
                "A text is not valid UTF-8; the first such text is at index",
                tf.where(~valid)[:1, 0],
            ],
        )
        ids = self.text_step(texts)
        # Each row's window: its words, padded to a multiple of the step.
        steps = (tf.maximum(ids.row_lengths(), 1) + self.step - 1) // self.step
        widths = tf.minimum(steps * self.step, self.maxlen)
        probabilities = self.predict(ids, widths)
        if self.multi_label:  # as predict: the labels above 0.5
            return {
                "probabilities": probabilities,
                "labels": tf.cast(probabilities > 0.5, tf.int32),
            }
        if probabilities.shape[-1] == 1:  # one sigmoid unit
            probabilities = tf.concat([1 - probabilities, probabilities], axis=1)
        labels = tf.gather(self.classes, tf.argmax(probabilities, axis=1))
        return {"probabilities": probabilities, "label": labels}

    def predict(self, ids, widths):
        """Run the model on batches of rows of one width, in predict_proba's order."""
        order = tf.argsort(widths, stable=True)
        sorted_widths = tf.gather(widths, order)
        n_rows = tf.size(order, tf.int64)
        _, group, counts = tf.unique_with_counts(sorted_widths, out_idx=tf.int64)
        rank = tf.range(n_rows) - tf.gather(tf.cumsum(counts, exclusive=True), group)
        starts = tf.reshape(tf.where(rank % self.batch_size == 0), [-1])
        ends = tf.concat([starts[1:], [n_rows]], axis=0)
        outputs = self.model.outputs[0].shape[-1]

        def batch(i, results):
            rows = order[starts[i] : ends[i]]
            x = self.windows(tf.gather(ids, rows), sorted_widths[starts[i]])
            proba = self.model(x, training=False)
            return i + 1, results.write(tf.cast(i, tf.int32), proba)

        results = tf.TensorArray(
            tf.float32,
            size=0,
            dynamic_size=True,
            infer_shape=False,
            element_shape=tf.TensorShape([None, outputs]),
        )
        _, results = tf.while_loop(
            lambda i, _: i < tf.size(starts, tf.int64),
            batch,
            (tf.constant(0, tf.int64), results),
        )
        sorted_outputs = tf.reshape(results.concat(), [-1, outputs])
        return tf.scatter_nd(order[:, None], sorted_outputs, [n_rows, outputs])

    def windows(self, ids, width):
        """Dense rows of ``width``: the words, zeros on the padding side."""
        lengths = ids.row_lengths()
        rows = ids.value_rowids()
        columns = tf.ragged.range(lengths).flat_values
        if self.pad_before:
            columns += tf.gather(width - lengths, rows)
        return tf.scatter_nd(
            tf.stack([rows, columns], axis=1),
            ids.flat_values,
            tf.stack([tf.size(lengths, tf.int64), width]),
        )


def _label_tensor(classes):
    """The class labels as a constant tensor of their own kind."""
    kind = np.asarray(classes).dtype.kind
    if kind in "iu":
        return tf.constant(np.asarray(classes, dtype=np.int64))
    if kind == "b":
        return tf.constant(np.asarray(classes, dtype=bool))
    if kind == "f":
        return tf.constant(np.asarray(classes, dtype=np.float64))
    values = list(classes)
    if all(isinstance(label, str) for label in values):
        return tf.constant([label.encode() for label in values], tf.string)
    if all(isinstance(label, (int, np.integer)) for label in values):
        return tf.constant(values, tf.int64)
    raise ValueError(
        "Cannot export labels of types "
        f"{sorted({type(label).__name__ for label in values})}: a SavedModel "
        "returns labels as numbers, booleans or strings."
    )
