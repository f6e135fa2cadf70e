"""``sk-lstm search``: the GridSearchCV table, written as it goes, and resumed."""

import csv
import json

import joblib
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from sk_lstm import CLASSIC_RECIPE, make_lstm_pipeline
from sk_lstm._cli import _search, build_parser, main
from sk_lstm._cli._data import train_and_test

from .conftest import assert_png, make_reviews, one_error_line, read_csv, write_csv

FIXED = ["--recipe", "classic", "--maxlen", "12", "--embedding-dim", "8",
         "--epochs", "3", "--batch-size", "8", "--cv", "2"]  # fmt: skip
GRID = ["--dropout", "0", "0.3", "--units", "4", "8"]


@pytest.fixture
def search_argv(tmp_path):
    texts, y = make_reviews(40, random_state=3)
    data = write_csv(tmp_path / "reviews.csv", texts, y)
    return ["search", "--data", str(data), "--results", str(tmp_path / "cv.csv"),
            "--output", str(tmp_path / "best.joblib"), *FIXED]  # fmt: skip


@pytest.fixture
def fits(monkeypatch):
    """Count the cross-validation fits; ``fits.stop_at = n`` stops the n-th one."""

    def counted(*args):
        counted.params.append(args[1])
        if len(counted.params) == counted.stop_at:
            raise KeyboardInterrupt  # as if the user stopped the search
        return fit_and_score(*args)

    fit_and_score = _search._fit_and_score
    counted.params, counted.stop_at = [], None
    monkeypatch.setattr(_search, "_fit_and_score", counted)
    return counted


@pytest.mark.slow
def test_search_is_written_as_it_goes_and_resumed(search_argv, tmp_path, fits, capsys):
    results = tmp_path / "cv.csv"
    fits.stop_at = 5  # the first fold of the third candidate
    assert main(search_argv + GRID) == 130
    assert "interrupted" in capsys.readouterr().err
    columns, rows = read_csv(results)
    assert [json.loads(row["params"]) for row in rows] == [
        {"classifier__dropout": 0.0, "classifier__units": 4},
        {"classifier__dropout": 0.0, "classifier__units": 8},
    ]
    assert [row["rank_test_score"] for row in rows] == ["", ""]  # not known yet

    fits.params, fits.stop_at = [], None
    assert main(search_argv + GRID) == 0
    out = capsys.readouterr().out
    assert "4 candidates x 2 folds on 32 training texts, 2 already in" in out
    assert fits.params == [{"classifier__dropout": 0.3, "classifier__units": u}
                           for u in (4, 4, 8, 8)]  # fmt: skip

    # The same table as GridSearchCV's, from a fresh search in one go.
    args = build_parser().parse_args(search_argv + GRID)
    X_train, y_train, X_test, y_test, _, _ = train_and_test(args)
    fixed = {"maxlen": 12, "embedding_dim": 8, "epochs": 3, "batch_size": 8}
    pipe = make_lstm_pipeline(**{**CLASSIC_RECIPE, **fixed, "random_state": 7})
    grid = {"classifier__dropout": [0.0, 0.3], "classifier__units": [4, 8]}
    expected = GridSearchCV(pipe, grid, cv=2, refit=False).fit(X_train, y_train)
    expected = expected.cv_results_
    columns, rows = read_csv(results)
    assert set(columns) == set(expected)
    assert [json.loads(row["params"]) for row in rows] == expected["params"]
    scores = ["split0_test_score", "split1_test_score", "mean_test_score",
              "std_test_score", "rank_test_score"]  # fmt: skip
    for column in [*scores, "param_classifier__units"]:
        values = [float(row[column]) for row in rows]
        np.testing.assert_allclose(values, np.asarray(expected[column], dtype=float))

    ranking = out.split("best first")[1].split("\n\n")[0].splitlines()[1:]
    assert ranking[0].split() == ["rank", "mean", "std", "dropout", "units"]
    best = int(np.argmin(expected["rank_test_score"]))
    dropout, units = expected["params"][best].values()
    assert ranking[1].split()[0] == "1" and ranking[1].split()[3:] == [
        str(dropout), str(units),
    ]  # fmt: skip
    assert_png(tmp_path / "cv_heatmap.png", min_width=400, min_height=250)
    model = joblib.load(tmp_path / "best.joblib")
    assert model.get_params()["classifier__units"] == units
    accuracy = float(out.split("Test accuracy: ")[1].split()[0])
    assert round(model.score(X_test, y_test), 4) == accuracy
    assert (tmp_path / "best.sklstm").exists()


@pytest.mark.slow
def test_a_half_written_results_file_is_resumed(search_argv, tmp_path, fits, capsys):
    grid = ["--units", "4", "8", "--dropout", "0.2"]
    fits.stop_at = 1
    assert main(search_argv + grid) == 130  # leaves the header and the settings
    results = tmp_path / "cv.csv"
    done = {"mean_fit_time": 1, "std_fit_time": 0, "mean_score_time": 1,
            "std_score_time": 0, "param_classifier__units": 8,
            "params": '{"classifier__units": 8}', "split0_test_score": 0.99,
            "split1_test_score": 0.97, "mean_test_score": 0.98,
            "std_test_score": 0.01, "rank_test_score": ""}  # fmt: skip
    with open(results, "a", newline="", encoding="utf-8") as file:
        csv.writer(file).writerow(done.values())
        file.write('1.5,0.1,0.2,0.0,4,"{""classifier__un')  # killed while writing

    fits.params, fits.stop_at = [], None
    assert main(search_argv + grid) == 0
    assert fits.params == [{"classifier__units": 4}] * 2  # only the missing one
    columns, rows = read_csv(results)
    assert [row["params"] for row in rows] == [
        '{"classifier__units": 4}', '{"classifier__units": 8}',
    ]  # fmt: skip
    assert rows[1]["mean_test_score"] == "0.98" and rows[1]["rank_test_score"] == "1"
    model = joblib.load(tmp_path / "best.joblib")  # the best, refit on all the data
    assert model.get_params()["classifier__units"] == 8
    assert model.get_params()["classifier__dropout"] == 0.2
    assert_png(tmp_path / "cv_heatmap.png", min_width=300, min_height=150)


def test_results_of_other_settings_are_refused(search_argv, tmp_path, fits, capsys):
    fits.stop_at = 1
    assert main(search_argv + GRID) == 130
    capsys.readouterr()
    changed = [*search_argv, "--cv", "3", *GRID]
    assert main(changed) == 1
    line = one_error_line(capsys.readouterr(), "search")
    assert "holds the results of a search with other settings (cv: 2, now 3)" in line
    assert "delete it or choose another --results file" in line
    assert len(fits.params) == 1  # nothing fitted


def test_ranks_are_those_of_grid_search_cv():
    rows = [{"mean_test_score": score} for score in (0.5, 0.8, 0.5, 0.9, 0.8)]
    assert [row["rank_test_score"] for row in _search._ranked(rows)] == [4, 2, 4, 1, 2]


def test_a_rerun_resumes_with_options_of_every_type(search_argv, fits, capsys):
    """Tuples (--ngram-range), booleans, strings, floats and ints, given once,
    read back from the settings file equal to the rerun's own."""
    options = ["--ngram-range", "1,2", "--bidirectional", "false", "--pooling",
               "max", "--learning-rate", "0.01", "--num-words", "50",
               "--units", "4", "8"]  # fmt: skip
    fits.stop_at = 1
    assert main(search_argv + options) == 130
    capsys.readouterr()
    fits.params, fits.stop_at = [], 2  # the first fold again, then stop
    assert main(search_argv + options) == 130
    captured = capsys.readouterr()
    assert "other settings" not in captured.err
    assert "2 candidates x 2 folds on 32 training texts, 0 already in" in captured.out
