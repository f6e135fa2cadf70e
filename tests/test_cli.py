import joblib
import numpy as np
import pytest

from sk_lstm._cli import main

from .conftest import make_reviews


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
    status = main(
        [
            "train",
            "--data",
            str(imdb_folder),
            "--output",
            str(output),
            "--maxlen",
            "12",
            "--units",
            "8",
            "--embedding-dim",
            "8",
            "--epochs",
            "8",
            "--batch-size",
            "8",
            "--verbose",
            "0",
        ]
    )
    assert status == 0
    out = capsys.readouterr().out
    assert "Loaded 24 train and 24 test reviews" in out
    assert "Fit time:" in out
    accuracy = float(out.split("Test accuracy: ")[1].split()[0])
    assert 0.0 <= accuracy <= 1.0
    pipe = joblib.load(output)
    assert set(pipe.predict(["good great film", "bad awful film"])) <= {0, 1}
    texts, y = make_reviews(24, random_state=1)
    assert np.isclose(pipe.score(texts, np.where(y == "pos", 1, 0)), accuracy)


def test_missing_data_is_one_clear_line(tmp_path, capsys):
    status = main(["train", "--data", str(tmp_path / "nowhere")])
    assert status == 1
    err = capsys.readouterr().err
    assert err.startswith("sk-lstm train: error: No IMDB dataset at")
    assert "Traceback" not in err


def test_bad_option_value(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--dropout", "1.5"])
    assert exit_info.value.code == 2
    assert "expected a rate in [0, 1)" in capsys.readouterr().err
