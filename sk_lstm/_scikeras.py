"""The private parts of scikeras that `LSTMClassifier` relies on, in one place.

scikeras 0.13 (April 2024) is its last release and its repository is archived:
``pyproject.toml`` pins the versions tested, and `missing_hooks` (run by the
test suite) says loudly what changed should another version be installed.
Everything private that sk_lstm reads or overrides is listed in `HOOKS`.
"""

import inspect

import scikeras
from scikeras._utils import route_params
from scikeras.utils import metric_name
from scikeras.utils.transformers import ClassifierLabelEncoder
from scikeras.wrappers import KerasClassifier
from sklearn.utils.multiclass import type_of_target

__all__ = ["HOOKS", "LabelEncoder", "history_key", "missing_hooks", "route_params"]

#: name -> the parameters sk_lstm calls or overrides it with (None: an attribute
#: or property that must exist). Methods are of `scikeras.wrappers.KerasClassifier`.
HOOKS = {
    # overridden: pass `_new_model` on; the bag's prior is counted after the
    # model is built and before it is trained
    "_fit": ("X", "y", "sample_weight", "warm_start", "epochs", "initial_epoch"),
    # overridden: length-bucketed batches, validation split, callbacks
    "_fit_keras_model": (
        "X",
        "y",
        "sample_weight",
        "warm_start",
        "epochs",
        "initial_epoch",
    ),  # fmt: skip
    # overridden: a prediction batch of its own, length-bucketed
    "_predict_raw": ("X",),
    # overridden: word indices checked first, with errors naming the position
    "_validate_data": ("X", "y", "reset", "y_numeric"),
    # replaced by a property: scikeras' seeding leaves op determinism on
    "_random_state": None,
    # read to route `fit__*` and `predict__*` arguments as scikeras does
    "_fit_kwargs": None,
    "_predict_kwargs": None,
    "_routing_prefixes": None,
    # set by `_initialize_callbacks`, read and extended for one fit
    "_initialize_callbacks": (),
    "_fit_callbacks": None,
    "_predict_callbacks": None,
    # `fit` passes `**kwargs` (our `_in_fit` flag) on to `_fit`
    "fit": ("X", "y", "sample_weight", "kwargs"),
    "partial_fit": ("X", "y", "classes", "sample_weight", "kwargs"),
    "initialize": ("X", "y"),
    # overridden: `LabelEncoder`
    "target_encoder": None,
}


class LabelEncoder(ClassifierLabelEncoder):
    """scikeras' label encoder, which reads an indicator matrix whose rows each
    hold one label as one-hot classes (one softmax, argmax predictions): here
    an indicator matrix always means several labels per text."""

    def fit(self, y):
        """Fit as scikeras does; keep an indicator matrix multi-label.

        Returns
        -------
        self : LabelEncoder
        """
        super().fit(y)
        if type_of_target(y) == "multilabel-indicator":
            # classes_ and n_classes_ are the columns either way
            self._target_type = "multilabel-indicator"
        return self


def history_key(key):
    """The key of ``history_`` that scikeras files Keras' log ``key`` under
    (as its ``_fit_keras_model`` does: metrics by their short name)."""
    if key == "loss" or key.startswith("val_"):
        return key
    try:
        return metric_name(key)
    except ValueError:  # a custom metric
        return key


# The instance attributes of HOOKS, and the method that sets each.
_SET_BY = {
    "_random_state": "_initialize",
    "_fit_callbacks": "_initialize_callbacks",
    "_predict_callbacks": "_initialize_callbacks",
}


def missing_hooks():
    """What of `HOOKS` the installed scikeras lacks, one sentence per item.

    Returns
    -------
    problems : list of str
        Empty when every name exists with (at least) the parameters listed.
    """
    problems = []
    for name, parameters in HOOKS.items():
        if name in _SET_BY:  # instance attributes: set by a method we can read
            if name not in inspect.getsource(getattr(KerasClassifier, _SET_BY[name])):
                problems.append(
                    f"KerasClassifier.{_SET_BY[name]} no longer sets {name}"
                )
            continue
        if not hasattr(KerasClassifier, name):
            problems.append(f"scikeras.wrappers.KerasClassifier.{name} is gone")
            continue
        if parameters is None:
            continue
        have = inspect.signature(getattr(KerasClassifier, name)).parameters
        lacking = [p for p in parameters if p not in have]
        if lacking:
            problems.append(
                f"KerasClassifier.{name} no longer takes {lacking} (it takes "
                f"{list(have)})"
            )
    if "self._target_type = " not in inspect.getsource(ClassifierLabelEncoder.fit):
        problems.append("ClassifierLabelEncoder.fit no longer sets _target_type")
    route = inspect.signature(route_params).parameters
    if list(route)[:3] != ["params", "destination", "pass_filter"]:
        problems.append(f"scikeras._utils.route_params takes {list(route)}")
    if problems:
        problems.insert(0, f"scikeras {scikeras.__version__} differs from 0.13:")
    return problems
