"""
Grid search over dropout and units
==================================

``GridSearchCV`` over ``classifier__dropout`` and ``classifier__units`` with
3-fold stratified cross-validation (the pipeline is a classifier, so the folds
keep the class balance), then the best model scored on the test reviews.

Run: ``python examples/grid_search.py --max-samples 2000`` (a few minutes on 2 CPU
cores; the full data takes 13 fits of the classic recipe, about an hour).
"""

from _common import load_train_test, parse_args
from sklearn.model_selection import GridSearchCV

from sk_lstm import CLASSIC_RECIPE, make_lstm_pipeline

args = parse_args(__doc__.split("\n")[1])
X_train, X_test, y_train, y_test = load_train_test(args.max_samples)

pipe = make_lstm_pipeline(**CLASSIC_RECIPE, random_state=7)
search = GridSearchCV(
    pipe,
    {"classifier__dropout": [0.0, 0.2], "classifier__units": [50, 100]},
    cv=3,
    verbose=1,
)
search.fit(X_train, y_train)

results = search.cv_results_
print("rank  dropout  units  mean accuracy     std  fit time (s)")
for i in results["rank_test_score"].argsort():
    dropout = results["param_classifier__dropout"][i]
    units = results["param_classifier__units"][i]
    print(
        f"{results['rank_test_score'][i]:>4}  {dropout:>7}  {units:>5}"
        f"  {results['mean_test_score'][i]:>13.4f}  {results['std_test_score'][i]:.4f}"
        f"  {results['mean_fit_time'][i]:>12.1f}"
    )
print("best:", search.best_params_)
print(f"test accuracy of the best model: {search.score(X_test, y_test):.4f}")
