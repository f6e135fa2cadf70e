"""The LSTM text classifier: a scikeras ``KerasClassifier`` with real parameters."""

import contextlib
import functools
import math
import numbers
import os
import warnings
from collections import defaultdict
from types import MappingProxyType

import keras
import numpy as np
import tensorflow as tf
from scikeras.wrappers import KerasClassifier
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import NotFittedError
from sklearn.utils import ClassifierTags, check_random_state

from ._batching import Windows, batches, bucketed_dataset
from ._checkpoint import Checkpoint, fit_key
from ._constraints import CLASSIFIER
from ._memory import check_model_memory, memory_check_off
from ._model import (
    MAX_AUTO_BUCKETS,
    ClassWeightShift,
    SparseCrossentropy,
    auto_buckets,
    bag_shape,
    build_lstm_model,
    count_weights,
    n_outputs,
    naive_bayes_prior,
)
from ._ngram_names import name_strongest_rows
from ._random import MAX_SEED
from ._scikeras import LabelEncoder, route_params
from ._sequencer import OOV_INDEX
from ._training import (
    CosineDecay,
    arrays_inside,
    class_indices,
    class_weight_vector,
    fit_transaction,
    split_validation,
    training_rows,
    without_class_weights,
)
from ._validation import (
    as_label_vector,
    check_sequences,
    checked_sample_weight,
    label_names,
)
from ._vectors import WordsOf, word_vector_rows
from ._weights import check_model_size, file_limit, model_bytes, read_weights

#: The most columns of the bag with ``bag_dim="auto"``: one per class up to 32
#: classes, a shared projection to the classes beyond.
AUTO_BAG_DIM = 32

#: ``early_stopping="auto"`` stops early on data of fewer texts than this.
AUTO_EARLY_STOPPING_BELOW = 10_000
#: What "auto" gives ``validation_fraction`` where the fit stops early.
AUTO_VALIDATION_FRACTION = 0.1
#: What "auto" gives ``epochs``: without early stopping, and the most with it.
AUTO_EPOCHS, AUTO_MAX_EPOCHS = 2, 30
#: What "auto" gives ``learning_rate`` where the fit stops early (else Adam's
#: default, 0.001).
AUTO_LEARNING_RATE = 0.003

# Parameters added since the first models were saved (with joblib), in the order
# they came, each with the value that gives the model of files without it. Both
# `load` and unpickling fill them in.
ADDED_PARAMS = MappingProxyType(
    {
        "length_bucketing": False,
        "pooling": "last",
        "bidirectional": False,
        "learning_rate": None,
        "early_stopping": False,
        "validation_fraction": None,
        "n_iter_no_change": 2,
        "clipnorm": None,
        "learning_rate_schedule": "constant",
        "bag_ngrams": 0,
        "bag_buckets": 2_097_143,
        "min_steps": 0,
        "predict_batch_size": None,
        "label_smoothing": 0.0,
        "bag_binary": False,
        "bag_dim": None,
        "checkpoint_dir": None,
        "word_vectors": None,
        "freeze_word_vectors": False,
    }
)


class LSTMClassifier(KerasClassifier):
    """LSTM classifier of integer sequences, such as those of `TextSequencer`.

    A scikeras ``KerasClassifier`` whose model reads a text two ways at once:
    ``Embedding -> Dropout -> LSTM -> max pooling over time -> Dropout -> Dense``
    gives logits, and a linear bag of the text's words and word n-grams
    (`NgramBag`, started from naive Bayes log-count ratios as NBSVM is, each
    n-gram counted once per text) adds its own, each position's n-grams weighted
    by a gate the LSTM reads off its state there. The sum goes through one
    sigmoid unit (binary cross-entropy) for two classes, softmax (sparse
    categorical cross-entropy) for more, and a sigmoid per label for several
    labels per text (``y`` a 0/1 indicator matrix). The bag makes
    the model as quick to learn as a linear model on a few hundred texts; the
    LSTM weighs the n-grams in context. It trains with Adam towards labels
    smoothed by 0.05, while the learning rate comes down to 0 along a cosine:
    for 2 epochs on 10,000 texts and more, and on fewer until the accuracy on a
    tenth held out stops improving (``early_stopping="auto"``), at a higher
    rate. The bag's size follows the data (``bag_buckets="auto"``), and beyond
    32 classes its n-grams share a projection to the classes
    (``bag_dim="auto"``), so that memory does not grow with their number. The
    architecture and training choices are constructor parameters, so they can
    be grid-searched (``classifier__units``, ``classifier__dropout`` in a
    pipeline); the classic
    Keras recipe (Embedding 32 -> LSTM 100 -> last state, 3 epochs at a constant
    rate) is ``LSTMClassifier(embedding_dim=32, units=100, dropout=0,
    pooling="last", bag_ngrams=0, learning_rate=None, clipnorm=None,
    learning_rate_schedule="constant", label_smoothing=0, epochs=3,
    min_steps=0, early_stopping=False, validation_fraction=None)``, or
    ``make_lstm_pipeline(**CLASSIC_RECIPE)`` with its text step.

    It also mends three defects of scikeras 0.13 under scikit-learn >= 1.7: it
    is tagged as a classifier (``is_classifier`` is True, so ``GridSearchCV``
    uses stratified folds and ``scoring="roc_auc"`` works), a seeded fit
    restores TensorFlow's global state afterwards (scikeras leaves op
    determinism on, which makes a later unseeded fit fail), and
    ``predict_proba`` of a single sample keeps its shape ``(1, n_classes)``.

    Parameters
    ----------
    vocab_size : "auto" or int, default="auto"
        Rows of the embedding. ``"auto"`` takes the largest index seen in ``fit``
        plus one. At predict time, indices the embedding does not cover are read
        as out-of-vocabulary (index 1). With ``partial_fit``, "auto" is taken
        from the first batch: give the size (``num_words``) instead.
    embedding_dim : int, default=32
        Size of the word vectors.
    units : int, default=64
        Size of the LSTM state.
    dropout : float, default=0.5
        Rate of the Dropout layers before and after the LSTM (and before the
        bag's gates); 0 leaves them out.
    recurrent_dropout : float, default=0.0
        Dropout on the LSTM's recurrent state (non-zero rules out cuDNN on a GPU).
    mask_zero : bool, default=False
        Mask index 0 (padding) so that the LSTM skips it. Needed with
        ``padding="post"``; with pre-padding the classic recipe does without.
    bidirectional : bool, default=False
        Add an LSTM that reads each text backwards; the output layer sees both
        (``2 * units`` features).
    pooling : {"last", "max", "mean"}, default="max"
        What the output layer reads: the LSTM's last state, or the maximum or
        mean of its states over the time steps (masked steps excluded).
    bag_ngrams : int, default=3
        Beside the LSTM, a linear bag-of-n-grams path: every word and every run
        of 2 to ``bag_ngrams`` words (hashed into ``bag_buckets`` rows) gets a
        weight, and the weights of a text's n-grams add to the LSTM's logits.
        Each weight is the naive Bayes log-count ratio of the n-gram in the
        training texts times a factor trained with the rest of the model (NBSVM,
        Wang and Manning 2012), which learns from a few hundred texts as a
        linear model does. The LSTM's state at each position gates the n-grams
        that start there. ``fit`` counts the ratios when it builds the model,
        on the rows it trains on (not those held out for validation), each
        text counted by its ``sample_weight``;
        a model built by ``partial_fit`` keeps a prior of ones
        (a plain linear model of the n-grams). 0 leaves the path out (an
        LSTM alone).
    bag_buckets : "auto" or int, default="auto"
        Rows that the bag's n-grams of 2 words and more are hashed into (at
        most ``2**31 - 1``): more means fewer collisions and more weights; a
        prime spreads them best. ``"auto"`` takes 4 rows per n-gram that the
        texts given to ``fit`` hold, rounded up to a prime, between 1,021 and
        2,097,143 (the largest prime below 2**21, which 25,000 IMDB reviews
        reach): MPQA's 10,606 phrases of 3 words get 142,297, and train twice
        as fast as with the most. ``partial_fit`` takes the most. The
        number of the fitted model is ``bag_buckets_``.
    bag_binary : bool, default=True
        Count each n-gram of a text once in the bag, however often it occurs
        (each occurrence weighs ``1 / count``, times its gate), as
        ``CountVectorizer(binary=True)`` and NBSVM's features do (n-grams hashed
        into one row count as one); False counts every occurrence (as files
        saved before this parameter existed do).
    bag_dim : "auto", int or None, default="auto"
        Columns of each of the bag's rows. With one per output (one logit for
        two classes, one per class beyond), each n-gram has its own weight per
        class, started from the naive Bayes prior. With fewer, the bag is a
        low-rank model, as fastText's hidden layer is: its columns go through a
        shared projection to the classes (no naive Bayes prior), so that its
        memory does not grow with the number of classes. ``"auto"`` gives one
        column per output up to 32 classes and 32 beyond; None, one per output
        whatever their number.
    word_vectors : str, os.PathLike, Mapping or None, default=None
        Pretrained word vectors to start the embedding from: a text file of a
        word and its numbers per line (GloVe; word2vec's text format and
        fastText's ``.vec``, with their first line of counts; ``.gz`` read
        compressed) or a mapping from word to vector. The rows of the words
        found start from their vectors (a word missing in its case takes the
        vector of the same word in another case), the others at random as without;
        ``embedding_dim`` must be the vectors' dimension. The file is read
        once, in ``fit`` (a line at a time, keeping the vocabulary's vectors
        only); the vectors then live in the model. Needs the word of each
        index, which `make_lstm_pipeline`'s pipeline hands over from its
        sequencer (alone: ``fit(X, y, words=sequencer.get_vocabulary())``). A
        mapping saves with joblib but not with `sk_lstm.save` (a path does).
    freeze_word_vectors : bool, default=False
        Keep the pretrained vectors as they are in training (the rows of the
        words without one still learn); False fine-tunes them with the rest.
    length_bucketing : bool, default=True
        In ``fit`` and ``predict``, batch sequences of similar length together and
        cut each batch to its longest sequence (rounded up to a multiple of 16
        tokens), so that the LSTM runs over the words rather than the padding:
        about 2x faster on IMDB. Each row is read the same way whatever batch it
        lands in, and results come back in the caller's order. ``False`` feeds the
        full padded rows, as plain Keras does.
    optimizer : str or keras.optimizers.Optimizer, default="adam"
        Optimizer; set its other parameters with ``optimizer__beta_1=...``.
    learning_rate : "auto", float or None, default="auto"
        Learning rate of the optimizer; None keeps the optimizer's default
        (0.001 for Adam). ``"auto"`` gives 0.003 where the fit stops early
        (see ``early_stopping``: small data, where the validation set ends
        training before the faster rate overfits) and the optimizer's default
        otherwise.
    clipnorm : float or None, default=1.0
        Scale down the gradient of each weight whose norm is larger than this
        (``clipnorm`` of Keras' optimizers), which keeps training steady on long
        texts; None lets gradients be.
    learning_rate_schedule : {"constant", "cosine"}, default="cosine"
        ``"cosine"`` lowers the learning rate after every gradient step of
        ``fit``, along half a cosine from its value down to 0 at the end of the
        last epoch, so that the last epochs settle instead of jumping around.
        ``partial_fit`` always keeps the rate constant.
    loss : str, keras loss or None, default=None
        ``None`` picks binary cross-entropy for two classes and sparse categorical
        cross-entropy for more, with ``label_smoothing``.
    label_smoothing : float, default=0.05
        Train towards labels moved this share of the way to the uniform: each
        class aims at ``label_smoothing / n_classes``, the true class at that
        plus ``1 - label_smoothing`` (0.975 and 0.025 for two classes), so that
        texts the model already gets right stop pushing its logits. The
        probabilities of ``predict_proba`` stay further from 0 and 1 than
        without it. Applies to the default loss (``loss=None``); a loss you pass
        is used as it is. 0 trains towards the labels themselves.
    epochs : "auto" or int, default="auto"
        Passes over the training data (the most, with early stopping), or
        more where ``min_steps`` asks for them. ``"auto"`` gives 2, or at most
        30 where the fit stops early (more on fewer than about 850 texts, where
        30 epochs make fewer than ``min_steps`` steps). The cosine schedule
        spans all of them, so a fit that stops early ends at most of its rate.
    min_steps : int, default=400
        ``fit`` trains for enough epochs to make at least this many gradient
        steps, so that small data sets get more passes (25 epochs of 1,000
        texts in batches of 64); 0 trains for ``epochs`` whatever the size.
    early_stopping : "auto" or bool, default="auto"
        In ``fit``, stop when the validation accuracy (the loss, if ``metrics``
        leaves accuracy out) has not improved for ``n_iter_no_change`` epochs,
        and keep the weights of the best epoch. Needs a validation set
        (``validation_fraction``). ``"auto"`` stops early where ``fit`` gets
        fewer than 10,000 texts: there a fixed number of epochs either stops
        before the LSTM has learned or lets the bag learn its texts by heart,
        and the tenth held out costs little time; on more, 2 epochs over all
        the data do best (``do_early_stopping_`` says which applied). This is
        the opposite of ``HistGradientBoostingClassifier``'s "auto" (on above
        10,000 samples), for the reason given. With ``validation_fraction=None``
        "auto" does not stop early. In a grid search, folds below 10,000 texts
        stop early even where the refit on all the data does not.
        ``partial_fit`` never stops early.
    validation_fraction : "auto", float in (0, 1) or None, default="auto"
        Fraction of the training data that ``fit`` holds out (stratified,
        drawn with ``random_state``) and scores after every epoch: ``val_loss``
        and ``val_accuracy`` in ``history_``. None trains on all of it;
        ``"auto"`` holds out 0.1 where the fit stops early, nothing otherwise.
        A Keras ``validation_split`` or ``validation_data``, if given, is used
        instead (``validation_data`` if both are, as in Keras).
    n_iter_no_change : int, default=2
        Epochs without improvement of the validation score before stopping.
    batch_size : int, default=64
        Samples per gradient step.
    predict_batch_size : int or None, default=512
        Samples per batch in ``predict`` and ``predict_proba``: larger batches
        keep the CPU busier. None uses ``batch_size``; a routed
        ``predict__batch_size`` wins over both.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, as scikit-learn's estimators take them: a dict
        from label to weight, or "balanced" for ``n_samples / (n_classes *
        count)`` of each class in ``y`` (each call's ``y`` in
        ``partial_fit``); None weighs every class 1. The model trains on an
        unweighted loss of its logits shifted by ``-0.5 * log(weight)``, and
        predicts with the logits themselves (logit adjustment, Menon et al.
        2021; the loss is ``sk_lstm._model.ClassWeightShift``): its
        probabilities are each class's times the square root of its weight,
        normalized. Half the shift that would make them a weighted loss's
        aim, because the full shift labelled too many texts with the rare
        class on held-out data; and no weights scale the rare classes'
        gradients up, which trains worse (IMDB cut to 10 % positive, held-out
        training reviews: 70 % balanced accuracy with a weighted loss, 88 %
        so). ``sample_weight`` still weighs the loss and the bag's naive
        Bayes ratios; the accuracy on the ``validation_fraction`` held out,
        which early stopping watches, counts each text by its class's weight
        times its ``sample_weight``.
        With a ``loss`` of your own the weights scale the loss instead
        (scikeras').
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialization, dropout and shuffling: the same int gives
        the same predictions. Process-wide random state is restored after ``fit``.
    checkpoint_dir : str, os.PathLike or None, default=None
        A folder where ``fit`` saves its state at the end of every epoch, so
        that a fit killed on the way (Ctrl-C, the out-of-memory killer, a time
        limit) can resume: the same call again (the same data and parameters,
        an int ``random_state``) finds the file by a hash of those and trains
        the epochs that are left. With ``length_bucketing`` it ends with the
        predictions of an uninterrupted fit, bit for bit; without, Keras draws
        the orders of the epochs left afresh (the same steps, other weights).
        Saved are the model's and the optimizer's variables, early stopping's
        record and the history, not the state of your own ``callbacks``. The
        file goes when the fit ends; one folder may serve many fits (the
        folds of a grid search, say). ``partial_fit``, and a warm-started
        refit, do not checkpoint. A damaged file stops ``fit`` with
        an error that names it.
    verbose : {0, 1, 2, "auto"}, default=0
        Keras' progress output: 1 shows a progress bar per epoch.
    **kwargs
        Any other ``scikeras.wrappers.KerasClassifier`` argument, such as
        ``callbacks``, ``validation_split``, ``metrics`` or
        routed ones (``fit__shuffle``, ``predict__batch_size``...).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels seen in ``fit``, as given (ints, strings...); for
        several labels per text, the columns of ``y``: 0, 1, ..., or the
        column names of a DataFrame.
    n_classes_ : int
        Number of classes (or labels).
    vocab_size_ : int
        Rows of the fitted model's embedding.
    bag_buckets_ : int
        Rows of the fitted bag's hashed n-grams (``bag_buckets``, or what
        "auto" made of it).
    do_early_stopping_ : bool
        Whether ``fit`` watched a held-out set to stop early (``early_stopping``,
        or what "auto" made of it); it may still have run every epoch.
    model_ : keras.Model
        The fitted Keras model.
    history_ : dict of str to list of float
        Loss and metrics per epoch, on the training data and (``val_`` keys) on
        the validation data.
    bag_row_names_ : ndarray of shape (n_named, 2 + bag_ngrams) or None
        Names of the bag's hashed rows that weigh most (50 per class), which
        `sk_lstm.top_ngrams` reads: per row, the row, how many distinct
        training n-grams are hashed there, and the word indices of the most
        frequent one, 0-padded. None without n-grams of 2 words or more, or
        with a bag projected to the classes (``bag_dim``), or for a model built
        by ``partial_fit``. Set by ``fit`` (one more pass over the training
        sequences); ``partial_fit`` keeps the names of the last fit (the
        ranking follows the weights).

    See Also
    --------
    sk_lstm.TextSequencer : Turns raw texts into the sequences this model reads.
    sk_lstm.make_lstm_pipeline : Both in one Pipeline.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_lstm import LSTMClassifier
    >>> X = np.array([[0, 2, 3], [0, 4, 5], [2, 3, 3], [4, 5, 5]] * 8)
    >>> y = np.array([1, 0, 1, 0] * 8)
    >>> clf = LSTMClassifier(units=4, embedding_dim=4, bag_buckets=1021, epochs=2,
    ...                      min_steps=0, random_state=0)
    >>> clf.fit(X, y).predict_proba(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints = CLASSIFIER
    # With metadata routing on, the words a pipeline hands over are asked for.
    __metadata_request__fit = {"words": True}
    __metadata_request__partial_fit = {"words": True}

    def __init__(
        self,
        *,
        vocab_size="auto",
        embedding_dim=32,
        units=64,
        dropout=0.5,
        recurrent_dropout=0.0,
        mask_zero=False,
        bidirectional=False,
        pooling="max",
        bag_ngrams=3,
        bag_buckets="auto",
        bag_binary=True,
        bag_dim="auto",
        word_vectors=None,
        freeze_word_vectors=False,
        length_bucketing=True,
        optimizer="adam",
        learning_rate="auto",
        clipnorm=1.0,
        learning_rate_schedule="cosine",
        loss=None,
        label_smoothing=0.05,
        epochs="auto",
        min_steps=400,
        early_stopping="auto",
        validation_fraction="auto",
        n_iter_no_change=2,
        batch_size=64,
        predict_batch_size=512,
        class_weight=None,
        random_state=None,
        checkpoint_dir=None,
        verbose=0,
        **kwargs,
    ):
        super().__init__(
            class_weight=class_weight,
            optimizer=optimizer,
            loss=loss,
            epochs=epochs,
            batch_size=batch_size,
            random_state=random_state,
            verbose=verbose,
            **kwargs,
        )
        self.vocab_size = vocab_size
        self.embedding_dim = embedding_dim
        self.units = units
        self.dropout = dropout
        self.recurrent_dropout = recurrent_dropout
        self.mask_zero = mask_zero
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.bag_ngrams = bag_ngrams
        self.bag_buckets = bag_buckets
        self.bag_binary = bag_binary
        self.bag_dim = bag_dim
        self.word_vectors = word_vectors
        self.freeze_word_vectors = freeze_word_vectors
        self.length_bucketing = length_bucketing
        self.learning_rate = learning_rate
        self.clipnorm = clipnorm
        self.learning_rate_schedule = learning_rate_schedule
        self.label_smoothing = label_smoothing
        self.min_steps = min_steps
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.predict_batch_size = predict_batch_size
        self.checkpoint_dir = checkpoint_dir

    # scikeras seeds through `tensorflow_random_state`, which leaves TensorFlow op
    # determinism on for the rest of the process. Hiding the seed from it (its
    # `_random_state` always reads None) and seeding in `fit_transaction` instead
    # keeps seeded fits reproducible without that side effect.
    @property
    def _random_state(self):
        return None

    @_random_state.setter
    def _random_state(self, value):
        pass

    def __getstate__(self):
        # Plain data only, so that skops can save a fitted classifier and check
        # every type in it: the model as the bytes of its .keras file, read
        # back into a model built from the parameters (as `load` does), and
        # scikeras' label encoder left out (rebuilt from ``classes_``).
        state = dict(super().__getstate__())  # (the instance's own __dict__)
        if "model_" in state:
            del state["target_encoder_"]
            state["model_"] = model_bytes(self.model_)
            state["history_"] = dict(vars(self).get("history_", {}))
            for name in ("X_dtype_", "y_dtype_"):  # as str: no NumPy type to trust
                state[name] = state[name].str
        return state

    def __setstate__(self, state):
        state = {**ADDED_PARAMS, **state}  # files from before them
        if "model_" in state and "bag_buckets_" not in state:
            state["bag_buckets_"] = state["bag_buckets"]
        if "model_" in state and "do_early_stopping_" not in state:
            state["do_early_stopping_"] = state["early_stopping"] is True
        keras_file = state.get("model_")
        if not isinstance(keras_file, np.ndarray):  # pickled by scikeras
            super().__setstate__(state)
            return
        fitted = {k: v for k, v in state.items() if k != "model_"}
        for name in ("X_dtype_", "y_dtype_"):
            fitted[name] = np.dtype(fitted[name])
        super().__setstate__(fitted)
        self._validate_params()  # as `load` does: a file's values are not trusted
        self._rebuild_model(
            self.feature_encoder_.vocab_size_,
            self.bag_buckets_,
            self.classes_,
            self.n_features_in_,
            keras_file,
            slots=True,
        )
        vars(self).update(fitted)  # over what `initialize`'s stand-in data gave
        self.history_ = defaultdict(list, self.history_)

    def _rebuild_model(
        self, vocab_size, buckets, classes, length, keras_file, what=None, slots=False
    ):
        """Build the model from the parameters and read its weights from a file.

        scikeras' `initialize` (its way to set up a model without fitting) sets
        the label encoder and metadata from ``classes`` and the sequence
        length, and builds the model with the embedding's and the bag's sizes
        given rather than read from data; the weights are then read into that
        model, and nothing else of the file is. The optimizer's slots too with
        ``slots`` (unpickling: training on resumes Adam), else it starts afresh.
        A model of several labels per text is rebuilt as one if
        ``target_type_`` is "multilabel-indicator" beforehand.
        """
        weights = self._weight_count(vocab_size, len(classes))  # (bag_buckets_ set)
        check_model_size(length, vocab_size, len(classes), weights)
        saved = self.vocab_size, self.bag_buckets
        self.vocab_size, self.bag_buckets = vocab_size, buckets
        stand_in = np.broadcast_to(np.int32(0), (len(classes), length))  # no memory
        # several labels per text: an indicator matrix stands for the classes
        labels = np.eye(len(classes), dtype=int) if self._multi_label else classes
        try:
            with memory_check_off():  # predicting needs less than training
                self.initialize(stand_in, labels)
        finally:
            self.vocab_size, self.bag_buckets = saved
        if slots:
            self.model_.optimizer.build(self.model_.trainable_variables)
        read_weights(self.model_, keras_file, file_limit(weights), what=what)

    @property
    def vocab_size_(self):
        return self.feature_encoder_.vocab_size_

    @property
    def feature_encoder(self):
        return SequenceEncoder(vocab_size=self.vocab_size)

    def _validate_data(self, X=None, y=None, reset=False, y_numeric=False):
        # Check word indices before scikeras does, for errors that name the bad
        # value, and as int32 so that int64 or whole-float input is accepted.
        if X is not None:
            X = check_sequences(X)
            if not reset and X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {X.shape[1]} features, but {type(self).__name__} is "
                    f"expecting {self.n_features_in_} features as input: sequences "
                    "must have the length they had in fit."
                )
        return super()._validate_data(X, y, reset=reset, y_numeric=y_numeric)

    def _fit(self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs):
        # scikeras builds a new model here unless it warm-starts; the bag's prior
        # is then counted in `_fit_keras_model`, on the training rows only.
        new_model = not ((self.warm_start or warm_start) and self.initialized_)
        # The size of the data is known in `fit`, not in `partial_fit`.
        in_fit = kwargs.get("_in_fit", False)
        sequences = check_sequences(X) if in_fit else None  # (scikeras' later)
        if new_model:
            self.bag_buckets_ = self._bag_buckets(sequences)
        if in_fit:  # every fit, warm-started or not, follows the parameters
            self.do_early_stopping_ = self._stops_early(len(sequences))
        elif new_model:
            self.do_early_stopping_ = False  # partial_fit never stops early
        super()._fit(
            X,
            y,
            sample_weight,
            warm_start,
            epochs,
            initial_epoch,
            _new_model=new_model,
            **kwargs,
        )

    def _stops_early(self, n_samples):
        """Whether ``fit`` of ``n_samples`` stops early: ``early_stopping``,
        "auto" giving True below `AUTO_EARLY_STOPPING_BELOW` texts where a
        validation fraction is to be held out."""
        if isinstance(self.early_stopping, str):
            return (
                n_samples < AUTO_EARLY_STOPPING_BELOW
                and self.validation_fraction is not None
            )
        return bool(self.early_stopping)

    def initialize(self, X, y):
        """Build the model for ``(X, y)`` without training it (scikeras').

        Returns
        -------
        self : LSTMClassifier
        """
        self.bag_buckets_ = self._bag_buckets(X)
        self.do_early_stopping_ = False
        return super().initialize(X, y)

    def _bag_buckets(self, X=None):
        """``bag_buckets``, or its "auto" value for the sequences ``X`` (the
        most without them)."""
        if self.bag_buckets != "auto":
            return self.bag_buckets
        if X is None or not self.bag_ngrams:
            return MAX_AUTO_BUCKETS
        return auto_buckets(check_sequences(X), self.bag_ngrams)

    def _built_buckets(self):
        # `bag_buckets_` is set in `_fit` and by `load`; a model built otherwise
        # (scikeras' `initialize`) takes the parameter, "auto" as the most.
        return vars(self).get("bag_buckets_") or self._bag_buckets()

    def _bag_dim(self):
        """Columns of the bag: ``bag_dim``, "auto" giving one per output up to
        `AUTO_BAG_DIM` and that many beyond."""
        if self.bag_dim == "auto":
            return AUTO_BAG_DIM
        return self.bag_dim

    def _weight_count(self, vocab_size, n_classes):
        """The weights of the model this classifier builds for the data."""
        return count_weights(
            vocab_size=vocab_size,
            n_classes=n_classes,
            embedding_dim=self.embedding_dim,
            units=self.units,
            bidirectional=self.bidirectional,
            bag_ngrams=self.bag_ngrams,
            bag_buckets=self._built_buckets(),
            bag_dim=self._bag_dim(),
            multi_label=self._multi_label,
            frozen_rows=self._frozen_rows,
        )

    @property
    def _frozen_rows(self):
        return self.word_vectors is not None and self.freeze_word_vectors

    def _read_word_vectors(self, words):
        """The vectors of ``words`` (one per index), for `_keras_build_fn`.

        Indices 0 and 1 (padding, out-of-vocabulary words) have none.
        """
        if words is None:
            raise ValueError(
                "word_vectors needs the word of each index: fit the classifier "
                "in make_lstm_pipeline, which hands it the sequencer's, or pass "
                "words=sequencer.get_vocabulary() to fit."
            )
        if isinstance(words, WordsOf):
            words = words()
        words = [str(word) for word in words]
        vectors, found = word_vector_rows(self.word_vectors, words, self.embedding_dim)
        found[:2] = False
        if not found.any():
            warnings.warn(
                f"None of the {len(words) - 2} words has a vector in "
                f"word_vectors: the embedding starts at random (is it the "
                "vocabulary's language?).",
                UserWarning,
                stacklevel=2,
            )
        return vectors, found

    def _start_from_vectors(self, model, vectors, found):
        """Set the embedding rows of the words ``found``."""
        rows = self.feature_encoder_.vocab_size_
        vectors, found = vectors[:rows], found[:rows]
        embedding = next(
            layer for layer in model.layers if isinstance(layer, keras.layers.Embedding)
        )
        if len(found) < rows:  # indices past the words given: none to set
            found = np.r_[found, np.zeros(rows - len(found), bool)]
            vectors = np.r_[vectors, np.zeros((rows - len(vectors), vectors.shape[1]))]
        if self._frozen_rows:
            embedding.set_vectors(vectors, found)
        else:
            start = np.asarray(embedding.embeddings)
            embedding.embeddings.assign(np.where(found[:, None], vectors, start))

    @property
    def _multi_label(self):
        """Fitted (or being fitted) on several labels per text."""
        return vars(self).get("target_type_") == "multilabel-indicator"

    @property
    def target_encoder(self):
        """scikeras' label encoder, reading an indicator matrix as several
        labels per text even where each text has one."""
        # as scikeras': the classes given to partial_fit are all the classes
        classes = vars(self).get("classes_")
        categories = "auto" if classes is None else [classes]
        return LabelEncoder(loss=self.loss, categories=categories)

    def _keras_build_fn(self, compile_kwargs):
        vocab_size, n_classes = self.feature_encoder_.vocab_size_, self.n_classes_
        rows, columns, with_prior = bag_shape(
            vocab_size=vocab_size,
            n_classes=n_classes,
            bag_ngrams=self.bag_ngrams,
            bag_buckets=self._built_buckets(),
            bag_dim=self._bag_dim(),
            multi_label=self._multi_label,
        )
        prior = rows * columns if with_prior else 0
        weights = self._weight_count(vocab_size, n_classes)
        check_model_memory(weights, rows, columns, fixed=prior)
        model = build_lstm_model(
            vocab_size=self.feature_encoder_.vocab_size_,
            n_classes=self.n_classes_,
            embedding_dim=self.embedding_dim,
            units=self.units,
            dropout=self.dropout,
            recurrent_dropout=self.recurrent_dropout,
            mask_zero=self.mask_zero,
            bidirectional=self.bidirectional,
            pooling=self.pooling,
            bag_ngrams=self.bag_ngrams,
            bag_buckets=self._built_buckets(),
            bag_binary=self.bag_binary,
            bag_dim=self._bag_dim(),
            multi_label=self._multi_label,
            frozen_rows=self._frozen_rows,
        )
        if vars(self).get("_fit_vectors") is not None:  # else rebuilt to load
            self._start_from_vectors(model, *self._fit_vectors)
        learning_rate = self.learning_rate
        if learning_rate == "auto":
            stops_early = vars(self).get("do_early_stopping_", False)
            learning_rate = AUTO_LEARNING_RATE if stops_early else None
        if learning_rate is not None:
            compile_kwargs["optimizer"].learning_rate = learning_rate
        if self.clipnorm is not None:
            compile_kwargs["optimizer"].clipnorm = self.clipnorm
        if compile_kwargs["loss"] is None:
            compile_kwargs["loss"] = (
                keras.losses.BinaryCrossentropy(label_smoothing=self.label_smoothing)
                if self.n_classes_ <= 2 or self._multi_label
                else SparseCrossentropy(label_smoothing=self.label_smoothing)
            )
            if self.class_weight is not None and not self._multi_label:
                compile_kwargs["loss"] = ClassWeightShift(
                    compile_kwargs["loss"], n_outputs(self.n_classes_)
                )
        if not compile_kwargs.get("metrics") and not compile_kwargs.get(
            "weighted_metrics"
        ):
            # Weighted by sample_weight and class_weight, as scikit-learn's
            # `score` is: early stopping watches what the weights ask for.
            # (of each label, with several labels per text)
            compile_kwargs["weighted_metrics"] = [
                keras.metrics.BinaryAccuracy(name="accuracy")
                if self._multi_label
                else "accuracy"
            ]
        model.compile(**compile_kwargs)
        return model

    def _fit_keras_model(
        self,
        X,
        y,
        sample_weight,
        warm_start,
        epochs,
        initial_epoch,
        _in_fit=False,
        _new_model=False,
        _random=None,
        **kwargs,
    ):
        # `fit` (not `partial_fit`) holds out the validation set, counts the bag's
        # prior on the rest, stops early and anneals the learning rate. A Keras
        # validation_split or validation_data, if given, wins over the hold-out.
        random = check_random_state(_random)  # None: NumPy's global state
        class_vector = None
        if isinstance(getattr(self.model_, "loss", None), ClassWeightShift):
            # Of the labels `fit` was given, as scikeras weighed their rows
            # (zero-weight rows, which it then drops, counted); 1 without
            # class_weight.
            classes = self.target_encoder_.classes_
            labels = vars(self).get("_given_labels")
            indices = (
                class_indices(y) if labels is None else np.searchsorted(classes, labels)
            )
            class_vector = class_weight_vector(self.class_weight, indices, classes)
            self.model_.loss.set_weights(class_vector)
        saved_callbacks = self._fit_callbacks
        fit_args = {
            **route_params(
                self.get_params(), destination="fit", pass_filter=self._fit_kwargs
            ),
            **kwargs,
        }
        if fit_args.get("validation_data") is not None:
            # Keras would read it as given: check and encode it as `fit` does X, y.
            kwargs["validation_data"] = fit_args["validation_data"] = (
                self._encoded_validation(fit_args["validation_data"])
            )
        checkpoint = None
        if _in_fit and _new_model and self.checkpoint_dir is not None:
            given = {k: v for k, v in fit_args.items() if k != "validation_data"}
            given.update(epochs=epochs, initial_epoch=initial_epoch)
            checkpoint = self._checkpoint(
                X, y, sample_weight, fit_args.get("validation_data"), given
            )
            checkpoint.first_epoch = initial_epoch
        own_validation = any(
            fit_args.get(name) for name in ("validation_split", "validation_data")
        )
        stops_early = _in_fit and vars(self).get("do_early_stopping_", False)
        fraction = self.validation_fraction
        if fraction == "auto":
            fraction = AUTO_VALIDATION_FRACTION if stops_early else None
        if _in_fit and fraction is not None and not own_validation:
            X, y, sample_weight, kwargs["validation_data"] = split_validation(
                X, y, sample_weight, fraction, random, stratify=not self._multi_label
            )
            own_validation = True
        if epochs == "auto":
            epochs = AUTO_MAX_EPOCHS if stops_early else AUTO_EPOCHS
        if class_vector is not None and self.class_weight is not None:
            # The loss shifts the logits by the class weights: the training
            # rows (and Keras' validation_split tail) keep their sample weights
            # alone, the held-out ones theirs times their class's weight (what
            # early stopping watches).
            sample_weight = without_class_weights(y, sample_weight, class_vector)
        kept = training_rows(len(X), fit_args)  # the rest: Keras' validation_split
        if _in_fit and _new_model and self.bag_ngrams:
            bag = self.model_.get_layer("ngram_bag")
        else:
            bag = None
        if bag is not None and bag.with_prior:
            weights = None if sample_weight is None else sample_weight[:kept]
            labels = y[:kept] if self._multi_label else class_indices(y[:kept])
            bag.prior.assign(naive_bayes_prior(bag, X[:kept], labels, weights))
        if _in_fit and self.min_steps:
            # Small data gets more passes: at least `min_steps` gradient steps.
            batch_size = fit_args.get("batch_size") or 32
            steps_per_epoch = max(math.ceil(kept / batch_size), 1)
            epochs = max(epochs, math.ceil(self.min_steps / steps_per_epoch))
        stopper = None
        if stops_early:
            if not own_validation:
                raise ValueError(
                    "early_stopping=True needs a validation set: set "
                    "validation_fraction (a float in (0, 1), or 'auto') or "
                    "early_stopping=False."
                )
            # The validation score of scikit-learn's estimators: the accuracy.
            scores_accuracy = "accuracy" in (self.metrics or ["accuracy"])
            stopper = keras.callbacks.EarlyStopping(
                monitor="val_accuracy" if scores_accuracy else "val_loss",
                patience=self.n_iter_no_change,
                restore_best_weights=True,
            )
            self._fit_callbacks = [*self._fit_callbacks, stopper]
        done = 0
        if checkpoint is not None:
            checkpoint.restore(self.model_)
            checkpoint.stopper = stopper
            done = checkpoint.epochs_done
        if _in_fit and self.learning_rate_schedule == "cosine":
            cosine = CosineDecay(epochs, initial_epoch=done)
            self._fit_callbacks = [*self._fit_callbacks, cosine]
        if checkpoint is not None:  # last: it records what the others made
            self._fit_callbacks = [*self._fit_callbacks, checkpoint]
        if self.length_bucketing:
            fit = functools.partial(self._fit_bucketed, random=random, skip=done)
        else:
            fit = super()._fit_keras_model
        # scikeras trains `epochs` more epochs from `initial_epoch`
        left = 0 if checkpoint is not None and checkpoint.stopped else epochs - done
        try:
            fit(X, y, sample_weight, warm_start, left, initial_epoch + done, **kwargs)
        finally:
            self._fit_callbacks = saved_callbacks
        if checkpoint is not None:
            history = defaultdict(list, checkpoint.history_before())
            for key, values in self.history_.items():
                history[key] += values
            self.history_ = history
            checkpoint.remove()
        return self

    def _checkpoint(self, X, y, sample_weight, validation_data, fit_args):
        """The `Checkpoint` of this fit: the same data and parameters find the
        same file."""
        if not isinstance(self.random_state, numbers.Integral):
            raise ValueError(
                "checkpoint_dir needs an int random_state (got "
                f"{self.random_state!r}): a resumed fit must draw what the "
                "interrupted one drew."
            )
        arrays = [X, y, sample_weight, *(validation_data or [None])]
        key = fit_key(self, arrays, fit_args)
        os.makedirs(self.checkpoint_dir, exist_ok=True)  # fail now, not in an hour
        return Checkpoint(self.checkpoint_dir, key)

    def _encoded_validation(self, data):
        """``validation_data`` given to ``fit``, checked and encoded as X, y are.

        The sequences must have the training length; indices beyond the
        embedding are read as out-of-vocabulary, as in ``predict``. The labels
        must be among ``classes_``; sample weights, one per sequence. Without
        length bucketing, anything else (a ``tf.data.Dataset``...) goes to
        Keras as it is.
        """
        expected = "validation_data must be a tuple (X, y) or (X, y, sample_weight)"
        if not isinstance(data, (tuple, list)):
            if not self.length_bucketing:
                return data  # a tf.data.Dataset...: Keras reads it
            raise ValueError(f"{expected}, got {type(data).__name__}")
        if len(data) not in (2, 3):
            raise ValueError(
                f"{expected}, got {type(data).__name__} of {len(data)} items"
            )
        X, y, *weights = data
        try:
            X = check_sequences(X)
            weights = [checked_sample_weight(w) for w in weights if w is not None]
            y = None if y is None else np.asarray(y)
        except (TypeError, ValueError) as error:
            kind = TypeError if isinstance(error, TypeError) else ValueError
            raise kind(f"validation_data: {error}") from None
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"validation_data holds sequences of {X.shape[1]}, but "
                f"{type(self).__name__} is fitted on sequences of "
                f"{self.n_features_in_}."
            )
        if y is not None and y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y is not None and self._multi_label:
            if y.shape[1:] != (self.n_classes_,) or not np.isin(y, (0, 1)).all():
                raise ValueError(
                    "validation_data's labels must be an indicator matrix of 0 "
                    f"and 1 with {self.n_classes_} columns, as y, got shape "
                    f"{y.shape}."
                )
            y = y.astype(self.y_dtype_)
        for what, values in [("labels", y), *[("sample weights", w) for w in weights]]:
            if values is None:
                raise ValueError(f"validation_data holds no {what}.")
            if values.ndim != (2 if what == "labels" and self._multi_label else 1):
                raise ValueError(
                    f"validation_data's {what} must be 1-D (one per sequence), "
                    f"got shape {values.shape}."
                )
            if len(values) != len(X):
                raise ValueError(
                    f"validation_data holds {len(X)} sequences but {len(values)} "
                    f"{what}."
                )
        if not self._multi_label:
            self._check_known_labels(y)
        encoded = (
            self.feature_encoder_.transform(X),
            self.target_encoder_.transform(y),
        )
        return encoded + tuple(weights)

    def _check_label_columns(self, y, kept_model):
        """Refuse class_weight with several labels per text, and, where the
        fitted model is kept (``kept_model``), another number of labels."""
        if np.ndim(y) == 2 and self.class_weight is not None:
            raise ValueError(
                "class_weight weighs the classes of one label per text; with "
                "several labels per text (a 2-D y), pass sample_weight instead."
            )
        if (
            kept_model
            and np.ndim(y) == 2
            and self._multi_label
            and vars(self).get("model_") is not None
            and np.shape(y)[1] != self.n_classes_
        ):
            raise ValueError(
                f"y has {np.shape(y)[1]} labels (columns), but the model was fitted "
                f"on {self.n_classes_}: fit a new model (warm_start=False)."
            )

    def _check_known_labels(self, y):
        # as objects: NumPy would otherwise compare 3 and '3' as strings
        unknown = y[~np.isin(y.astype(object), self.classes_.astype(object))]
        if unknown.size:
            first = list(dict.fromkeys(unknown.tolist()))[:5]
            known = self.classes_[:10].tolist()
            raise ValueError(
                f"validation_data holds labels that are not among the classes "
                f"{known}{'...' if len(self.classes_) > 10 else ''}: {first}"
            )

    def _fit_bucketed(
        self,
        X,
        y,
        sample_weight,
        warm_start,
        epochs,
        initial_epoch,
        random,
        skip=0,
        **kwargs,
    ):
        fit_args = {
            **route_params(
                self.get_params(), destination="fit", pass_filter=self._fit_kwargs
            ),
            **kwargs,
        }
        batch_size = fit_args.get("batch_size") or 32
        validation_data = fit_args.get("validation_data")
        split = training_rows(len(X), fit_args)
        if split < len(X):
            # As Keras does: the last samples, taken before any shuffling.
            arrays = [a for a in (X, y, sample_weight) if a is not None]
            validation_data = tuple(a[split:] for a in arrays)
            X, y = X[:split], y[:split]
            if sample_weight is not None:
                sample_weight = sample_weight[:split]
        if validation_data is not None:
            validation_data, _ = bucketed_dataset(
                *validation_data,
                batch_size=fit_args.get("validation_batch_size") or batch_size,
                left_aligned=self._masks_padding(),
            )
        rng = (
            np.random.default_rng(random.randint(MAX_SEED))
            if fit_args.get("shuffle", True)
            else None
        )
        dataset, _ = bucketed_dataset(
            X,
            y,
            sample_weight,
            batch_size=batch_size,
            rng=rng,
            skip=skip,
            left_aligned=self._masks_padding(),
        )
        kwargs.update(
            batch_size=None,
            validation_batch_size=None,
            validation_split=0.0,
            validation_data=validation_data,
            shuffle=False,
        )
        return super()._fit_keras_model(
            dataset, None, None, warm_start, epochs, initial_epoch, **kwargs
        )

    def _masks_padding(self):
        """Whether the fitted model masks padding (its embedding's
        ``mask_zero``; ``mask_zero`` set since fit does not change it), so that
        its batches carry the padding after the words."""
        model = vars(self).get("model_")
        if model is None:
            return self.mask_zero
        return any(
            isinstance(layer, keras.layers.Embedding) and layer.mask_zero
            for layer in model.layers
        )

    def _predict_batch_size(self):
        """Rows per prediction batch: a routed ``predict__batch_size``, else
        ``predict_batch_size``, else ``batch_size`` (32 if that is None too)."""
        params = self.get_params()
        if "predict__batch_size" in params:
            return params["predict__batch_size"] or 32
        return self.predict_batch_size or self.batch_size or 32

    def _predict_raw(self, X, **kwargs):
        # scikeras predicts in batches of `batch_size`, the training batch; ours
        # are `_predict_batch_size()`, unless the call gives one.
        kwargs = {"batch_size": self._predict_batch_size(), **kwargs}
        if not self.length_bucketing:
            return super()._predict_raw(X, **kwargs)
        if not self.initialized_:
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call "
                "'fit' with appropriate arguments before using this estimator."
            )
        X, _ = self._validate_data(X)
        X = self.feature_encoder_.transform(X)
        predict_args = route_params(
            self.get_params(),
            destination="predict",
            pass_filter=self._predict_kwargs,
            strict=True,
        )
        predict_args = {
            **{k: v for k, v in predict_args.items() if not k.startswith("callbacks")},
            "callbacks": self._predict_callbacks,
            **kwargs,
        }
        batch_size = predict_args.pop("batch_size", None) or 32
        self._trace_predict_once()
        if predict_args.get("callbacks") or predict_args.get("verbose"):
            # Keras' loop, for its progress bar and callbacks
            dataset, order = bucketed_dataset(
                X, batch_size=batch_size, left_aligned=self._masks_padding()
            )
            sorted_outputs = self.model_.predict(dataset, **predict_args)
        else:
            # A batch at a time: a tf.data generator per call would never be
            # freed (TensorFlow keeps it, and so X, for the process's life).
            # The function is called as `_trace_predict_once` traced it, with
            # one tensor of any shape (predict_on_batch would retrace it).
            windows = Windows(X, left_aligned=self._masks_padding())
            order = batches(windows.widths, batch_size)
            predict = self.model_.predict_function
            sorted_outputs = np.concatenate(
                [
                    np.asarray(
                        predict(
                            [
                                tf.constant(
                                    windows.gather(rows, windows.widths[rows].max())
                                )
                            ]
                        )
                    )
                    for rows in order
                ]
            )
        outputs = np.empty_like(sorted_outputs)
        outputs[np.concatenate(order)] = sorted_outputs
        return outputs

    def predict_proba(self, X, **kwargs):
        """Return class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, seq_len)
            Non-negative integer word indices.
        **kwargs
            Passed on to ``keras.Model.predict``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probability of each class, in the order of ``classes_``; with
            several labels per text, of each label (independent sigmoids, which
            need not add up to 1).
        """
        # scikeras squeezes the output, which drops the sample axis of a single
        # sample; there are always at least two class columns to keep.
        with arrays_inside():
            return np.atleast_2d(super().predict_proba(X, **kwargs))

    def predict(self, X, **kwargs):
        """Return the predicted class labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, seq_len)
            Non-negative integer word indices.
        **kwargs
            Passed on to ``keras.Model.predict``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Labels, as given to ``fit``; with several labels per text, the
            indicator matrix of the labels whose probability is above 0.5.
        """
        with arrays_inside():
            return super().predict(X, **kwargs)

    def _trace_predict_once(self):
        # Keras' fit steps over the dataset iterator, traced once for its
        # (None, None) batches, but its predict calls a tf.function per batch
        # tensor, retracing for each new batch shape. A trace for any shape up
        # front serves every bucketed batch.
        self.model_.make_predict_function()
        predict_function = self.model_.predict_function
        if hasattr(predict_function, "get_concrete_function"):  # not run_eagerly
            predict_function.get_concrete_function(
                [tf.TensorSpec(shape=(None, None), dtype=tf.int32)]
            )

    def fit(self, X, y, sample_weight=None, words=None, **kwargs):
        """Build a new model and train it on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, seq_len)
            Non-negative integer word indices (0 is padding).
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels (ints, strings...); at least two classes. Or, for
            several labels per text, their indicator matrix of 0 and 1 (as
            `sklearn.preprocessing.MultiLabelBinarizer` makes): an independent
            sigmoid per label, the bag's naive Bayes prior counted per label,
            early stopping watching the held-out accuracy of each label.
            ``classes_`` are then the columns: 0, 1, ..., or the column names
            of a DataFrame.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the loss.
        words : sequence of str, default=None
            The word of each index, as ``TextSequencer.get_vocabulary()`` gives
            them: needed with ``word_vectors`` (`make_lstm_pipeline`'s
            pipeline hands them over itself), ignored otherwise.
        **kwargs
            Passed on to ``keras.Model.fit``. ``validation_data=(X_val, y_val)``
            (or ``(X_val, y_val, sample_weight)``, also given as
            ``fit__validation_data``) is read as ``X`` and ``y`` are: labels as
            you have them, unknown word indices as out-of-vocabulary. With
            ``length_bucketing`` it must be such a tuple; without, anything else
            (a ``tf.data.Dataset``) goes to Keras as it is.

        Returns
        -------
        self : LSTMClassifier
            The fitted classifier.
        """
        names = label_names(y)
        y = as_label_vector(y)
        self._check_label_columns(y, kept_model=self.warm_start)
        builds = not (self.warm_start and getattr(self, "initialized_", False))
        vectors = self._vectors_for(words) if builds else None
        with (
            fit_transaction(self, y) as random,
            self._vectors_for_fit(vectors),
            self._labels_for_class_weights(y),
        ):
            super().fit(
                X,
                y,
                sample_weight=checked_sample_weight(sample_weight),
                _in_fit=True,
                _random=random,
                **kwargs,
            )
            sequences = self.feature_encoder_.transform(check_sequences(X))
            self.bag_row_names_ = name_strongest_rows(self.model_, sequences)
            if names is not None:
                self.classes_ = names
            elif self.classes_ is None:  # scikeras' warm-started fit unsets them
                self.classes_ = self.target_encoder_.classes_
        return self

    @contextlib.contextmanager
    def _labels_for_class_weights(self, y):
        """The labels scikeras counts for class_weight, for the fit's shift."""
        if self.class_weight is None or np.ndim(y) != 1:
            yield
            return
        self._given_labels = np.asarray(y)
        try:
            yield
        finally:
            vars(self).pop("_given_labels", None)

    def _vectors_for(self, words):
        """``(vectors, found)`` of ``words`` with ``word_vectors``, else None."""
        if self.word_vectors is None:
            return None
        return self._read_word_vectors(words)

    @contextlib.contextmanager
    def _vectors_for_fit(self, vectors):
        """The model the fit builds starts from ``vectors``; forgotten after."""
        if vectors is None:
            yield
            return
        self._fit_vectors = vectors
        try:
            yield
        finally:
            vars(self).pop("_fit_vectors", None)

    def partial_fit(self, X, y, classes=None, sample_weight=None, words=None, **kwargs):
        """Train the current model (built on first call) for one more epoch.

        Parameters
        ----------
        X : array-like of shape (n_samples, seq_len)
            Non-negative integer word indices.
        y : array-like of shape (n_samples,)
            Class labels.
        classes : array-like of shape (n_classes,), default=None
            All the classes, needed on the first call if ``y`` lacks some.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the loss.
        words : sequence of str, default=None
            With ``word_vectors``, the word of each index (as in `fit`), needed
            on the call that builds the model.
        **kwargs
            Passed on to ``keras.Model.fit``; ``validation_data`` is read as in
            `fit`.

        Returns
        -------
        self : LSTMClassifier
            The updated classifier.
        """
        y = as_label_vector(y)
        if np.ndim(y) == 2 and classes is not None:
            raise ValueError(
                "classes is for one label per text; several labels per text (a "
                "2-D y) are the columns of y."
            )
        self._check_label_columns(y, kept_model=True)
        if classes is not None:  # sorted and distinct, as a fit finds them
            classes = np.unique(np.asarray(classes))
        known = classes is None and getattr(self, "classes_", None) is not None
        builds = not getattr(self, "initialized_", False)
        vectors = self._vectors_for(words) if builds else None
        with (
            fit_transaction(self, y, False if known else classes) as random,
            self._vectors_for_fit(vectors),
            self._labels_for_class_weights(y),
        ):
            super().partial_fit(
                X,
                y,
                classes=classes,
                sample_weight=checked_sample_weight(sample_weight),
                _random=random,
                **kwargs,
            )
            # A model built here has no names for its n-grams (`top_ngrams`
            # names them from texts); a fitted one keeps those of its fit.
            vars(self).setdefault("bag_row_names_", None)
        return self

    def __sklearn_tags__(self):
        # scikeras lists ClassifierMixin after BaseEstimator and only defines the
        # `_more_tags` that scikit-learn >= 1.7 ignores: declare the tags here.
        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags(multi_class=True, multi_label=True)
        tags.target_tags.required = True
        # Word indices: non-negative integers (scikit-learn's common checks then
        # feed such data).
        tags.input_tags.categorical = True
        tags.input_tags.positive_only = True
        tags.non_deterministic = self.random_state is None
        return tags


class SequenceEncoder(TransformerMixin, BaseEstimator):
    """Check word-index input and fold indices the embedding lacks into OOV."""

    def __init__(self, vocab_size="auto"):
        self.vocab_size = vocab_size

    def fit(self, X, y=None):
        self.vocab_size_ = (
            max(int(X.max(initial=0)) + 1, OOV_INDEX + 1)
            if self.vocab_size == "auto"
            else self.vocab_size
        )
        return self

    def transform(self, X):
        # A copy only when some index is beyond the embedding.
        if X.max(initial=0) < self.vocab_size_:
            return X
        return np.where(X < self.vocab_size_, X, np.int32(OOV_INDEX))


# The name joblib files from before the rename hold.
_SequenceEncoder = SequenceEncoder
