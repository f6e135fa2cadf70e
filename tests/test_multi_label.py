"""Several labels per text: a 0/1 indicator matrix as y."""

import json

import joblib
import numpy as np
import pytest
import tensorflow as tf
from sklearn.base import clone
from sklearn.metrics import f1_score
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score

import sk_lstm
from sk_lstm import LSTMClassifier, explain, export, make_lstm_pipeline
from sk_lstm._cli import main
from sk_lstm._cli._data import read_labelled_texts
from sk_lstm._cli._errors import CommandError
from sk_lstm._model import naive_bayes_prior

from .conftest import TINY, write_csv

TOPICS = {
    "action": ["fight", "chase", "explosion"],
    "comedy": ["funny", "laugh", "joke"],
    "romance": ["love", "kiss", "heart"],
}
NEUTRAL = "the film was a with and of story actor scene".split()


def tagged(n=240, seed=0, share=0.4):
    """Texts with the cue words of each of their topics, and the indicator matrix."""
    rng = np.random.default_rng(seed)
    Y = (rng.random((n, len(TOPICS))) < share).astype(int)
    texts = []
    for labels in Y:
        words = list(rng.choice(NEUTRAL, 6))
        for topic in np.flatnonzero(labels):
            words += list(rng.choice(list(TOPICS.values())[topic], 2))
        rng.shuffle(words)
        texts.append(" ".join(words))
    return texts, Y


PARAMS = {**TINY, "epochs": 12}


@pytest.fixture(scope="module")
def fitted():
    texts, Y = tagged()
    return make_lstm_pipeline(**PARAMS).fit(texts, Y), texts, Y


def test_one_sigmoid_per_label_learns_the_tags(fitted):
    pipe, texts, Y = fitted
    test_texts, test_Y = tagged(120, seed=1)
    proba = pipe.predict_proba(test_texts)
    predicted = pipe.predict(test_texts)
    assert proba.shape == predicted.shape == (120, 3)
    np.testing.assert_array_equal(predicted, (proba > 0.5).astype(int))
    assert f1_score(test_Y, predicted, average="micro") > 0.9
    classifier = pipe.named_steps["classifier"]
    assert classifier.classes_.tolist() == [0, 1, 2] and classifier.n_classes_ == 3
    assert classifier.model_.output_shape == (None, 3)
    assert pipe.predict_proba(test_texts[:1]).shape == (1, 3)
    # subset accuracy, as scikit-learn's classifiers score several labels
    assert pipe.score(test_texts, test_Y) == np.mean((predicted == test_Y).all(axis=1))


def test_one_label_per_row_stays_several_labels():
    texts, Y = tagged()
    one = np.zeros_like(Y)
    one[np.arange(len(Y)), Y.argmax(axis=1)] = 1  # each row one label
    pipe = make_lstm_pipeline(**{**PARAMS, "epochs": 2}).fit(texts, one)
    proba = pipe.predict_proba(texts)
    assert not np.allclose(proba.sum(axis=1), 1)  # sigmoids, not a softmax
    assert pipe.predict(texts).shape == (len(texts), 3)


def test_tags_and_sklearn_tools(fitted):
    pipe, texts, Y = fitted
    assert LSTMClassifier().__sklearn_tags__().classifier_tags.multi_label
    scores = cross_val_score(
        make_lstm_pipeline(**{**PARAMS, "epochs": 4}), texts, Y,
        cv=KFold(2), scoring="f1_samples",
    )  # fmt: skip
    assert scores.shape == (2,) and (scores > 0.5).all()
    search = GridSearchCV(
        make_lstm_pipeline(**{**PARAMS, "epochs": 4}),
        {"classifier__dropout": [0.0, 0.5]}, cv=KFold(2), scoring="f1_samples",
    ).fit(texts, Y)  # fmt: skip
    assert search.best_estimator_.predict(texts).shape == Y.shape


def test_the_same_seed_gives_the_same_model(fitted):
    pipe, texts, Y = fitted
    again = clone(pipe).fit(texts, Y)
    np.testing.assert_array_equal(again.predict_proba(texts), pipe.predict_proba(texts))


@pytest.mark.parametrize("how", ["joblib", "skops", "safe format"])
def test_saved_and_loaded(fitted, tmp_path, how):
    pipe, texts, _ = fitted
    if how == "joblib":
        joblib.dump(pipe, tmp_path / "m.joblib")
        loaded = joblib.load(tmp_path / "m.joblib")
    elif how == "skops":
        skops_io = pytest.importorskip("skops.io")
        skops_io.dump(pipe, tmp_path / "m.skops")
        loaded = skops_io.load(
            tmp_path / "m.skops", trusted=sk_lstm.SKOPS_TRUSTED_TYPES
        )
    else:
        sk_lstm.save(pipe, tmp_path / "m.sklstm")
        loaded = sk_lstm.load(tmp_path / "m.sklstm")
    np.testing.assert_array_equal(
        loaded.predict_proba(texts), pipe.predict_proba(texts)
    )
    np.testing.assert_array_equal(loaded.predict(texts), pipe.predict(texts))


def test_the_prior_is_each_labels_naive_bayes_ratio(fitted):
    pipe, texts, Y = fitted
    classifier = pipe.named_steps["classifier"]
    bag = classifier.model_.get_layer("ngram_bag")
    X = pipe.named_steps["sequencer"].transform(texts)
    weights = np.random.default_rng(0).random(len(X))
    prior = naive_bayes_prior(bag, X, Y, weights)
    assert prior.shape == (bag.rows, 3)
    for label in range(3):  # each label as a two-class problem of its own
        alone = naive_bayes_prior(_one_column(bag), X, Y[:, label], weights)
        np.testing.assert_allclose(prior[:, label], alone[:, 0], rtol=1e-6)


def _one_column(bag):
    """A stand-in for a bag of one output (two classes), hashing as ``bag``."""

    class OneColumn:
        units, rows = 1, bag.rows
        ngram_ids = staticmethod(bag.ngram_ids)

    return OneColumn()


def test_explanations_add_up_and_export_serves_the_labels(fitted, tmp_path):
    pipe, texts, _ = fitted
    for e in explain(pipe, texts[:5]):
        assert e.logit.shape == (3,)
        parts = e.bias + e.bag.sum(0) + e.lstm.sum(0) + e.lstm_padding
        np.testing.assert_allclose(parts, e.logit, atol=1e-5)
    export(pipe, tmp_path / "model")
    serve = tf.saved_model.load(str(tmp_path / "model")).signatures["serving_default"]
    out = serve(text=tf.constant(texts))
    np.testing.assert_allclose(
        out["probabilities"].numpy(), pipe.predict_proba(texts), rtol=0, atol=1e-5
    )
    np.testing.assert_array_equal(out["labels"].numpy(), pipe.predict(texts))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda Y: Y * 2, "must be an indicator matrix of 0 and 1"),
        (lambda Y: Y.astype(float) / 2, "must be an indicator matrix of 0 and 1"),
    ],
)
def test_a_bad_indicator_matrix_is_refused(change, message):
    texts, Y = tagged(40)
    pipe = make_lstm_pipeline(**PARAMS)
    with pytest.raises(ValueError, match=message):
        pipe.fit(texts, change(Y))


def test_class_weight_and_bad_validation_labels_are_refused(fitted):
    texts, Y = tagged(40)
    with pytest.raises(ValueError, match="pass sample_weight instead"):
        make_lstm_pipeline(**PARAMS, class_weight="balanced").fit(texts, Y)
    pipe = fitted[0]
    X = pipe.named_steps["sequencer"].transform(texts)
    classifier = clone(pipe.named_steps["classifier"])
    with pytest.raises(ValueError, match="with 3 columns, as y, got shape"):
        classifier.fit(X, Y, validation_data=(X, Y[:, :2]))
    assert not hasattr(classifier, "model_")
    classifier.fit(X, Y, validation_data=(X, Y))  # the right shape is read
    assert "val_loss" in classifier.history_


def test_a_dataframe_names_the_labels(tmp_path):
    pd = pytest.importorskip("pandas")
    texts, Y = tagged(120)
    frame = pd.DataFrame(Y, columns=list(TOPICS))
    pipe = make_lstm_pipeline(**{**PARAMS, "epochs": 2}).fit(texts, frame)
    assert pipe.named_steps["classifier"].classes_.tolist() == list(TOPICS)
    assert pipe.predict(texts).shape == Y.shape
    sk_lstm.save(pipe, tmp_path / "m.sklstm")
    loaded = sk_lstm.load(tmp_path / "m.sklstm")
    assert loaded.named_steps["classifier"].classes_.tolist() == list(TOPICS)
    np.testing.assert_array_equal(
        loaded.predict_proba(texts), pipe.predict_proba(texts)
    )
    (e,) = explain(loaded, texts[:1])
    assert e.classes.tolist() == list(TOPICS)
    with pytest.raises(ValueError, match="are not distinct"):
        make_lstm_pipeline(**PARAMS).fit(texts, frame.set_axis(["a", "a", "b"], axis=1))


# --- the command line ---------------------------------------------------------


@pytest.fixture(scope="module")
def tag_files(tmp_path_factory):
    """A CSV of texts and "|"-separated tags, and a JSON Lines copy (lists)."""
    folder = tmp_path_factory.mktemp("tags")
    texts, Y = tagged(300, seed=3)
    names = list(TOPICS)
    cells = ["|".join(names[i] for i in np.flatnonzero(row)) for row in Y]
    data = write_csv(folder / "tags.csv", texts, cells, columns=("text", "tags"))
    lines = [
        json.dumps({"text": t, "tags": [names[i] for i in np.flatnonzero(row)]})
        for t, row in zip(texts, Y, strict=True)
    ]
    (folder / "tags.jsonl").write_text("\n".join(lines) + "\n")
    return folder, data, texts, Y


CLI_OPTIONS = ["--units", "8", "--embedding-dim", "8", "--bag-buckets", "1021",
               "--verbose", "0", "--format", "sklstm"]  # fmt: skip


def test_train_predict_and_evaluate_several_labels(tag_files, capsys):
    folder, data, texts, Y = tag_files
    model = folder / "tags.sklstm"
    argv = ["train", "--data", str(data), "--label-column", "tags",
            "--label-separator", "|", "--output", str(model), "--no-checkpoint",
            *CLI_OPTIONS]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "micro-F1 of the labels" in out
    pipe = sk_lstm.load(model)
    assert pipe.named_steps["classifier"].classes_.tolist() == sorted(TOPICS)

    assert main(["predict", str(model), "--json", *texts[:20]]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    predicted = pipe.predict(texts[:20])
    names = pipe.named_steps["classifier"].classes_
    assert [r["labels"] for r in records] == [
        names[np.flatnonzero(row)].tolist() for row in predicted
    ]
    assert main(["predict", str(model), texts[0]]) == 0
    line = capsys.readouterr().out.strip()
    assert line.split("\t")[0] == (",".join(names[predicted[0] == 1]) or "-")

    evaluate = ["evaluate", str(model), "--label-column", "tags"]
    for source in (["--data", str(data), "--label-separator", "|"],
                   ["--data", str(folder / "tags.jsonl")]):  # fmt: skip
        assert main([*evaluate, *source]) == 0
        out = capsys.readouterr().out
        assert "several labels per text" in out and "micro avg" in out
        assert "Subset accuracy" in out and "ROC AUC" in out
    # a model of one label per text, or data of one: a clear error
    assert main([*evaluate, "--data", str(data)]) == 1
    assert "leave out" not in capsys.readouterr().err


@pytest.mark.slow
def test_a_search_over_several_labels(tag_files, capsys):
    folder, data, _, _ = tag_files
    argv = ["search", "--data", str(data), "--label-column", "tags",
            "--label-separator", "|", "--dropout", "0", "0.5", "--cv", "2",
            "--results", str(folder / "results.csv"),
            "--output", str(folder / "best.sklstm"), *CLI_OPTIONS]  # fmt: skip
    assert main(argv) == 0
    best = sk_lstm.load(folder / "best.sklstm")
    assert best.named_steps["classifier"].classes_.tolist() == sorted(TOPICS)


def test_a_kept_model_refuses_another_number_of_labels(fitted):
    pipe, texts, Y = fitted
    X = pipe.named_steps["sequencer"].transform(texts)
    classifier = pipe.named_steps["classifier"]
    before = classifier.predict_proba(X)
    with pytest.raises(ValueError, match="y has 2 labels .* fitted on 3"):
        classifier.partial_fit(X, Y[:, :2])
    with pytest.raises(ValueError, match="classes is for one label per text"):
        classifier.partial_fit(X, Y, classes=[0, 1, 2])
    warm = clone(classifier).set_params(warm_start=True).fit(X, Y)
    with pytest.raises(ValueError, match="y has 2 labels .* fitted on 3"):
        warm.fit(X, Y[:, :2])
    np.testing.assert_array_equal(classifier.predict_proba(X), before)
    with pytest.raises(ValueError, match="pass sample_weight instead"):
        clone(classifier).set_params(class_weight="balanced").partial_fit(X, Y)


def test_a_sparse_indicator_matrix_is_read():
    sparse = pytest.importorskip("scipy.sparse")
    texts, Y = tagged(80)
    pipe = make_lstm_pipeline(**{**PARAMS, "epochs": 1})
    assert pipe.fit(texts, sparse.csr_matrix(Y)).predict(texts).shape == Y.shape


@pytest.mark.parametrize(
    "cells, expected",
    [
        (["a|b", "a|", "|b||", ""], [("a", "b"), ("a",), ("b",), ()]),
        (["x y | z", "  "], [("x y", "z"), ()]),
    ],
)
def test_label_cells_split_without_empty_labels(tmp_path, cells, expected):
    data = write_csv(tmp_path / "t.csv", [f"text {i}" for i in range(len(cells))],
                     cells)  # fmt: skip
    _, y = read_labelled_texts(str(data), label_separator="|")
    assert y.tolist() == expected


def test_a_json_list_of_other_things_is_refused(tmp_path):
    data = tmp_path / "t.jsonl"
    data.write_text(
        '{"text": "a", "label": ["x"]}\n{"text": "b", "label": ["x", ""]}\n'
    )
    with pytest.raises(CommandError, match="line 2: 'label' is a list holding"):
        read_labelled_texts(str(data))
