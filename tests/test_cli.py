"""The ``sk-lstm`` commands end to end on tiny made-up data (search: its own file)."""

import argparse
import contextlib
import io
import json
import os
import select
import subprocess
import sys
import zipfile

import joblib
import numpy as np
import pytest
from sklearn.metrics import classification_report, roc_auc_score
from sklearn.model_selection import train_test_split

import sk_lstm
from sk_lstm._cli import (
    _predict,
    build_parser,
    given_hyperparameters,
    main,
    recipe_params,
)
from sk_lstm._cli._data import read_labelled_texts
from sk_lstm._cli._errors import CommandError
from sk_lstm._cli._files import history_table, model_paths
from sk_lstm._cli._plots import confusion_matrix as plot_confusion_matrix
from sk_lstm._cli._plots import learning_curves, score_heatmap
from sk_lstm._cli._quiet import is_tensorflow_log
from sk_lstm._cli._search import _distinct

from .conftest import assert_png, make_reviews, one_error_line, read_csv, write_csv

TINY_OPTIONS = ["--recipe", "classic", "--maxlen", "12", "--units", "8",
                "--embedding-dim", "8", "--batch-size", "8"]  # fmt: skip


@pytest.fixture
def imdb_folder(tmp_path):
    """A made-up aclImdb/ folder: 24 train and 24 test reviews."""
    root = tmp_path / "aclImdb"
    for split, seed in (("train", 0), ("test", 1)):
        texts, y = make_reviews(24, random_state=seed)
        for i, (text, label) in enumerate(zip(texts, y, strict=True)):
            file = root / split / label / f"{i}_{8 if label == 'pos' else 2}.txt"
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """`sk-lstm train` run once on a CSV file of 60 reviews, for several tests."""
    folder = tmp_path_factory.mktemp("trained")
    texts, y = make_reviews(60, random_state=2)
    data = write_csv(folder / "reviews.csv", texts, y, columns=("review", "mood"))
    argv = ["train", "--data", str(data), "--text-column", "review",
            "--label-column", "mood", "--output", str(folder / "model.joblib"),
            "--epochs", "6", "--verbose", "0", *TINY_OPTIONS]  # fmt: skip
    with contextlib.redirect_stdout(io.StringIO()) as out:
        status = main(argv)
    assert status == 0
    return {"folder": folder, "data": data, "out": out.getvalue(), "argv": argv}


# --- the parser ---------------------------------------------------------------


def test_help_needs_no_tensorflow():
    code = (
        "import sys\n"
        "from sk_lstm._cli import build_parser\n"
        "for command in ([], ['train'], ['search'], ['evaluate'], ['predict'],\n"
        "                ['export']):\n"
        "    try:\n"
        "        build_parser().parse_args([*command, '--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = {'tensorflow', 'keras', 'sklearn', 'matplotlib'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "usage: sk-lstm train" in done.stdout and "--recipe" in done.stdout


def test_every_option_of_every_command_is_explained():
    parser = build_parser()
    commands = next(
        action for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
    ).choices  # fmt: skip
    assert set(commands) == {"train", "search", "evaluate", "predict", "explain",
                             "export"}  # fmt: skip
    for name, command in commands.items():
        text = command.format_help()
        for action in command._actions:
            assert action.help, (name, action.dest)
            for option in action.option_strings:
                assert option in text


def test_console_module_help():
    done = subprocess.run(
        [sys.executable, "-m", "sk_lstm", "search", "--help"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0
    for option in ("--data", "--cv", "--n-jobs", "--results", "--units", "--dropout"):
        assert option in done.stdout


def test_auto_is_read_where_the_estimator_takes_it():
    args = build_parser().parse_args(
        ["train", "--early-stopping", "auto", "--bag-buckets", "auto",
         "--bag-dim", "8", "--epochs", "auto", "--learning-rate", "auto"]
    )  # fmt: skip
    assert given_hyperparameters(args) == {
        "early_stopping": "auto",
        "bag_buckets": "auto",
        "bag_dim": 8,
        "epochs": "auto",
        "learning_rate": "auto",
    }
    args = build_parser().parse_args(["search", "--early-stopping", "auto", "false"])
    assert given_hyperparameters(args) == {"early_stopping": ["auto", False]}


def test_hyperparameter_options_default_to_the_library():
    args = build_parser().parse_args(["train"])
    assert given_hyperparameters(args) == {}
    assert recipe_params(args) == {"random_state": 7, "verbose": 1}
    args = build_parser().parse_args(["search", "--units", "8", "16"])
    assert given_hyperparameters(args) == {"units": [8, 16]}
    assert recipe_params(args) == {"random_state": 7, "verbose": 0}
    args = build_parser().parse_args(
        ["train", "--learning-rate-schedule", "constant", "--ngram-range", "1,1"]
    )
    assert given_hyperparameters(args) == {
        "learning_rate_schedule": "constant",
        "ngram_range": (1, 1),
    }
    args = build_parser().parse_args(
        ["train", "--bag-ngrams", "0", "--bag-buckets", "100", "--min-steps", "0"]
        + ["--predict-batch-size", "256", "--label-smoothing", "0.1"]
        + ["--bag-binary", "false"]
    )
    assert given_hyperparameters(args) == {
        "bag_ngrams": 0,
        "bag_buckets": 100,
        "min_steps": 0,
        "predict_batch_size": 256,
        "label_smoothing": 0.1,
        "bag_binary": False,
    }


def test_classic_recipe_with_explicit_options_on_top():
    args = build_parser().parse_args(
        ["train", "--recipe", "classic", "--units", "8", "--random-state", "3"]
    )
    params = {**recipe_params(args), **given_hyperparameters(args)}
    assert params == {**sk_lstm.CLASSIC_RECIPE, "units": 8, "random_state": 3,
                      "verbose": 1}  # fmt: skip


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["train", "--dropout", "1.5"],
            "'dropout' parameter of LSTMClassifier must be a float in the range",
        ),
        (
            ["train", "--units", "0"],
            "'units' parameter of LSTMClassifier must be an int in the range [1, inf)",
        ),
        (
            ["train", "--num-words", "2"],
            "'num_words' parameter of TextSequencer must be an int in the range [3,",
        ),
        (["search", "--units", "8", "-3"], "'units' parameter of LSTMClassifier"),
        (["train", "--test-size", "1"], "expected a fraction in (0, 1)"),
        (["search", "--cv", "1"], "expected an integer >= 2"),
        (["train", "--recipe", "fancy"], "invalid choice"),
        (
            ["train", "--learning-rate-schedule", "cosh"],
            "'learning_rate_schedule' parameter of LSTMClassifier must be a str among",
        ),
        (["train", "--bag-ngrams", "-1"], "'bag_ngrams' parameter of LSTMClassifier"),
        (["train", "--bag-buckets", str(2**31)], "'bag_buckets' parameter"),
        (["search", "--min-steps", "many"], "expected an integer, got 'many'"),
        (["train", "--bag-binary", "2"], "--bag-binary: expected true or false"),
        (["train", "--bidirectional", "maybe"], "expected true or false"),
        (["train", "--ngram-range", "2,1"], "expected MIN,MAX with 1 <= MIN <= MAX"),
        (["search", "--n-jobs", "0"], "expected a non-zero integer"),
        (["train", "--random-state", "-1"], "expected an integer in [0, 2**32)"),
        (["search", "--random-state", str(2**32)], "expected an integer in"),
        (["train", "--units", "auto"], "'units' parameter of LSTMClassifier"),
    ],
)
def test_bad_option_values(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_output_files_of_each_format():
    assert model_paths("m.joblib", "both") == {
        "joblib": "m.joblib",
        "sklstm": "m.sklstm",
    }
    assert model_paths("m.sklstm", "both") == {
        "joblib": "m.joblib",
        "sklstm": "m.sklstm",
    }
    assert model_paths("out/m.joblib", "sklstm") == {"sklstm": "out/m.sklstm"}
    assert model_paths("m.pkl", "joblib") == {"joblib": "m.pkl"}


# --- reading data -------------------------------------------------------------


def test_tsv_json_lines_and_folders_read_as_csv(tmp_path):
    texts, y = make_reviews(10)
    expected = read_labelled_texts(write_csv(tmp_path / "a.csv", texts, y))
    tsv = write_csv(tmp_path / "a.tsv", texts, y, delimiter="\t")
    jsonl = tmp_path / "a.jsonl"
    records = [{"text": text, "label": label, "id": i} for i, (text, label)
               in enumerate(zip(texts, y.tolist(), strict=True))]  # fmt: skip
    jsonl.write_text("\n".join(map(json.dumps, records)) + "\n\n")
    folder = tmp_path / "folder"
    for i, (text, label) in enumerate(zip(texts, y, strict=True)):
        (folder / label).mkdir(parents=True, exist_ok=True)
        (folder / label / f"{i:02d}.txt").write_text(text, encoding="utf-8")
    for path in (tsv, jsonl):
        X, labels = read_labelled_texts(str(path))
        assert X == expected[0] and labels.tolist() == expected[1].tolist()
    X, labels = read_labelled_texts(str(folder))  # ordered by label, then file
    assert sorted(X) == sorted(expected[0])
    assert labels.tolist() == sorted(expected[1].tolist())


def test_quoted_texts_may_span_lines(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('text,label\n"one\n\ntwo, ""three""",1\nfour,0\n')
    assert read_labelled_texts(path)[0] == ['one\n\ntwo, "three"', "four"]


def test_whole_number_labels_of_a_csv_file_are_ints(tmp_path):
    path = write_csv(tmp_path / "a.csv", ["good", "bad", "fine"], ["1", "0", "1"])
    X, y = read_labelled_texts(str(path))
    assert y.dtype.kind == "i" and y.tolist() == [1, 0, 1]


# --- train --------------------------------------------------------------------


def test_train_on_imdb_prints_accuracy_and_saves_everything(
    imdb_folder, tmp_path, capsys
):
    output = tmp_path / "model.joblib"
    argv = ["train", "--data", str(imdb_folder), "--output", str(output),
            "--epochs", "4", "--max-samples", "20", *TINY_OPTIONS]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Loaded 20 training texts and 20 IMDB test reviews" in out
    assert "Epoch 1/4" in out and "Epoch 4/4" in out and "━" in out  # a progress bar
    assert "Indexing 20 texts" in out and "20/20" in out  # the text step's bar
    accuracy = float(out.split("Test accuracy: ")[1].split()[0])

    pipe = joblib.load(output)
    safe = sk_lstm.load(tmp_path / "model.sklstm")
    texts, y = make_reviews(24, random_state=1)
    np.testing.assert_allclose(safe.predict_proba(texts), pipe.predict_proba(texts))
    params = pipe.get_params()
    assert (params["sequencer__maxlen"], params["classifier__units"]) == (12, 8)
    assert params["classifier__random_state"] == 7
    # quiet when the model is used later
    assert params["classifier__verbose"] == params["sequencer__verbose"] == 0
    assert 0 <= accuracy <= 1

    columns, rows = read_csv(tmp_path / "model_history.csv")
    history = pipe.named_steps["classifier"].history_
    assert columns == ["epoch", "loss", "accuracy"]
    assert [int(row["epoch"]) for row in rows] == [1, 2, 3, 4]
    assert [float(row["loss"]) for row in rows] == pytest.approx(history["loss"])
    assert_png(tmp_path / "model_learning_curves.png")

    assert main(["evaluate", str(output), "--data", str(imdb_folder)]) == 0
    out = capsys.readouterr().out
    assert "on 24 IMDB test reviews" in out and "ROC AUC: " in out
    assert_png(tmp_path / "model_confusion_matrix.png")


def test_train_on_a_csv_file_holds_out_a_stratified_split(trained):
    out, folder = trained["out"], trained["folder"]
    assert "Loaded 48 training texts and 12 held-out texts (20% of reviews.csv)" in out
    accuracy = float(out.split("Test accuracy: ")[1].split()[0])
    texts, y = make_reviews(60, random_state=2)
    _, X_test, _, y_test = train_test_split(
        texts, y, test_size=0.2, stratify=y, random_state=7
    )
    pipe = sk_lstm.load(folder / "model.sklstm")
    assert round(pipe.score(X_test, y_test), 4) == accuracy
    assert pipe.classes_.tolist() == ["neg", "pos"]
    assert sorted(p.name for p in folder.iterdir()) == [
        "model.joblib", "model.sklstm", "model_history.csv",
        "model_learning_curves.png", "reviews.csv",
    ]  # fmt: skip


def test_history_and_learning_curves_show_validation_when_present(tmp_path):
    history = {
        "accuracy": [0.5, 0.7, 0.8],
        "loss": [0.7, 0.6, 0.5],
        "val_loss": [0.69, 0.65, 0.66],
        "val_accuracy": [0.5, 0.6, 0.6],
    }
    columns, rows = history_table(history)
    assert columns == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy"]
    assert rows[2] == {"epoch": 3, "loss": 0.5, "accuracy": 0.8, "val_loss": 0.66,
                       "val_accuracy": 0.6}  # fmt: skip
    assert learning_curves(history, tmp_path / "curves.png")
    assert_png(tmp_path / "curves.png")


# --- evaluate and predict -----------------------------------------------------


@pytest.mark.parametrize("model_file", ["model.joblib", "model.sklstm"])
def test_evaluate_prints_the_report_and_plots_the_confusion_matrix(
    trained, model_file, capsys, monkeypatch
):
    monkeypatch.setattr("sk_lstm._cli._evaluate.CHUNK_TEXTS", 7)  # 60 texts: 9 chunks
    model, data = trained["folder"] / model_file, trained["data"]
    argv = ["evaluate", str(model), "--data", str(data),
            "--text-column", "review", "--label-column", "mood"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out

    pipe = joblib.load(trained["folder"] / "model.joblib")
    texts, y = make_reviews(60, random_state=2)
    proba = pipe.predict_proba(texts)
    report = classification_report(y, pipe.predict(texts), digits=4)
    assert report in out
    assert f"ROC AUC: {roc_auc_score(y == 'pos', proba[:, 1]):.4f}" in out
    assert "60 texts of reviews.csv" in out
    plot = trained["folder"] / f"{model.stem}_confusion_matrix.png"
    assert f"Saved the confusion matrix plot to {plot}" in out
    assert_png(plot)


def test_evaluate_refuses_labels_unknown_to_the_model(
    imdb_folder, trained, tmp_path, capsys
):
    # The model knows "neg"/"pos", IMDB has 0/1: a clear error, not a bad report.
    model = trained["folder"] / "model.joblib"
    argv = ["evaluate", str(model), "--data", str(imdb_folder)]
    assert main([*argv, "--plot", str(tmp_path / "cm.png")]) == 1
    assert "labels the model does not know" in one_error_line(
        capsys.readouterr(), "evaluate"
    )


def test_evaluate_without_matplotlib_still_reports(
    trained, tmp_path, monkeypatch, capsys
):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    plot = tmp_path / "cm.png"
    argv = ["evaluate", str(trained["folder"] / "model.sklstm"), "--plot", str(plot),
            "--data", str(trained["data"]), "--text-column", "review",
            "--label-column", "mood"]  # fmt: skip
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "ROC AUC:" in captured.out and "Confusion matrix" in captured.out
    notes = [line for line in captured.err.splitlines() if "matplotlib" in line]
    assert notes == [
        'No plot: matplotlib is not installed (pip install "sk_lstm[plot]").'
    ]
    assert not plot.exists()


def test_no_plots_without_matplotlib(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    history = {"loss": [0.7, 0.6], "accuracy": [0.5, 0.6]}
    assert not learning_curves(history, tmp_path / "a.png")
    scores = np.array([[0.5, 0.6]])
    assert not score_heatmap(
        scores, "dropout", [0, 0.2], "", [""], "t", tmp_path / "b.png"
    )
    assert not plot_confusion_matrix(
        np.eye(2, dtype=int), [0, 1], tmp_path / "c.png", "t"
    )
    assert not list(tmp_path.iterdir())


def test_predict_texts_from_arguments_as_json(trained, capsys):
    texts = ["a great superb film", "boring and awful", "Ünïcode ✓ text"]
    argv = ["predict", str(trained["folder"] / "model.sklstm"), "--json", *texts]
    assert main(argv) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    proba = joblib.load(trained["folder"] / "model.joblib").predict_proba(texts)
    assert [r["text"] for r in records] == texts
    for record, row in zip(records, proba, strict=True):
        assert record["label"] == ["neg", "pos"][row.argmax()]
        assert record["probability"] == pytest.approx(row.max(), abs=1e-6)
        assert list(record["probabilities"]) == ["neg", "pos"]
        assert list(record["probabilities"].values()) == pytest.approx(row, abs=1e-6)


def test_predict_lines_of_a_file_and_of_standard_input(
    trained, tmp_path, monkeypatch, capsys
):
    model = str(trained["folder"] / "model.joblib")
    lines = tmp_path / "texts.txt"
    lines.write_text(
        "loved it, wonderful\n\n  \nhated the dull plot\n", encoding="utf-8"
    )
    assert main(["predict", model, "--file", str(lines)]) == 0
    from_file = capsys.readouterr().out.splitlines()
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines.read_text(encoding="utf-8")))
    assert main(["predict", model]) == 0
    assert capsys.readouterr().out.splitlines() == from_file
    assert [line.split("\t")[2] for line in from_file] == [
        "loved it, wonderful", "hated the dull plot",
    ]  # fmt: skip
    proba = joblib.load(model).predict_proba(["loved it, wonderful"])[0]
    label, probability, _ = from_file[0].split("\t")
    assert label == ["neg", "pos"][proba.argmax()]
    assert float(probability) == pytest.approx(proba.max(), abs=1e-4)


@pytest.mark.slow
def test_predict_streams_its_input_in_order(trained):
    # The first labels come out while the input is still open, and in order.
    model = str(trained["folder"] / "model.joblib")
    chunk = _predict.CHUNK_LINES
    texts = [f"text {i} " + ("wonderful" if i % 3 else "dull") for i in range(3000)]
    process = subprocess.Popen(
        [sys.executable, "-m", "sk_lstm", "predict", model],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        process.stdin.write("\n".join(texts[: chunk + 10]) + "\n")
        process.stdin.flush()
        ready, _, _ = select.select([process.stdout], [], [], 120)
        assert ready, "no label came out before the input ended"
        first = process.stdout.readline()
        process.stdin.write("\n".join(texts[chunk + 10 :]) + "\n")
        process.stdin.close()
        out = process.stdout.read()  # (communicate would skip what is buffered)
        err = process.stderr.read()
        process.wait(timeout=300)
    finally:
        process.kill()
    lines = [first, *out.splitlines()]
    assert process.returncode == 0, err
    assert [line.split("\t")[2].strip() for line in lines] == texts


@pytest.mark.slow
def test_predict_into_a_closed_pipe_ends_quietly(trained, tmp_path):
    # `sk-lstm predict MODEL --file big.txt | head -1`
    model = str(trained["folder"] / "model.joblib")
    lines = tmp_path / "lines.txt"
    lines.write_text("a good film\n" * 5000)
    process = subprocess.Popen(
        [sys.executable, "-m", "sk_lstm", "predict", model, "--file", str(lines)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout.readline()
    process.stdout.close()
    _, err = process.communicate(timeout=300)
    assert process.returncode == 141 and b"error" not in err, err


# --- errors: one line on stderr, exit status 1 --------------------------------


def test_missing_data_file(tmp_path, capsys):
    assert main(["train", "--data", str(tmp_path / "nowhere.csv")]) == 1
    line = one_error_line(capsys.readouterr(), "train")
    assert "No data at" in line and "nowhere.csv" in line


def test_bad_column_name(trained, tmp_path, capsys):
    argv = ["train", "--data", str(trained["data"]), "--text-column", "txt",
            "--output", str(tmp_path / "m.joblib")]  # fmt: skip
    assert main(argv) == 1
    line = one_error_line(capsys.readouterr(), "train")
    assert "no column 'txt' (its columns: 'review', 'mood')" in line
    assert "--text-column" in line and not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("a.xlsx", "text,label\n", "unknown file type .xlsx; expected .csv, .tsv"),
        ("a.jsonl", '{"text": "good", "label": 1}\n{"text": oops}\n',
         "a.jsonl, line 2: not JSON"),
        ("a.jsonl", '{"text": "good"}\n', "a.jsonl, line 1: no column 'label'"),
        ("a.csv", "text,label\ngood,pos\nbad,\n", "a.csv, line 3: no value in column"),
        ("a.csv", "text,label\n", "a.csv holds no texts"),
        # A quote never closed: named at the line where its field starts.
        ("a.csv", 'text,label\ngood,pos\n"bad,neg\nfine,pos\ndull,neg\n',
         "a.csv, line 3: the row starting there is not valid CSV"),
        # Closed rows later, by the next quoted field: not one text of 4 rows.
        ("a.csv", 'text,label\ngood,pos\n"bad,neg\nfine,pos\n"nice, fun",pos\n',
         "a.csv, line 3: the row starting there is not valid CSV"),
        ("folder/pos/1.txt", "good", "expected one sub-folder of .txt files per label"),
    ],
)  # fmt: skip
def test_bad_data_files(tmp_path, name, content, message, capsys):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    data = tmp_path / name.split("/")[0]
    output = str(tmp_path / "m.joblib")
    assert main(["train", "--data", str(data), "--output", output]) == 1
    assert message in one_error_line(capsys.readouterr(), "train")


def test_unwritable_output_fails_before_training(imdb_folder, tmp_path, capsys):
    output = tmp_path / "no-such-folder" / "model.joblib"
    assert main(["train", "--data", str(imdb_folder), "--output", str(output)]) == 1
    captured = capsys.readouterr()
    assert "Cannot save to" in one_error_line(captured, "train")
    assert "Loaded" not in captured.out


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "No model at"),
        (b"not a model at all", "Cannot read the model"),
        (b"PK\x03\x04 truncated", "Cannot read the model"),
        ("truncated.sklstm", "is damaged or not an sk_lstm file"),
        ("flipped", "is damaged or not an sk_lstm file"),
        ("bad_directory", "is damaged or not an sk_lstm file"),
        ("keras_zip", "Cannot read the model"),
        ("list", "holds a list, not a fitted classifier"),
    ],
)
def test_unreadable_model(trained, tmp_path, content, message, capsys):
    model = tmp_path / "model.joblib"
    if content == "truncated.sklstm":
        model = tmp_path / "model.sklstm"
        model.write_bytes((trained["folder"] / "model.sklstm").read_bytes()[:300])
    elif content in ("flipped", "bad_directory"):
        data = bytearray((trained["folder"] / "model.sklstm").read_bytes())
        if content == "flipped":  # inside the compressed model
            middle = len(data) // 2
            data[middle : middle + 64] = bytes(64)
        else:
            start = data.rindex(b"PK\x01\x02")
            data[start : start + 4] = b"XXXX"
        model.write_bytes(bytes(data))
    elif content == "keras_zip":
        with zipfile.ZipFile(model, "w") as archive:
            archive.writestr("config.json", "{}")
    elif content == "list":
        joblib.dump([1, 2], model)
    elif content is not None:
        model.write_bytes(content)
    for argv in (["evaluate", str(model)], ["predict", str(model), "some text"]):
        assert main(argv) == 1
        assert message in one_error_line(capsys.readouterr(), argv[0])


def test_missing_text_file(trained, tmp_path, capsys):
    model = str(trained["folder"] / "model.joblib")
    assert main(["predict", model, "--file", str(tmp_path / "none.txt")]) == 1
    assert "No text file at" in one_error_line(capsys.readouterr(), "predict")


# --- TensorFlow's C++ log lines -----------------------------------------------

QUIET = r"""
import os, sys, warnings
from sk_lstm._cli._quiet import quiet_tensorflow
with quiet_tensorflow(enabled=sys.argv[1] == "on"):
    os.write(2, b"I0000 00:00:1796205263.152635   11560 cpu_feature_guard.cc:227] "
                b"notice\n")
    os.write(2, b"E0000 00:00:1796205263.152635   11560 cuda_platform.cc:52] failed "
                b"call to cuInit\n")
    os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called"
                b" are written to STDERR\n")
    os.write(2, b"a C library's own message\n")
    warnings.warn("a Python warning")
    print("to stdout")
"""


@pytest.mark.parametrize("mode", ["on", "off", "asked"])
def test_tensorflow_logs_are_dropped_and_the_rest_passes(mode):
    env = dict(os.environ)
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    if mode == "asked":
        env["TF_CPP_MIN_LOG_LEVEL"] = "0"  # the user's own setting wins
    done = subprocess.run(
        [sys.executable, "-c", QUIET, "off" if mode == "off" else "on"],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert done.returncode == 0
    assert done.stdout == "to stdout\n"
    assert "a C library's own message" in done.stderr
    assert "UserWarning: a Python warning" in done.stderr
    for line in ("notice", "cuInit", "InitializeLog"):
        assert (line in done.stderr) == (mode != "on")


def test_commands_print_no_tensorflow_log_line(trained):
    env = dict(os.environ)
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    model = str(trained["folder"] / "model.joblib")
    command = [sys.executable, "-m", "sk_lstm", "predict", model, "a good film"]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\t")[0] in {"neg", "pos"}
    assert done.stderr == ""
    loud = subprocess.run(
        [command[0], "-m", "sk_lstm", "--tensorflow-logs", *command[3:]],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert loud.stdout == done.stdout
    assert loud.stderr  # TensorFlow 2.21 on a CPU logs at start-up
    assert all(is_tensorflow_log(line.encode()) for line in loud.stderr.splitlines())


def test_class_weight_option_reads_labels_as_data_files_do():
    def read(text):
        return given_hyperparameters(
            build_parser().parse_args(["train", "--class-weight", text])
        )["class_weight"]

    assert read("balanced") == "balanced"
    assert read("pos:4,neg:1") == {"pos": 4.0, "neg": 1.0}
    assert read("0:5,1:1") == {0: 5.0, 1: 1.0}  # whole-number labels are ints
    for bad in ("pos:inf", "pos:0", "pos", "pos:1,pos:2", ":1"):
        with pytest.raises(SystemExit), contextlib.redirect_stderr(io.StringIO()):
            read(bad)
    searched = build_parser().parse_args(
        ["search", "--class-weight", "balanced", "pos:2,neg:1", "pos:2,neg:1"]
    )
    assert _distinct(given_hyperparameters(searched)["class_weight"]) == [
        "balanced",
        {"pos": 2.0, "neg": 1.0},
    ]


def test_a_field_over_many_lines_is_refused_or_counted(tmp_path, capsys):
    path = tmp_path / "a.csv"
    lines = ["text,label", '"a stray quote,1', *["one more,0"] * 30, 'closed",1']
    path.write_text("\n".join([*lines, "last,0", ""]))
    with pytest.raises(CommandError, match="line 2: the row starting there spans 32"):
        read_labelled_texts(path)
    X, _ = read_labelled_texts(path, allow_multiline=True)
    assert len(X) == 2
    warning = capsys.readouterr().err
    assert "33 lines read as 2 texts; 1 of them span" in warning
    assert "the longest, starting on line 2, 32 lines" in warning
    path.write_text('text,label\n"two\nlines",1\nplain,0\n"th\nr\nee",0\n')
    assert read_labelled_texts(path)[0] == ["two\nlines", "plain", "th\nr\nee"]
    warning = capsys.readouterr().err
    assert "6 lines read as 3 texts; 2 of them" in warning
    assert "starting on line 5, 3 lines" in warning
    # Blank lines are skipped, not read as a field over several lines.
    path.write_text("text,label\nplain,1\n" + "\n" * 30 + "plain,0\n")
    assert read_labelled_texts(path)[0] == ["plain", "plain"]
    assert capsys.readouterr().err == ""
    path.write_text("text,label\nplain,1\n\n\nplain,\n")
    with pytest.raises(CommandError, match="line 5: no value in column 'label'"):
        read_labelled_texts(path)
