"""The valid values of the estimators' parameters, in one place.

`TextSequencer` and `LSTMClassifier` validate their parameters against these
(scikit-learn's ``_parameter_constraints``), and the command line checks its
option values against the same, at parse time. Importing this module does not
load TensorFlow.
"""

import os
from collections.abc import Mapping
from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

#: The most rows a bag of n-grams may hash into.
MAX_BUCKETS = 2**31 - 1
#: The longest n-grams a bag may read (the hash runs once per extra word).
MAX_NGRAM = 8

SEQUENCER = {
    "num_words": [Interval(Integral, 3, None, closed="left"), None],
    "maxlen": [Interval(Integral, 1, None, closed="left")],
    "padding": [StrOptions({"pre", "post"})],
    "truncating": [StrOptions({"pre", "post"})],
    "lowercase": ["boolean"],
    "token_pattern": [str, None],
    "tokenizer": [callable, None],
    "ngram_range": [tuple, list],  # a list once read back from JSON
    "min_df": [
        Interval(Integral, 1, None, closed="left"),
        Interval(Real, 0, 1, closed="right"),
    ],
    "verbose": ["verbose", StrOptions({"auto"})],
}

CLASSIFIER = {
    "vocab_size": [
        StrOptions({"auto"}),
        Interval(Integral, 2, None, closed="left"),
    ],
    "embedding_dim": [Interval(Integral, 1, None, closed="left")],
    "units": [Interval(Integral, 1, None, closed="left")],
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "recurrent_dropout": [Interval(Real, 0, 1, closed="left")],
    "mask_zero": ["boolean"],
    "bidirectional": ["boolean"],
    "pooling": [StrOptions({"last", "max", "mean"})],
    "bag_ngrams": [Interval(Integral, 0, MAX_NGRAM, closed="both")],
    "bag_buckets": [
        StrOptions({"auto"}),
        Interval(Integral, 1, MAX_BUCKETS, closed="both"),
    ],
    "bag_binary": ["boolean"],
    "bag_dim": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left"), None],
    "word_vectors": [str, os.PathLike, Mapping, None],
    "freeze_word_vectors": ["boolean"],
    "length_bucketing": ["boolean"],
    "learning_rate": [
        StrOptions({"auto"}),
        Interval(Real, 0, None, closed="neither"),
        None,
    ],
    "clipnorm": [Interval(Real, 0, None, closed="neither"), None],
    "learning_rate_schedule": [StrOptions({"constant", "cosine"})],
    "label_smoothing": [Interval(Real, 0, 1, closed="left")],
    "early_stopping": ["boolean", StrOptions({"auto"})],
    "validation_fraction": [
        StrOptions({"auto"}),
        Interval(Real, 0, 1, closed="neither"),
        None,
    ],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
    "epochs": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    "min_steps": [Interval(Integral, 0, None, closed="left")],
    "batch_size": [Interval(Integral, 1, None, closed="left"), None],
    "predict_batch_size": [Interval(Integral, 1, None, closed="left"), None],
    "class_weight": [StrOptions({"balanced"}), dict, None],
    "random_state": ["random_state"],
    "checkpoint_dir": [str, os.PathLike, None],
    "verbose": [Interval(Integral, 0, 2, closed="both"), StrOptions({"auto"})],
}
