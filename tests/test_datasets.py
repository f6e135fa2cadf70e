"""Tests for sk_lstm.datasets.load_imdb, on a tiny made-up aclImdb tree."""

import os
import tarfile
import time

import numpy as np
import pytest

from sk_lstm.datasets import load_imdb
from sk_lstm.datasets._imdb import IMDB_URL

# (split, label, id, rating, text). Ids 2 and 10 sort differently as strings and
# as numbers; they are listed out of order on purpose.
REVIEWS = [
    ("train", "pos", 10, 8, "A café classic — loved it.<br /><br />Go see it."),
    ("train", "neg", 10, 3, "Dull plot.<br /><br />Skip it."),
    ("train", "pos", 2, 9, "Great fun for everyone."),
    ("train", "neg", 2, 1, "Awful acting throughout."),
    ("test", "pos", 100, 10, "Très bien ! 最高の映画です。"),
    ("test", "neg", 11, 2, "Too long and too loud."),
    ("test", "pos", 3, 7, "Pretty good, nice score."),
    ("test", "neg", 0, 4, "Not my cup of tea."),
]
TRAIN_TEXTS = [
    "Awful acting throughout.",
    "Dull plot.<br /><br />Skip it.",
    "Great fun for everyone.",
    "A café classic — loved it.<br /><br />Go see it.",
]
TEST_TEXTS = [
    "Not my cup of tea.",
    "Too long and too loud.",
    "Pretty good, nice score.",
    "Très bien ! 最高の映画です。",
]
# Files of the official archive that are not labelled reviews.
EXTRAS = {
    "README": "Large Movie Review Dataset v1.0 (fake)",
    "imdb.vocab": "the\nand\n",
    "train/unsup/0_0.txt": "UNSUP review that must be skipped.",
    "train/unsup/1_0.txt": "UNSUP review that must be skipped too.",
    "train/labeledBow.feat": "8 0:1 1:2\n",
    "train/urls_pos.txt": "http://www.imdb.com/title/tt0000001/usercomments\n",
    "test/urls_neg.txt": "http://www.imdb.com/title/tt0000002/usercomments\n",
}


def write_tree(parent, reviews=REVIEWS, extras=EXTRAS):
    """Write a fake official-layout parent/aclImdb/ folder and return it."""
    root = parent / "aclImdb"
    for split, label, review_id, rating, text in reviews:
        file = root / split / label / f"{review_id}_{rating}.txt"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")
    for name, text in extras.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    # The official layout always has both splits.
    (root / "train").mkdir(parents=True, exist_ok=True)
    (root / "test").mkdir(parents=True, exist_ok=True)
    return root


def write_archive(archive, reviews=REVIEWS, extras=EXTRAS):
    """Write a fake aclImdb .tar.gz at ``archive`` and return its path."""
    tree = write_tree(archive.parent / f"{archive.name}.src", reviews, extras)
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tree, arcname="aclImdb")
    return archive


def one_review(text):
    """Reviews with ``text`` as the only train review, to tell sources apart."""
    return [("train", "pos", 1, 8, text), ("test", "neg", 1, 2, text)]


@pytest.fixture
def tree(tmp_path):
    return write_tree(tmp_path / "extracted")


@pytest.fixture
def archive(tmp_path):
    return write_archive(tmp_path / "aclImdb_v1.tar.gz")


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    """An empty scikit-learn data home, with SK_LSTM_DATA unset."""
    home = tmp_path / "data_home"
    home.mkdir()
    monkeypatch.delenv("SK_LSTM_DATA", raising=False)
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(home))
    return home


def assert_bunch_equal(a, b):
    assert a.keys() == b.keys()
    assert a.data == b.data
    for key in ("target", "target_names", "rating", "movie"):
        np.testing.assert_array_equal(a[key], b[key])
    assert a.DESCR == b.DESCR


@pytest.mark.parametrize("subset", ["train", "test", "all"])
def test_archive_and_folder_give_identical_bunch(archive, tree, subset):
    from_archive = load_imdb(subset=subset, path=archive)
    from_folder = load_imdb(subset=subset, path=tree)
    assert_bunch_equal(from_archive, from_folder)
    assert set(from_archive) == {
        "data", "target", "target_names", "rating", "movie", "DESCR"
    }  # fmt: skip
    assert from_archive.target_names.tolist() == ["neg", "pos"]
    assert "Maas" in from_archive.DESCR and IMDB_URL in from_archive.DESCR


@pytest.mark.parametrize("source", ["archive", "tree"])
def test_order_is_neg_then_pos_by_numeric_id(request, source):
    imdb = load_imdb(subset="train", path=request.getfixturevalue(source))
    assert imdb.data == TRAIN_TEXTS
    np.testing.assert_array_equal(imdb.target, [0, 0, 1, 1])
    np.testing.assert_array_equal(imdb.rating, [1, 3, 9, 8])
    assert imdb.target.dtype.kind == "i" and imdb.rating.dtype.kind == "i"


@pytest.mark.parametrize("source", ["archive", "tree"])
def test_movie_ids_come_from_the_urls_files(request, source):
    # Line i of urls_<label>.txt belongs to review i; the fake files have one line.
    imdb = load_imdb(subset="all", path=request.getfixturevalue(source))
    expected = {("test", 0, 0): "tt0000002"}  # test/neg/0_4.txt
    splits = ["train"] * 4 + ["test"] * 4
    reviews = sorted(REVIEWS, key=lambda r: (r[0] == "test", r[1] == "pos", r[2]))
    for movie, split, (_, label, review_id, *_) in zip(
        imdb.movie, splits, reviews, strict=True
    ):
        key = (split, ["neg", "pos"].index(label), review_id)
        assert movie == expected.get(key, "")


def test_unsup_and_extra_files_are_skipped(archive):
    imdb = load_imdb(subset="all", path=archive)
    assert len(imdb.data) == len(REVIEWS)
    assert not any("UNSUP" in text or "imdb.com" in text for text in imdb.data)


def test_subset_all_is_train_then_test(archive):
    train = load_imdb(subset="train", path=archive)
    test = load_imdb(subset="test", path=archive)
    both = load_imdb(subset="all", path=archive)
    assert test.data == TEST_TEXTS
    assert both.data == train.data + test.data
    np.testing.assert_array_equal(both.target, np.r_[train.target, test.target])
    np.testing.assert_array_equal(both.rating, [1, 3, 9, 8, 4, 2, 7, 10])


def test_utf8_text_and_markup_survive(archive):
    data = load_imdb(subset="test", path=archive).data
    assert "Très bien ! 最高の映画です。" in data
    assert "<br /><br />" in load_imdb(path=archive).data[1]


def test_return_X_y(archive):
    X, y = load_imdb(subset="test", path=archive, return_X_y=True)
    assert X == TEST_TEXTS
    np.testing.assert_array_equal(y, [0, 0, 1, 1])


def test_path_resolution_order(tmp_path, monkeypatch):
    explicit = write_archive(tmp_path / "explicit" / "mine.tgz", one_review("explicit"))
    env = write_archive(tmp_path / "env" / "aclImdb_v1.tar.gz", one_review("env"))
    home = tmp_path / "home"
    write_archive(home / "aclImdb_v1.tar.gz", one_review("home"))
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(home))
    monkeypatch.setenv("SK_LSTM_DATA", str(env))

    assert load_imdb(path=explicit).data == ["explicit"]
    assert load_imdb(path=str(explicit)).data == ["explicit"]
    assert load_imdb().data == ["env"]
    monkeypatch.delenv("SK_LSTM_DATA")
    assert load_imdb().data == ["home"]


@pytest.mark.parametrize(
    "name", ["aclImdb_v1.tar.gz", "aclImdb_v1_labeled.tar.gz", "aclImdb"]
)
def test_folder_containing_dataset(tmp_path, name):
    folder = tmp_path / "holder"
    if name == "aclImdb":
        write_tree(folder)
    else:
        write_archive(folder / name)
    assert load_imdb(path=folder).data == TRAIN_TEXTS


def test_bad_subset(archive):
    with pytest.raises(ValueError, match="'all', 'test', 'train'.*'validation'"):
        load_imdb(subset="validation", path=archive)


@pytest.mark.parametrize("via", ["path", "SK_LSTM_DATA"])
@pytest.mark.parametrize("kind", ["missing", "empty folder", "not an archive"])
def test_unusable_explicit_location(tmp_path, data_home, monkeypatch, via, kind):
    # A copy in the data home must not be used as a fallback.
    write_archive(data_home / "aclImdb_v1.tar.gz")
    location = tmp_path / "nowhere"
    if kind == "empty folder":
        location.mkdir()
    elif kind == "not an archive":
        location = tmp_path / "reviews.zip"
        location.write_bytes(b"PK")
    kwargs = {"path": location}
    if via == "SK_LSTM_DATA":
        monkeypatch.setenv("SK_LSTM_DATA", str(location))
        kwargs = {}
    with pytest.raises(FileNotFoundError, match=f"{location}.*{via}.*aclImdb_v1"):
        load_imdb(**kwargs)


def test_download_failure_is_a_clear_oserror(data_home, monkeypatch):
    def no_network(**kwargs):
        raise ConnectionError("Name or service not known")

    monkeypatch.setattr("keras.utils.get_file", no_network)
    with pytest.raises(OSError) as excinfo:
        load_imdb()
    message = str(excinfo.value)
    assert IMDB_URL in message
    assert "Name or service not known" in message
    assert "SK_LSTM_DATA" in message and "path=" in message


def test_download_into_data_home(data_home, monkeypatch):
    calls = []

    def fake_get_file(**kwargs):
        calls.append(kwargs)
        return write_archive(data_home / kwargs["fname"])

    monkeypatch.setattr("keras.utils.get_file", fake_get_file)
    assert load_imdb().data == TRAIN_TEXTS
    assert calls == [
        {
            "fname": "aclImdb_v1.tar.gz",
            "origin": IMDB_URL,
            "cache_dir": str(data_home),
            "cache_subdir": "",
        }
    ]
    # Once downloaded, the cached archive is used without downloading again.
    assert load_imdb(subset="test").data == TEST_TEXTS
    assert len(calls) == 1


def test_download_if_missing_false(data_home, monkeypatch):
    def must_not_download(**kwargs):
        raise AssertionError("download attempted")

    monkeypatch.setattr("keras.utils.get_file", must_not_download)
    with pytest.raises(FileNotFoundError, match=str(data_home)):
        load_imdb(download_if_missing=False)


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_corrupt_archive_is_a_clear_error(archive, damage):
    content = archive.read_bytes()
    if damage == "garbage":
        archive.write_bytes(b"this is not a gzip file" * 10)
    else:
        archive.write_bytes(content[: len(content) // 2])
    with pytest.raises(OSError, match=f"Cannot read the IMDB archive {archive}"):
        load_imdb(path=archive)


def test_no_reviews_for_subset(tmp_path):
    train_only = [review for review in REVIEWS if review[0] == "train"]
    archive = write_archive(tmp_path / "train_only.tar.gz", train_only)
    assert load_imdb(subset="train", path=archive).data == TRAIN_TEXTS
    with pytest.raises(ValueError, match=f"{archive}.*subset='test'"):
        load_imdb(subset="test", path=archive)


@pytest.mark.skipif(
    not os.environ.get("SK_LSTM_DATA"),
    reason="set SK_LSTM_DATA to a copy of the IMDB dataset to test on real data",
)
def test_real_data():
    start = time.perf_counter()
    imdb = load_imdb(subset="all")
    elapsed = time.perf_counter() - start
    assert elapsed < 20, f"loading all reviews took {elapsed:.1f} s"

    train = load_imdb(subset="train")
    assert len(train.data) == 25_000
    assert imdb.data[:25_000] == train.data
    assert len(imdb.data) == 50_000
    # Each split is 12,500 neg then 12,500 pos.
    np.testing.assert_array_equal(imdb.target, np.tile(np.repeat([0, 1], 12_500), 2))
    neg, pos = imdb.rating[imdb.target == 0], imdb.rating[imdb.target == 1]
    assert neg.min() >= 1 and neg.max() <= 4
    assert pos.min() >= 7 and pos.max() <= 10
    assert all(isinstance(text, str) and text for text in imdb.data)
    # Every review knows its movie, and the splits share no movie but one
    # (tt0406816: 2 train and 23 test reviews, a quirk of the dataset).
    assert all(movie.startswith("tt") for movie in imdb.movie)
    assert set(imdb.movie[:25_000]) & set(imdb.movie[25_000:]) == {"tt0406816"}
    assert 3_000 < len(set(train.movie)) < 25_000
