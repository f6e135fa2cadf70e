"""The texts and labels the commands work on: IMDB or the user's own data."""

import csv
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

from ..datasets import load_imdb
from ..datasets._imdb import _find_source
from ._errors import CommandError
from ._parser import MAX_FIELD_LINES

_DELIMITERS = {".csv": ",", ".tsv": "\t", ".tab": "\t"}
_JSON_LINES = (".jsonl", ".ndjson")
_FORMATS = ".csv, .tsv, .jsonl, an IMDB archive or a folder"
# The default --random-state of train: `evaluate --max-samples N` then scores the
# same test texts as `train --max-samples N` did.
SUBSET_SEED = 7


def train_and_test(args):
    """Return ``X_train, y_train, X_test, y_test``, a name for the test texts
    and the labels' names (None but for several labels per text).

    IMDB comes with its own test set; the user's own data is split
    (stratified, ``args.test_size``, ``args.random_state``). Several labels
    per text come as indicator matrices, whose columns the names name.
    """
    if _is_imdb(args.data):
        X_train, y_train = load_imdb(subset="train", path=args.data, return_X_y=True)
        X_test, y_test = load_imdb(subset="test", path=args.data, return_X_y=True)
        test_name = "IMDB test reviews"
    else:
        X, y = read_labelled_texts(
            args.data,
            args.text_column,
            args.label_column,
            args.allow_multiline,
            args.label_separator,
        )
        X_train, X_test, y_train, y_test = _split(
            X, y, test_size=args.test_size, random_state=args.random_state
        )
        test_name = f"held-out texts ({args.test_size:.0%} of {Path(args.data).name})"
    X_train, y_train = _subsample(X_train, y_train, args.max_samples, args.random_state)
    X_test, y_test = _subsample(X_test, y_test, args.max_samples, args.random_state)
    names = None
    if is_multi_label(y_train):
        _, names = indicator([*y_train, *y_test])
        y_train, y_test = indicator(y_train, names)[0], indicator(y_test, names)[0]
    return X_train, y_train, X_test, y_test, test_name, names


def evaluation_set(args):
    """Return ``X, y`` and their name: IMDB's test reviews or all the user's data."""
    if _is_imdb(args.data):
        X, y = load_imdb(subset="test", path=args.data, return_X_y=True)
        name = "IMDB test reviews"
    else:
        X, y = read_labelled_texts(
            args.data,
            args.text_column,
            args.label_column,
            args.allow_multiline,
            args.label_separator,
        )
        name = f"texts of {Path(args.data).name}"
    X, y = _subsample(X, y, args.max_samples, random_state=SUBSET_SEED)
    return X, y, name


def read_labelled_texts(
    path,
    text_column="text",
    label_column="label",
    allow_multiline=False,
    label_separator=None,
):
    """Read texts and labels from a table file or a folder of label sub-folders.

    Parameters
    ----------
    path : str
        A ``.csv`` or ``.tsv`` file with a header row, a JSON Lines file
        (``.jsonl``, one object per line), or a folder holding one sub-folder of
        UTF-8 ``.txt`` files per label (the sub-folder's name is the label).
    text_column, label_column : str, default="text", "label"
        The column (JSON key) of the texts and of the labels in a file.
    allow_multiline : bool, default=False
        Accept a quoted CSV/TSV field that spans more than `MAX_FIELD_LINES`
        lines. Fields over several lines always get a warning on standard
        error that counts them.
    label_separator : str or None, default=None
        Several labels per text: a label cell holds any number of labels
        separated by it (an empty cell: none). In JSON Lines, a label that is
        a list of labels reads so without it.

    Returns
    -------
    X : list of str
    y : ndarray of shape (n_texts,)
        Labels from a CSV/TSV file that are all whole numbers are read as ints
        (as IMDB's 0/1), others are kept as strings. With several labels per
        text, an object array of tuples of labels (strings; see `indicator`).

    Raises
    ------
    FileNotFoundError
        If nothing is at ``path``.
    CommandError
        If a column is missing, a label is empty, a line is not JSON, a quoted
        field spans too many lines, the file type is unknown or the folder
        holds no labelled texts.
    """
    source = Path(path)
    if source.is_dir():
        return _read_folder(source)
    if not source.is_file():
        raise FileNotFoundError(f"No data at {path}: no such file or folder.")
    suffix = source.suffix.lower()
    try:
        if suffix in _DELIMITERS:
            delimiter = _DELIMITERS[suffix]
            X, y = _read_delimited(
                source,
                delimiter,
                text_column,
                label_column,
                allow_multiline,
                empty_labels=label_separator is not None,
            )
            if label_separator is None:
                y = _whole_numbers_as_ints(y)
            else:
                y = [_label_set(cell, label_separator) for cell in y]
        elif suffix in _JSON_LINES:
            X, y = _read_json_lines(source, text_column, label_column)
            if label_separator is not None or any(isinstance(v, list) for v in y):
                y = [_label_set(v, label_separator) for v in y]
        else:
            raise CommandError(
                f"Cannot read {path}: unknown file type {suffix or '(none)'}; "
                f"expected {_FORMATS}."
            )
    except UnicodeDecodeError as error:
        raise CommandError(f"{path} is not UTF-8 text ({error}).") from None
    if not X:
        raise CommandError(f"{path} holds no texts.")
    if y and isinstance(y[0], tuple):
        labels = np.empty(len(y), dtype=object)
        labels[:] = y
        return X, labels
    return X, np.asarray(y)


def _label_set(value, separator):
    """The labels of a cell or JSON value: a list of them, or a string cut at
    ``separator`` (empty pieces are no labels)."""
    if isinstance(value, list):
        return tuple(str(label).strip() for label in value)
    if separator is not None and isinstance(value, str):
        return tuple(part.strip() for part in value.split(separator) if part.strip())
    return (str(value),)


def is_multi_label(y):
    """Whether ``y`` (of `read_labelled_texts`) holds several labels per text."""
    return y.dtype == object and len(y) > 0 and isinstance(y[0], tuple)


def indicator(label_sets, names=None):
    """The 0/1 indicator matrix of ``label_sets`` and its columns' labels.

    ``names`` fixes the columns (a model's ``classes_``); a label outside
    them is a `CommandError`.
    """
    sets = [set(labels) for labels in label_sets]
    if names is None:
        names = sorted(set().union(*sets))
        if len(names) < 2:
            raise CommandError(
                f"The texts hold {len(names)} distinct label(s): several labels "
                "per text need at least two."
            )
    unknown = set().union(*sets) - set(names)
    if unknown:
        raise CommandError(
            f"The data has labels the model does not know: {sorted(unknown)[:5]} "
            f"(the model's labels: {list(names)})."
        )
    column = {name: i for i, name in enumerate(names)}
    Y = np.zeros((len(sets), len(names)), dtype=np.int64)
    for row, labels in enumerate(sets):
        Y[row, [column[label] for label in labels]] = 1
    return Y, np.asarray(names)


def _is_imdb(path):
    """Whether ``path`` (None: the default location) is IMDB, not the user's data."""
    if path is None:
        return True
    if not Path(path).exists():
        raise FileNotFoundError(f"No data at {path}: no such file or folder.")
    return _find_source(Path(path).expanduser()) is not None


def _read_delimited(
    path, delimiter, text_column, label_column, allow_multiline, empty_labels=False
):
    # A long text must not hit the csv module's default 128 kB field limit.
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with open(path, newline="", encoding="utf-8-sig") as file:
        # strict: a quote that is never closed, or closed in the middle of a
        # field, is an error rather than a field that swallows the rows after it.
        reader = csv.DictReader(file, delimiter=delimiter, strict=True)
        start = 1
        try:
            _check_columns(path, reader.fieldnames or [], text_column, label_column)
            X, y = [], []
            start = reader.line_num + 1  # (for csv.Error: where the row began)
            several, longest = 0, (1, 0)  # rows over several lines; lines, first
            for row in reader:
                # Its lines: one, and one per line break inside its fields (the
                # reader skips blank lines, which line_num counts).
                breaks = sum(v.count("\n") for v in row.values() if isinstance(v, str))
                first = reader.line_num - breaks
                text, label = row[text_column], row[label_column]
                if text is None or label is None or not (label or empty_labels):
                    column = label_column if text is not None else text_column
                    raise CommandError(
                        f"{path}, line {first}: no value in column {column!r}."
                    )
                X.append(text)
                y.append(label)
                if breaks + 1 > MAX_FIELD_LINES and not allow_multiline:
                    raise CommandError(
                        f"{path}, line {first}: the row starting there spans "
                        f"{breaks + 1} lines, more than {MAX_FIELD_LINES}: a quote "
                        "that opens a field is probably closed far too late (write "
                        'a quote inside a quoted field as ""). Pass '
                        "--allow-multiline if the texts do hold that many line "
                        "breaks."
                    )
                several += breaks > 0
                longest = max(longest, (breaks + 1, -first))
                start = reader.line_num + 1
        except csv.Error as error:
            raise CommandError(
                f"{path}, line {start}: the row starting there is not valid CSV "
                f"({error}, line {reader.line_num}); a quote that opens a field is "
                'probably never closed (write a quote inside a quoted field as "").'
            ) from None
    if several:
        lines, first = longest[0], -longest[1]
        print(
            f"warning: {path}: {reader.line_num - 1:,} lines read as {len(X):,} "
            f"texts; {several:,} of them span several lines (quoted fields with "
            f"line breaks), the longest, starting on line {first}, {lines} lines",
            file=sys.stderr,
        )
    return X, y


def _read_json_lines(path, text_column, label_column):
    X, y = [], []
    with open(path, encoding="utf-8-sig") as file:
        for number, line in enumerate(file, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise CommandError(
                    f"{path}, line {number}: not JSON ({error.msg})."
                ) from None
            if not isinstance(record, dict):
                raise CommandError(f"{path}, line {number}: not a JSON object.")
            _check_columns(path, list(record), text_column, label_column, number)
            text, label = record[text_column], record[label_column]
            if not isinstance(text, str):
                raise CommandError(
                    f"{path}, line {number}: {text_column!r} is not a string."
                )
            if label is None or label == "":
                raise CommandError(f"{path}, line {number}: empty {label_column!r}.")
            if isinstance(label, list) and not all(
                isinstance(item, (str, int))
                and not isinstance(item, bool)
                and str(item).strip()
                for item in label
            ):
                raise CommandError(
                    f"{path}, line {number}: {label_column!r} is a list holding "
                    "something other than labels (strings or whole numbers)."
                )
            X.append(text)
            y.append(label)
    return X, y


def _check_columns(path, columns, text_column, label_column, line=None):
    for column in (text_column, label_column):
        if column not in columns:
            where = f"{path}, line {line}" if line else str(path)
            option = "text" if column == text_column else "label"
            raise CommandError(
                f"{where}: no column {column!r} (its columns: "
                f"{', '.join(map(repr, columns)) or 'none'}); name the "
                f"{option} column with --{option}-column."
            )


def _read_folder(root):
    X, y = [], []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for file in sorted(folder.glob("*.txt")):
            try:
                X.append(file.read_text(encoding="utf-8"))
            except UnicodeDecodeError as error:
                raise CommandError(f"{file} is not UTF-8 text ({error}).") from None
            y.append(folder.name)
    if len(set(y)) < 2:
        raise CommandError(
            f"{root} is not labelled data: expected one sub-folder of .txt files per "
            f"label (at least two), found {len(set(y))} with texts."
        )
    return X, np.asarray(y)


def _whole_numbers_as_ints(labels):
    try:
        return [int(label) for label in labels]
    except ValueError:
        return labels


def _split(X, y, *, test_size, random_state):
    stratify = None if is_multi_label(y) else y
    try:
        return train_test_split(
            X, y, test_size=test_size, stratify=stratify, random_state=random_state
        )
    except ValueError as error:  # a class with a single text, a tiny test set
        raise CommandError(
            f"Cannot hold out {test_size:.0%} of the data: {error}"
        ) from None


def _subsample(X, y, n, random_state):
    if n is None or n >= len(y):
        return X, y
    stratify = None if is_multi_label(y) else y
    X_sub, _, y_sub, _ = train_test_split(
        X, y, train_size=n, stratify=stratify, random_state=random_state
    )
    return X_sub, y_sub
