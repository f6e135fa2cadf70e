"""Seeding a fit without leaving process-wide random state changed."""

import random
from contextlib import contextmanager

import numpy as np
import tensorflow as tf
from sklearn.utils import check_random_state

# TensorFlow has no public getter for the global seed nor a public switch to turn
# op determinism off again; these are the functions its own `tf.config` wraps.
from tensorflow.python.eager import context
from tensorflow.python.framework import config as tf_config

MAX_SEED = 2**31 - 1


def to_seed(random_state):
    """Turn a scikit-learn ``random_state`` into an int seed, or None."""
    if random_state is None:
        return None
    if isinstance(random_state, (int, np.integer)):
        return int(random_state)
    return int(check_random_state(random_state).randint(MAX_SEED))


def tensorflow_state():
    """TensorFlow's global seed and whether op determinism is on (for tests too)."""
    return context.global_seed(), tf_config.is_op_determinism_enabled()


@contextmanager
def seeded(seed):
    """Seed Python, NumPy and TensorFlow and make TF ops deterministic in a block.

    Everything is restored on exit, so a seeded fit leaves no trace on the process:
    scikeras' own ``tensorflow_random_state`` leaves op determinism on for good
    (it sets ``TF_DETERMINISTIC_OPS`` before asking whether determinism was already
    on), and a later unseeded fit then fails with "Random ops require a seed".
    ``seed=None`` does nothing.
    """
    if seed is None:
        yield
        return
    python_state = random.getstate()
    numpy_state = np.random.get_state()
    tf_seed, determinism_was_on = tensorflow_state()
    random.seed(seed)
    np.random.seed(seed)
    tf.random.set_seed(seed)
    tf_config.enable_op_determinism()
    try:
        yield
    finally:
        if not determinism_was_on:
            tf_config.disable_op_determinism()
        tf.random.set_seed(tf_seed)
        np.random.set_state(numpy_state)
        random.setstate(python_state)
