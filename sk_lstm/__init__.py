"""sk_lstm: a Keras LSTM text classifier as a first-class scikit-learn estimator."""

import importlib

__version__ = "0.1.0"

# The estimators import TensorFlow, which takes seconds: load them on first use so
# that `import sk_lstm.datasets` and `sk-lstm --help` stay quick.
_LAZY = {
    "LSTMClassifier": "._classifier",
    "TextSequencer": "._sequencer",
    "make_lstm_pipeline": "._pipeline",
    "AtomicPipeline": "._pipeline",
    "CLASSIC_RECIPE": "._pipeline",
    "save": "._persistence",
    "load": "._persistence",
    "SKOPS_TRUSTED_TYPES": "._persistence",
    "export": "._export",
    "explain": "._explain",
    "top_ngrams": "._explain",
    "Explanation": "._explain",
    "render_html": "._render",
}

__all__ = [*_LAZY, "__version__"]


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
