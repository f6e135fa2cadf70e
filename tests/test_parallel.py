"""Grid search in several processes: joblib's loky backend and a Dask cluster."""

import os
import subprocess
import sys

import joblib
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from sk_lstm import make_lstm_pipeline

from .conftest import TINY, make_reviews

GRID = {"classifier__dropout": [0.0, 0.2], "classifier__units": [4, 8]}


def search(**kwargs):
    X, y = make_reviews(48)
    pipe = make_lstm_pipeline(maxlen=12, **{**TINY, "epochs": 2})
    return GridSearchCV(pipe, GRID, cv=2, **kwargs).fit(X, y)


@pytest.mark.slow
def test_tensorflow_threads_follow_omp_num_threads():
    code = (
        "import numpy as np, tensorflow as tf\n"
        "from sk_lstm import LSTMClassifier\n"
        "X = np.array([[0, 2, 3], [0, 4, 5]] * 4); y = [0, 1] * 4\n"
        "LSTMClassifier(units=2, embedding_dim=2, epochs=1).fit(X, y)\n"
        "print(tf.config.threading.get_intra_op_parallelism_threads(),\n"
        "      tf.config.threading.get_inter_op_parallelism_threads())\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_NUM_")}
    for omp, expected in (("1", "1 1"), (None, "0 0")):
        env.pop("OMP_NUM_THREADS", None)
        if omp:
            env["OMP_NUM_THREADS"] = omp
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.split("\n")[-2] == expected


@pytest.mark.slow
def test_loky_processes_give_the_same_search_as_one_process():
    serial = search()
    parallel = search(n_jobs=2)
    assert parallel.best_params_ == serial.best_params_
    np.testing.assert_allclose(
        parallel.cv_results_["mean_test_score"],
        serial.cv_results_["mean_test_score"],
        atol=1e-6,
    )


@pytest.mark.slow
def test_dask_cluster_runs_the_search():
    distributed = pytest.importorskip(
        "dask.distributed", reason="dask.distributed is not installed"
    )
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster),
        joblib.parallel_backend("dask"),
    ):
        result = search()
    assert len(result.cv_results_["params"]) == 4
    assert np.isfinite(result.cv_results_["mean_test_score"]).all()
    assert result.best_params_ in result.cv_results_["params"]
    assert result.score(*make_reviews(16, random_state=3)) >= 0
