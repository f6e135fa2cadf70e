"""`make_lstm_pipeline`: raw texts in, labels out."""

import difflib
import inspect
from types import MappingProxyType

from scikeras.wrappers import KerasClassifier
from sklearn.pipeline import Pipeline
from sklearn.utils.metadata_routing import _routing_enabled

from ._classifier import LSTMClassifier
from ._sequencer import TextSequencer
from ._vectors import WordsOf


def _named_parameters(cls):
    return {
        name
        for name, parameter in inspect.signature(cls).parameters.items()
        if parameter.kind is not inspect.Parameter.VAR_KEYWORD
    }


_SEQUENCER_PARAMS = _named_parameters(TextSequencer)
_CLASSIFIER_PARAMS = _named_parameters(LSTMClassifier) | _named_parameters(
    KerasClassifier
)
_SHARED = _SEQUENCER_PARAMS & _CLASSIFIER_PARAMS  # verbose: both steps get it
_ROUTING_PREFIXES = tuple(f"{prefix}__" for prefix in LSTMClassifier._routing_prefixes)

#: Keyword arguments of `make_lstm_pipeline` that give the classic Keras IMDB
#: recipe: 5,000 words (no word pairs), 500 per text, Embedding(32) -> LSTM(100)
#: -> Dense(1) with no bag of n-grams, Adam at a constant learning rate on the
#: labels as they are (no smoothing), batch 64, 3 epochs whatever the data size,
#: no validation split. Read-only; ``dict(CLASSIC_RECIPE)`` gives a copy to
#: change.
CLASSIC_RECIPE = MappingProxyType(
    {
        "num_words": 5000,
        "maxlen": 500,
        "ngram_range": (1, 1),
        "embedding_dim": 32,
        "units": 100,
        "bidirectional": False,
        "pooling": "last",
        "bag_ngrams": 0,
        "dropout": 0.0,
        "learning_rate": None,
        "clipnorm": None,
        "learning_rate_schedule": "constant",
        "label_smoothing": 0.0,
        "epochs": 3,
        "min_steps": 0,
        "batch_size": 64,
        "early_stopping": False,
        "validation_fraction": None,
    }
)


class AtomicPipeline(Pipeline):
    """A scikit-learn Pipeline whose failed ``fit`` leaves every step as it was.

    `make_lstm_pipeline` returns one. It is a `sklearn.pipeline.Pipeline` in
    every other respect (same parameters, methods, slicing, metadata routing).
    A plain Pipeline fits its steps one after another: if the classifier then
    refuses the labels, the sequencer has already learned a new word index and
    sits in front of the old model. Here a ``fit`` that raises (or is
    interrupted) restores the steps and their fitted state, so a fitted pipeline
    keeps predicting as before.

    Parameters
    ----------
    steps : list of (str, estimator) tuples
        As for `sklearn.pipeline.Pipeline`.
    transform_input, memory, verbose
        As for `sklearn.pipeline.Pipeline`.

    See Also
    --------
    make_lstm_pipeline : The pipeline of a `TextSequencer` and an `LSTMClassifier`.

    Examples
    --------
    >>> from sk_lstm import AtomicPipeline, LSTMClassifier, TextSequencer
    >>> pipe = AtomicPipeline([("sequencer", TextSequencer()),
    ...                        ("classifier", LSTMClassifier())])
    >>> pipe[:-1]
    AtomicPipeline(steps=[('sequencer', TextSequencer())])
    """

    def fit(self, X, y=None, **params):
        """Fit every step as `sklearn.pipeline.Pipeline.fit` does, or none.

        Returns
        -------
        self : AtomicPipeline
            Fitted.
        """
        saved_steps = list(self.steps)
        # "passthrough" and None steps have no state to keep.
        saved_states = [dict(getattr(step, "__dict__", {})) for _, step in saved_steps]
        try:
            return super().fit(X, y, **self._with_words(params))
        except BaseException:
            self.steps = saved_steps
            for (_, step), state in zip(saved_steps, saved_states, strict=True):
                if hasattr(step, "__dict__"):
                    vars(step).clear()
                    vars(step).update(state)
            raise

    def _with_words(self, params):
        """``params`` and, for a classifier with ``word_vectors``, the words of
        the indices, read from the steps before it once they are fitted."""
        name, last = self.steps[-1]
        if getattr(last, "word_vectors", None) is None or len(self.steps) < 2:
            return params
        key = "words" if _routing_enabled() else f"{name}__words"
        return {key: WordsOf(self), **params}  # the caller's own words win


# The name before the class was public, for files that joblib wrote then.
_AtomicPipeline = AtomicPipeline


def make_lstm_pipeline(**params):
    """Build a pipeline of a `TextSequencer` and an `LSTMClassifier`.

    The steps are named ``"sequencer"`` and ``"classifier"``. Each keyword goes to
    the step that has it: `TextSequencer` parameters (``num_words``, ``maxlen``,
    ``padding``, ...) to the sequencer, everything else (``units``, ``dropout``,
    ``epochs``, ``random_state``, any scikeras argument) to the classifier, and
    ``verbose`` to both.
    Grid-search them as ``sequencer__maxlen``, ``classifier__units`` and so on.

    A ``fit`` that fails (bad labels, say) leaves a fitted pipeline as it was.

    Parameters
    ----------
    **params
        Parameters of `TextSequencer` and `LSTMClassifier`. Unset ones keep the
        estimators' defaults: words (up to 100,000 of them, sequences of 800),
        Embedding(32) -> Dropout(0.5) -> LSTM(64) -> max over time ->
        Dropout(0.5), plus a bag of 1-3-grams (each counted once per text,
        in as many rows as the data needs) gated by the LSTM; Adam with
        gradients clipped at norm 1, labels smoothed by 0.05, batch 64, while
        the learning rate comes down to 0 along a cosine: on 10,000 texts or
        more, 2 epochs (at least 400 steps) on all of them; on fewer, at a
        rate of 0.003 until the accuracy on a tenth held out stops improving
        (the ``"auto"`` values of ``early_stopping``, ``validation_fraction``,
        ``epochs`` and ``learning_rate``). For the classic Keras recipe, pass
        ``**CLASSIC_RECIPE``.

    Returns
    -------
    pipeline : AtomicPipeline
        A `sklearn.pipeline.Pipeline` whose failed ``fit`` changes nothing;
        unfitted; ``fit`` takes raw texts and labels.

    Raises
    ------
    TypeError
        If a keyword is a parameter of neither step.

    Examples
    --------
    >>> from sk_lstm import CLASSIC_RECIPE, make_lstm_pipeline
    >>> pipe = make_lstm_pipeline(num_words=5000, maxlen=500, dropout=0.2)
    >>> [name for name, _ in pipe.steps]
    ['sequencer', 'classifier']
    >>> pipe.get_params()["classifier__dropout"]
    0.2
    >>> classic = make_lstm_pipeline(**CLASSIC_RECIPE)
    >>> classic.get_params()["classifier__units"]
    100
    """
    known = _SEQUENCER_PARAMS | _CLASSIFIER_PARAMS
    for name in params:
        if name not in known and not name.startswith(_ROUTING_PREFIXES):
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise TypeError(
                f"make_lstm_pipeline() got an unexpected keyword argument {name!r}."
                f"{hint}"
            )
    steps = split_params(params)
    return AtomicPipeline(
        [
            ("sequencer", TextSequencer(**steps["sequencer"])),
            ("classifier", LSTMClassifier(**steps["classifier"])),
        ]
    )


def split_params(params):
    """Which step of `make_lstm_pipeline` gets each keyword (decided here only).

    Parameters
    ----------
    params : dict
        Keywords of `make_lstm_pipeline`.

    Returns
    -------
    steps : dict
        ``{"sequencer": {...}, "classifier": {...}}``: `TextSequencer`'s
        parameters to the sequencer, all others to the classifier, ``verbose``
        to both.
    """
    return {
        "sequencer": {k: v for k, v in params.items() if k in _SEQUENCER_PARAMS},
        "classifier": {
            k: v
            for k, v in params.items()
            if k not in _SEQUENCER_PARAMS or k in _SHARED
        },
    }
