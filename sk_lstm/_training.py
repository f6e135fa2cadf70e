"""How `LSTMClassifier` trains: the all-or-nothing fit, validation splits, schedule."""

import math
from contextlib import contextmanager

import keras
import numpy as np
from sklearn import config_context
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state

from ._random import MAX_SEED, seeded, to_seed
from ._threads import follow_thread_limit
from ._validation import check_labels


class CosineDecay(keras.callbacks.Callback):
    """Anneal the optimizer's learning rate to 0 along half a cosine, per step.

    The rate is put back when training ends, so a later fit starts from it.
    ``epochs`` is the whole fit's; a fit resumed after ``initial_epoch`` epochs
    starts the schedule there.
    """

    def __init__(self, epochs, initial_epoch=0):
        super().__init__()
        self.epochs = epochs
        self.initial_epoch = initial_epoch

    def on_train_begin(self, logs=None):
        rate = self.model.optimizer.learning_rate
        if not hasattr(rate, "assign"):
            raise ValueError(
                "learning_rate_schedule='cosine' needs an optimizer with a fixed "
                "learning rate, not a keras LearningRateSchedule; set "
                "learning_rate_schedule='constant' to use the optimizer's schedule."
            )
        self._rate = float(rate.numpy())
        # Keras knows the steps of arrays and of our bucketed datasets.
        self._steps = self.epochs * self.params["steps"]
        self._step = self.initial_epoch * self.params["steps"]

    def on_train_batch_begin(self, batch, logs=None):
        progress = min(self._step / self._steps, 1.0)
        cosine = 0.5 * (1.0 + math.cos(math.pi * progress))
        self.model.optimizer.learning_rate.assign(self._rate * cosine)
        self._step += 1

    def on_train_end(self, logs=None):
        self.model.optimizer.learning_rate.assign(self._rate)


@contextmanager
def fit_transaction(estimator, y, classes=None):
    """Validate, seed and make a fit all-or-nothing; yield its random generator.

    Parameters and labels are checked before anything changes; if the fit fails
    anyway, the estimator gets its previous state back, so a bad call never leaves
    a half-refitted model behind. The generator (a ``RandomState`` of the fit's
    seed) is for the fit's own draws (validation split, batch order), passed on
    explicitly; TensorFlow's and Keras' draws follow the seeded global state.
    """
    estimator._validate_params()
    check_class_weight(getattr(estimator, "class_weight", None))
    check_labels(y, classes)
    follow_thread_limit()
    saved_state = dict(vars(estimator))
    seed = to_seed(estimator.random_state)
    try:
        with seeded(seed), arrays_inside():
            # None: NumPy's global RandomState, as scikit-learn's estimators use.
            yield check_random_state(seed)
    except BaseException:
        vars(estimator).clear()
        vars(estimator).update(saved_state)
        raise


def training_rows(n_samples, fit_args):
    """How many leading rows Keras trains on: its validation_split takes the rest.

    As in Keras, ``validation_data``, if given, wins over ``validation_split``.
    """
    if fit_args.get("validation_data") is not None:
        return n_samples
    return int(n_samples * (1 - (fit_args.get("validation_split") or 0.0)))


def arrays_inside():
    """Keep scikeras' own label and feature encoders on NumPy arrays.

    They are scikit-learn transformers: under ``set_config(transform_output=
    "pandas")`` they would hand DataFrames to code that reads arrays.
    """
    return config_context(transform_output="default")


def split_validation(X, y, sample_weight, fraction, random, stratify=True):
    """Hold out a random, stratified where possible, ``fraction`` of the data.

    ``random`` is the fit's ``RandomState``; ``stratify=False`` (several labels
    per text) draws the rows alone. Returns the training ``X, y,
    sample_weight`` and the validation tuple.
    """
    arrays = [X, y] if sample_weight is None else [X, y, sample_weight]
    labels = class_indices(y) if stratify else None
    seed = random.randint(MAX_SEED)
    try:
        parts = train_test_split(
            *arrays, test_size=fraction, stratify=labels, random_state=seed
        )
    except ValueError:  # too few samples of a class to stratify
        try:
            parts = train_test_split(*arrays, test_size=fraction, random_state=seed)
        except ValueError:
            raise ValueError(
                f"{len(y)} sample(s) are too few to hold out validation_fraction="
                f"{fraction} of them: pass more data or validation_fraction=None."
            ) from None
    train, validation = parts[::2], tuple(parts[1::2])
    if sample_weight is None:
        train.append(None)
    return (*train, validation)


def class_indices(y):
    """Class index of each row of scikeras' encoded targets (one-hot or not)."""
    labels = np.asarray(y).reshape(len(y), -1)
    return labels.argmax(axis=1) if labels.shape[1] > 1 else labels[:, 0].astype(int)


def check_class_weight(class_weight):
    """Refuse a ``class_weight`` dict with a weight that is not a finite number
    above 0 (a weight of 0 would drop the class's texts, a negative one
    diverge)."""
    if not isinstance(class_weight, dict):
        return
    for label, weight in class_weight.items():
        if (
            isinstance(weight, bool)
            or not isinstance(weight, (int, float, np.integer, np.floating))
            or not np.isfinite(weight)
            or weight <= 0
        ):
            raise ValueError(
                f"class_weight's weights must be finite numbers above 0, got "
                f"{weight!r} for {label!r}."
            )


def class_weight_vector(class_weight, indices, classes):
    """The weight of each class (by index) that ``class_weight`` gives the
    labels ``indices``, as scikeras weighs their rows: "balanced" counts the
    classes in ``indices`` (absent ones weigh 1), a dict maps labels
    (``classes[k]``) to weights (others 1), None weighs all 1."""
    weights = np.ones(len(classes))
    if class_weight == "balanced":
        present, counts = np.unique(indices, return_counts=True)
        weights[present] = len(indices) / (len(present) * counts)
    elif class_weight is not None:
        weights[:] = [class_weight.get(label, 1.0) for label in classes]
    return weights


def without_class_weights(y, sample_weight, class_vector):
    """``sample_weight`` (scikeras': sample weights times class weights) with
    the class weights ``class_vector[class]`` of ``y``'s rows divided out;
    None where every row then weighs 1."""
    if sample_weight is None:
        return None
    weights = np.asarray(sample_weight) / class_vector[class_indices(y)]
    return None if np.allclose(weights, 1) else weights
