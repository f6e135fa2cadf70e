"""sk_lstm: a Keras LSTM text classifier as a first-class scikit-learn estimator."""

from ._classifier import LSTMClassifier
from ._pipeline import make_lstm_pipeline
from ._sequencer import TextSequencer

__version__ = "0.1.0"

__all__ = ["LSTMClassifier", "TextSequencer", "make_lstm_pipeline", "__version__"]
