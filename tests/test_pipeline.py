import pickle
import subprocess
import sys

import joblib
import matplotlib
import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.base import clone, is_classifier
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import BaggingClassifier
from sklearn.metrics import RocCurveDisplay
from sklearn.model_selection import GridSearchCV, StratifiedKFold, check_cv
from sklearn.pipeline import Pipeline, make_pipeline

import sk_lstm
from sk_lstm import LSTMClassifier, TextSequencer, make_lstm_pipeline

from .conftest import TINY, make_reviews


def test_make_lstm_pipeline_routes_parameters():
    pipe = make_lstm_pipeline(
        num_words=100,
        maxlen=20,
        padding="post",
        units=7,
        dropout=0.2,
        epochs=2,
        validation_split=0.1,
    )
    assert isinstance(pipe, Pipeline)
    sequencer, classifier = (step for _, step in pipe.steps)
    assert isinstance(sequencer, TextSequencer) and isinstance(
        classifier, LSTMClassifier
    )
    assert (sequencer.num_words, sequencer.maxlen, sequencer.padding) == (
        100,
        20,
        "post",
    )
    params = pipe.get_params()
    assert params["classifier__units"] == 7
    assert params["classifier__dropout"] == 0.2
    assert params["classifier__validation_split"] == 0.1
    # Unset keywords keep the estimators' own defaults.
    defaults = make_lstm_pipeline().get_params()
    for name, step in (
        ("sequencer", TextSequencer()),
        ("classifier", LSTMClassifier()),
    ):
        for key, value in step.get_params(deep=False).items():
            assert defaults[f"{name}__{key}"] == value


def test_pipeline_is_a_classifier_and_cv_is_stratified():
    pipe = make_lstm_pipeline()
    assert is_classifier(pipe)
    _, y = make_reviews(30)
    assert isinstance(check_cv(3, y, classifier=is_classifier(pipe)), StratifiedKFold)


@pytest.mark.slow
def test_grid_search_over_dropout_and_units_with_roc_auc():
    X, y = make_reviews(48)
    pipe = make_lstm_pipeline(maxlen=12, **{**TINY, "epochs": 2})
    search = GridSearchCV(
        pipe,
        {"classifier__dropout": [0.0, 0.2], "classifier__units": [4, 8]},
        cv=2,
        scoring="roc_auc",
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_params_ in search.cv_results_["params"]
    best = search.best_estimator_.named_steps["classifier"]
    assert (best.dropout, best.units) == (
        search.best_params_["classifier__dropout"],
        search.best_params_["classifier__units"],
    )


@pytest.mark.slow
def test_calibrated_classifier():
    X, y = make_reviews(48)
    pipe = make_lstm_pipeline(maxlen=12, **{**TINY, "epochs": 2})
    calibrated = CalibratedClassifierCV(pipe, cv=2).fit(X, y)
    assert calibrated.predict_proba(X).shape == (48, 2)
    assert set(calibrated.classes_) == {"neg", "pos"}


@pytest.mark.slow
def test_joblib_round_trip_in_a_fresh_process(tmp_path):
    X, y = make_reviews(48)
    pipe = make_lstm_pipeline(maxlen=12, **TINY).fit(X, y)
    texts = ["good great film", "awful dull plot", "unknown words only"]
    path = tmp_path / "pipe.joblib"
    joblib.dump(pipe, path)
    np.save(tmp_path / "expected.npy", pipe.predict_proba(texts))
    code = (
        "import joblib, numpy as np, sys\n"
        f"pipe = joblib.load({str(path)!r})\n"
        f"texts = {texts!r}\n"
        f"expected = np.load({str(tmp_path / 'expected.npy')!r})\n"
        "np.testing.assert_allclose(pipe.predict_proba(texts), expected, atol=1e-6)\n"
        "print(list(pipe.predict(texts)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == str(list(pipe.predict(texts)))


def test_clone_of_fitted_pipeline_is_unfitted_with_same_params():
    X, y = make_reviews(32)
    pipe = make_lstm_pipeline(maxlen=12, **{**TINY, "epochs": 1}).fit(X, y)
    copy = clone(pipe)
    for (_, step), (_, copied) in zip(pipe.steps, copy.steps, strict=True):
        assert copied is not step
        assert copied.get_params() == step.get_params()
    assert not hasattr(copy.named_steps["classifier"], "model_")
    assert not hasattr(copy.named_steps["sequencer"], "vocabulary_")


def test_failed_fit_leaves_the_fitted_pipeline_as_it_was():
    X, y = make_reviews(32)
    pipe = make_lstm_pipeline(maxlen=12, **{**TINY, "epochs": 1}).fit(X, y)
    vocabulary = dict(pipe.named_steps["sequencer"].vocabulary_)
    proba = pipe.predict_proba(X)
    other_texts = ["zebra wombat quokka"] * 10
    with pytest.raises(ValueError, match="one class only"):
        pipe.fit(other_texts, ["pos"] * 10)
    assert pipe.named_steps["sequencer"].vocabulary_ == vocabulary
    np.testing.assert_array_equal(pipe.predict_proba(X), proba)


def test_unknown_keyword_is_refused_with_a_suggestion():
    with pytest.raises(TypeError, match="'unit'. Did you mean 'units'"):
        make_lstm_pipeline(unit=5)
    with pytest.raises(TypeError, match="'num_word'. Did you mean 'num_words'"):
        make_lstm_pipeline(num_word=5)
    make_lstm_pipeline(optimizer__learning_rate=0.01, fit__shuffle=False)


def test_pandas_output_set_by_client_code(reviews):
    """Global ``transform_output="pandas"`` reaches the sequencer, not the model."""
    X, y = reviews
    pipe = make_lstm_pipeline(maxlen=12, **TINY)
    with sklearn.config_context(transform_output="pandas"):
        pipe.fit(X, y)
        assert isinstance(pipe[:-1].transform(X), pd.DataFrame)
        proba = pipe.predict_proba(X)
        labels = pipe.predict(X)
        assert pipe.score(X, y) > 0.9
    np.testing.assert_array_equal(proba, pipe.predict_proba(X))
    assert list(labels) == list(pipe.predict(X))


def test_the_pipeline_class_is_public_and_shows_its_name(reviews):
    pipe = make_lstm_pipeline(**{**TINY, "epochs": 1})
    assert type(pipe) is sk_lstm.AtomicPipeline
    assert repr(pipe).startswith("AtomicPipeline(steps=[('sequencer'")
    assert "_AtomicPipeline" not in pipe._repr_html_()
    assert type(pipe[:-1]).__name__ == "AtomicPipeline"
    assert type(clone(pipe)) is sk_lstm.AtomicPipeline
    # A display's legend shows the class name, which must not start with "_".
    matplotlib.use("Agg")
    texts, y = reviews
    pipe.fit(texts, y)
    display = RocCurveDisplay.from_estimator(pipe, texts, y)
    labels = display.ax_.get_legend_handles_labels()[1]
    assert labels and labels[0].startswith("AtomicPipeline")


def test_pipelines_pickled_under_the_old_private_name_still_load():
    """Files joblib wrote while the class was `_AtomicPipeline` unpickle."""
    old = pickle.dumps(make_lstm_pipeline(units=3), protocol=0).replace(
        b"\nAtomicPipeline\n", b"\n_AtomicPipeline\n"
    )
    assert b"_AtomicPipeline" in old
    loaded = pickle.loads(old)
    assert type(loaded) is sk_lstm.AtomicPipeline
    assert loaded.get_params()["classifier__units"] == 3


def test_a_failed_fit_with_passthrough_steps_keeps_the_fitted_state(reviews):
    texts, y = reviews
    sequences = TextSequencer(maxlen=12).fit_transform(texts)
    pipe = make_lstm_pipeline(**{**TINY, "epochs": 1}).set_params(
        sequencer="passthrough"
    )
    pipe.fit(sequences, y)
    before = pipe.predict_proba(sequences)
    with pytest.raises(ValueError, match="one class only"):
        pipe.fit(sequences, ["pos"] * len(y))
    np.testing.assert_array_equal(pipe.predict_proba(sequences), before)


def test_verbose_auto_works_in_both_steps(reviews, capsys):
    texts, y = reviews
    pipe = make_lstm_pipeline(**{**TINY, "epochs": 1}, verbose="auto")
    params = pipe.get_params()
    assert params["sequencer__verbose"] == params["classifier__verbose"] == "auto"
    pipe.fit(texts, y)
    out = capsys.readouterr().out
    assert f"Indexing {len(texts)} texts" in out and "/step" in out  # both bars


def test_one_column_of_texts_works_in_meta_estimators(reviews):
    """A 2-D column of texts, as BaggingClassifier and ColumnTransformer give it."""
    X, y = reviews
    column = np.array(X, dtype=object)[:, None]
    frame = pd.DataFrame({"text": X, "other": range(len(X))})
    pipe = make_lstm_pipeline(maxlen=12, **TINY).fit(X, y)
    expected = pipe.predict_proba(X)
    np.testing.assert_array_equal(pipe.predict_proba(column), expected)
    np.testing.assert_array_equal(pipe.predict_proba(frame[["text"]]), expected)
    with pytest.raises(
        ValueError, match=r"shape \(64, 2\) \(columns \['text', 'other'\]"
    ):
        pipe.predict(frame)

    bagging = BaggingClassifier(
        make_lstm_pipeline(maxlen=12, **TINY), n_estimators=2, random_state=0
    ).fit(column, y)
    assert bagging.score(column, y) > 0.9
    assert bagging.predict_proba(column).shape == (len(X), 2)

    by_column = make_pipeline(
        ColumnTransformer(
            [("text", make_lstm_pipeline(maxlen=12, **TINY)[0], ["text"])]
        ),
        make_lstm_pipeline(**TINY)[-1],
    ).fit(frame, y)
    np.testing.assert_allclose(by_column.predict_proba(frame), expected, atol=1e-6)
