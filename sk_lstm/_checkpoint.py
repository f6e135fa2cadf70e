"""Checkpoints of a fit in progress, so that a killed `fit` resumes where it stopped.

With ``checkpoint_dir``, `LSTMClassifier.fit` writes at the end of every epoch
what the rest of the fit depends on: the model's variables (its weights and the
random state of its dropout), the optimizer's (its step count and moments),
early stopping's record (best score and weights, epochs without improvement)
and the history so far. The file is named by a hash of the training data, the
parameters and the library versions, so that only the same fit finds it: it
restores the state, skips the batch orders of the epochs done and trains those
that are left, which ends as the uninterrupted fit would (see `LSTMClassifier`'s
``checkpoint_dir``). The file goes when the fit ends, or, within `kept_until`,
when the caller says the fitted model is safe.

Each file is written whole or not at all (`atomic_write`): a kill while writing
leaves the previous one. It is a zip of ``meta.json`` and ``.npy`` arrays, read
without pickles, every array's shape and type checked against the model's
before it is read, so a damaged file costs no more memory than the model.
"""

import contextlib
import contextvars
import hashlib
import json
import os
import zipfile
from collections.abc import Mapping

import keras
import numpy as np
import sklearn
import tensorflow as tf

from . import __version__
from ._atomic import atomic_write
from ._scikeras import history_key

FORMAT = "sk_lstm fit checkpoint 1"
#: Parameters that do not change what `fit` computes.
IGNORED = frozenset({"checkpoint_dir", "verbose", "predict_batch_size"})
#: Bytes of ``meta.json`` at most (the history of thousands of epochs).
MAX_META = 16 * 2**20
#: What is caught when a checkpoint is read: a damaged file raises any of these.
UNREADABLE = (
    OSError,
    ValueError,
    KeyError,
    TypeError,
    EOFError,
    NotImplementedError,
    zipfile.BadZipFile,
)
_kept = contextvars.ContextVar("sk_lstm_checkpoints_kept", default=None)


def fit_key(estimator, arrays, fit_args=None):
    """The hash naming a fit's checkpoint: its data, parameters and versions.

    ``arrays`` are the encoded training and validation arrays (None for an
    absent one); ``fit_args``, what ``fit`` gives Keras besides them.
    """
    given = {f"fit:{name}": value for name, value in (fit_args or {}).items()}
    params = {
        name: value
        for name, value in {**estimator.get_params(), **given}.items()
        if name.removeprefix("fit:") not in IGNORED and not name.startswith("predict__")
    }
    versions = [__version__, keras.__version__, tf.__version__, sklearn.__version__,
                np.__version__]  # fmt: skip
    digest = hashlib.sha256(json.dumps(_plain([FORMAT, versions, params])).encode())
    for array in arrays:
        if array is None:
            digest.update(b"None")
            continue
        if not isinstance(array, np.ndarray):
            raise ValueError(
                "checkpoint_dir needs validation_data as arrays, got "
                f"{type(array).__name__}: a checkpoint is found by a hash of the data."
            )
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.data if array.dtype != object else repr(array).encode())
    return digest.hexdigest()


def _plain(value):
    """``value`` as JSON can hold it, the same for equal values in any process
    (never a memory address): dicts as sorted pairs, whatever their keys."""
    if isinstance(value, np.ndarray):  # word vectors: by their bytes
        data = np.ascontiguousarray(value)
        digest = hashlib.sha256(data.tobytes()).hexdigest()
        return {"ndarray": digest, "shape": list(data.shape), "dtype": str(data.dtype)}
    if isinstance(value, Mapping):
        pairs = [[_plain(k), _plain(v)] for k, v in value.items()]
        return sorted(pairs, key=json.dumps)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, type) or not hasattr(value, "get_config") and callable(value):
        # a class or a function: by its own name, not its type's
        return f"{value.__module__}.{getattr(value, '__qualname__', repr(value))}"
    name = f"{type(value).__module__}.{type(value).__qualname__}"
    if hasattr(value, "get_config"):  # Keras optimizers, losses, callbacks...
        try:
            return {"class": name, "config": _plain(value.get_config())}
        except (NotImplementedError, TypeError):
            pass
    return name


class Checkpoint(keras.callbacks.Callback):
    """Save the fit's state at every epoch's end; restore a saved one.

    Placed last among the fit's callbacks, so that it records early stopping's
    verdict on the epoch, and restores early stopping's record after that
    resets it at the start of training.

    Parameters
    ----------
    folder : str or os.PathLike
        Where the checkpoints are (made on the first save).
    key : str
        `fit_key` of the fit.
    stopper : keras.callbacks.EarlyStopping or None
        The fit's early stopping, whose record is saved and restored.
    first_epoch : int, default=0
        The ``initial_epoch`` the fit was given: epochs are counted from it.
    """

    def __init__(self, folder, key, stopper=None, first_epoch=0):
        super().__init__()
        self.folder = os.fspath(folder)
        self.path = os.path.join(self.folder, f"fit-{key[:32]}.ckpt")
        self.key = key
        self.stopper = stopper
        self.first_epoch = first_epoch
        self.epochs_done, self.stopped, self.history = 0, False, []
        self.epochs_saved = 0  # what the file on disk holds
        self._restored_epochs, self._stopper_state = 0, None
        kept = _kept.get()
        if kept is not None:
            kept.append(self)

    def restore(self, model):
        """Load the saved state, if any, into ``model`` and its optimizer.

        Sets ``epochs_done``, ``stopped`` (early stopping ended the fit) and
        ``history`` (the logs of each epoch done). Call before training: the
        optimizer is built here. A damaged file, or one of another fit, raises
        one ValueError naming it.
        """
        if not os.path.exists(self.path):
            return
        optimizer = model.optimizer
        if not optimizer.built:
            optimizer.build(model.trainable_variables)
        try:
            with zipfile.ZipFile(self.path) as archive:
                meta = _read_meta(archive)
                if meta.get("format") != FORMAT or meta.get("key") != self.key:
                    raise ValueError("it was written for another fit")
                _check_meta(meta)
                _load(archive, "model", model.variables)
                _load(archive, "optimizer", _optimizer_state(optimizer))
                best = meta["stopper"] and meta["stopper"]["has_best_weights"]
                if best:
                    shapes = [np.zeros(w.shape, w.dtype) for w in model.weights]
                    _load(archive, "best", shapes)
                    meta["stopper"]["best_weights"] = shapes
        except UNREADABLE as error:
            raise ValueError(
                f"The checkpoint {self.path} cannot be resumed: {error}. Delete it "
                "to train from the start."
            ) from None
        self.epochs_done, self.stopped = meta["epochs_done"], meta["stopped"]
        self.epochs_saved = self.epochs_done
        self.history = meta["history"]
        self._restored_epochs = len(self.history)
        self._stopper_state = meta["stopper"]

    def on_train_begin(self, logs=None):
        if self.stopper is not None and self._stopper_state is not None:
            state = self._stopper_state
            self.stopper.wait = state["wait"]
            self.stopper.stopped_epoch = state["stopped_epoch"]
            self.stopper.best = state["best"]
            self.stopper.best_epoch = state["best_epoch"]
            self.stopper.best_weights = state.get("best_weights")

    def on_epoch_end(self, epoch, logs=None):
        self.history.append({key: float(value) for key, value in (logs or {}).items()})
        # Keras counts from the fit's initial_epoch; the file, from the fit's start.
        self.epochs_done = epoch + 1 - self.first_epoch
        self.stopped = bool(self.model.stop_training)
        stopper = None
        best = []
        if self.stopper is not None:
            best = self.stopper.best_weights or []
            stopper = {
                "wait": self.stopper.wait,
                "stopped_epoch": self.stopper.stopped_epoch,
                "best": None if self.stopper.best is None else float(self.stopper.best),
                "best_epoch": self.stopper.best_epoch,
                "has_best_weights": bool(best),
            }
        meta = {
            "format": FORMAT,
            "key": self.key,
            "epochs_done": self.epochs_done,
            "stopped": self.stopped,
            "history": self.history,
            "stopper": stopper,
        }
        arrays = {
            "model": [v.numpy() for v in self.model.variables],
            "optimizer": [v.numpy() for v in _optimizer_state(self.model.optimizer)],
            "best": best,
        }
        os.makedirs(self.folder, exist_ok=True)
        with atomic_write(self.path) as file:
            with zipfile.ZipFile(file, "w", zipfile.ZIP_STORED) as archive:
                archive.writestr("meta.json", json.dumps(meta))
                for part, values in arrays.items():
                    for i, value in enumerate(values):
                        with archive.open(f"{part}/{i}.npy", "w") as member:
                            np.lib.format.write_array(
                                member, np.asarray(value), allow_pickle=False
                            )
        self.epochs_saved = self.epochs_done

    def history_before(self):
        """The history of the epochs restored, as scikeras keys it."""
        merged = {}
        for logs in self.history[: self._restored_epochs]:
            for key, value in logs.items():
                merged.setdefault(history_key(key), []).append(value)
        return merged

    def remove(self):
        """Delete the checkpoint (the fit has ended), or, within `kept_until`,
        leave that to the end of the block."""
        if _kept.get() is None:
            self.delete()

    def delete(self):
        """Delete the checkpoint now."""
        try:
            os.remove(self.path)
        except FileNotFoundError:
            pass


@contextlib.contextmanager
def kept_until(checkpoints):
    """Keep the checkpoints of the fits within the block until it ends well.

    Appends to the list ``checkpoints`` each `Checkpoint` made within the
    block (these fits', not older files'); their files are deleted when the
    block ends without an exception, and kept otherwise, so that a command
    whose fit ended but whose save failed or was interrupted resumes with
    nothing left to train.
    """
    token = _kept.set(checkpoints)
    try:
        yield checkpoints
    finally:
        _kept.reset(token)
    for checkpoint in checkpoints:
        checkpoint.delete()


def _optimizer_state(optimizer):
    """The optimizer's variables but its learning rate, which the fit sets anew
    (the cosine schedule reads the base rate from it when training starts)."""
    rate = getattr(optimizer, "_learning_rate", None)
    return [v for v in optimizer.variables if v is not rate]


def _check_meta(meta):
    """Refuse a ``meta.json`` whose fields do not have the types written."""
    stopper = meta.get("stopper")
    fields = {
        "epochs_done": _is_count(meta.get("epochs_done")),
        "stopped": isinstance(meta.get("stopped"), bool),
        "history": isinstance(meta.get("history"), list)
        and all(
            isinstance(logs, dict)
            and all(isinstance(v, (int, float)) for v in logs.values())
            for logs in meta.get("history")
        ),
        "stopper": stopper is None or _is_stopper(stopper),
    }
    wrong = [name for name, good in fields.items() if not good]
    if wrong:
        raise ValueError(f"its meta.json has a bad {', '.join(wrong)}")
    if len(meta["history"]) != meta["epochs_done"]:
        raise ValueError("its meta.json has a bad history")


def _is_stopper(stopper):
    """Whether ``stopper`` is early stopping's record as `Checkpoint` writes it."""
    if not isinstance(stopper, dict):
        return False
    counts = [stopper.get(key) for key in ("wait", "stopped_epoch", "best_epoch")]
    best = stopper.get("best")
    return (
        all(_is_count(count) for count in counts)
        and (
            best is None
            or (isinstance(best, (int, float)) and not isinstance(best, bool))
        )
        and isinstance(stopper.get("has_best_weights"), bool)
    )


def _is_count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _read_meta(archive):
    info = archive.getinfo("meta.json")
    if info.file_size > MAX_META:
        raise ValueError(f"its meta.json holds {info.file_size:,} bytes")
    meta = json.loads(archive.read(info))
    if not isinstance(meta, dict):
        raise ValueError("its meta.json is not an object")
    return meta


def _load(archive, part, targets):
    """Read ``part/0.npy``... into ``targets`` (variables, or arrays filled in
    place), each checked for shape and type first."""
    names = sorted(
        (n for n in archive.namelist() if n.startswith(f"{part}/")),
        key=lambda n: int(n[len(part) + 1 : -len(".npy")]),
    )
    if len(names) != len(targets):
        raise ValueError(
            f"it holds {len(names)} {part} arrays, the model has {len(targets)}"
        )
    for name, target in zip(names, targets, strict=True):
        with archive.open(name) as member:
            major, _ = np.lib.format.read_magic(member)
            if major not in (1, 2, 3):
                raise ValueError(f"its {name} is not a NumPy array file")
            read_header = (
                np.lib.format.read_array_header_1_0
                if major == 1
                else np.lib.format.read_array_header_2_0
            )
            shape, _, dtype = read_header(member)
            expected = np.dtype(target.dtype)
            if tuple(shape) != tuple(target.shape) or dtype != expected:
                raise ValueError(
                    f"its {name} is {dtype}{list(shape)}, the model's "
                    f"{expected}{list(target.shape)}"
                )
        with archive.open(name) as member:
            value = np.lib.format.read_array(member, allow_pickle=False)
        if hasattr(target, "assign"):
            target.assign(value)
        else:
            target[...] = value


def checkpoint_files(folder):
    """The checkpoint files in ``folder`` (none if it does not exist)."""
    try:
        return sorted(n for n in os.listdir(folder) if n.endswith(".ckpt"))
    except OSError:
        return []


def epochs_kept(folder):
    """The most epochs that a readable checkpoint in ``folder`` holds (0: none)."""
    kept = [0]
    for name in checkpoint_files(folder):
        try:
            with zipfile.ZipFile(os.path.join(folder, name)) as archive:
                kept.append(int(_read_meta(archive)["epochs_done"]))
        except UNREADABLE:
            continue
    return max(kept)
