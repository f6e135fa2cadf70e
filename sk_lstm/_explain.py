"""Exact explanations of a fitted pipeline's predictions, word by word.

The model's logit of a class is a sum of three parts (see `build_lstm_model`):

- the **bag**: every n-gram of the text adds its weight (kernel times naive
  Bayes prior), times ``2 * sigmoid(gate)`` at the position where it starts
  (divided by its count in the text with ``bag_binary``);
- the **LSTM path**: the output layer's weights times the pooled LSTM states;
- the output layer's **bias**.

`explain` gives each part as the model computes it. The bag's part is a sum
over n-grams, so it is exact per n-gram, and per word once each n-gram is
split evenly over its words. The LSTM path is one number per text; `explain`
splits it over the positions whose states the pooling read (for ``"max"``
pooling, each state unit's share goes to the position where that unit peaked;
``"mean"`` shares it equally; ``"last"`` gives it to the last position read,
and a backward LSTM's to the first). That split is exact too (it adds up), but
it says *where* the LSTM's state was read, and a state there summarizes every
word before it (after it, for a backward LSTM), not the word alone.
"""

import warnings
import weakref
from dataclasses import dataclass, field
from numbers import Integral

import keras
import numpy as np
import tensorflow as tf
from keras import ops
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ._batching import Windows, batches
from ._classifier import LSTMClassifier
from ._model import n_outputs
from ._ngram_names import KEPT, bag_weights, name_rows, ngram_rows, strongest_rows
from ._sequencer import OOV_INDEX, TextSequencer
from ._validation import check_texts

__all__ = ["Explanation", "explain", "top_ngrams"]

# Most floats of per-n-gram contributions computed at a time (512 MiB in
# float32): a batch has fewer rows when texts are long or logits many.
_MAX_FLOATS = 2**25
# The explaining functions of the models explained so far (a model's weights are
# read when it runs, so a function stays right for the model it was built for).
_FUNCTIONS = weakref.WeakKeyDictionary()


@dataclass(eq=False)
class Explanation:
    """How a model reached its logits for one text, part by part.

    For each explained logit (column ``c``, class ``classes[c]``)::

        logit[c] == bias[c] + bag[:, c].sum() + lstm[:, c].sum() + lstm_padding[c]
        bag[:, c].sum() == ngram_values[:, c].sum()

    to float32 rounding. A two-class model has one logit, that of the second
    class of ``classes_`` (its log-odds); a model of more classes one per class,
    which a softmax turns into probabilities; a model of several labels per
    text one per label, each its own sigmoid's log-odds (``label`` is then the
    most probable label).

    Attributes
    ----------
    text : str
        The text, as given.
    label : object
        The predicted label.
    probability : float
        Its probability.
    classes : ndarray of shape (n_logits,)
        The class of each explained logit.
    logit : ndarray of shape (n_logits,)
        The model's logits.
    bias : ndarray of shape (n_logits,)
        The output layer's bias.
    tokens : list of str
        The tokens the model read, in order, as the sequencer made them
        (lowercased, say); tokens beyond ``maxlen`` are left out (see
        ``dropped``).
    spans : list of (int, int) or None
        Where each token is in ``text``: ``text[start:end]``; None for a token
        a custom ``tokenizer`` made that cannot be found in the text.
    bag : ndarray of shape (n_tokens, n_logits)
        The bag of n-grams' part of each logit, each n-gram's contribution split
        evenly over its words. Zeros without a bag (``bag_ngrams=0``).
    lstm : ndarray of shape (n_tokens, n_logits)
        The LSTM path's part of each logit, split over the positions whose
        states the pooling read (see the module's docstring for what that
        means).
    lstm_padding : ndarray of shape (n_logits,)
        The LSTM path's part read at padding positions (the LSTM runs over some
        of the padding unless ``mask_zero=True``).
    ngrams : list of (int, int)
        Each n-gram the bag counted: the index of its first token and its
        number of words.
    ngram_values : ndarray of shape (n_ngrams, n_logits)
        What each n-gram adds to each logit (n-grams hashed into one row of
        the bag share that row's weight).
    dropped : int
        Tokens of the text that the sequencer truncated away.
    """

    text: str
    label: object
    probability: float
    classes: np.ndarray
    logit: np.ndarray
    bias: np.ndarray
    tokens: list
    spans: list
    bag: np.ndarray
    lstm: np.ndarray
    lstm_padding: np.ndarray
    ngrams: list = field(default_factory=list)
    ngram_values: np.ndarray = None
    dropped: int = 0

    def scores(self, column=0):
        """Each token's part of one logit: its share of the bag and of the LSTM.

        Parameters
        ----------
        column : int, default=0
            Which explained logit (of ``classes[column]``).

        Returns
        -------
        scores : ndarray of shape (n_tokens,)
            ``bag[:, column] + lstm[:, column]``; with ``bias[column]`` and
            ``lstm_padding[column]`` they add up to ``logit[column]``.
        """
        return self.bag[:, column] + self.lstm[:, column]

    def to_dict(self):
        """The explanation as plain Python values, for JSON.

        Returns
        -------
        record : dict
            ``text``, ``label``, ``probability``, ``classes``, ``logit``,
            ``bias``, ``lstm_padding``, ``dropped``; ``tokens``, each with its
            ``token``, ``span`` and its ``bag`` and ``lstm`` parts per logit;
            ``ngrams``, each with its ``start`` token, its number of
            ``words`` and its ``value`` per logit.
        """

        def plain(value):
            return value.item() if isinstance(value, np.generic) else value

        return {
            "text": self.text,
            "label": plain(self.label),
            "probability": float(self.probability),
            "classes": [plain(c) for c in self.classes],
            "logit": self.logit.tolist(),
            "bias": self.bias.tolist(),
            "lstm_padding": self.lstm_padding.tolist(),
            "dropped": self.dropped,
            "tokens": [
                {
                    "token": token,
                    "span": None if span is None else list(span),
                    "bag": bag,
                    "lstm": lstm,
                }
                for token, span, bag, lstm in zip(
                    self.tokens,
                    self.spans,
                    self.bag.tolist(),
                    self.lstm.tolist(),
                    strict=True,
                )
            ],
            "ngrams": [
                {"start": start, "words": n, "value": value}
                for (start, n), value in zip(
                    self.ngrams, self.ngram_values.tolist(), strict=True
                )
            ],
        }


def explain(pipeline, texts, *, classes=None, batch_size=None):
    """Explain a fitted pipeline's predictions exactly, word by word.

    Parameters
    ----------
    pipeline : Pipeline
        A fitted pipeline of a `TextSequencer` and an `LSTMClassifier`, such as
        `make_lstm_pipeline` builds.
    texts : iterable of str
        Raw texts, as ``predict`` takes them.
    classes : None, "predicted" or list of labels, default=None
        The logits to explain: None gives all of them (one for two classes,
        the second class's log-odds, whatever the prediction), ``"predicted"``
        the predicted class's alone (the same as None for two classes; for
        models of many classes, as memory grows with the logits explained), a
        list those of the given labels (more than two classes).
    batch_size : int, optional
        Texts run through the model at a time; the classifier's
        ``predict_batch_size`` by default, fewer when the n-grams of a batch
        would pass 2**25 floats (the model's intermediate values and their
        float64 copies then stay within a few hundred MB).

    Returns
    -------
    explanations : list of Explanation
        One per text, in order. Their logits and probabilities are those of
        ``pipeline.predict_proba`` (to float32 rounding).

    Raises
    ------
    TypeError
        If ``pipeline`` is not a pipeline of a `TextSequencer` and an
        `LSTMClassifier`.
    sklearn.exceptions.NotFittedError
        If it is not fitted.
    ValueError
        If ``texts`` are not texts, or ``classes`` names labels the model does
        not have.

    Examples
    --------
    >>> from sk_lstm import explain, make_lstm_pipeline
    >>> texts = ["a good film", "a bad film"] * 50
    >>> pipe = make_lstm_pipeline(min_steps=0, random_state=0).fit(texts, [1, 0] * 50)
    >>> (e,) = explain(pipe, ["a good film"])
    >>> e.tokens, e.spans
    (['a', 'good', 'film'], [(0, 1), (2, 6), (7, 11)])
    >>> total = e.bias + e.bag.sum(axis=0) + e.lstm.sum(axis=0) + e.lstm_padding
    >>> bool(abs(total - e.logit).max() < 1e-5)
    True
    """
    sequencer, classifier = _steps(pipeline)
    texts = check_texts(texts)
    X, _ = classifier._validate_data(pipeline[:-1].transform(texts))
    X = classifier.feature_encoder_.transform(X)
    columns, per_text = _columns(classifier, classes)
    columns = columns.astype(np.int32)
    run = _function(classifier, per_text)
    parts = _Parts(classifier, columns)
    if batch_size is None:
        batch_size = classifier._predict_batch_size()
    if not isinstance(batch_size, Integral) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    per_step = parts.max_n * max(parts.bag_columns, len(columns), 1) + parts.features
    batch_size = max(1, min(batch_size, _MAX_FLOATS // (X.shape[1] * per_step)))

    # The windows `predict` runs the model on, so that the logits are its own.
    if classifier.length_bucketing:
        windows = Windows(X, left_aligned=classifier._masks_padding())
        order = batches(windows.widths, batch_size)

        def gather(rows):
            return windows.gather(rows, windows.widths[rows].max())

    else:
        order = np.array_split(np.arange(len(X)), range(batch_size, len(X), batch_size))
        gather = X.__getitem__
    analyze = _spans_analyzer(sequencer)
    explanations = [None] * len(X)
    for rows in order:
        x = gather(rows)
        outputs = {k: np.asarray(v) for k, v in run(x, columns).items()}
        for i, explanation in zip(rows, parts.explain(x, outputs), strict=True):
            tokens, spans = analyze(texts[i])
            kept = _kept(sequencer, len(tokens))
            explanation.text = texts[i]
            explanation.tokens = tokens[kept].tolist()
            explanation.spans = spans[kept].tolist()
            explanation.dropped = len(tokens) - len(explanation.tokens)
            if len(explanation.tokens) != len(explanation.bag):
                raise RuntimeError(  # the sequencer and its analyzer disagree
                    f"Text {i} reads as {len(explanation.tokens)} tokens but the "
                    f"model received {len(explanation.bag)}."
                )
            explanations[i] = explanation
    for explanation in explanations:
        explanation.classes = classifier.classes_[explanation.classes]
        explanation.label = classifier.classes_[explanation.label]
    return explanations


def top_ngrams(pipeline, k=10, texts=None):
    """The words and n-grams the bag weighs most, for each class.

    The bag hashes n-grams of 2 words and more into shared rows and keeps no
    list of them; ``fit`` names the 50 rows of largest weight of each class
    from the training texts (`LSTMClassifier`'s ``bag_row_names_``). With
    ``texts``, every row those texts reach is ranked and named from them
    instead.

    Parameters
    ----------
    pipeline : Pipeline
        A fitted pipeline of a `TextSequencer` and an `LSTMClassifier` with a
        bag (``bag_ngrams`` > 0).
    k : int, default=10
        N-grams per class.
    texts : iterable of str, optional
        Texts whose n-grams name the bag's hashed rows (a model of more than
        32 classes, whose bag is projected, or one trained by ``partial_fit``
        alone, names none at fit). Words are ranked with or without them.
        Memory: the texts' sequences, one byte per row of the bag, and the
        n-grams of the ``k`` best rows per class.

    Returns
    -------
    top : dict
        For each class, a list of up to ``k`` ``(ngram, weight)`` pairs, the
        largest weight first. The weight is what the n-gram adds to the class's
        logit where the gate is neutral (the LSTM scales it by
        ``2 * sigmoid(gate)``, 0 to 2, at each occurrence); for two classes the
        first class's weights are those of the one logit, negated. A hashed row
        that several n-grams share is named by the most frequent one, followed
        by ``" (+N more)"`` (``" (+63 or more)"``: past 64 distinct ones,
        they are not all counted). The out-of-vocabulary row is left out.

    Raises
    ------
    ValueError
        If the classifier has no bag, or ``k`` is not a positive integer.
    """
    sequencer, classifier = _steps(pipeline)
    if not isinstance(k, Integral) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}.")
    if not classifier.bag_ngrams:
        raise ValueError("The classifier has no bag of n-grams (bag_ngrams=0).")
    model = classifier.model_
    bag = model.get_layer("ngram_bag")
    vocabulary = sequencer.get_vocabulary()
    # (An embedding set larger than the vocabulary has rows no word reaches.)
    allowed = np.arange(bag.rows) < min(bag.vocab_size, len(vocabulary))
    allowed[[0, OOV_INDEX]] = False
    if texts is not None:
        sequences = classifier.feature_encoder_.transform(
            classifier._validate_data(pipeline[:-1].transform(check_texts(texts)))[0]
        )
        for _, ids, valid in ngram_rows(bag, sequences):
            allowed[ids[valid & (ids >= bag.vocab_size)]] = True
        chosen = strongest_rows(model, k, allowed)
        hashed = np.unique(np.concatenate(chosen))
        names = name_rows(bag, sequences, hashed[hashed >= bag.vocab_size])
    else:
        names = getattr(classifier, "bag_row_names_", None)
        if names is None:
            if bag.max_n > 1:
                warnings.warn(
                    "This model keeps no names for its n-grams of 2 words and "
                    "more (its bag is projected, it was trained by partial_fit "
                    "alone, or saved before they were kept): words alone are "
                    "ranked. Pass texts (the training texts) to rank and name "
                    "its n-grams.",
                    UserWarning,
                    stacklevel=2,
                )
            names = np.zeros((0, 2 + bag.max_n), dtype=np.int64)
        allowed[names[:, 0]] = True
        chosen = strongest_rows(model, k, allowed)
    named = dict(enumerate(vocabulary))
    for row, distinct, *ngram in names.tolist():
        name = " ".join(vocabulary[i] for i in ngram if i)
        more = f"{distinct - 1} or more" if distinct >= KEPT else f"{distinct - 1} more"
        named[row] = name if distinct == 1 else f"{name} (+{more})"
    weights = bag_weights(model, np.concatenate(chosen))
    if weights.shape[1] == 1:
        weights = np.concatenate([-weights, weights], axis=1)
    top, at = {}, 0
    for column, (label, rows) in enumerate(
        zip(classifier.classes_.tolist(), chosen, strict=True)
    ):
        values = weights[at : at + len(rows), column]
        top[label] = [(named[r], float(v)) for r, v in zip(rows, values, strict=True)]
        at += len(rows)
    return top


def _outputs(classifier):
    """The logits of ``classifier``'s model: 1 for two classes, else one per
    class (or label)."""
    return n_outputs(classifier.n_classes_, classifier._multi_label)


def _steps(pipeline):
    """The fitted sequencer and classifier of ``pipeline``, or a TypeError."""
    steps = (
        [step for _, step in pipeline.steps if step not in (None, "passthrough")]
        if isinstance(pipeline, Pipeline)
        else []
    )
    if (
        len(steps) != 2
        or not isinstance(steps[0], TextSequencer)
        or not isinstance(steps[1], LSTMClassifier)
    ):
        raise TypeError(
            "Expected a pipeline of a TextSequencer and an LSTMClassifier (as "
            f"make_lstm_pipeline builds), got {type(pipeline).__name__}"
            + ("" if not steps else f" of {[type(s).__name__ for s in steps]}")
            + "."
        )
    check_is_fitted(steps[0])
    check_is_fitted(steps[1])
    return steps


def _columns(classifier, classes):
    """The logit columns to explain, and whether they are per text (predicted)."""
    outputs = _outputs(classifier)
    if classes is None:
        return np.arange(outputs), False
    if isinstance(classes, str) and classes == "predicted":
        return np.zeros(1, dtype=int), True
    if outputs == 1:
        raise ValueError(
            "A two-class model has one logit (of its second class): leave "
            "classes=None or pass 'predicted'."
        )
    known = classifier.classes_.astype(object).tolist()
    classes = list(classes) if not isinstance(classes, str) else [classes]
    unknown = [c for c in classes if c not in known]
    if unknown or not classes:
        raise ValueError(
            f"classes must be None, 'predicted' or labels among {known}; got "
            f"{classes!r}."
        )
    return np.array([known.index(c) for c in classes]), False


def _function(classifier, per_text):
    """A tf.function from a batch of windows to what `_Parts` needs, cached."""
    model = classifier.model_
    cached = _FUNCTIONS.setdefault(model, {})
    if per_text in cached:
        return cached[per_text]
    dense = _output_layer(model)
    outputs = {
        "probabilities": model.output,
        "logits": model.layers[-1].input,
        "features": dense.input,
    }
    if _architecture(model)["pooling"] != "last":  # the states pooling reads
        recurrent = next(
            layer
            for layer in model.layers
            if isinstance(layer, (keras.layers.LSTM, keras.layers.Bidirectional))
        )
        states = recurrent.output
        outputs["states"] = states[0] if isinstance(states, (list, tuple)) else states
    names = {layer.name for layer in model.layers}
    if "ngram_bag" in names:
        outputs["gates"] = model.get_layer("gates").output
    inner = keras.Model(model.inputs, outputs)
    bag = model.get_layer("ngram_bag") if "ngram_bag" in names else None
    projection = (
        model.get_layer("bag_projection") if "bag_projection" in names else None
    )

    @tf.function(
        input_signature=[
            tf.TensorSpec((None, None), tf.int32),
            tf.TensorSpec((None,), tf.int32),
        ]
    )
    def run(x, columns):
        # columns: the logits to explain (unless per_text: each text's best)
        values = inner(x, training=False)
        values = {k: values[k] for k in outputs}
        if per_text:  # the predicted class's column only
            column = ops.argmax(values["logits"], axis=-1)
            if values["logits"].shape[-1] == 1:
                column = ops.zeros_like(column)
            values["column"] = column
        if bag is not None:
            ngrams = bag.contributions(x, values.pop("gates"))
            if projection is not None:
                kernel = projection.kernel  # (columns, outputs)
                if per_text:
                    ngrams = ops.einsum(
                        "bnc,cb->bn", ngrams, ops.take(kernel, column, axis=1)
                    )[..., None]
                else:
                    ngrams = ops.matmul(ngrams, ops.take(kernel, columns, axis=1))
            elif per_text:
                ngrams = ops.take_along_axis(
                    ngrams, ops.cast(column, "int32")[:, None, None], axis=-1
                )
            else:
                ngrams = ops.take(ngrams, columns, axis=-1)
            values["ngrams"] = ngrams
        return values

    cached[per_text] = run
    return run


def _architecture(model):
    """How the fitted ``model`` pools, masks and reads: from its layers."""
    layers = model.layers
    kinds = {type(layer).__name__ for layer in layers}
    if "MaskedGlobalMaxPooling1D" in kinds:
        pooling = "max"
    elif kinds & {"MaskedGlobalAveragePooling1D", "GlobalAveragePooling1D"}:
        pooling = "mean"
    else:
        pooling = "last"
    embedding = next(x for x in layers if isinstance(x, keras.layers.Embedding))
    return {
        "pooling": pooling,
        "mask_zero": bool(embedding.mask_zero),
        "bidirectional": "Bidirectional" in kinds,
    }


def _output_layer(model):
    """The Dense layer that reads the pooled LSTM states."""
    return next(
        layer
        for layer in model.layers
        if isinstance(layer, keras.layers.Dense)
        and layer.name not in ("gates", "bag_projection")
    )


class _Parts:
    """Turns the model's values for a batch of windows into Explanations."""

    def __init__(self, classifier, columns):
        model = classifier.model_
        self.classifier = classifier
        self.columns = columns
        dense = _output_layer(model)
        self.kernel = np.asarray(dense.kernel, dtype=np.float64)
        self.bias = np.asarray(dense.bias, dtype=np.float64)
        self.features = self.kernel.shape[0]
        # From the fitted model: parameters set since fit do not change it.
        vars(self).update(_architecture(model))
        names = {layer.name for layer in model.layers}
        self.bag = model.get_layer("ngram_bag") if "ngram_bag" in names else None
        self.max_n = self.bag.max_n if self.bag is not None else 0
        self.bag_columns = self.bag.units if self.bag is not None else 0
        # The one logit of two classes is the second class's.
        self.offset = 1 if _outputs(classifier) == 1 else 0

    def explain(self, x, values):
        """One Explanation (tokens left to the caller) per row of ``x``."""
        per_text = "column" in values
        columns = values["column"][:, None] if per_text else self.columns[None, :]
        logits = values["logits"].astype(np.float64)
        kernel = self.kernel[:, columns].transpose(1, 0, 2)  # (rows or 1, F, K)
        bias = self.bias[columns]  # (rows|1, K)
        steps = self._lstm_steps(x, values["features"].astype(np.float64), values)
        kernel = np.broadcast_to(kernel, (len(x), *kernel.shape[1:]))
        lstm_steps = np.einsum("bwf,bfk->bwk", steps, kernel)
        width = x.shape[1]
        words = np.zeros_like(lstm_steps)
        real = []
        if self.bag is not None:
            ngrams = values["ngrams"].astype(np.float64)
            ngrams = ngrams.reshape(len(x), self.max_n, width, -1)
            inside = x > 0
            for n in range(1, self.max_n + 1):
                for i in range(n):
                    words[:, i:] += ngrams[:, n - 1, : width - i] / n
                if n > 1:
                    inside = inside[:, :-1] & (x[:, n - 1 :] > 0)
                real.append(inside)
        proba = values["probabilities"]
        if proba.shape[1] == 1:  # as scikeras: [1 - p, p]
            proba = np.concatenate([1 - proba, proba], axis=1)
        for row in range(len(x)):
            where = np.flatnonzero(x[row])
            position = np.full(width, -1)
            position[where] = np.arange(len(where))
            label = int(np.argmax(proba[row]))
            own = columns[row if per_text else 0]
            ngram_list, ngram_values = [], []
            for n, inside in enumerate(real, start=1):
                starts = np.flatnonzero(inside[row])
                ngram_list += [(int(position[s]), n) for s in starts]
                ngram_values.append(ngrams[row, n - 1, starts])
            lstm_words = lstm_steps[row, where]
            yield Explanation(
                text=None,
                label=label,
                probability=float(proba[row, label]),
                classes=own + self.offset,  # indices into classes_ until then
                logit=logits[row, own],
                bias=bias[row if per_text else 0],
                tokens=None,
                spans=None,
                bag=words[row, where],
                lstm=lstm_words,
                lstm_padding=lstm_steps[row].sum(axis=0) - lstm_words.sum(axis=0),
                ngrams=ngram_list,
                ngram_values=(
                    np.concatenate(ngram_values)
                    if ngram_values
                    else np.zeros((0, len(own)))
                ),
            )

    def _lstm_steps(self, x, features, values):
        """Each step's share of each pooled feature: (batch, width, features)."""
        batch, width = x.shape
        if self.mask_zero:
            read = x > 0
        else:
            read = np.ones(x.shape, dtype=bool)
        shares = np.zeros((batch, width, self.features))
        if self.pooling == "max":
            states = np.where(read[..., None], values["states"], -np.inf)
            peak = np.argmax(states, axis=1)  # (batch, features)
            b, f = np.indices(peak.shape)
            shares[b, peak, f] = features * read.any(axis=1)[:, None]
        elif self.pooling == "mean":
            counts = np.maximum(read.sum(axis=1), 1)[:, None, None]
            shares = np.where(read[..., None], values["states"], 0) / counts
            shares = shares.astype(np.float64)
        else:  # "last": the last step read (a backward LSTM's: the first)
            has = read.any(axis=1)
            last = width - 1 - np.argmax(read[:, ::-1], axis=1)
            forward = self.features // 2 if self.bidirectional else self.features
            rows = np.arange(batch)
            shares[rows, last, :forward] = features[:, :forward] * has[:, None]
            if self.bidirectional:
                first = np.argmax(read, axis=1)
                shares[rows, first, forward:] = features[:, forward:] * has[:, None]
        return shares


def _kept(sequencer, n_tokens):
    """The slice of a text's ``n_tokens`` tokens that ``sequencer`` keeps."""
    maxlen = sequencer.maxlen
    if n_tokens <= maxlen:
        return slice(None)
    return (
        slice(n_tokens - maxlen, None)
        if sequencer.truncating == "pre"
        else slice(0, maxlen)
    )


def _spans_analyzer(sequencer):
    """A function from a text to its tokens (as the sequencer's analyzer makes
    them) and each token's (start, end) in the text, as two NumPy object arrays."""
    min_n, max_n = sequencer.ngram_range
    if sequencer.tokenizer is None:
        pattern = sequencer._token_regex()
        grouped = pattern.groups == 1

        def words(text):
            lowered = text.lower() if sequencer.lowercase else text
            origin = _origins(text, lowered)
            tokens, spans = [], []
            for match in pattern.finditer(lowered):
                token = match.group(1) if grouped else match.group()
                if grouped and not token:  # as the sequencer: empty groups only
                    continue
                start, end = match.span(1) if grouped else match.span()
                tokens.append(token)
                spans.append((origin(start), origin(end - 1) + 1))
            return tokens, spans
    else:
        tokenize = sequencer.build_tokenizer()

        def words(text):
            lowered = text.lower() if sequencer.lowercase else text
            origin = _origins(text, lowered)
            tokens, spans, cursor = list(tokenize(text)), [], 0
            for token in tokens:
                start = lowered.find(token, cursor) if token else -1
                if start < 0:
                    spans.append(None)
                    continue
                cursor = start + len(token)
                spans.append((origin(start), origin(cursor - 1) + 1))
            return tokens, spans

    def analyze(text):
        tokens, spans = words(text)
        if (min_n, max_n) != (1, 1):
            grams, gram_spans = [], []
            for start in range(len(tokens)):
                for n in range(min_n, min(max_n, len(tokens) - start) + 1):
                    grams.append(" ".join(tokens[start : start + n]))
                    first, last = spans[start], spans[start + n - 1]
                    gram_spans.append(
                        None if first is None or last is None else (first[0], last[1])
                    )
            tokens, spans = grams, gram_spans
        token_array = np.empty(len(tokens), dtype=object)
        token_array[:] = tokens
        span_array = np.empty(len(spans), dtype=object)
        span_array[:] = spans
        return token_array, span_array

    return analyze


def _origins(text, lowered):
    """Map an index of ``lowered`` (``text`` lowercased) to one of ``text``."""
    if len(lowered) == len(text):
        return int
    # A few characters lowercase to more than one ("İ" to "i̇").
    origin = np.repeat(np.arange(len(text)), [len(c.lower()) for c in text])
    return lambda i: int(origin[i])
