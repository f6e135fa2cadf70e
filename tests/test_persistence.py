"""sk_lstm.save / sk_lstm.load: a format that cannot run code when loaded."""

import json
import zipfile

import keras
import numpy as np
import pytest
from sklearn.pipeline import Pipeline

import sk_lstm
from sk_lstm import LSTMClassifier, TextSequencer, make_lstm_pipeline

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
    assert isinstance(loaded, Pipeline)
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


def test_model_with_a_lambda_layer_is_refused(fitted, tmp_path):
    sk_lstm.save(fitted[0], tmp_path / "good.sklstm")
    evil = keras.Sequential(
        [keras.Input(shape=(None,)), keras.layers.Lambda(lambda x: x * 2)]
    )
    evil.save(tmp_path / "evil.keras")
    evil_bytes = (tmp_path / "evil.keras").read_bytes()
    rewrite(
        tmp_path / "good.sklstm",
        tmp_path / "bad.sklstm",
        lambda name, data: evil_bytes if name.endswith(".keras") else data,
    )
    with pytest.raises(ValueError, match="Keras model was refused.*Lambda"):
        sk_lstm.load(tmp_path / "bad.sklstm")


@pytest.mark.parametrize("keep", [0, 100, 0.5])
def test_truncated_or_garbage_file_is_a_clear_error(fitted, tmp_path, keep):
    sk_lstm.save(fitted[0], tmp_path / "good.sklstm")
    data = (tmp_path / "good.sklstm").read_bytes()
    size = int(len(data) * keep) if isinstance(keep, float) else keep
    (tmp_path / "cut.sklstm").write_bytes(data[:size])
    with pytest.raises(ValueError, match="not a readable sk_lstm file"):
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
    old_recipe = {**TINY, "bag_ngrams": 0, "min_steps": 0, "predict_batch_size": None}
    pipe = make_lstm_pipeline(maxlen=12, **old_recipe).fit(X, y)
    sk_lstm.save(pipe, tmp_path / "new.sklstm")

    def edit(name, data):
        if name != "sk_lstm.json":
            return data
        manifest = json.loads(data)
        for name in ("bag_ngrams", "bag_buckets", "min_steps", "predict_batch_size"):
            del manifest["steps"][1]["params"][name]
        return json.dumps(manifest)

    rewrite(tmp_path / "new.sklstm", tmp_path / "old.sklstm", edit)
    loaded = sk_lstm.load(tmp_path / "old.sklstm")
    params = loaded.named_steps["classifier"].get_params()
    assert (params["bag_ngrams"], params["min_steps"]) == (0, 0)
    assert params["predict_batch_size"] is None
    np.testing.assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))
