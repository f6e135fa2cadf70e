"""sk_lstm.save / sk_lstm.load: a format that cannot run code when loaded."""

import json
import os
import pickle
import re
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import h5py
import joblib
import keras
import numpy as np
import pandas as pd
import pytest
import skops.io
import skops.io.exceptions
from sklearn.exceptions import NotFittedError

import sk_lstm
from sk_lstm import LSTMClassifier, TextSequencer, make_lstm_pipeline
from sk_lstm._classifier import ADDED_PARAMS
from sk_lstm._sequencer import ADDED_PARAMS as SEQUENCER_ADDED

from .conftest import TINY, make_reviews


@pytest.fixture(scope="module")
def fitted():
    X, y = make_reviews(48)
    return make_lstm_pipeline(maxlen=12, **{**TINY, "epochs": 2}).fit(X, y), X


def test_pipeline_round_trip_gives_identical_predictions(fitted, tmp_path):
    pipe, X = fitted
    path = tmp_path / "pipe.sklstm"
    sk_lstm.save(pipe, path)
    loaded = sk_lstm.load(path)
    assert type(loaded) is sk_lstm.AtomicPipeline
    assert [name for name, _ in loaded.steps] == ["sequencer", "classifier"]
    np.testing.assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))
    assert list(loaded.predict(X)) == list(pipe.predict(X))
    assert loaded.get_params()["classifier__units"] == TINY["units"]
    assert loaded.named_steps["classifier"].history_["loss"] == pytest.approx(
        pipe.named_steps["classifier"].history_["loss"]
    )


def test_single_estimators_round_trip(fitted, tmp_path):
    pipe, X = fitted
    sequencer = pipe.named_steps["sequencer"]
    sk_lstm.save(sequencer, tmp_path / "seq.sklstm")
    loaded = sk_lstm.load(tmp_path / "seq.sklstm")
    assert isinstance(loaded, TextSequencer)
    np.testing.assert_array_equal(loaded.transform(X), sequencer.transform(X))
    classifier = pipe.named_steps["classifier"]
    sk_lstm.save(classifier, tmp_path / "clf.sklstm")
    loaded = sk_lstm.load(tmp_path / "clf.sklstm")
    assert isinstance(loaded, LSTMClassifier)
    sequences = sequencer.transform(X)
    np.testing.assert_array_equal(
        loaded.predict_proba(sequences), classifier.predict_proba(sequences)
    )


@pytest.mark.parametrize("n_classes", [2, 40])
def test_auto_bags_round_trip_in_both_formats(tmp_path, n_classes):
    """The bag's rows follow the data and, beyond 32 classes, its columns are
    projected: both come back from either format."""
    rng = np.random.default_rng(0)
    y = np.arange(200) % n_classes
    X = [f"w{label} " + " ".join(rng.choice(["a", "b", "c"], 4)) for label in y]
    params = {**TINY, "bag_buckets": "auto", "bag_dim": "auto", "epochs": 1}
    pipe = make_lstm_pipeline(maxlen=8, **params).fit(X, y)
    buckets = pipe[-1].bag_buckets_
    assert buckets < 10_000  # sized to 200 short texts
    sk_lstm.save(pipe, tmp_path / "pipe.sklstm")
    joblib.dump(pipe, tmp_path / "pipe.joblib")
    safe, pickled = tmp_path / "pipe.sklstm", tmp_path / "pipe.joblib"
    for loaded in (sk_lstm.load(safe), joblib.load(pickled)):
        assert loaded[-1].bag_buckets_ == buckets
        assert loaded[-1].do_early_stopping_ is False
        assert loaded[-1].model_.count_params() == pipe[-1].model_.count_params()
        np.testing.assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))


def test_files_without_the_fitted_bag_size_take_the_parameter(fitted, tmp_path):
    """Files written before "auto" buckets hold the rows in the parameters."""
    sk_lstm.save(fitted[0], tmp_path / "good.sklstm")
    edit_manifest(
        tmp_path / "good.sklstm",
        tmp_path / "old.sklstm",
        lambda m: m["steps"][1]["fitted"].pop("bag_buckets_") and None,
    )
    loaded = sk_lstm.load(tmp_path / "old.sklstm")
    assert loaded[-1].bag_buckets_ == TINY["bag_buckets"]
    assert loaded[-1].do_early_stopping_ is False
    X = fitted[1]
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted[0].predict_proba(X))


def rewrite(path, target, edit):
    """Copy the zip at ``path`` to ``target``, passing each member through edit."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w") as out:
        for name in source.namelist():
            out.writestr(name, edit(name, source.read(name)))


def test_unexpected_class_in_the_manifest_is_refused(fitted, tmp_path):
    sk_lstm.save(fitted[0], tmp_path / "good.sklstm")

    def edit(name, data):
        if name != "sk_lstm.json":
            return data
        manifest = json.loads(data)
        manifest["steps"][0]["class"] = "os.system"
        return json.dumps(manifest)

    rewrite(tmp_path / "good.sklstm", tmp_path / "bad.sklstm", edit)
    with pytest.raises(ValueError, match="unexpected class 'os.system'"):
        sk_lstm.load(tmp_path / "bad.sklstm")


def test_a_model_of_another_architecture_is_never_deserialized(fitted, tmp_path):
    """Only weights are read from the file: its Lambda layer's code never runs."""
    sk_lstm.save(fitted[0], tmp_path / "good.sklstm")
    marker = str(tmp_path / "ran")
    evil = keras.Sequential(
        [
            keras.Input(shape=(None,)),
            keras.layers.Lambda(lambda x: (open(marker, "w").close(), x)[1]),
        ]
    )
    os.remove(marker)
    evil.save(tmp_path / "evil.keras")
    evil_bytes = (tmp_path / "evil.keras").read_bytes()
    rewrite(
        tmp_path / "good.sklstm",
        tmp_path / "bad.sklstm",
        lambda name, data: evil_bytes if name.endswith(".keras") else data,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match="weights in 'model_1.keras' .* not fit"):
            sk_lstm.load(tmp_path / "bad.sklstm")
    assert not os.path.exists(marker)
    assert [str(w.message) for w in caught] == []  # one error, no warnings


@pytest.mark.parametrize("keep", [0, 100, 0.5])
def test_truncated_or_garbage_file_is_a_clear_error(fitted, tmp_path, keep):
    sk_lstm.save(fitted[0], tmp_path / "good.sklstm")
    data = (tmp_path / "good.sklstm").read_bytes()
    size = int(len(data) * keep) if isinstance(keep, float) else keep
    (tmp_path / "cut.sklstm").write_bytes(data[:size])
    with pytest.raises(ValueError, match="damaged or not an sk_lstm file"):
        sk_lstm.load(tmp_path / "cut.sklstm")


def test_a_failed_save_keeps_the_existing_file(fitted, tmp_path):
    path = tmp_path / "pipe.sklstm"
    sk_lstm.save(fitted[0], path)
    before = path.read_bytes()
    unsavable = TextSequencer(tokenizer=str.split).fit(["a b"])
    with pytest.raises(TypeError, match="tokenizer=.* cannot be saved safely"):
        sk_lstm.save(unsavable, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.sklstm"]


def test_a_crash_while_writing_keeps_the_existing_file(fitted, tmp_path, monkeypatch):
    path = tmp_path / "pipe.sklstm"
    sk_lstm.save(fitted[0], path)
    before = path.read_bytes()

    def crash(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(keras.Model, "save", crash)
    with pytest.raises(OSError, match="disk full"):
        sk_lstm.save(fitted[0], path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.sklstm"]


def test_other_estimators_are_refused(tmp_path):
    from sklearn.linear_model import LogisticRegression

    with pytest.raises(TypeError, match="Only TextSequencer and LSTMClassifier"):
        sk_lstm.save(LogisticRegression(), tmp_path / "x.sklstm")


def test_files_from_before_the_bag_of_ngrams_load_as_they_were(tmp_path):
    """A file whose manifest lacks the parameters added later keeps its model."""
    X, y = make_reviews(48)
    old_recipe = {**TINY, **ADDED_PARAMS}  # what files without them hold
    pipe = make_lstm_pipeline(maxlen=12, **old_recipe).fit(X, y)
    sk_lstm.save(pipe, tmp_path / "new.sklstm")

    def edit(name, data):
        if name != "sk_lstm.json":
            return data
        manifest = json.loads(data)
        for name in (
            "bag_ngrams",
            "bag_buckets",
            "min_steps",
            "predict_batch_size",
            "label_smoothing",
            "bag_binary",
        ):
            del manifest["steps"][1]["params"][name]
        return json.dumps(manifest)

    rewrite(tmp_path / "new.sklstm", tmp_path / "old.sklstm", edit)
    loaded = sk_lstm.load(tmp_path / "old.sklstm")
    params = loaded.named_steps["classifier"].get_params()
    assert (params["bag_ngrams"], params["min_steps"]) == (0, 0)
    assert params["predict_batch_size"] is None and params["label_smoothing"] == 0
    assert params["bag_binary"] is False
    np.testing.assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))


EARLIER = Path(__file__).parent / "data" / "earlier"


@pytest.mark.parametrize("kind", ["joblib", "sklstm"])
@pytest.mark.parametrize(
    "commit, added",
    [
        # the first safe format: words alone, an LSTM's last state, no bag, no
        # gradient clipping
        (
            "50a20ee",
            {
                "sequencer__ngram_range": (1, 1),
                "classifier__pooling": "last",
                "classifier__clipnorm": None,
                "classifier__bag_ngrams": 0,
            },
        ),
        # just before the bag of n-grams
        ("b36afc7", {"classifier__bag_ngrams": 0, "classifier__min_steps": 0}),
        ("4cea29d", {"classifier__bag_binary": False}),  # just before bag_binary
    ],
)
def test_files_of_earlier_versions_predict_as_they_did(commit, added, kind):
    """Files written by earlier commits (tests/data/earlier/make.py) load with the
    model they hold, predict as they did, and refit."""
    probe = json.loads((EARLIER / f"{commit}.json").read_text())
    path = EARLIER / f"{commit}.{kind}"
    pipe = joblib.load(path) if kind == "joblib" else sk_lstm.load(path)
    params = pipe.get_params()
    assert {name: params[name] for name in added} == added
    np.testing.assert_allclose(
        pipe.predict_proba(probe["texts"]), probe["proba"], rtol=1e-6, atol=1e-7
    )
    pipe.set_params(classifier__epochs=1, classifier__min_steps=0)
    pipe.fit(probe["texts"] * 4, ["neg", "pos"] * 8)
    assert pipe.predict(probe["texts"]).shape == (4,)


@pytest.mark.parametrize("commit", ["50a20ee", "b36afc7", "4cea29d"])
def test_every_parameter_earlier_files_lack_is_filled_in(commit):
    with zipfile.ZipFile(EARLIER / f"{commit}.sklstm") as archive:
        manifest = json.loads(archive.read("sk_lstm.json"))
    sequencer, classifier = (step["params"] for step in manifest["steps"])
    assert set(TextSequencer().get_params()) - set(sequencer) <= set(SEQUENCER_ADDED)
    assert set(LSTMClassifier().get_params()) - set(classifier) <= set(ADDED_PARAMS)


def edit_manifest(path, target, change):
    """Copy the file at ``path`` to ``target`` with ``change(manifest)`` applied."""

    def edit(name, data):
        if name != "sk_lstm.json":
            return data
        manifest = json.loads(data)
        return json.dumps(change(manifest) or manifest)

    rewrite(path, target, edit)


def set_in(manifest, step, where, key, value):
    (manifest["steps"][step][where] if where else manifest["steps"][step])[key] = value


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda m: [m], "the manifest is a list, not an object"),
        (lambda m: m.pop("steps") and None, r"the manifest lacks \['steps'\]"),
        (lambda m: m.update(steps=[]), "0 steps for pipeline=True"),
        (lambda m: m.update(steps={}), r"manifest\['steps'\] is a dict, not a list"),
        (lambda m: m.update(pipeline="yes"), "is a str, not a bool"),
        (lambda m: m["steps"].reverse(), "a TextSequencer then an LSTMClassifier"),
        (lambda m: set_in(m, 0, None, "params", []), "is a list, not a dict"),
        (lambda m: set_in(m, 1, "fitted", "vocab_size_", 2.5), "float, not a int"),
        (lambda m: set_in(m, 0, "params", "maxlen", -3), "maxlen"),
        (lambda m: set_in(m, 0, "params", "maxlen", 13), "sequences of 12 but"),
        (lambda m: set_in(m, 0, "params", "colour", 1), r"no parameters \['colour'\]"),
        (lambda m: set_in(m, 1, "fitted", "vocab_size_", 10), "do not fit"),
        (lambda m: set_in(m, 1, "params", "vocab_size", 10**6), "but the embedding"),
        (lambda m: set_in(m, 1, "params", "model", "x"), "do not make a model"),
        (lambda m: set_in(m, 1, "params", "optimizer", 5), "do not make a model"),
        (lambda m: set_in(m, 1, "params", "callbacks", 5), "do not make a model"),
        (lambda m: set_in(m, 1, "fitted", "classes_", [10**30, 1]), "numbers or str"),
        (lambda m: set_in(m, 0, None, "model", []), r"unexpected keys \['model'\]"),
        (lambda m: set_in(m, 0, None, "name", "classifier"), "not distinct"),
        (lambda m: set_in(m, 0, None, "name", "a__b"), "without '__'"),
        (lambda m: set_in(m, 0, None, "name", "steps"), "without '__'"),
        (lambda m: set_in(m, 1, "params", "bag_ngrams", 10**30), "bag_ngrams"),
        (lambda m: set_in(m, 0, "params", "token_pattern", "("), "make a model"),
        (lambda m: set_in(m, 0, "params", "ngram_range", ["a"]), "ngram_range"),
        (lambda m: set_in(m, 1, "fitted", "vocab_size_", 10**12), "weights, more"),
        (lambda m: set_in(m, 1, "params", "units", 10**9), "weights, more than"),
        (lambda m: set_in(m, 1, "fitted", "n_features_in_", 10**9), "sequences of"),
        (lambda m: set_in(m, 1, "fitted", "classes_", ["a"]), "1 classes"),
        (lambda m: set_in(m, 1, "fitted", "classes_", ["a", "b", "c"]), "do not fit"),
        (lambda m: set_in(m, 1, "fitted", "classes_", ["a", "a"]), "not distinct"),
        (lambda m: set_in(m, 1, "fitted", "classes_", [{}, 1]), "numbers or strings"),
        (lambda m: set_in(m, 1, "fitted", "classes_dtype", "<M8[s]"), "dtype datetime"),
        (lambda m: set_in(m, 1, "fitted", "classes_dtype", "nope"), "not a NumPy"),
        (lambda m: set_in(m, 1, "params", "embedding_dim", 9), "do not fit"),
        (lambda m: set_in(m, 1, None, "model", "other.keras"), "unexpected or missing"),
        (lambda m: set_in(m, 0, "fitted", "vocabulary_", {"a": 7}), "indices are not"),
        (lambda m: set_in(m, 1, "fitted", "history_", {"loss": "x"}), "history_"),
        (lambda m: set_in(m, 1, "fitted", "bag_buckets_", "x"), "not a number of rows"),
        (lambda m: set_in(m, 1, "fitted", "bag_buckets_", 0), "not a number of rows"),
        (lambda m: set_in(m, 1, "fitted", "bag_buckets_", 1031), "do not fit"),
        (lambda m: set_in(m, 1, "fitted", "do_early_stopping_", 1), "true or false"),
        (lambda m: set_in(m, 1, "fitted", "bag_buckets_", 2**40), "not a number of"),
        (lambda m: set_in(m, 1, "fitted", "bag_row_names_", "x"), "bag_row_names_"),
        (lambda m: set_in(m, 1, "fitted", "bag_row_names_", [[1, 1]]), "lists of 5"),
        (lambda m: set_in(m, 1, "fitted", "bag_row_names_", [[0] * 5] * 10**4),
         "up to 100"),
        (lambda m: set_in(m, 1, "fitted", "bag_row_names_", [[10**9, 1, 2, 3, 0]]),
         "outside the model"),
        (lambda m: set_in(m, 1, "fitted", "bag_row_names_", [[2, 1, 2, 3, 0]]),
         "outside the model"),  # a word's row, not a hashed one
    ],
)  # fmt: skip
def test_a_manifest_of_the_wrong_shape_or_inconsistent_is_refused(
    fitted, tmp_path, change, message
):
    sk_lstm.save(fitted[0], tmp_path / "good.sklstm")
    edit_manifest(tmp_path / "good.sklstm", tmp_path / "bad.sklstm", change)
    with pytest.raises(ValueError, match=f"Refusing to load .*{message}"):
        sk_lstm.load(tmp_path / "bad.sklstm")


def test_a_deeply_nested_manifest_is_a_clear_error(fitted, tmp_path):
    sk_lstm.save(fitted[0], tmp_path / "good.sklstm")
    deep = "[" * 100_000 + "]" * 100_000
    rewrite(
        tmp_path / "good.sklstm",
        tmp_path / "bad.sklstm",
        lambda name, data: deep if name == "sk_lstm.json" else data,
    )
    with pytest.raises(ValueError, match="damaged or not an sk_lstm file"):
        sk_lstm.load(tmp_path / "bad.sklstm")


@pytest.mark.parametrize(
    "extra, message",
    [
        ("sk_lstm.json", "'sk_lstm.json' appears more than once"),
        ("model_1.keras", "'model_1.keras' appears more than once"),
        ("notes.txt", r"members \['notes.txt'\] are unexpected"),
    ],
)
def test_duplicate_and_unexpected_members_are_refused(fitted, tmp_path, extra, message):
    sk_lstm.save(fitted[0], tmp_path / "good.sklstm")
    with zipfile.ZipFile(tmp_path / "good.sklstm") as source:
        members = {name: source.read(name) for name in source.namelist()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile: "Duplicate name"
        with zipfile.ZipFile(tmp_path / "bad.sklstm", "w") as out:
            for name, data in members.items():
                out.writestr(name, data)
            out.writestr(extra, members.get(extra, b"hello"))
    with pytest.raises(ValueError, match=message):
        sk_lstm.load(tmp_path / "bad.sklstm")


def zip_bomb(path, name, inflated, declared):
    """A zip whose member ``name`` inflates to ``inflated`` bytes but declares
    ``declared`` (the declared size is patched in both headers)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(name, "w", force_zip64=False) as member:
            block = bytes(2**20)
            for _ in range(inflated // len(block)):
                member.write(block)
    data = bytearray(path.read_bytes())
    real = inflated.to_bytes(4, "little")
    for header, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.index(header)
        assert data[start + offset : start + offset + 4] == real
        data[start + offset : start + offset + 4] = declared.to_bytes(4, "little")
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("declared", [1000, 2**31 - 1])
def test_a_member_that_inflates_is_refused_within_bounded_memory(tmp_path, declared):
    path = tmp_path / "bomb.sklstm"
    zip_bomb(path, "sk_lstm.json", inflated=256 * 2**20, declared=declared)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="damaged|declares .* more than"):
            sk_lstm.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20


@pytest.mark.slow
def test_fuzzed_files_raise_only_value_error_within_bounded_memory(fitted, tmp_path):
    """Truncations, flipped bytes and swapped members of a valid file."""
    sk_lstm.save(fitted[0], tmp_path / "good.sklstm")
    good = (tmp_path / "good.sklstm").read_bytes()
    with zipfile.ZipFile(tmp_path / "good.sklstm") as source:
        members = [(name, source.read(name)) for name in source.namelist()]
    rng = np.random.default_rng(0)
    path = tmp_path / "fuzzed.sklstm"
    outcomes = {"refused": 0, "loaded": 0}
    tracemalloc.start()
    try:
        for trial in range(300):
            kind = trial % 3
            if kind == 0:
                data = good[: rng.integers(len(good))]
            elif kind == 1:
                data = bytearray(good)
                for position in rng.integers(len(data), size=rng.integers(1, 9)):
                    data[position] ^= 1 << rng.integers(8)
                data = bytes(data)
            else:
                names = [name for name, _ in members]
                rng.shuffle(names)
                with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
                    for name, (_, content) in zip(names, members, strict=True):
                        out.writestr(name, content)
                data = path.read_bytes()
            path.write_bytes(data)
            try:
                sk_lstm.load(path)
                outcomes["loaded"] += 1
            except ValueError:
                outcomes["refused"] += 1
            keras.backend.clear_session()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert outcomes["refused"] > 250
    assert peak < 16 * 2**20 + 3 * len(good)


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_saved_files_follow_the_umask(fitted, tmp_path, umask):
    previous = os.umask(umask)
    try:
        sk_lstm.save(fitted[0], tmp_path / "pipe.sklstm")
    finally:
        os.umask(previous)
    assert (tmp_path / "pipe.sklstm").stat().st_mode & 0o777 == 0o666 & ~umask


def test_the_file_being_written_is_named_after_its_target(
    fitted, tmp_path, monkeypatch
):
    renames = []
    replace = os.replace
    monkeypatch.setattr(
        os, "replace", lambda src, dst: (renames.append((src, dst)), replace(src, dst))
    )
    sk_lstm.save(fitted[0], tmp_path / "pipe.sklstm")
    [(source, target)] = renames
    assert target == tmp_path / "pipe.sklstm"
    assert re.fullmatch(r"pipe\.sklstm\.[0-9a-f]{8}\.partial", os.path.basename(source))
    assert os.path.dirname(source) == str(tmp_path)


@pytest.mark.slow
def test_files_that_save_writes_load_back(tmp_path):
    """Object labels, an embedding smaller than the vocabulary (vocab_size set,
    or words seen only beyond maxlen), a one-step pipeline."""
    texts, y = make_reviews(48)
    texts[0] = "zzz " + texts[0]  # a word that only a cut part of a text holds
    labels = pd.Series(y, dtype=object)
    for params in ({"vocab_size": 6}, {"maxlen": 3}, {}):
        pipe = make_lstm_pipeline(**{"maxlen": 12, **TINY, "epochs": 1, **params})
        pipe.fit(texts, labels)
        if params:  # the embedding is smaller than the vocabulary
            words = len(pipe.named_steps["sequencer"].vocabulary_) + 2
            assert pipe.named_steps["classifier"].vocab_size_ < words
        for saved in (pipe, pipe[:-1]):
            sk_lstm.save(saved, tmp_path / "pipe.sklstm")
            loaded = sk_lstm.load(tmp_path / "pipe.sklstm")
            if saved is pipe:
                assert loaded.classes_.dtype == object
                np.testing.assert_array_equal(
                    loaded.predict_proba(texts), pipe.predict_proba(texts)
                )
            else:
                np.testing.assert_array_equal(
                    loaded.transform(texts), saved.transform(texts)
                )


def test_loading_is_quiet(fitted, tmp_path):
    sk_lstm.save(fitted[0], tmp_path / "pipe.sklstm")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sk_lstm.load(tmp_path / "pipe.sklstm")
    assert [str(w.message) for w in caught] == []


def test_hdf5_links_to_elsewhere_are_refused(fitted, tmp_path):
    """A weights file whose datasets live in another file is never read."""
    sk_lstm.save(fitted[0], tmp_path / "good.sklstm")
    with zipfile.ZipFile(tmp_path / "good.sklstm") as source:
        model = source.read("model_1.keras")
    (tmp_path / "model.keras").write_bytes(model)
    with zipfile.ZipFile(tmp_path / "model.keras") as inner:
        (tmp_path / "weights.h5").write_bytes(inner.read("model.weights.h5"))
    with h5py.File(tmp_path / "weights.h5", "a") as weights:
        weights["elsewhere"] = h5py.ExternalLink("/etc/passwd", "/")
    linked = (tmp_path / "weights.h5").read_bytes()
    rewrite(
        tmp_path / "model.keras",
        tmp_path / "evil.keras",
        lambda name, data: linked if name == "model.weights.h5" else data,
    )
    evil = (tmp_path / "evil.keras").read_bytes()
    rewrite(
        tmp_path / "good.sklstm",
        tmp_path / "bad.sklstm",
        lambda name, data: evil if name == "model_1.keras" else data,
    )
    with pytest.raises(ValueError, match="'elsewhere' is not a hard link"):
        sk_lstm.load(tmp_path / "bad.sklstm")


def test_skops_round_trip_trusts_only_sk_lstm_types(fitted, tmp_path):
    """skops (scikit-learn's safe format, MLflow's default) saves a fitted pipeline."""
    pipe, X = fitted
    path = tmp_path / "pipe.skops"
    skops.io.dump(pipe, path)
    untrusted = skops.io.get_untrusted_types(file=path)
    assert sorted(untrusted) == sorted(sk_lstm.SKOPS_TRUSTED_TYPES)
    with pytest.raises(skops.io.exceptions.UntrustedTypesFoundException):
        skops.io.load(path)
    loaded = skops.io.load(path, trusted=untrusted)
    np.testing.assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))
    assert list(loaded.predict(X)) == list(pipe.predict(X))
    assert loaded[-1].history_ == pipe[-1].history_
    assert loaded.get_params().keys() == pipe.get_params().keys()


def test_pickles_hold_the_model_as_plain_bytes(fitted):
    """The pickled state names no Keras type; reading it rebuilds the model here."""
    pipe, X = fitted
    classifier = pipe[-1]
    state = classifier.__getstate__()
    assert isinstance(state["model_"], np.ndarray) and state["model_"].dtype == np.uint8
    assert "target_encoder_" not in state
    assert "target_encoder_" in vars(classifier)  # taken from a copy
    loaded = pickle.loads(pickle.dumps(classifier))
    sequences = pipe[0].transform(X)
    np.testing.assert_array_equal(
        loaded.predict_proba(sequences), classifier.predict_proba(sequences)
    )
    slots = [np.asarray(v) for v in classifier.model_.optimizer.variables]
    restored = [np.asarray(v) for v in loaded.model_.optimizer.variables]
    assert len(restored) == len(slots) > 2  # Adam's moments, not a fresh start
    for before, after in zip(slots, restored, strict=True):
        np.testing.assert_array_equal(after, before)
    loaded.partial_fit(sequences, pipe.predict(X))  # trains on: a complete model
    damaged = {**state, "model_": state["model_"][: len(state["model_"]) // 2]}
    with pytest.raises(ValueError, match="weights are damaged"):
        LSTMClassifier().__setstate__(damaged)


@pytest.mark.parametrize("unfitted", [make_lstm_pipeline(), TextSequencer()])
def test_saving_an_unfitted_estimator_is_refused(unfitted, tmp_path):
    with pytest.raises(NotFittedError):
        sk_lstm.save(unfitted, tmp_path / "model.sklstm")
    assert os.listdir(tmp_path) == []


def test_unpickling_an_initialized_classifier_and_refusing_oversized_states():
    X = np.ones((4, 5), dtype=int)
    initialized = LSTMClassifier(bag_buckets=101).initialize(X, [0, 1, 0, 1])
    copy = pickle.loads(pickle.dumps(initialized))
    np.testing.assert_array_equal(copy.predict_proba(X), initialized.predict_proba(X))
    state = initialized.__getstate__()
    for key, value, match in [
        ("n_features_in_", 2**21, "sequences of 2097152"),
        ("bag_buckets_", 2**31 - 1, "weights, more than"),
        ("dropout", 2.0, "dropout"),
    ]:
        with pytest.raises(ValueError, match=match):
            LSTMClassifier().__setstate__({**state, key: value})
