"""A fit with ``checkpoint_dir`` that is stopped anywhere resumes to the same model."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile

import joblib
import numpy as np
import pytest

import sk_lstm
from sk_lstm import LSTMClassifier
from sk_lstm._checkpoint import Checkpoint, epochs_kept
from sk_lstm._cli import main
from sk_lstm._cli._train import interrupted as interrupted_line

from .conftest import make_reviews, write_csv

# Early stopping on a held-out fifth, with the cosine schedule and the bag: the
# reference stops before the last of 6 epochs (of 4 steps), so that every part
# of the state that a checkpoint keeps matters.
PARAMS = dict(units=4, embedding_dim=4, bag_buckets=1021, min_steps=0,
              random_state=0, early_stopping=True, validation_fraction=0.2,
              epochs=6, n_iter_no_change=3)  # fmt: skip


def word_indices(n=300, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randint(1, 60, (n, 16))
    X[: n // 2, :5] = 0  # padding, so that the batches have several widths
    return X, (X[:, 6] > 30).astype(int)


@pytest.fixture(scope="module")
def reference():
    """The uninterrupted fit: its probabilities, steps and history."""
    X, y = word_indices()
    clf = LSTMClassifier(**PARAMS).fit(X, y)
    assert 3 < len(clf.history_["loss"]) < PARAMS["epochs"]  # stopped early
    return {
        "epochs": len(clf.history_["loss"]),
        "proba": clf.predict_proba(X),
        "steps": int(clf.model_.optimizer.iterations),
        "history": dict(clf.history_),
    }


class Stop(Exception):
    pass


def stop_at(monkeypatch, epoch, batch=None):
    """Make a fit stop at `batch` of `epoch` (None: when training ends)."""
    current = {}

    def on_epoch_begin(self, index, logs=None):
        current["epoch"] = index

    def on_train_batch_end(self, index, logs=None):
        if (current.get("epoch"), index) == (epoch, batch):
            raise Stop

    def on_train_end(self, logs=None):
        if batch is None:
            raise Stop

    monkeypatch.setattr(Checkpoint, "on_epoch_begin", on_epoch_begin, raising=False)
    monkeypatch.setattr(Checkpoint, "on_train_batch_end", on_train_batch_end)
    monkeypatch.setattr(Checkpoint, "on_train_end", on_train_end)


def fit_stopped(clf, X, y, epoch, batch=None, **fit_params):
    """Fit `clf`, stopped at `batch` of `epoch` (see `stop_at`)."""
    with pytest.MonkeyPatch.context() as patch:
        stop_at(patch, epoch, batch)
        with pytest.raises(Stop):
            clf.fit(X, y, **fit_params)


def epochs_trained(monkeypatch):
    """A list that gets the index of every epoch trained from now on."""
    trained = []
    save = Checkpoint.on_epoch_end

    def on_epoch_end(self, epoch, logs=None):
        trained.append(epoch)
        save(self, epoch, logs)

    monkeypatch.setattr(Checkpoint, "on_epoch_end", on_epoch_end)
    return trained


def checkpoint_meta(folder):
    (name,) = os.listdir(folder)
    with zipfile.ZipFile(folder / name) as archive:
        return json.loads(archive.read("meta.json"))


def assert_as_uninterrupted(clf, X, reference):
    np.testing.assert_array_equal(clf.predict_proba(X), reference["proba"])
    assert int(clf.model_.optimizer.iterations) == reference["steps"]
    assert dict(clf.history_) == reference["history"]


@pytest.mark.parametrize(
    "epoch, batch, kept",
    [(0, 1, 0), (1, 0, 1), (2, 3, 2), (None, None, "all")],
    ids=["first epoch", "start of the second", "end of the third", "after stopping"],
)
def test_a_stopped_fit_resumes_to_the_uninterrupted_model(
    reference, tmp_path, monkeypatch, epoch, batch, kept
):
    X, y = word_indices()
    clf = LSTMClassifier(**PARAMS, checkpoint_dir=tmp_path)
    fit_stopped(clf, X, y, epoch, batch)
    assert not hasattr(clf, "model_")  # the failed fit left nothing behind
    if kept == "all":
        kept = reference["epochs"]
    assert epochs_kept(tmp_path) == kept
    if kept:
        assert checkpoint_meta(tmp_path)["stopped"] == (kept == reference["epochs"])
    trained = epochs_trained(monkeypatch)
    clf.fit(X, y)
    assert trained == list(range(kept, reference["epochs"]))  # only those left
    assert_as_uninterrupted(clf, X, reference)
    assert os.listdir(tmp_path) == []  # the checkpoint goes with the fit


def test_a_fit_without_interruption_is_unchanged(reference, tmp_path):
    X, y = word_indices()
    clf = LSTMClassifier(**PARAMS, checkpoint_dir=tmp_path / "new").fit(X, y)
    assert_as_uninterrupted(clf, X, reference)
    assert os.listdir(tmp_path / "new") == []
    # a Path is saved in the safe format as its string
    sk_lstm.save(clf, tmp_path / "model.sklstm")
    loaded = sk_lstm.load(tmp_path / "model.sklstm")
    assert loaded.get_params()["checkpoint_dir"] == str(tmp_path / "new")
    np.testing.assert_array_equal(loaded.predict_proba(X), reference["proba"])


def test_a_fixed_number_of_epochs_resumes_mid_schedule(tmp_path, monkeypatch):
    X, y = word_indices()
    params = {**PARAMS, "early_stopping": False, "validation_fraction": None,
              "epochs": 3}  # fmt: skip
    expected = LSTMClassifier(**params).fit(X, y)
    clf = LSTMClassifier(**params, checkpoint_dir=tmp_path)
    fit_stopped(clf, X, y, 1, 2)
    clf.fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), expected.predict_proba(X))
    assert dict(clf.history_) == dict(expected.history_)


def test_a_fit_from_an_initial_epoch_counts_its_own_epochs(tmp_path, monkeypatch):
    X, y = word_indices()
    params = {**PARAMS, "early_stopping": False, "validation_fraction": None,
              "epochs": 3}  # fmt: skip
    expected = LSTMClassifier(**params).fit(X, y, initial_epoch=2)
    clf = LSTMClassifier(**params, checkpoint_dir=tmp_path)
    fit_stopped(clf, X, y, 3, 1, initial_epoch=2)  # Keras' epochs 2, 3, 4
    assert checkpoint_meta(tmp_path)["epochs_done"] == 1
    trained = epochs_trained(monkeypatch)
    clf.fit(X, y, initial_epoch=2)
    assert trained == [3, 4]
    np.testing.assert_array_equal(clf.predict_proba(X), expected.predict_proba(X))
    assert int(clf.model_.optimizer.iterations) == 3 * 5  # 300 texts, 64 a step


@pytest.mark.slow
def test_without_length_bucketing_the_steps_are_the_same(tmp_path, monkeypatch):
    # Keras draws the batch orders of the epochs left afresh: documented.
    X, y = word_indices()
    params = {**PARAMS, "length_bucketing": False, "early_stopping": False,
              "validation_fraction": None, "epochs": 3}  # fmt: skip
    expected = LSTMClassifier(**params).fit(X, y)
    clf = LSTMClassifier(**params, checkpoint_dir=tmp_path)
    fit_stopped(clf, X, y, 1, 2)
    assert epochs_kept(tmp_path) == 1
    trained = epochs_trained(monkeypatch)
    clf.fit(X, y)
    assert trained == [1, 2]
    steps = int(expected.model_.optimizer.iterations)
    assert steps == 3 * 5  # 300 texts, 64 a step
    assert int(clf.model_.optimizer.iterations) == steps
    assert len(clf.history_["loss"]) == 3


@pytest.mark.slow
def test_another_fit_does_not_take_the_checkpoint(tmp_path, monkeypatch):
    X, y = word_indices()
    clf = LSTMClassifier(**PARAMS, checkpoint_dir=tmp_path)
    fit_stopped(clf, X, y, 2, 0)
    (interrupted,) = os.listdir(tmp_path)
    for other, weights in [
        ({"units": 5}, None),
        ({"random_state": 1}, None),
        ({"data": word_indices(seed=1)}, None),
        ({}, np.linspace(1, 2, len(y))),
    ]:
        data = other.pop("data", (X, y))
        trained = epochs_trained(monkeypatch)
        LSTMClassifier(**{**PARAMS, **other}, checkpoint_dir=tmp_path).fit(
            *data, sample_weight=weights
        )
        assert trained[0] == 0  # from the start
        assert os.listdir(tmp_path) == [interrupted]  # left alone
    # What does not change the fit does not change the file it looks for.
    trained = epochs_trained(monkeypatch)
    LSTMClassifier(
        **PARAMS, verbose=2, predict_batch_size=7, checkpoint_dir=tmp_path
    ).fit(X, y)
    assert trained[0] == 2
    assert os.listdir(tmp_path) == []


def test_checkpoints_need_an_int_random_state(tmp_path):
    X, y = word_indices(40)
    clf = LSTMClassifier(**{**PARAMS, "random_state": None}, checkpoint_dir=tmp_path)
    with pytest.raises(ValueError, match="checkpoint_dir needs an int random_state"):
        clf.fit(X, y)
    assert os.listdir(tmp_path) == []
    with pytest.raises(ValueError, match="checkpoint_dir"):
        LSTMClassifier(checkpoint_dir=3).fit(X, y)


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory):
    """The checkpoint file of a fit stopped in its third epoch: name, bytes."""
    folder = tmp_path_factory.mktemp("interrupted")
    X, y = word_indices()
    fit_stopped(LSTMClassifier(**PARAMS, checkpoint_dir=folder), X, y, 2, 0)
    (name,) = os.listdir(folder)
    return name, (folder / name).read_bytes()


def interrupted_checkpoint(tmp_path, interrupted):
    """A classifier, its data and its checkpoint of `interrupted`, in tmp_path."""
    name, content = interrupted
    (tmp_path / name).write_bytes(content)
    return (
        LSTMClassifier(**PARAMS, checkpoint_dir=tmp_path),
        *word_indices(),
        (tmp_path / name),
    )


def rewrite(path, **members):
    """Rewrite the zip at `path` with some members replaced (None: removed)."""
    with zipfile.ZipFile(path) as archive:
        kept = {n: archive.read(n) for n in archive.namelist()}
    kept.update(members)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in kept.items():
            if data is not None:
                archive.writestr(name, data)


def with_meta(path, **changes):
    """Rewrite the checkpoint at `path` with some meta.json fields changed."""
    with zipfile.ZipFile(path) as archive:
        meta = json.loads(archive.read("meta.json"))
    rewrite(path, **{"meta.json": json.dumps({**meta, **changes}).encode()})


def npy_header(shape, dtype="<f4"):
    header = {"descr": dtype, "fortran_order": False, "shape": shape}
    text = repr(header).encode("latin1")
    text += b" " * (63 - (len(text) + 10) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda path: path.write_bytes(path.read_bytes()[:100]), "not a zip file"),
        (lambda path: rewrite(path, **{"meta.json": b"[1"}), "Expecting"),
        (lambda path: rewrite(path, **{"meta.json": b"[]"}), "not an object"),
        (lambda path: rewrite(path, **{"model/3.npy": None}), "holds 13 model arrays"),
        # a header that asks for 4 TB is refused before anything is read
        (
            lambda path: rewrite(path, **{"model/0.npy": npy_header((10**12,))}),
            r"model/0.npy is float32\[1000000000000\]",
        ),
        (
            lambda path: rewrite(path, **{"optimizer/0.npy": b"\x93NUMPY\x09\x00"}),
            "not a NumPy array file",
        ),
        (lambda path: with_meta(path, epochs_done="2"), "a bad epochs_done"),
        (lambda path: with_meta(path, history=[{"loss": "x"}]), "a bad history"),
        (lambda path: with_meta(path, stopper={"wait": 0}), "a bad stopper"),
        (lambda path: with_meta(path, epochs_done=5), "a bad history"),
        (
            lambda path: with_meta(path, stopper={"wait": 0, "stopped_epoch": "1",
                "best": 0.5, "best_epoch": 0, "has_best_weights": False}),
            "a bad stopper",
        ),
    ],
    ids=["truncated", "bad json", "not an object", "array missing", "huge", "not npy",
         "epochs a string", "history of strings", "stopper cut", "epochs not history",
         "stopper's epoch a string"],
)  # fmt: skip
def test_a_damaged_checkpoint_is_named_and_kept(tmp_path, interrupted, damage, message):
    clf, X, y, path = interrupted_checkpoint(tmp_path, interrupted)
    damage(path)
    before = path.read_bytes()
    with pytest.raises(ValueError, match=message) as error:
        clf.fit(X, y)
    assert f"The checkpoint {path} cannot be resumed" in str(error.value)
    assert "Delete it to train from the start" in str(error.value)
    assert path.read_bytes() == before
    assert not hasattr(clf, "model_")


def test_a_checkpoint_of_another_fit_under_its_name_is_refused(tmp_path, interrupted):
    clf, X, y, path = interrupted_checkpoint(tmp_path, interrupted)
    with zipfile.ZipFile(path) as archive:
        meta = json.loads(archive.read("meta.json"))
    rewrite(path, **{"meta.json": json.dumps({**meta, "key": "0" * 64})})
    with pytest.raises(ValueError, match="it was written for another fit"):
        clf.fit(X, y)


# --- a process killed anywhere -------------------------------------------------

KILLED_FIT = """
import os, signal, sys
import numpy as np
from sk_lstm import LSTMClassifier
from sk_lstm._checkpoint import Checkpoint
from tests.test_checkpoint import PARAMS, word_indices

where, folder = sys.argv[1], sys.argv[2]
kill = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
if where.startswith("batch"):  # batch:EPOCH:BATCH
    epoch, batch = map(int, where.split(":")[1:])
    Checkpoint.on_epoch_begin = lambda self, index, logs=None: setattr(
        self, "epoch", index)
    Checkpoint.on_train_batch_end = lambda self, index, logs=None: (
        kill() if (self.epoch, index) == (epoch, batch) else None)
elif where.startswith("write"):  # write:N: while writing the Nth checkpoint
    from numpy.lib import format
    count = {"saves": 0, "arrays": 0}
    save, write = Checkpoint.on_epoch_end, format.write_array
    def on_epoch_end(self, *args):
        count.update(saves=count["saves"] + 1, arrays=0)
        save(self, *args)
    def write_array(*args, **kwargs):
        count["arrays"] += 1
        if (count["saves"], count["arrays"]) == (int(where[6:]), 6):
            kill()
        write(*args, **kwargs)
    Checkpoint.on_epoch_end, format.write_array = on_epoch_end, write_array
X, y = word_indices()
clf = LSTMClassifier(**PARAMS, checkpoint_dir=folder).fit(X, y)
np.save(os.path.join(folder, "..", "proba.npy"), clf.predict_proba(X))
print(int(clf.model_.optimizer.iterations), len(clf.history_["loss"]))
"""


def fit_in_a_process(where, folder):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLED_FIT), where, str(folder)],
        capture_output=True, text=True, cwd=root, timeout=300,
    )  # fmt: skip


@pytest.mark.parametrize(
    "where, kept",
    [
        ("batch:1:2", 1),
        pytest.param("batch:0:0", 0, marks=pytest.mark.slow),
        pytest.param("batch:3:1", 3, marks=pytest.mark.slow),
        pytest.param("write:3", 2, marks=pytest.mark.slow),
    ],
)
def test_a_killed_fit_resumes_to_the_uninterrupted_model(
    reference, tmp_path, where, kept
):
    folder = tmp_path / "checkpoints"
    killed = fit_in_a_process(where, folder)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert epochs_kept(folder) == kept
    left = os.listdir(folder) if folder.exists() else []
    partial = [name for name in left if name.endswith(".partial")]
    assert len(partial) == where.startswith("write")  # safe to delete, named so
    for name in partial:
        os.remove(folder / name)
    resumed = fit_in_a_process("none", folder)
    assert resumed.returncode == 0, resumed.stderr
    steps, epochs = map(int, resumed.stdout.split()[-2:])
    assert (steps, epochs) == (reference["steps"], reference["epochs"])
    np.testing.assert_array_equal(np.load(tmp_path / "proba.npy"), reference["proba"])
    assert os.listdir(folder) == []


# --- sk-lstm train --------------------------------------------------------------

CLI_OPTIONS = ["--recipe", "classic", "--maxlen", "12", "--units", "8",
               "--embedding-dim", "8", "--batch-size", "8", "--epochs", "30",
               "--verbose", "0", "--format", "joblib"]  # fmt: skip


@pytest.mark.parametrize(
    "stop, status",
    [(signal.SIGINT, 130), pytest.param(signal.SIGTERM, 143, marks=pytest.mark.slow)],
    ids=["Ctrl-C", "SIGTERM"],
)
def test_train_says_what_it_kept_and_the_same_command_resumes(
    tmp_path, capsys, stop, status
):
    texts, y = make_reviews(60, random_state=2)
    data = write_csv(tmp_path / "reviews.csv", texts, y)
    argv = ["train", "--data", str(data), "--output", str(tmp_path / "model.joblib"),
            *CLI_OPTIONS]  # fmt: skip
    folder = tmp_path / "model_checkpoints"  # the default
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    slowly = (  # a quarter of a second an epoch: the signal comes in time
        "import signal, sys, time\n"
        # a shell may start the tests with Ctrl-C ignored, which children inherit
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "from sk_lstm._checkpoint import Checkpoint\n"
        "from sk_lstm._cli import main\n"
        "save = Checkpoint.on_epoch_end\n"
        "Checkpoint.on_epoch_end = lambda *a: (save(*a), time.sleep(0.25))\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", slowly, *argv], cwd=root, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not epochs_kept(folder) and process.poll() is None:
        assert time.monotonic() < deadline, "no checkpoint in 2 minutes"
        time.sleep(0.02)
    process.send_signal(stop)
    out, err = process.communicate(timeout=120)
    assert process.returncode == status, err
    assert "Traceback" not in err
    (line,) = [line for line in err.splitlines() if line.startswith("sk-lstm")]
    kept = epochs_kept(folder)
    assert 0 < kept < 30
    assert line == (
        f"sk-lstm train: interrupted: {kept} epoch{'s' * (kept > 1)} kept in "
        f"{folder}; run the same command again to resume"
    )
    assert not (tmp_path / "model.joblib").exists()

    assert main(argv) == 0  # resumes
    assert f"Found checkpoints in {folder}" in capsys.readouterr().out
    assert not folder.exists()  # the default folder goes with its checkpoints
    resumed = joblib.load(tmp_path / "model.joblib")
    assert resumed.get_params()["classifier__checkpoint_dir"] is None
    assert len(resumed.named_steps["classifier"].history_["loss"]) == 30

    again = [*argv, "--output", str(tmp_path / "again.joblib"), "--no-checkpoint"]
    assert main(again) == 0
    assert not (tmp_path / "again_checkpoints").exists()
    np.testing.assert_array_equal(
        resumed.predict_proba(texts),
        joblib.load(tmp_path / "again.joblib").predict_proba(texts),
    )


def test_the_interrupted_line_says_what_this_fit_kept(tmp_path, interrupted):
    assert interrupted_line(None, []) == "interrupted (nothing kept: --no-checkpoint)"
    assert interrupted_line(tmp_path, []) == (
        "interrupted before the first epoch ended: nothing kept"
    )
    name, content = interrupted
    (tmp_path / name).write_bytes(content)  # an earlier run's
    assert interrupted_line(tmp_path, []) == (
        "interrupted before the fit began: nothing new kept (the checkpoints in "
        f"{tmp_path} stay; the same command resumes from its own)"
    )
    fit = Checkpoint(tmp_path, "0" * 64)
    assert interrupted_line(tmp_path, [fit]) == (  # another fit's file does not count
        "interrupted before the first epoch ended: nothing kept"
    )
    fit.epochs_saved = 2
    assert interrupted_line(tmp_path, [fit]) == (
        f"interrupted: 2 epochs kept in {tmp_path}; run the same command again to "
        "resume"
    )


def test_a_failed_save_keeps_the_checkpoint_and_others_are_named(
    tmp_path, capsys, monkeypatch, interrupted
):
    texts, y = make_reviews(60, random_state=2)
    data = write_csv(tmp_path / "reviews.csv", texts, y)
    argv = ["train", "--data", str(data), "--output", str(tmp_path / "model.joblib"),
            *CLI_OPTIONS, "--epochs", "2"]  # fmt: skip
    folder = tmp_path / "model_checkpoints"
    folder.mkdir()
    name, content = interrupted
    (folder / name).write_bytes(content)  # another fit's

    def full_disk(*args):
        raise OSError(28, "No space left on device", str(tmp_path / "model.joblib"))

    with monkeypatch.context() as patch:
        patch.setattr("sk_lstm._cli._train.save_model", full_disk)
        assert main(argv) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert len(os.listdir(folder)) == 2  # the finished fit's stays
    trained = epochs_trained(monkeypatch)
    assert main(argv) == 0
    assert trained == []  # nothing left to train
    assert (tmp_path / "model.joblib").exists()
    assert os.listdir(folder) == [name]
    assert (
        f"Left 1 checkpoint of other fits in {folder}: delete them if their data "
        "or options are no longer used"
    ) in capsys.readouterr().out
