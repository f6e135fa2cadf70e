"""`make_lstm_pipeline`: raw texts in, labels out."""

import inspect

from sklearn.pipeline import Pipeline

from ._classifier import LSTMClassifier
from ._sequencer import TextSequencer

_SEQUENCER_PARAMS = frozenset(inspect.signature(TextSequencer).parameters)


def make_lstm_pipeline(**params):
    """Build a Pipeline of a `TextSequencer` and an `LSTMClassifier`.

    The steps are named ``"sequencer"`` and ``"classifier"``. Each keyword goes to
    the step that has it: `TextSequencer` parameters (``num_words``, ``maxlen``,
    ``padding``, ...) to the sequencer, everything else (``units``, ``dropout``,
    ``epochs``, ``random_state``, any scikeras argument) to the classifier.
    Grid-search them as ``sequencer__maxlen``, ``classifier__units`` and so on.

    Parameters
    ----------
    **params
        Parameters of `TextSequencer` and `LSTMClassifier`. Unset ones keep the
        estimators' defaults, which are the classic Keras IMDB recipe: 5,000
        words, 500 tokens, Embedding(32) -> LSTM(100), Adam, batch 64, 3 epochs.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Unfitted; ``fit`` takes raw texts and labels.

    Examples
    --------
    >>> from sk_lstm import make_lstm_pipeline
    >>> pipe = make_lstm_pipeline(num_words=5000, maxlen=500, dropout=0.2)
    >>> [name for name, _ in pipe.steps]
    ['sequencer', 'classifier']
    >>> pipe.get_params()["classifier__dropout"]
    0.2
    """
    sequencer_params = {k: v for k, v in params.items() if k in _SEQUENCER_PARAMS}
    classifier_params = {k: v for k, v in params.items() if k not in _SEQUENCER_PARAMS}
    return Pipeline(
        [
            ("sequencer", TextSequencer(**sequencer_params)),
            ("classifier", LSTMClassifier(**classifier_params)),
        ]
    )
