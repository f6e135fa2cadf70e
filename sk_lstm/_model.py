"""The Keras model factory: Embedding -> Dropout -> LSTM -> Dropout -> output."""

import keras


def build_lstm_model(
    *,
    vocab_size,
    n_classes,
    embedding_dim=32,
    units=100,
    dropout=0.0,
    recurrent_dropout=0.0,
    mask_zero=False,
):
    """Build the (uncompiled) LSTM text classifier of the classic Keras recipe.

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
    layers.append(keras.layers.LSTM(units, recurrent_dropout=recurrent_dropout))
    if dropout:
        layers.append(keras.layers.Dropout(dropout))
    if n_classes <= 2:
        layers.append(keras.layers.Dense(1, activation="sigmoid"))
    else:
        layers.append(keras.layers.Dense(n_classes, activation="softmax"))
    return keras.Sequential(layers, name="lstm_classifier")
