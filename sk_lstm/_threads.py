"""TensorFlow's thread pools, sized like the other native libraries of a process."""

import os

import tensorflow as tf


def follow_thread_limit():
    """Size TensorFlow's thread pools by ``OMP_NUM_THREADS``, when it is set.

    joblib's loky workers (``GridSearchCV(n_jobs=...)``) and Dask's workers set
    ``OMP_NUM_THREADS`` to their share of the cores, so that parallel fits do not
    oversubscribe the machine; TensorFlow does not read it and would start one
    thread per core in every worker. ``TF_NUM_INTRAOP_THREADS`` and
    ``TF_NUM_INTEROP_THREADS``, when set, win. Nothing changes once TensorFlow has
    started its thread pools (after its first operation in the process).
    """
    limit = os.environ.get("OMP_NUM_THREADS", "")
    if not limit.isdigit() or int(limit) < 1:
        return
    threading = tf.config.threading
    try:
        if "TF_NUM_INTRAOP_THREADS" not in os.environ:
            threading.set_intra_op_parallelism_threads(int(limit))
        if "TF_NUM_INTEROP_THREADS" not in os.environ:
            threading.set_inter_op_parallelism_threads(int(limit))
    except RuntimeError:  # the pools are already running
        pass
