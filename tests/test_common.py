"""scikit-learn's common estimator checks, run on a tiny LSTMClassifier."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sk_lstm import LSTMClassifier

# Checks that cannot pass, each with the reason.
FLOAT_FEATURES = (
    "feeds continuous features, which are not word indices and are refused with "
    "a ValueError"
)
EXPECTED_FAILED_CHECKS = {
    "check_estimator_tags_renamed": (
        "scikeras' base classes define the old _more_tags; the subclass cannot "
        "remove it"
    ),
    "check_mixin_order": (
        "scikeras' KerasClassifier puts BaseEstimator before ClassifierMixin; no "
        "subclass can reorder them (the classifier tags are set instead)"
    ),
    "check_dtype_object": FLOAT_FEATURES,
    "check_class_weight_classifiers": FLOAT_FEATURES,
    "check_sample_weight_equivalence_on_dense_data": FLOAT_FEATURES,
    "check_classifiers_one_label_sample_weights": FLOAT_FEATURES,
}


pytestmark = pytest.mark.slow  # about a hundred checks, each fitting a model


@parametrize_with_checks(
    [
        LSTMClassifier(
            units=4,
            embedding_dim=4,
            bag_buckets=1024,
            epochs=2,
            min_steps=0,
            batch_size=32,
            random_state=0,
        )
    ],
    expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
