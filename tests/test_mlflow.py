"""MLflow: the sk_lstm flavor, and mlflow.sklearn through skops."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import mlflow
import mlflow.sklearn
import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

import sk_lstm
import sk_lstm.mlflow
from sk_lstm import make_lstm_pipeline

from .conftest import TINY, make_reviews

# Loads both logged models in a new process and writes what they predict.
FRESH = """
import sys
import mlflow, mlflow.sklearn, numpy as np, pandas as pd
import sk_lstm.mlflow

ours, theirs, out = sys.argv[1:]
texts = list(np.load(out + "/texts.npy"))
frame = pd.DataFrame({"review": texts})  # one column, of any name
np.save(out + "/ours_proba.npy", sk_lstm.mlflow.load_model(ours).predict_proba(texts))
np.save(out + "/ours_pyfunc.npy", mlflow.pyfunc.load_model(ours).predict(frame))
theirs_model = mlflow.sklearn.load_model(theirs)
np.save(out + "/theirs_proba.npy", theirs_model.predict_proba(texts))
np.save(out + "/theirs_pyfunc.npy", mlflow.pyfunc.load_model(theirs).predict(frame))
"""


@pytest.fixture(scope="module")
def fitted():
    X, y = make_reviews(48)
    return make_lstm_pipeline(maxlen=12, **{**TINY, "epochs": 2}).fit(X, y), X


@pytest.fixture
def tracking(tmp_path, monkeypatch):
    """A tracking store of the test's own (MLflow writes artifacts under cwd)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    return tmp_path


def test_logged_models_predict_the_same_in_a_fresh_process(fitted, tracking):
    pipe, X = fitted
    with mlflow.start_run():
        ours = sk_lstm.mlflow.log_model(pipe, name="ours")
        theirs = mlflow.sklearn.log_model(
            pipe, name="theirs", skops_trusted_types=sk_lstm.SKOPS_TRUSTED_TYPES
        )
    np.save(tracking / "texts.npy", np.array(X))
    subprocess.run(
        [sys.executable, "-c", FRESH, ours.model_uri, theirs.model_uri, tracking],
        check=True,
        capture_output=True,
    )
    for name in ("ours", "theirs"):
        np.testing.assert_array_equal(
            np.load(tracking / f"{name}_proba.npy"), pipe.predict_proba(X)
        )
        np.testing.assert_array_equal(
            np.load(tracking / f"{name}_pyfunc.npy"), pipe.predict(X)
        )


def test_pyfunc_can_return_probabilities(fitted, tmp_path):
    pipe, X = fitted
    path = tmp_path / "model"
    sk_lstm.mlflow.save_model(pipe, path, pyfunc_predict_fn="predict_proba")
    proba = mlflow.pyfunc.load_model(str(path)).predict(pd.DataFrame({"text": X}))
    np.testing.assert_array_equal(proba, pipe.predict_proba(X))
    assert type(sk_lstm.mlflow.load_model(str(path))) is type(pipe)


def test_save_model_refuses_and_leaves_nothing_behind(fitted, tmp_path):
    pipe, _ = fitted
    with pytest.raises(ValueError, match="pyfunc_predict_fn must be one of"):
        sk_lstm.mlflow.save_model(pipe, tmp_path / "a", pyfunc_predict_fn="score")
    with pytest.raises(NotFittedError):
        sk_lstm.mlflow.save_model(make_lstm_pipeline(), tmp_path / "b")
    (tmp_path / "c").mkdir()
    with pytest.raises(FileExistsError, match="already exists"):
        sk_lstm.mlflow.save_model(pipe, tmp_path / "c")
    assert sorted(os.listdir(tmp_path)) == ["c"]
    assert os.listdir(tmp_path / "c") == []
    mlflow.sklearn.save_model(
        pipe, tmp_path / "d", skops_trusted_types=sk_lstm.SKOPS_TRUSTED_TYPES
    )
    with pytest.raises(ValueError, match="not a model of the sk_lstm flavor"):
        sk_lstm.mlflow.load_model(str(tmp_path / "d"))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_mlflow_models_serve_answers_a_rest_request(fitted, tmp_path):
    pipe, X = fitted
    path = tmp_path / "model"
    sk_lstm.mlflow.save_model(pipe, path)
    port = free_port()
    # The server starts `uvicorn` by name: the environment's scripts come first.
    scripts = os.path.dirname(sys.executable)
    env = {**os.environ, "PATH": scripts + os.pathsep + os.environ["PATH"]}
    command = [os.path.join(scripts, "mlflow"), "models", "serve", "-m", str(path)]
    command += ["--env-manager", "local", "-h", "127.0.0.1", "-p", str(port)]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(f"{url}/ping", timeout=5)
                break
            except OSError:
                assert server.poll() is None, "the server stopped"
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(1)
        body = {"dataframe_split": {"columns": ["text"], "data": [[t] for t in X]}}
        request = urllib.request.Request(
            f"{url}/invocations",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            labels = json.load(response)["predictions"]
    finally:
        server.terminate()
        server.wait(30)
    assert labels == list(pipe.predict(X))
