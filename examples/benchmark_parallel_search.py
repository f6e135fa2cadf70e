"""
Grid search in one process, in two (joblib's loky) and on a Dask cluster
========================================================================

The same small grid (dropout x units, 3-fold CV, on an IMDB subset) run three
ways in one go; prints wall times and speed-ups. Each worker sizes TensorFlow's
thread pools by the ``OMP_NUM_THREADS`` that joblib and Dask give it (1 here),
so two workers on two cores do not fight over them.

To use a real cluster instead of the local one, replace ``LocalCluster(...)`` by
the scheduler's address: ``Client("tcp://scheduler:8786")``; the workers need
sk_lstm installed.

Run: ``python examples/benchmark_parallel_search.py`` (about 2 minutes on 2 CPU
cores). Needs ``pip install "dask[distributed]"``.
"""

import argparse
import time

import joblib
from _common import load_train_test
from dask.distributed import Client, LocalCluster
from sklearn.model_selection import GridSearchCV

from sk_lstm import CLASSIC_RECIPE, make_lstm_pipeline

GRID = {"classifier__dropout": [0.0, 0.2], "classifier__units": [32, 64]}


def timed_search(X, y, n_jobs=None):
    pipe = make_lstm_pipeline(
        **CLASSIC_RECIPE | {"maxlen": 200, "epochs": 1}, random_state=0
    )
    search = GridSearchCV(pipe, GRID, cv=3, n_jobs=n_jobs)
    start = time.perf_counter()
    search.fit(X, y)
    return time.perf_counter() - start, search


if __name__ == "__main__":  # Dask's worker processes re-import this file
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--max-samples", type=int, default=2000, metavar="N")
    args = parser.parse_args()
    X, _, y, _ = load_train_test(args.max_samples)

    serial_s, serial = timed_search(X, y)
    loky_s, loky = timed_search(X, y, n_jobs=2)
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                     host="127.0.0.1", dashboard_address=None) as cluster,
        Client(cluster),
        joblib.parallel_backend("dask"),
    ):  # fmt: skip
        dask_s, dask = timed_search(X, y)

    fits = len(serial.cv_results_["params"]) * 3
    print(f"\n{fits} fits of {len(y):,} reviews each (+1 refit)")
    print(f"{'way':<28} {'wall time (s)':>14} {'speed-up':>9}  best params")
    for name, seconds, result in (
        ("n_jobs=1", serial_s, serial),
        ("n_jobs=2 (loky)", loky_s, loky),
        ("Dask LocalCluster, 2 x 1", dask_s, dask),
    ):
        print(f"{name:<28} {seconds:>14.1f} {serial_s / seconds:>8.2f}x  "
              f"{result.best_params_}")  # fmt: skip
