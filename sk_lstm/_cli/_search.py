"""``sk-lstm search``: a grid search with cross-validation that can be resumed.

Every (candidate, fold) fit runs through joblib, as in GridSearchCV, but a
candidate's row is appended to the results file as soon as its last fold is
done. A rerun with the same settings reads the file back and fits only the
candidates missing from it. The final file is GridSearchCV's ``cv_results_``
(with ``params`` as JSON), scores and ranks included.
"""

import csv
import json
import os
import sys
import time

import numpy as np
from joblib import Parallel, delayed
from scipy.stats import rankdata
from sklearn.base import clone
from sklearn.model_selection import ParameterGrid, check_cv

from .._atomic import atomic_write, naming
from .._pipeline import make_lstm_pipeline, split_params
from . import _plots
from ._data import train_and_test
from ._errors import CommandError
from ._files import check_writable, model_paths, save_model, sibling, write_csv
from ._parser import given_hyperparameters, recipe_params
from ._train import name_labels


def run(args):
    """Run ``sk-lstm search`` with the parsed ``args``; return the exit status."""
    models = model_paths(args.output, args.format)
    heatmap_path = sibling(args.results, "heatmap.png")
    check_writable(args.results, heatmap_path, *models.values())
    X_train, y_train, X_test, y_test, test_name, names = train_and_test(args)

    # An option given one value is fixed; given several, it is searched.
    given = {k: _distinct(v) for k, v in given_hyperparameters(args).items()}
    fixed = {keyword: value[0] for keyword, value in given.items() if len(value) == 1}
    pipe = make_lstm_pipeline(**{**recipe_params(args), **fixed})
    grid = {
        _step_parameter(keyword): values
        for keyword, values in given.items()
        if keyword not in fixed
    }
    candidates = list(ParameterGrid(grid))
    settings = {**_settings(args), "fixed": fixed}
    results = _ResultsFile(args.results, sorted(grid), args.cv, settings)
    done = results.resume(candidates)
    todo = [params for params in candidates if _key(params) not in done]
    print(
        f"{len(candidates)} candidates x {args.cv} folds on {len(y_train):,} "
        f"training texts, {len(candidates) - len(todo)} already in {args.results}\n"
        "Each finished candidate is added to it: if stopped, run the same command "
        "again to resume."
    )
    folds = list(check_cv(args.cv, y_train, classifier=True).split(X_train, y_train))
    X, y = np.asarray(X_train, dtype=object), np.asarray(y_train)
    start = time.perf_counter()
    finished = _cross_validate(pipe, todo, X, y, folds, args.n_jobs)
    for count, (params, fold_results) in enumerate(finished, start=1):
        row = _row(params, fold_results)
        results.append(row)
        done[_key(params)] = row
        print(
            f"[{count}/{len(todo)}] {_describe(params)}: "
            f"{row['mean_test_score']:.4f} +/- {row['std_test_score']:.4f} "
            f"({time.perf_counter() - start:.1f} s)"
        )

    table = _ranked([done[_key(params)] for params in candidates])
    results.write(table)
    print(f"\nCross-validated accuracy, best first (all in {args.results}):")
    _print_ranking(table, sorted(grid))
    _plot_heatmap(table, grid, args.cv, heatmap_path)

    best = candidates[int(np.argmin([row["rank_test_score"] for row in table]))]
    print(f"\nRefitting the best candidate on all {len(y_train):,} training texts")
    pipe.set_params(**best).fit(X_train, y_train)
    name_labels(pipe, names)
    pipe.set_params(sequencer__verbose=0, classifier__verbose=0)
    accuracy = pipe.score(X_test, y_test)
    print(f"Test accuracy: {accuracy:.4f} on {len(y_test):,} {test_name}")
    save_model(pipe, models)
    print(f"Saved the best pipeline to {' and '.join(models.values())}")
    return 0


def _step_parameter(keyword):
    """The Pipeline's name of a make_lstm_pipeline keyword: classifier__units..."""
    step = next(
        step for step, params in split_params({keyword: None}).items() if params
    )
    return f"{step}__{keyword}"


def _key(params):
    return json.dumps(params, sort_keys=True)


def _describe(params):
    text = " ".join(f"{name.split('__', 1)[1]}={v}" for name, v in params.items())
    return text or "the recipe"


def _settings(args):
    """What, besides the grid, makes results comparable across runs."""
    names = ("data", "text_column", "label_column", "label_separator", "test_size",
             "max_samples")  # fmt: skip
    settings = {name: getattr(args, name) for name in names}
    if args.data is not None:
        settings["data"] = os.path.abspath(args.data)
    settings.update(recipe=args.recipe, random_state=args.random_state, cv=args.cv)
    return settings


def _fit_and_score(pipe, params, X, y, train, test):
    """Fit on one fold, score on its test part: (fit time, score time, score)."""
    pipe.set_params(**params)
    start = time.perf_counter()
    pipe.fit(X[train], y[train])
    fit_time = time.perf_counter() - start
    start = time.perf_counter()
    score = pipe.score(X[test], y[test])
    return fit_time, time.perf_counter() - start, score


def _cross_validate(pipe, candidates, X, y, folds, n_jobs):
    """Yield ``params, fold_results`` per candidate, as soon as its folds are done.

    All the fits go to one joblib pool, so ``n_jobs`` workers stay busy across
    candidates, as in GridSearchCV.
    """
    jobs = (
        delayed(_fit_and_score)(clone(pipe), params, X, y, train, test)
        for params in candidates
        for train, test in folds
    )
    fold_results = Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
    for params in candidates:
        yield params, [next(fold_results) for _ in folds]


def _row(params, fold_results):
    """A row of ``cv_results_`` (without its rank) for one candidate."""
    fit_times, score_times, scores = np.array(fold_results).T
    return {
        "mean_fit_time": float(fit_times.mean()),
        "std_fit_time": float(fit_times.std()),
        "mean_score_time": float(score_times.mean()),
        "std_score_time": float(score_times.std()),
        **{f"param_{name}": value for name, value in params.items()},
        "params": _key(params),
        **{f"split{i}_test_score": float(s) for i, s in enumerate(scores)},
        "mean_test_score": float(scores.mean()),
        "std_test_score": float(scores.std()),
        "rank_test_score": "",
    }


def _ranked(rows):
    """The rows with ``rank_test_score`` set, ranked as GridSearchCV does."""
    means = np.array([row["mean_test_score"] for row in rows], dtype=float)
    ranks = rankdata(-means, method="min").astype(int)
    return [
        {**row, "rank_test_score": int(rank)}
        for row, rank in zip(rows, ranks, strict=True)
    ]


def _print_ranking(table, names):
    headers = ["rank", "mean", "std", *(name.split("__", 1)[1] for name in names)]
    lines = [
        [
            str(row["rank_test_score"]),
            f"{row['mean_test_score']:.4f}",
            f"{row['std_test_score']:.4f}",
            *(str(row[f"param_{name}"]) for name in names),
        ]
        for row in sorted(table, key=lambda row: row["rank_test_score"])
    ]
    widths = [max(map(len, column)) for column in zip(headers, *lines, strict=True)]
    for line in [headers, *lines]:
        cells = zip(line, widths, strict=True)
        print("  ".join(cell.rjust(width) for cell, width in cells))


def _plot_heatmap(table, grid, cv, path):
    """Mean score over the two parameters that vary (dropout x units first)."""
    varying = [name for name, values in grid.items() if len(values) > 1]
    if not varying:
        print("A single candidate: no heat map.")
        return
    x = next((n for n in varying if n.endswith("__dropout")), varying[0])
    others = [name for name in varying if name != x]
    y = next((n for n in others if n.endswith("__units")), None)
    y = y or (others[0] if others else None)
    rest = [name.split("__", 1)[1] for name in others if name != y]
    y_values = grid[y] if y else [""]
    scores = np.full((len(y_values), len(grid[x])), -np.inf)
    for row in table:
        params = json.loads(row["params"])
        i = y_values.index(params[y]) if y else 0
        j = grid[x].index(params[x])
        scores[i, j] = max(scores[i, j], row["mean_test_score"])
    title = f"Mean validation accuracy, {cv}-fold CV"
    if rest:
        title += f"\n(the best over {', '.join(rest)})"
    x_name, y_name = (name.split("__", 1)[1] if name else "" for name in (x, y))
    if _plots.score_heatmap(scores, x_name, grid[x], y_name, y_values, title, path):
        print(f"Saved the heat map of the scores to {path}")
    else:
        print(_plots.MISSING, file=sys.stderr)


class _ResultsFile:
    """The results CSV, written one finished candidate at a time.

    The settings of the search are kept next to it (``*_settings.json``), so
    that a rerun with other settings (folds, data, recipe...) is refused rather
    than mixed with old scores.
    """

    def __init__(self, path, names, n_splits, settings):
        self.path = path
        self.settings_path = sibling(path, "settings.json")
        # As the settings file will read back: tuples (--ngram-range) as lists.
        self.settings = json.loads(json.dumps(settings))
        self.columns = [
            *(f"{stat}_{time_}" for time_ in ("fit_time", "score_time")
              for stat in ("mean", "std")),
            *(f"param_{name}" for name in names),
            "params",
            *(f"split{i}_test_score" for i in range(n_splits)),
            "mean_test_score", "std_test_score", "rank_test_score",
        ]  # fmt: skip

    def resume(self, candidates):
        """Start the file anew, keeping the finished rows of ``candidates``.

        Returns
        -------
        done : dict
            The finished rows, by `_key` of their parameters.
        """
        done = {}
        if os.path.exists(self.path):
            self._check_settings()
            wanted = {_key(params) for params in candidates}
            done = {
                row["params"]: row for row in self._read() if row["params"] in wanted
            }
        with atomic_write(self.settings_path, "w", encoding="utf-8") as file:
            json.dump(self.settings, file, indent=1)
        # Rewritten rather than appended to: a run killed while writing may have
        # left half a line at the end.
        write_csv(self.path, self.columns, done.values())
        return done

    def append(self, row):
        # (A half-written row at the end is dropped when the search resumes.)
        try:
            with open(self.path, "a", newline="", encoding="utf-8") as file:
                csv.DictWriter(file, fieldnames=self.columns).writerow(row)
                file.flush()
                os.fsync(file.fileno())
        except OSError as error:
            raise naming(error, self.path) from None

    def write(self, table):
        write_csv(self.path, self.columns, table)

    def _check_settings(self):
        try:
            with open(self.settings_path, encoding="utf-8") as file:
                previous = json.load(file)
        except (OSError, json.JSONDecodeError):
            previous = None
        if previous != self.settings:
            changes = (
                "unknown, no readable " + self.settings_path
                if previous is None
                else ", ".join(
                    f"{name}: {previous.get(name)!r}, now {value!r}"
                    for name, value in self.settings.items()
                    if previous.get(name) != value
                )
            )
            raise CommandError(
                f"{self.path} holds the results of a search with other settings "
                f"({changes}); delete it or choose another --results file."
            )

    def _read(self):
        """The complete rows of the file, with their numbers as floats."""
        numbers = [c for c in self.columns if c.endswith(("_time", "_score"))]
        numbers.remove("rank_test_score")
        with open(self.path, newline="", encoding="utf-8") as file:
            for row in csv.DictReader(file):
                try:
                    row = {
                        **row,
                        **{column: float(row[column]) for column in numbers},
                        "params": _key(json.loads(row["params"])),
                    }
                except (KeyError, TypeError, ValueError):
                    continue  # a half-written last line, or another grid's row
                yield {column: row.get(column, "") for column in self.columns}


def _distinct(values):
    """The values once each, in order (by equality: class weights are dicts)."""
    kept = []
    for value in values:
        if value not in kept:
            kept.append(value)
    return kept
