"""An MLflow flavor: log, load and serve fitted pipelines in sk_lstm's safe format.

``mlflow.sklearn`` saves with skops by default, which needs the classes of this
package named as trusted (``skops_trusted_types=sk_lstm.SKOPS_TRUSTED_TYPES``).
This flavor needs nothing: the model is written by `sk_lstm.save`, and loading
it, with `load_model` or ``mlflow.pyfunc.load_model``, runs no code from the
file. Its ``python_function`` flavor predicts the labels of a one-column
DataFrame (or list, or array) of texts, which is what ``mlflow models serve``
passes on::

    import sk_lstm.mlflow

    with mlflow.start_run():
        info = sk_lstm.mlflow.log_model(pipe, name="model")
    labels = mlflow.pyfunc.load_model(info.model_uri).predict(frame[["text"]])

Needs ``pip install mlflow``.
"""

import os
import platform
import shutil
import sys
from importlib.metadata import PackageNotFoundError, version

import mlflow
import yaml
from mlflow.models import Model, ModelSignature
from mlflow.types import ColSpec, Schema

import sk_lstm

FLAVOR_NAME = "sk_lstm"
_MODEL_FILE = "model.sklstm"
_PREDICT_METHODS = ("predict", "predict_proba")
_REQUIREMENTS = ("sk-lstm", "tensorflow", "keras", "scikeras", "scikit-learn", "mlflow")


def save_model(
    pipeline,
    path,
    *,
    mlflow_model=None,
    signature=None,
    input_example=None,
    pyfunc_predict_fn="predict",
    metadata=None,
):
    """Save a fitted pipeline (or estimator) as an MLflow model in a new folder.

    Parameters
    ----------
    pipeline : Pipeline, TextSequencer or LSTMClassifier
        Fitted, of the classes `sk_lstm.save` takes.
    path : str or os.PathLike
        The folder to create; it must not exist.
    mlflow_model : mlflow.models.Model, optional
        The model description to add the flavors to (`log_model` passes one).
    signature : mlflow.models.ModelSignature, optional
        The default takes one column of strings, whatever its name.
    input_example : optional
        Saved beside the model, as MLflow does.
    pyfunc_predict_fn : {"predict", "predict_proba"}, default="predict"
        What ``mlflow.pyfunc``'s ``predict`` returns: labels, or an array of
        class probabilities (columns in the order of ``classes_``).
    metadata : dict, optional
        Stored in the MLmodel file.

    Raises
    ------
    FileExistsError
        If ``path`` exists.
    ValueError
        If ``pyfunc_predict_fn`` is not one of the two.
    TypeError, sklearn.exceptions.NotFittedError
        As `sk_lstm.save` raises them; the folder is then removed again.
    """
    if pyfunc_predict_fn not in _PREDICT_METHODS:
        raise ValueError(
            f"pyfunc_predict_fn must be one of {_PREDICT_METHODS}, got "
            f"{pyfunc_predict_fn!r}"
        )
    path = os.fspath(path)
    if os.path.exists(path):
        raise FileExistsError(f"{path} already exists; choose a new folder")
    os.makedirs(path)
    try:
        _save(
            pipeline,
            path,
            mlflow_model,
            signature,
            input_example,
            pyfunc_predict_fn,
            metadata,
        )
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)  # nothing half-written is left
        raise


def _save(pipeline, path, mlflow_model, signature, input_example, predict_fn, metadata):
    sk_lstm.save(pipeline, os.path.join(path, _MODEL_FILE))
    model = Model() if mlflow_model is None else mlflow_model
    model.signature = signature or ModelSignature(Schema([ColSpec("string")]))
    if metadata is not None:
        model.metadata = metadata
    if input_example is not None:
        from mlflow.models.utils import _save_example  # as every flavor does

        _save_example(model, input_example, path)
    requirements = _write_environment(path)
    mlflow.pyfunc.add_to_model(
        model,
        loader_module=__name__,
        data=_MODEL_FILE,
        conda_env="conda.yaml",
        python_env="python_env.yaml",
        predict_fn=predict_fn,
    )
    model.add_flavor(
        FLAVOR_NAME,
        model_file=_MODEL_FILE,
        sk_lstm_version=sk_lstm.__version__,
        requirements=requirements,
    )
    model.save(os.path.join(path, "MLmodel"))


def log_model(pipeline, name="model", **kwargs):
    """Log a fitted pipeline to the active MLflow run (one is started if none is).

    Parameters
    ----------
    pipeline : Pipeline, TextSequencer or LSTMClassifier
        Fitted.
    name : str, default="model"
        The model's name in the run.
    **kwargs
        `save_model`'s keywords, and those of ``mlflow.models.Model.log``
        (``registered_model_name``, ``params``, ``tags``...).

    Returns
    -------
    mlflow.models.model.ModelInfo
        Its ``model_uri`` loads the model again.
    """
    return Model.log(
        artifact_path=None,
        name=name,
        flavor=sys.modules[__name__],
        pipeline=pipeline,
        **kwargs,
    )


def load_model(model_uri, dst_path=None):
    """Load a pipeline saved by `save_model` or `log_model`, with `sk_lstm.load`.

    Parameters
    ----------
    model_uri : str
        A local folder, ``runs:/<run_id>/model``, ``models:/<name>/<version>``...
    dst_path : str, optional
        Where to download a remote model to.

    Returns
    -------
    Pipeline, TextSequencer or LSTMClassifier
    """
    local = mlflow.artifacts.download_artifacts(
        artifact_uri=model_uri, dst_path=dst_path
    )
    flavor = Model.load(os.path.join(local, "MLmodel")).flavors.get(FLAVOR_NAME)
    if flavor is None:
        raise ValueError(f"{model_uri} is not a model of the {FLAVOR_NAME} flavor")
    return sk_lstm.load(os.path.join(local, flavor["model_file"]))


class _PyFuncModel:
    """What ``mlflow.pyfunc.load_model`` wraps (it calls the method named by
    ``pyfunc_predict_fn``): predicts from a column of texts."""

    def __init__(self, pipeline):
        self.pipeline = pipeline

    def get_raw_model(self):
        return self.pipeline

    def predict(self, model_input, params=None):
        return self.pipeline.predict(model_input)

    def predict_proba(self, model_input, params=None):
        return self.pipeline.predict_proba(model_input)


def _load_pyfunc(path):
    return _PyFuncModel(sk_lstm.load(path))


def _write_environment(path):
    """requirements.txt, python_env.yaml and conda.yaml of the running versions."""
    requirements = []
    for package in _REQUIREMENTS:
        try:
            requirements.append(f"{package}=={version(package)}")
        except PackageNotFoundError:
            continue
    with open(os.path.join(path, "requirements.txt"), "w") as file:
        file.write("\n".join(requirements) + "\n")
    python = platform.python_version()
    environments = {
        "python_env.yaml": {
            "python": python,
            "build_dependencies": ["pip"],
            "dependencies": ["-r requirements.txt"],
        },
        "conda.yaml": {
            "name": "mlflow-env",
            "channels": ["conda-forge"],
            "dependencies": [f"python={python}", "pip", {"pip": requirements}],
        },
    }
    for name, content in environments.items():
        with open(os.path.join(path, name), "w") as file:
            yaml.safe_dump(content, file, sort_keys=False)
    return requirements
