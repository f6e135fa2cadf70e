"""The architecture and training choices of the default recipe (issue 4)."""

import pickle

import keras
import numpy as np
import pytest

from sk_lstm import (
    CLASSIC_RECIPE,
    LSTMClassifier,
    TextSequencer,
    _classifier,
    make_lstm_pipeline,
)
from sk_lstm._model import (
    CLASS_WEIGHT_TAU,
    MAX_AUTO_BUCKETS,
    ClassWeightShift,
    MaskedGlobalAveragePooling1D,
    MaskedGlobalMaxPooling1D,
    SparseCrossentropy,
    auto_buckets,
    build_lstm_model,
    naive_bayes_prior,
)

from .conftest import TINY, layer_of, make_reviews


@pytest.fixture
def sequences():
    texts, y = make_reviews(96)
    return TextSequencer(maxlen=12).fit_transform(texts), y


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("pooling", ["last", "max", "mean"])
def test_bidirectional_and_pooling_shape_the_model(bidirectional, pooling):
    model = build_lstm_model(
        vocab_size=20,
        n_classes=2,
        embedding_dim=4,
        units=3,
        dropout=0.0,
        bidirectional=bidirectional,
        pooling=pooling,
        bag_ngrams=0,
    )
    wrappers = layer_of(model, keras.layers.Bidirectional)
    assert len(wrappers) == bidirectional
    lstm = wrappers[0].forward_layer if bidirectional else model.layers[2]
    assert isinstance(lstm, keras.layers.LSTM)
    assert lstm.return_sequences == (pooling != "last")
    pool_kind = {
        "last": (),
        "max": MaskedGlobalMaxPooling1D,
        "mean": MaskedGlobalAveragePooling1D,
    }[pooling]
    assert len(layer_of(model, pool_kind) if pool_kind else []) == (pooling != "last")
    (output,) = layer_of(model, keras.layers.Dense)
    assert output.input.shape[-1] == 3 * (2 if bidirectional else 1)
    assert model.predict(np.array([[0, 4, 5, 6]]), verbose=0).shape == (1, 1)


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("pooling", ["last", "max", "mean"])
def test_masked_padding_changes_nothing(bidirectional, pooling):
    """With mask_zero, trailing padding is invisible to every pooling."""
    keras.utils.set_random_seed(0)
    model = build_lstm_model(
        vocab_size=20,
        n_classes=2,
        embedding_dim=4,
        units=3,
        mask_zero=True,
        bidirectional=bidirectional,
        pooling=pooling,
        bag_ngrams=0,
    )
    padded = model.predict(np.array([[3, 5, 7, 0, 0, 0]]), verbose=0)
    unpadded = model.predict(np.array([[3, 5, 7]]), verbose=0)
    np.testing.assert_allclose(padded, unpadded, rtol=1e-6)


def test_masked_max_pooling_of_an_all_padding_row_is_zero():
    inputs = np.array([[[1.0, -2.0], [3.0, -1.0]], [[5.0, 6.0], [7.0, 8.0]]])
    mask = np.array([[True, True], [False, False]])
    pooled = MaskedGlobalMaxPooling1D()(inputs, mask=mask)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(pooled), [[3, -1], [0, 0]])


def test_masked_mean_pooling_of_an_all_padding_row_is_zero():
    inputs = np.array([[[1.0, -2.0], [3.0, -1.0]], [[5.0, 6.0], [7.0, 8.0]]])
    mask = np.array([[True, False], [False, False]])
    pooled = MaskedGlobalAveragePooling1D()(inputs, mask=mask)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(pooled), [[1, -2], [0, 0]])


def test_an_empty_text_gets_probabilities_with_every_pooling():
    texts, y = make_reviews(64)
    for pooling in ("last", "max", "mean"):
        pipe = make_lstm_pipeline(**TINY, pooling=pooling, mask_zero=True)
        proba = pipe.fit(texts, y).predict_proba(["", "good film"])
        assert np.isfinite(proba).all(), pooling


def test_learning_rate_sets_the_optimizer(sequences):
    X, y = sequences
    clf = LSTMClassifier(**{**TINY, "epochs": 1, "learning_rate": 0.0123}).fit(X, y)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.0123)
    default = LSTMClassifier(**{**TINY, "epochs": 1, "learning_rate": None}).fit(X, y)
    assert float(default.model_.optimizer.learning_rate) == pytest.approx(0.001)


def smoothed_crossentropy(labels, probabilities, smoothing):
    """Cross-entropy against one-hot labels moved towards the uniform, by hand."""
    probabilities = probabilities.astype(float)
    targets = np.eye(probabilities.shape[1])[labels] * (1 - smoothing)
    targets += smoothing / probabilities.shape[1]
    return -(targets * np.log(probabilities)).sum(axis=1).mean()


@pytest.mark.parametrize("smoothing", [0.0, 0.05, 0.3])
def test_label_smoothing_sets_the_default_loss(sequences, smoothing):
    X, y = sequences
    clf = LSTMClassifier(**{**TINY, "epochs": 1, "label_smoothing": smoothing})
    clf.fit(X, y)
    labels = np.searchsorted(clf.classes_, y)
    p = clf.model_.predict(X, verbose=0)  # P(class 1), shape (n, 1)
    loss = clf.model_.loss(labels[:, None].astype("float32"), p)
    expected = smoothed_crossentropy(labels, np.hstack([1 - p, p]), smoothing)
    assert float(loss) == pytest.approx(expected, rel=1e-4)


def test_label_smoothing_of_more_classes(sequences):
    X, _ = sequences
    y = np.arange(len(X)) % 3
    clf = LSTMClassifier(**{**TINY, "epochs": 1, "label_smoothing": 0.2}).fit(X, y)
    assert isinstance(clf.model_.loss, SparseCrossentropy)
    p = clf.model_.predict(X, verbose=0)
    loss = clf.model_.loss(y[:, None], p)
    assert float(loss) == pytest.approx(smoothed_crossentropy(y, p, 0.2), rel=1e-4)
    assert clf.predict(X).shape == (len(X),)


def test_label_smoothing_leaves_a_given_loss_alone(sequences):
    X, y = sequences
    clf = LSTMClassifier(**{**TINY, "epochs": 1}, loss="binary_crossentropy")
    assert clf.fit(X, y).model_.loss is keras.losses.binary_crossentropy
    with pytest.raises(ValueError, match="label_smoothing"):
        clf.set_params(label_smoothing=1.0).fit(X, y)


def test_clipnorm_sets_the_optimizer(sequences):
    X, y = sequences
    clf = LSTMClassifier(**{**TINY, "epochs": 1}).fit(X, y)
    assert clf.model_.optimizer.clipnorm == 1.0
    clf.set_params(clipnorm=None).fit(X, y)
    assert clf.model_.optimizer.clipnorm is None
    with pytest.raises(ValueError, match="clipnorm"):
        clf.set_params(clipnorm=0).fit(X, y)


class RateRecorder(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.rates = []

    def on_train_batch_end(self, batch, logs=None):  # the rate of this step
        self.rates.append(float(self.model.optimizer.learning_rate))


@pytest.mark.parametrize("length_bucketing", [True, False])
@pytest.mark.slow
def test_cosine_schedule_anneals_every_step_of_fit(sequences, length_bucketing):
    X, y = sequences  # 96 rows: 6 steps of 16 per epoch
    recorder = RateRecorder()
    clf = LSTMClassifier(
        **{**TINY, "epochs": 3},
        learning_rate_schedule="cosine",
        length_bucketing=length_bucketing,
        callbacks=[recorder],
    ).fit(X, y)
    steps = np.arange(18) / 18
    expected = 0.01 * 0.5 * (1 + np.cos(np.pi * steps))
    np.testing.assert_allclose(recorder.rates, expected, rtol=1e-5)
    # Put back for the next fit, which anneals again from the start.
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.01)
    clf.fit(X, y)
    np.testing.assert_allclose(recorder.rates, expected, rtol=1e-5)
    clf.fit(X, y, initial_epoch=2)  # Keras numbering; still `epochs` epochs
    np.testing.assert_allclose(recorder.rates, expected, rtol=1e-5)


def test_constant_schedule_and_partial_fit_keep_the_rate(sequences):
    X, y = sequences
    recorder = RateRecorder()
    constant = LSTMClassifier(
        **{**TINY, "epochs": 2},
        learning_rate_schedule="constant",
        callbacks=[recorder],
    )
    constant.fit(X, y)
    assert recorder.rates == pytest.approx([0.01] * 12)
    cosine = LSTMClassifier(
        **{**TINY, "epochs": 2}, learning_rate_schedule="cosine", callbacks=[recorder]
    )
    cosine.partial_fit(X, y)
    assert recorder.rates == pytest.approx([0.01] * 6)


def test_cosine_schedule_refuses_an_optimizer_schedule(sequences):
    X, y = sequences
    decay = keras.optimizers.schedules.ExponentialDecay(0.01, 10, 0.9)
    clf = LSTMClassifier(
        **{**TINY, "learning_rate": None},
        optimizer__learning_rate=decay,
        learning_rate_schedule="cosine",
    )
    with pytest.raises(ValueError, match="LearningRateSchedule"):
        clf.fit(X, y)
    with pytest.raises(ValueError, match="learning_rate_schedule"):
        clf.set_params(learning_rate_schedule="linear").fit(X, y)


class WeightRecorder(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.get_weights())


@pytest.mark.parametrize("length_bucketing", [True, False])
def test_early_stopping_keeps_the_best_epoch(length_bucketing):
    # Random labels: the validation loss soon gets worse, and training stops.
    texts, _ = make_reviews(96)
    y = np.random.default_rng(0).integers(0, 2, size=96)
    X = TextSequencer(maxlen=12).fit_transform(texts)
    recorder = WeightRecorder()
    clf = LSTMClassifier(
        **{**TINY, "epochs": 30, "early_stopping": True, "validation_fraction": 0.25}
        | {"learning_rate": 0.02},
        n_iter_no_change=2,
        length_bucketing=length_bucketing,
        callbacks=[recorder],
    ).fit(X, y)
    val_accuracy = clf.history_["val_accuracy"]
    epochs_run = len(clf.history_["loss"])
    assert epochs_run < 30
    best = int(np.argmax(val_accuracy))
    assert epochs_run - 1 - best == 2  # stopped n_iter_no_change epochs later
    for kept, recorded in zip(
        clf.model_.get_weights(), recorder.weights[best], strict=True
    ):
        np.testing.assert_array_equal(kept, recorded)


def test_validation_fraction_holds_out_a_stratified_share(sequences):
    X, y = sequences
    steps = []
    counter = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: steps.append(batch)
    )
    clf = LSTMClassifier(
        **{**TINY, "epochs": 3, "batch_size": 8, "validation_fraction": 0.25},
        callbacks=[counter],
    ).fit(X, y)
    assert len(clf.history_["val_loss"]) == len(clf.history_["loss"]) == 3
    assert set(clf.history_) >= {"val_loss", "val_accuracy"}
    assert len(steps) == 3 * 9  # 72 of the 96 samples: 9 batches of 8 per epoch


@pytest.mark.slow
def test_same_seed_same_validation_split_and_predictions(sequences):
    X, y = sequences
    params = {**TINY, "epochs": 3, "early_stopping": True, "validation_fraction": 0.2}
    first = LSTMClassifier(**params).fit(X, y)
    second = LSTMClassifier(**params).fit(X, y)
    assert first.history_ == second.history_
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))


def test_keras_validation_split_wins_over_validation_fraction(sequences):
    X, y = sequences
    clf = LSTMClassifier(
        **{**TINY, "epochs": 2, "early_stopping": True, "validation_fraction": 0.1},
        validation_split=0.5,
    ).fit(X, y)
    assert len(clf.history_["val_loss"]) == 2


@pytest.mark.parametrize("length_bucketing", [True, False])
def test_validation_data_is_read_as_fit_reads_X_and_y(sequences, length_bucketing):
    """Labels as the user has them, indices beyond the embedding read as unknown."""
    X, y = sequences
    rows = np.r_[0:40, 41:60:2]  # 20 of one class, 30 of the other
    unknown = np.where(X[:20] > 0, X[:20] + 10**6, 0)
    X_val, y_val = np.vstack([X[rows], unknown]), np.r_[y[rows], y[:20]]
    clf = LSTMClassifier(**TINY, length_bucketing=length_bucketing)
    clf.fit(X, y, validation_data=(X_val, y_val))
    accuracy = clf.score(X_val, y_val)
    assert clf.history_["val_accuracy"][-1] == pytest.approx(accuracy)
    assert clf.score(X[rows], y[rows]) > 0.9
    folded = np.where(X_val < clf.vocab_size_, X_val, 1)
    again = LSTMClassifier(**TINY, length_bucketing=length_bucketing)
    again.fit(X, y, validation_data=(folded, y_val))
    assert again.history_["val_loss"] == pytest.approx(clf.history_["val_loss"])
    # routed, with sample weights: ones change nothing, others the loss
    losses = []
    for weights in [None, np.ones(len(y_val)), np.r_[np.ones(len(rows)), [0] * 20]]:
        data = (X_val, y_val) if weights is None else (X_val, y_val, weights)
        clf.set_params(fit__validation_data=data).fit(X, y)
        losses.append(clf.history_["val_loss"][-1])
    assert losses[0] == pytest.approx(losses[1]) and losses[2] != losses[0]


def test_the_multiclass_loss_round_trips():
    loss = SparseCrossentropy(label_smoothing=0.2)
    again = keras.losses.deserialize(keras.losses.serialize(loss))
    assert isinstance(again, SparseCrossentropy) and again.label_smoothing == 0.2
    X, _ = make_reviews(30)
    X = TextSequencer(maxlen=8).fit_transform(X)
    y = np.arange(30) % 3
    clf = LSTMClassifier(**{**TINY, "epochs": 1}).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    assert isinstance(restored.model_.loss, SparseCrossentropy)
    assert restored.model_.loss.label_smoothing == 0.05


@pytest.mark.parametrize(
    "validation_data, message",
    [
        ("X_val", "must be a tuple"),
        ((None,), "must be a tuple.*of 1 items"),
        (("short", "y"), "sequences of 5, but LSTMClassifier is fitted on .* of 12"),
        (("X", "unknown"), r"not among the classes \['neg', 'pos'\]: \['meh'\]"),
        (("X", "few"), "holds 96 sequences but 3 labels"),
        (("X", "column"), r"labels must be 1-D .*got shape \(96, 2\)"),
        (("X", "y", "three"), "96 sequences but 3 sample weights"),
        (("X", "mixed"), r"not among the classes \['neg', 'pos'\]: \[None, 0\]"),
        (("negative", "y"), "validation_data: Negative values"),
    ],
)
def test_bad_validation_data_is_refused(sequences, validation_data, message):
    X, y = sequences
    arrays = {
        "X": X, "short": X[:, :5], "y": y, "unknown": np.where(y == "neg", "meh", y),
        "few": y[:3], "three": np.ones(3), "column": np.c_[y, y],
        "mixed": np.r_[y[:94], None, 0].astype(object),
        "negative": np.where(X == X.max(), -1, X),
    }  # fmt: skip
    if isinstance(validation_data, tuple):
        validation_data = tuple(arrays.get(v, v) for v in validation_data)
    fitted = LSTMClassifier(**TINY).fit(X, y)
    before = fitted.predict_proba(X)
    fitted.set_params(fit__validation_data=validation_data)
    with pytest.raises(ValueError, match=message):
        fitted.fit(X, y)
    np.testing.assert_array_equal(fitted.predict_proba(X), before)


def test_early_stopping_without_a_validation_set_is_refused(sequences):
    X, y = sequences
    fitted = LSTMClassifier(**TINY).fit(X, y)
    before = fitted.predict_proba(X)
    fitted.set_params(early_stopping=True)
    with pytest.raises(ValueError, match="early_stopping=True needs a validation set"):
        fitted.fit(X, y)
    np.testing.assert_array_equal(fitted.predict_proba(X), before)


def test_too_few_samples_for_the_validation_fraction():
    X = np.array([[2, 3], [4, 5]])
    clf = LSTMClassifier(**{**TINY, "validation_fraction": 0.9})
    with pytest.raises(ValueError, match="2 sample.*too few.*validation_fraction"):
        clf.fit(X, np.array([0, 1]))


def test_partial_fit_trains_on_everything(sequences):
    X, y = sequences
    clf = LSTMClassifier(**{**TINY, "early_stopping": True, "validation_fraction": 0.2})
    clf.partial_fit(X, y)
    assert "val_loss" not in clf.history_


def test_classic_recipe_is_one_call_away():
    pipe = make_lstm_pipeline(**CLASSIC_RECIPE)
    params = pipe.get_params()
    assert params["sequencer__num_words"] == 5000
    assert params["sequencer__maxlen"] == 500
    classifier = pipe.named_steps["classifier"]
    assert (classifier.embedding_dim, classifier.units) == (32, 100)
    assert (classifier.bidirectional, classifier.pooling) == (False, "last")
    assert (classifier.epochs, classifier.batch_size) == (3, 64)
    assert not classifier.early_stopping and classifier.validation_fraction is None
    assert classifier.clipnorm is None and classifier.label_smoothing == 0
    assert params["sequencer__ngram_range"] == (1, 1)
    with pytest.raises(TypeError):
        CLASSIC_RECIPE["units"] = 5  # read-only
    changed = make_lstm_pipeline(**{**CLASSIC_RECIPE, "dropout": 0.2})
    assert changed.get_params()["classifier__dropout"] == 0.2


def test_classic_recipe_builds_the_classic_model():
    recipe = {**CLASSIC_RECIPE, "num_words": 30, "maxlen": 12, "epochs": 1}
    texts, y = make_reviews(32)
    pipe = make_lstm_pipeline(**recipe).fit(texts, y)
    model = pipe.named_steps["classifier"].model_
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["InputLayer", "Embedding", "LSTM", "Dense", "Activation"]
    assert model.layers[1].output_dim == 32 and model.layers[2].units == 100
    assert model.layers[-1].activation.__name__ == "sigmoid"


@pytest.mark.slow
def test_min_steps_gives_small_data_more_epochs(sequences):
    X, y = sequences  # 96 rows: 6 steps of 16 per epoch
    clf = LSTMClassifier(**{**TINY, "epochs": 2, "min_steps": 20}).fit(X, y)
    assert len(clf.history_["loss"]) == 4  # ceil(20 / 6) epochs
    clf.set_params(min_steps=5).fit(X, y)
    assert len(clf.history_["loss"]) == 2  # `epochs` already make 12 steps
    clf.set_params(min_steps=20, validation_fraction=0.5).fit(X, y)
    assert len(clf.history_["loss"]) == 7  # 48 rows: 3 steps an epoch
    with pytest.raises(ValueError, match="min_steps"):
        clf.set_params(min_steps=-1).fit(X, y)


def test_min_steps_spans_the_cosine_schedule(sequences):
    X, y = sequences
    recorder = RateRecorder()
    LSTMClassifier(**{**TINY, "epochs": 1, "min_steps": 12}, callbacks=[recorder]).fit(
        X, y
    )
    expected = 0.01 * 0.5 * (1 + np.cos(np.pi * np.arange(12) / 12))
    np.testing.assert_allclose(recorder.rates, expected, rtol=1e-5)


class BatchSizes(keras.callbacks.Callback):
    def on_predict_begin(self, logs=None):
        self.sizes = []

    def on_predict_batch_end(self, batch, logs=None):
        self.sizes.append(len(logs["outputs"]))


@pytest.mark.parametrize("length_bucketing", [True, False])
def test_predict_batch_size_is_not_the_training_batch(sequences, length_bucketing):
    X, y = sequences
    X = np.repeat(X[:, -1:], 12, axis=1)  # one window width for every row
    sizes = BatchSizes()
    clf = LSTMClassifier(
        **{**TINY, "epochs": 1},
        predict_batch_size=40,
        length_bucketing=length_bucketing,
        callbacks=[sizes],
    ).fit(X, y)
    clf.predict_proba(X)
    assert sizes.sizes == [40, 40, 16]
    clf.set_params(predict_batch_size=None).predict_proba(X)
    assert sizes.sizes == [16] * 6  # the training batch
    clf.set_params(predict__batch_size=32).predict_proba(X)
    assert sizes.sizes == [32, 32, 32]


def test_bag_prior_is_the_naive_bayes_ratio_of_the_training_data(sequences):
    X, y = sequences
    clf = LSTMClassifier(**{**TINY, "epochs": 1, "bag_ngrams": 2}).fit(X, y)
    bag = clf.model_.get_layer("ngram_bag")
    expected = naive_bayes_prior(bag, X, (y == clf.classes_[1]).astype(int))
    np.testing.assert_allclose(np.asarray(bag.prior), expected, rtol=1e-6)
    assert (bag.max_n, bag.buckets) == (2, 1024)
    alone = LSTMClassifier(**{**TINY, "epochs": 1, "bag_ngrams": 0}).fit(X, y)
    assert "ngram_bag" not in [layer.name for layer in alone.model_.layers]


def test_bag_prior_leaves_out_the_validation_rows(sequences):
    X, y = sequences
    params = {**TINY, "epochs": 1, "bag_ngrams": 2}
    held_out = LSTMClassifier(**params, validation_split=0.25).fit(X, y)
    bag = held_out.model_.get_layer("ngram_bag")
    labels = (y == held_out.classes_[1]).astype(int)
    expected = naive_bayes_prior(bag, X[:72], labels[:72])  # the last 24 held out
    np.testing.assert_allclose(np.asarray(bag.prior), expected, rtol=1e-6)
    # Rows held out by validation_fraction are not counted either: labels
    # flipped on all of them would change nothing but their own prior counts.
    fraction = LSTMClassifier(**{**params, "validation_fraction": 0.25}).fit(X, y)
    prior = np.asarray(fraction.model_.get_layer("ngram_bag").prior)
    assert not np.allclose(prior, naive_bayes_prior(bag, X, labels))


@pytest.mark.parametrize("binary", [True, False])
def test_bag_binary_reaches_the_bag(sequences, binary):
    X, y = sequences
    clf = LSTMClassifier(**{**TINY, "epochs": 1, "bag_binary": binary}).fit(X, y)
    assert clf.model_.get_layer("ngram_bag").binary is binary


@pytest.mark.parametrize("length_bucketing", [True, False])
def test_validation_data_wins_over_validation_split_as_in_keras(
    sequences, length_bucketing
):
    X, y = sequences
    params = {**TINY, "epochs": 1, "bag_ngrams": 2, "random_state": 0}
    params["length_bucketing"] = length_bucketing
    data = (X[:24], y[:24])
    both = LSTMClassifier(**params, validation_split=0.25)
    both.fit(X, y, validation_data=data)
    alone = LSTMClassifier(**params).fit(X, y, validation_data=data)
    assert both.history_["val_loss"] == pytest.approx(alone.history_["val_loss"])
    bag = both.model_.get_layer("ngram_bag")  # every row trained and counted
    labels = (y == both.classes_[1]).astype(int)
    expected = naive_bayes_prior(bag, X, labels)
    np.testing.assert_allclose(np.asarray(bag.prior), expected, rtol=1e-6)


def test_bag_prior_of_string_classes_and_of_partial_fit(sequences):
    X, _ = sequences
    y = np.array(["b", "a", "c"] * 32)
    clf = LSTMClassifier(**{**TINY, "epochs": 1, "bag_ngrams": 1}).fit(X, y)
    bag = clf.model_.get_layer("ngram_bag")
    expected = naive_bayes_prior(bag, X, np.searchsorted(["a", "b", "c"], y))
    np.testing.assert_allclose(np.asarray(bag.prior), expected, rtol=1e-6)
    # partial_fit builds its model from one batch: the prior stays at ones.
    streamed = LSTMClassifier(**{**TINY, "bag_ngrams": 1})
    streamed.partial_fit(X, y, classes=["c", "a", "b"])
    assert (np.asarray(streamed.model_.get_layer("ngram_bag").prior) == 1).all()
    clf.set_params(warm_start=True).fit(X[::-1], y)  # a warm start keeps it
    prior = np.asarray(clf.model_.get_layer("ngram_bag").prior)
    np.testing.assert_array_equal(prior, expected)


AUTO = {
    name: "auto"
    for name in ("early_stopping", "validation_fraction", "epochs", "learning_rate")
}


def test_auto_stops_early_on_small_data(sequences):
    X, y = sequences
    clf = LSTMClassifier(**{**TINY, **AUTO}).fit(X, y)
    assert clf.do_early_stopping_
    assert clf.model_.optimizer.learning_rate.numpy() == pytest.approx(0.003)
    # A tenth held out and scored every epoch; at most 30 epochs.
    assert {"val_loss", "val_accuracy"} <= set(clf.history_)
    assert len(clf.history_["loss"]) <= 30
    bag = clf.model_.get_layer("ngram_bag")
    held_in = naive_bayes_prior(bag, X, (y == clf.classes_[1]).astype(int))
    assert not np.allclose(np.asarray(bag.prior), held_in)  # counted on 86 rows


def test_auto_trains_two_epochs_on_all_of_more_data(sequences, monkeypatch):
    X, y = sequences
    monkeypatch.setattr(_classifier, "AUTO_EARLY_STOPPING_BELOW", len(X))
    clf = LSTMClassifier(**{**TINY, **AUTO}).fit(X, y)
    assert not clf.do_early_stopping_
    assert clf.model_.optimizer.learning_rate.numpy() == pytest.approx(0.001)
    assert set(clf.history_) == {"loss", "accuracy"}
    assert len(clf.history_["loss"]) == 2
    # As the same fit with the values "auto" gave.
    given = LSTMClassifier(
        **{**TINY, "epochs": 2, "learning_rate": None, "early_stopping": False}
    ).fit(X, y)
    np.testing.assert_array_equal(given.predict_proba(X), clf.predict_proba(X))


def test_early_stopping_given_is_kept_whatever_the_size(sequences):
    X, y = sequences
    off = LSTMClassifier(**{**TINY, **AUTO, "early_stopping": False}).fit(X, y)
    assert not off.do_early_stopping_ and "val_loss" not in off.history_
    on = LSTMClassifier(**{**TINY, **AUTO, "early_stopping": True})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_classifier, "AUTO_EARLY_STOPPING_BELOW", 0)
        on.fit(X, y)
    assert on.do_early_stopping_ and "val_loss" in on.history_
    # partial_fit never stops early, nor holds out.
    streamed = LSTMClassifier(**{**TINY, **AUTO}).partial_fit(X, y)
    assert not streamed.do_early_stopping_ and "val_loss" not in streamed.history_


def test_auto_bag_buckets_follow_the_data(sequences):
    X, y = sequences
    clf = LSTMClassifier(**{**TINY, "bag_buckets": "auto"}).fit(X, y)
    assert clf.bag_buckets_ == auto_buckets(X, 3)
    assert clf.model_.get_layer("ngram_bag").buckets == clf.bag_buckets_
    given = LSTMClassifier(**{**TINY, "bag_buckets": 1031}).fit(X, y)
    assert given.bag_buckets_ == given.model_.get_layer("ngram_bag").buckets == 1031
    streamed = LSTMClassifier(**{**TINY, "bag_buckets": "auto"}).partial_fit(X, y)
    assert streamed.bag_buckets_ == MAX_AUTO_BUCKETS  # the stream's size is unknown


def test_many_classes_share_the_bag_through_a_projection():
    rng = np.random.default_rng(0)
    y = np.arange(400) % 40
    X = np.column_stack([y + 2, rng.integers(2, 50, size=(400, 3))])
    clf = LSTMClassifier(**{**TINY, "epochs": 30}).fit(X, y)
    bag = clf.model_.get_layer("ngram_bag")
    assert bag.units == _classifier.AUTO_BAG_DIM == 32 and not bag.with_prior
    assert clf.model_.get_layer("bag_projection").kernel.shape == (32, 40)
    assert clf.predict_proba(X).shape == (400, 40)
    assert clf.score(X, y) > 0.5  # the first index tells the class
    wide = LSTMClassifier(**{**TINY, "bag_dim": None, "epochs": 1}).fit(X, y)
    assert wide.model_.get_layer("ngram_bag").units == 40


def test_a_warm_started_fit_follows_early_stopping_as_set(sequences):
    X, y = sequences
    clf = LSTMClassifier(**{**TINY, "epochs": 2}).partial_fit(X, y)
    assert not clf.do_early_stopping_
    clf.set_params(warm_start=True, early_stopping=True, validation_fraction=0.2)
    clf.fit(X, y)
    assert clf.do_early_stopping_ and "val_loss" in clf.history_


def test_auto_without_a_validation_fraction_does_not_stop_early(sequences):
    X, y = sequences
    clf = LSTMClassifier(**{**TINY, **AUTO, "validation_fraction": None}).fit(X, y)
    assert not clf.do_early_stopping_ and "val_loss" not in clf.history_


# --- class_weight ---------------------------------------------------------------


def test_class_weight_is_a_checked_parameter():
    assert LSTMClassifier().get_params()["class_weight"] is None
    assert LSTMClassifier(class_weight="balanced").get_params()["class_weight"] == (
        "balanced"
    )
    for bad in ("auto", 5, ["pos"]):
        with pytest.raises(ValueError, match="class_weight"):
            LSTMClassifier(class_weight=bad).fit(np.ones((4, 3), int), [0, 1, 0, 1])


def test_sample_weights_count_in_the_bag_prior_class_weights_shift_logits(sequences):
    X, y = sequences
    params = {**TINY, "epochs": 1, "bag_ngrams": 2}
    sample_weight = np.linspace(0.5, 2.0, len(y))
    clf = LSTMClassifier(**params, class_weight={"pos": 3.0, "neg": 1.0})
    clf.fit(X, y, sample_weight=sample_weight)
    bag = clf.model_.get_layer("ngram_bag")
    labels = (y == "pos").astype(int)
    # The class weights shift the logits in the loss, not the texts' weights.
    expected = naive_bayes_prior(bag, X, labels, sample_weight)
    # (Keras holds the weights as float32.)
    np.testing.assert_allclose(np.asarray(bag.prior), expected, atol=1e-6)
    assert not np.allclose(expected, naive_bayes_prior(bag, X, labels))
    assert isinstance(clf.model_.loss, ClassWeightShift)
    shift = CLASS_WEIGHT_TAU * np.log(3.0)
    np.testing.assert_allclose(clf.model_.loss.log_weights, [shift], rtol=1e-6)
    # Weights of 2 count a text twice.
    doubled = naive_bayes_prior(bag, np.r_[X, X[:5]], np.r_[labels, labels[:5]])
    twice = naive_bayes_prior(bag, X, labels, np.r_[[2.0] * 5, [1.0] * (len(y) - 5)])
    np.testing.assert_allclose(twice, doubled, rtol=1e-6)


@pytest.mark.parametrize("tau", [1.0, 0.5])
@pytest.mark.parametrize("weights", [[1.0, 4.0], [0.5, 1.0, 3.0]])
def test_the_shifted_loss_aims_at_the_weighted_probabilities(weights, tau):
    # One input whose labels are class k with probability q_k: the loss of
    # weights w is least at p proportional to w ** tau * q (tau=1: where a
    # loss weighted by w is least).
    n_classes = len(weights)
    q = np.linspace(1, 2, n_classes) / np.linspace(1, 2, n_classes).sum()
    inner = (
        keras.losses.BinaryCrossentropy() if n_classes == 2 else SparseCrossentropy()
    )
    loss = ClassWeightShift(inner, 1 if n_classes == 2 else n_classes, tau=tau)
    loss.set_weights(weights)
    grid = np.linspace(0.01, 0.99, 99)
    if n_classes == 2:
        candidates = grid[:, None]
    else:
        a, b = np.meshgrid(grid, grid)
        keep = a.ravel() + b.ravel() < 0.99
        candidates = np.c_[a.ravel()[keep], b.ravel()[keep]]
        candidates = np.c_[candidates, 1 - candidates.sum(axis=1)]
    expected = np.zeros(len(candidates))
    for k in range(n_classes):
        y = np.full(len(candidates), k)
        y = y[:, None].astype("float32") if n_classes == 2 else y
        per_text = np.asarray(loss.call(keras.ops.convert_to_tensor(y), candidates))
        expected += q[k] * per_text.reshape(len(candidates))
    best = candidates[expected.argmin()]
    target = np.asarray(weights) ** tau * q / (np.asarray(weights) ** tau * q).sum()
    target = target[1:] if n_classes == 2 else target
    np.testing.assert_allclose(best, target, atol=0.02)


@pytest.mark.parametrize("outputs", [1, 3])
def test_the_shifted_loss_learns_from_saturated_outputs(outputs):
    # Read from the logits, not from clipped probabilities: a confidently
    # wrong output still has a gradient of about 1.
    import tensorflow as tf

    inner = keras.losses.BinaryCrossentropy() if outputs == 1 else SparseCrossentropy()
    y = np.zeros((1, 1), "float32") if outputs == 1 else np.zeros(1, "int32")
    logits = tf.Variable(np.linspace(25.0, 50.0, outputs)[None].astype("float32"))
    with tf.GradientTape() as tape:
        activation = keras.layers.Activation("sigmoid" if outputs == 1 else "softmax")
        loss = ClassWeightShift(inner, outputs)(y, activation(logits))
    gradient = tape.gradient(loss, logits).numpy()
    assert np.abs(gradient).max() > 0.9
    assert float(loss) > 20


def test_class_weights_shift_the_logits_of_fit_and_partial_fit(sequences):
    X, y = sequences
    keep = np.r_[np.flatnonzero(y == "neg"), np.flatnonzero(y == "pos")[:10]]
    X, y = X[keep], y[keep]
    counts = {label: (y == label).sum() for label in ("neg", "pos")}
    balanced = {label: len(y) / (2 * n) for label, n in counts.items()}
    clf = LSTMClassifier(**{**TINY, "epochs": 1}, class_weight="balanced").fit(X, y)
    shift = CLASS_WEIGHT_TAU * np.log(balanced["pos"] / balanced["neg"])
    np.testing.assert_allclose(clf.model_.loss.log_weights, [shift], rtol=1e-5)
    # partial_fit takes the weights of its own batch
    batch = np.r_[np.arange(20), np.arange(len(y) - 8, len(y))]  # 20 neg, 8 pos
    clf.partial_fit(X[batch], y[batch])
    np.testing.assert_allclose(
        clf.model_.loss.log_weights, [CLASS_WEIGHT_TAU * np.log(20 / 8)], rtol=1e-5
    )
    # and class_weight=None on the kept model: no shift, sample weights as given
    clf.set_params(class_weight=None).partial_fit(X[batch], y[batch])
    np.testing.assert_array_equal(clf.model_.loss.log_weights, [0.0])
    # without class weights, the loss is the plain one
    plain = LSTMClassifier(**{**TINY, "epochs": 1}).fit(X, y)
    assert not isinstance(plain.model_.loss, ClassWeightShift)


def test_sample_weights_come_back_exactly_after_the_split(sequences, monkeypatch):
    # 11 positive texts of 59, a tenth held out: the training rows' weights
    # are the sample weights given, the held-out ones times the class weights.
    X, y = sequences
    keep = np.r_[np.flatnonzero(y == "neg"), np.flatnonzero(y == "pos")[:11]]
    X, y = X[keep], y[keep]
    sample_weight = np.linspace(0.5, 2.0, len(y))
    seen = {}
    original = LSTMClassifier._fit_bucketed

    def spy(self, X, y, sample_weight, *args, **kwargs):
        seen["train"] = sample_weight
        seen["validation"] = kwargs.get("validation_data")
        return original(self, X, y, sample_weight, *args, **kwargs)

    monkeypatch.setattr(LSTMClassifier, "_fit_bucketed", spy)
    params = {**TINY, "epochs": 1, "validation_fraction": 0.1}
    clf = LSTMClassifier(**params, class_weight="balanced")
    clf.fit(X, y, sample_weight=sample_weight)

    def among_given(weights):
        return np.abs(np.asarray(weights)[:, None] - sample_weight).min(axis=1)

    assert among_given(seen["train"]).max() < 1e-5
    _, y_val, w_val = seen["validation"]
    balanced = np.where(y_val.ravel() == 1, len(y) / (2 * 11), len(y) / (2 * 48))
    assert among_given(w_val / balanced).max() < 1e-5
    assert among_given(w_val).max() > 0.1  # the class weights are in there
    np.testing.assert_allclose(
        clf.model_.loss.log_weights, [CLASS_WEIGHT_TAU * np.log(48 / 11)], rtol=1e-6
    )


def test_zero_sample_weights_do_not_skew_the_class_weights(sequences, monkeypatch):
    # scikeras counts "balanced" over every row, then drops those of weight 0:
    # the shift and the recovered weights follow the rows it counted.
    X, y = sequences
    sample_weight = np.where(np.arange(len(y)) >= len(y) - 20, 0.0, 1.0)
    seen = {}
    original = LSTMClassifier._fit_bucketed

    def spy(self, X, y, sample_weight, *args, **kwargs):
        seen["train"] = sample_weight
        return original(self, X, y, sample_weight, *args, **kwargs)

    monkeypatch.setattr(LSTMClassifier, "_fit_bucketed", spy)
    clf = LSTMClassifier(**{**TINY, "epochs": 1}, class_weight="balanced")
    clf.fit(X, y, sample_weight=sample_weight)
    assert seen["train"] is None  # every row kept weighs 1
    counts = [np.sum(y == label) for label in clf.classes_]
    expected = CLASS_WEIGHT_TAU * np.log(counts[0] / counts[1])
    np.testing.assert_allclose(clf.model_.loss.log_weights, [expected], atol=1e-6)


@pytest.mark.parametrize("bad", [{"pos": -1.0}, {"pos": 0}, {"neg": float("nan")}])
def test_class_weights_must_be_positive(sequences, bad):
    X, y = sequences
    with pytest.raises(ValueError, match="finite numbers above 0"):
        LSTMClassifier(**TINY, class_weight=bad).fit(X, y)


def test_the_validation_accuracy_early_stopping_watches_is_weighted(sequences):
    X, y = sequences
    y_val = np.r_[np.where(y[:30] == "pos", "neg", "pos"), y[30:]]  # some wrong
    weights = np.r_[[5.0] * 30, [1.0] * (len(y) - 30)]
    clf = LSTMClassifier(**{**TINY, "epochs": 1}).fit(
        X, y, validation_data=(X, y_val, weights)
    )
    correct = clf.predict(X) == y_val
    assert correct.mean() != np.average(correct, weights=weights)
    assert clf.history_["val_accuracy"][-1] == pytest.approx(
        np.average(correct, weights=weights), abs=1e-6
    )
