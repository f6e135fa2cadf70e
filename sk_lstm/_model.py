"""The Keras model factory: Embedding -> Dropout -> LSTM -> [pooling] -> output."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="sk_lstm")
class MaskedGlobalMaxPooling1D(keras.layers.Layer):
    """Maximum over time that skips masked steps (Keras' own ignores the mask).

    A sequence with every step masked (an empty text) pools to zeros.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.max(inputs, axis=1)
        mask = ops.expand_dims(ops.cast(mask, "bool"), -1)
        pooled = ops.max(ops.where(mask, inputs, float("-inf")), axis=1)
        return ops.where(ops.any(mask, axis=1), pooled, 0)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])


def build_lstm_model(
    *,
    vocab_size,
    n_classes,
    embedding_dim=32,
    units=100,
    dropout=0.0,
    recurrent_dropout=0.0,
    mask_zero=False,
    bidirectional=False,
    pooling="last",
):
    """Build the (uncompiled) LSTM text classifier.

    With the defaults this is the model of the classic Keras IMDB recipe.

    Parameters
    ----------
    vocab_size : int
        Number of rows of the embedding: inputs are word indices in
        ``[0, vocab_size)``.
    n_classes : int
        Number of classes; 2 gives one sigmoid unit, more a softmax layer.
    embedding_dim : int, default=32
        Size of the word vectors.
    units : int, default=100
        Size of the LSTM state.
    dropout : float, default=0.0
        Rate of the Dropout layers after the embedding and after the LSTM; 0 leaves
        them out.
    recurrent_dropout : float, default=0.0
        Dropout on the LSTM's recurrent state (a non-zero rate rules out cuDNN).
    mask_zero : bool, default=False
        Let the LSTM skip index 0 (padding) through a Keras mask.
    bidirectional : bool, default=False
        Run a second LSTM from the end of the text to its start and concatenate
        the two (``2 * units`` features).
    pooling : {"last", "max", "mean"}, default="last"
        What the output layer reads: the LSTM's last state, or the maximum or
        mean of its states over all time steps.

    Returns
    -------
    model : keras.Sequential
        Takes int sequences of any length, returns class probabilities: shape
        ``(batch, 1)`` for two classes, ``(batch, n_classes)`` otherwise.
    """
    layers = [
        keras.Input(shape=(None,), dtype="int32"),
        keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=mask_zero),
    ]
    if dropout:
        layers.append(keras.layers.Dropout(dropout))
    recurrent = keras.layers.LSTM(
        units, recurrent_dropout=recurrent_dropout, return_sequences=pooling != "last"
    )
    if bidirectional:
        recurrent = keras.layers.Bidirectional(recurrent)
    layers.append(recurrent)
    if pooling == "max":
        layers.append(MaskedGlobalMaxPooling1D())
    elif pooling == "mean":
        layers.append(keras.layers.GlobalAveragePooling1D())
    if dropout:
        layers.append(keras.layers.Dropout(dropout))
    if n_classes <= 2:
        layers.append(keras.layers.Dense(1, activation="sigmoid"))
    else:
        layers.append(keras.layers.Dense(n_classes, activation="softmax"))
    return keras.Sequential(layers, name="lstm_classifier")
