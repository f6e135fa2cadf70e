import subprocess
import sys

import joblib
import numpy as np
import pytest

from sk_lstm._cli import build_parser, main

from .conftest import make_reviews

TINY_OPTIONS = ["--maxlen", "12", "--units", "8", "--embedding-dim", "8",
                "--epochs", "8", "--batch-size", "8"]  # fmt: skip


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


def test_train_prints_accuracy_and_saves_the_pipeline(imdb_folder, tmp_path, capsys):
    output = tmp_path / "model.joblib"
    options = ["--num-words", "40", "--dropout", "0.1", "--random-state", "3"]
    argv = ["train", "--data", str(imdb_folder), "--output", str(output)]
    status = main(argv + TINY_OPTIONS + options + ["--verbose", "2"])
    assert status == 0
    out = capsys.readouterr().out
    assert "Loaded 24 train and 24 test reviews" in out
    assert "Epoch 1/8" in out and "Epoch 8/8" in out
    assert "Fit time:" in out
    accuracy = float(out.split("Test accuracy: ")[1].split()[0])
    pipe = joblib.load(output)
    texts, y = make_reviews(24, random_state=1)
    assert round(pipe.score(texts, np.where(y == "pos", 1, 0)), 4) == accuracy
    params = pipe.get_params()
    assert (params["sequencer__num_words"], params["sequencer__maxlen"]) == (40, 12)
    assert (params["classifier__units"], params["classifier__embedding_dim"]) == (8, 8)
    assert (params["classifier__dropout"], params["classifier__epochs"]) == (0.1, 8)
    assert params["classifier__batch_size"] == 8
    assert params["classifier__random_state"] == 3


def test_train_defaults_are_the_classic_recipe():
    args = build_parser().parse_args(["train"])
    assert (args.num_words, args.maxlen, args.embedding_dim, args.units) == (
        5000, 500, 32, 100,
    )  # fmt: skip
    assert (args.dropout, args.epochs, args.batch_size, args.verbose) == (0.0, 3, 64, 1)


def test_missing_data_is_one_clear_line(tmp_path, capsys):
    status = main(["train", "--data", str(tmp_path / "nowhere")])
    assert status == 1
    err = capsys.readouterr().err
    assert err.startswith("sk-lstm train: error: No IMDB dataset at")
    assert "Traceback" not in err and err.count("\n") == 1


def test_unwritable_output_fails_before_training(imdb_folder, tmp_path, capsys):
    output = tmp_path / "no-such-folder" / "model.joblib"
    status = main(["train", "--data", str(imdb_folder), "--output", str(output)])
    assert status == 1
    captured = capsys.readouterr()
    assert "Cannot save to" in captured.err and "no folder" in captured.err
    assert "Loaded" not in captured.out


def test_bad_option_value(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--dropout", "1.5"])
    assert exit_info.value.code == 2
    assert "expected a rate in [0, 1)" in capsys.readouterr().err


def test_console_module_help():
    done = subprocess.run(
        [sys.executable, "-m", "sk_lstm", "train", "--help"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0
    for option in ("--data", "--output", "--units", "--dropout", "--max-samples"):
        assert option in done.stdout
