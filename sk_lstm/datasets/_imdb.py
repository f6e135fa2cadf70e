"""Loader for the Large Movie Review Dataset (IMDB sentiment, Maas et al. 2011)."""

import os
import re
import tarfile
import zlib
from pathlib import Path

import numpy as np
from sklearn.datasets import get_data_home
from sklearn.utils import Bunch

IMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"

# What a folder may hold, in order of preference: the extracted dataset, the
# official archive, or its labelled-only repack.
_CANDIDATES = ("aclImdb", "aclImdb_v1.tar.gz", "aclImdb_v1_labeled.tar.gz")
_ARCHIVE_SUFFIXES = (".tar.gz", ".tgz")
_ACCEPTED_FORMS = (
    "a .tar.gz/.tgz archive of aclImdb/, an aclImdb/ folder (with train/ and "
    "test/ subfolders), or a folder containing aclImdb/, aclImdb_v1.tar.gz or "
    "aclImdb_v1_labeled.tar.gz"
)
_SPLITS = {"train": ("train",), "test": ("test",), "all": ("train", "test")}
_LABELS = ("neg", "pos")
# Only labelled reviews match; train/unsup/, *.feat, urls_*.txt, imdb.vocab and
# the README are skipped by construction.
_REVIEW_NAME = re.compile(
    r"(?:^|/)(?P<split>train|test)/(?P<label>neg|pos)/"
    r"(?P<id>\d+)_(?P<rating>\d+)\.txt$"
)
# Line i of urls_<label>.txt is the IMDB page of the movie of review i.
_URLS_NAME = re.compile(r"(?:^|/)(?P<split>train|test)/urls_(?P<label>neg|pos)\.txt$")
_MOVIE_ID = re.compile(r"tt\d+")

DESCR = f"""\
Large Movie Review Dataset v1.0 (IMDB)
--------------------------------------

50,000 highly polar movie reviews from IMDB for binary sentiment
classification, split evenly into 25,000 training and 25,000 test reviews
(balanced, with disjoint movies between the splits). Labels come from the
star rating out of 10: a rating <= 4 is negative (0, "neg"), >= 7 is positive
(1, "pos"); neutral reviews are not included. Texts are raw UTF-8 and keep the
HTML line breaks (``<br />``) of the original.

Andrew L. Maas, Raymond E. Daly, Peter T. Pham, Dan Huang, Andrew Y. Ng and
Christopher Potts. "Learning Word Vectors for Sentiment Analysis". ACL 2011.

Source: {IMDB_URL}
"""


def load_imdb(*, subset="train", path=None, download_if_missing=True, return_X_y=False):
    """Load the IMDB movie review sentiment dataset (Maas et al., 2011).

    The data is read from, in this order: ``path`` if given, else the
    ``SK_LSTM_DATA`` environment variable if set, else the scikit-learn data
    home (:func:`sklearn.datasets.get_data_home`, which honours
    ``SCIKIT_LEARN_DATA``). Any of these may be a ``.tar.gz``/``.tgz`` archive
    of ``aclImdb/``, an extracted ``aclImdb/`` folder, or a folder containing
    ``aclImdb/``, ``aclImdb_v1.tar.gz`` or ``aclImdb_v1_labeled.tar.gz``.
    Archives are read in memory, never extracted to disk. Only the labelled
    reviews ``aclImdb/{train,test}/{neg,pos}/<id>_<rating>.txt`` are loaded.

    Parameters
    ----------
    subset : {"train", "test", "all"}, default="train"
        Which split to load. ``"all"`` is the training reviews followed by the
        test reviews.
    path : str or os.PathLike, default=None
        Where the dataset is. Overrides ``SK_LSTM_DATA`` and the data home.
    download_if_missing : bool, default=True
        If no dataset is found in the data home (and neither ``path`` nor
        ``SK_LSTM_DATA`` is given), download the official archive there from
        :data:`IMDB_URL`. Never applies to ``path`` or ``SK_LSTM_DATA``.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    dataset : :class:`~sklearn.utils.Bunch`
        With the attributes:

        data : list of str
            The review texts, unchanged (they contain ``<br />`` markup).
        target : ndarray of shape (n_reviews,), dtype int
            0 for a negative review, 1 for a positive one.
        target_names : ndarray of shape (2,)
            ``["neg", "pos"]``.
        rating : ndarray of shape (n_reviews,), dtype int
            The reviewer's star rating out of 10 (1-4 or 7-10).
        movie : ndarray of shape (n_reviews,), dtype str
            The IMDB id of the movie reviewed (such as ``"tt0453418"``, from
            ``urls_neg.txt``/``urls_pos.txt``; ``""`` where unknown). A movie
            has up to 30 reviews, all in one split: to validate on movies the
            model has not seen, as the test set does, split by it
            (``GroupShuffleSplit``, ``GroupKFold``).
        DESCR : str
            A description of the dataset.

        Within a split, reviews are ordered negative then positive, then by
        numeric review id, so the order is the same on every machine.
    (data, target) : tuple
        If ``return_X_y`` is True.

    Raises
    ------
    ValueError
        If ``subset`` is not one of the allowed values, or the data found holds
        no labelled reviews for it.
    FileNotFoundError
        If ``path`` or ``SK_LSTM_DATA`` points to nothing usable, or nothing is
        in the data home and ``download_if_missing`` is False.
    OSError
        If the download fails, or an archive is corrupt or truncated.

    Examples
    --------
    >>> from sk_lstm.datasets import load_imdb
    >>> imdb = load_imdb(subset="train")  # doctest: +SKIP
    >>> len(imdb.data), imdb.target_names.tolist()  # doctest: +SKIP
    (25000, ['neg', 'pos'])
    >>> X, y = load_imdb(subset="test", return_X_y=True)  # doctest: +SKIP
    """
    if subset not in _SPLITS:
        raise ValueError(f"subset must be one of {sorted(_SPLITS)}, got {subset!r}.")
    splits = _SPLITS[subset]
    source = _locate(path, download_if_missing)
    if source.is_dir():
        reviews, urls = _read_folder(source, splits)
    else:
        reviews, urls = _read_archive(source, splits)
    if not reviews:
        raise ValueError(
            f"{source} contains no labelled reviews for subset={subset!r} "
            "(expected files like aclImdb/train/pos/<id>_<rating>.txt)."
        )
    # Sort on (split, label, id): file system and archive order are arbitrary.
    reviews.sort(key=lambda review: review[:3])
    try:
        data = [raw.decode("utf-8") for *_, raw in reviews]
    except UnicodeDecodeError as exc:
        raise ValueError(f"{source} holds a review that is not UTF-8: {exc}") from exc
    target = np.array([label for _, label, *_ in reviews], dtype=np.int64)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        target_names=np.array(_LABELS),
        rating=np.array([review[3] for review in reviews], dtype=np.int64),
        movie=np.array([_movie(urls, *review[:3]) for review in reviews], dtype=str),
        DESCR=DESCR,
    )


def _locate(path, download_if_missing):
    """Return the archive or aclImdb folder to read, downloading it if allowed."""
    env_path = os.environ.get("SK_LSTM_DATA")
    if path is not None or env_path:
        # A location the user named must be right: falling back to another
        # copy or to a download would hide their mistake.
        given = Path(path if path is not None else env_path).expanduser()
        origin = "path" if path is not None else "SK_LSTM_DATA"
        source = _find_source(given)
        if source is None:
            raise FileNotFoundError(
                f"No IMDB dataset at {given} (given by {origin}). Expected "
                f"{_ACCEPTED_FORMS}."
            )
        return source

    data_home = Path(get_data_home())
    source = _find_source(data_home)
    if source is not None:
        return source
    if not download_if_missing:
        raise FileNotFoundError(
            f"No IMDB dataset in the data home {data_home} (neither path= nor "
            f"SK_LSTM_DATA was given). Looked for {', '.join(_CANDIDATES)} "
            "there. Pass download_if_missing=True to download it, or point "
            "to a local copy with path= or SK_LSTM_DATA."
        )
    return _download(data_home)


def _find_source(location):
    """Return the archive or aclImdb folder at ``location``, or None."""
    if location.is_file():
        return location if location.name.endswith(_ARCHIVE_SUFFIXES) else None
    if not location.is_dir():
        return None
    if (location / "train").is_dir() and (location / "test").is_dir():
        return location
    for name in _CANDIDATES:
        candidate = location / name
        if candidate.is_dir() if name == "aclImdb" else candidate.is_file():
            return candidate
    return None


def _download(data_home):
    """Download the official archive into ``data_home`` and return its path."""
    # Imported here because keras loads TensorFlow, which takes seconds.
    from keras.utils import get_file

    try:
        archive = get_file(
            fname="aclImdb_v1.tar.gz",
            origin=IMDB_URL,
            cache_dir=os.fspath(data_home),
            cache_subdir="",
        )
    except Exception as exc:
        raise OSError(
            f"Could not download the IMDB dataset from {IMDB_URL}: {exc}. "
            "If you have a copy of aclImdb_v1.tar.gz (or an extracted aclImdb/ "
            "folder), point to it with the SK_LSTM_DATA environment variable "
            "or load_imdb(path=...)."
        ) from exc
    return Path(archive)


def _review_key(name, splits):
    """Return (split, label, id, rating) for a labelled review file, else None."""
    match = _REVIEW_NAME.search(name)
    if match is None or match["split"] not in splits:
        return None
    return (
        splits.index(match["split"]),
        _LABELS.index(match["label"]),
        int(match["id"]),
        int(match["rating"]),
    )


def _urls_key(name, splits):
    """Return (split, label) for a urls_<label>.txt file, else None."""
    match = _URLS_NAME.search(name)
    if match is None or match["split"] not in splits:
        return None
    return splits.index(match["split"]), _LABELS.index(match["label"])


def _movie(urls, split, label, review_id):
    lines = urls.get((split, label), ())
    found = _MOVIE_ID.search(lines[review_id]) if review_id < len(lines) else None
    return found[0] if found else ""


def _read_folder(root, splits):
    """Read the labelled reviews of ``splits`` from an extracted aclImdb folder.

    Returns the reviews as (split, label, id, rating, bytes) and the lines of
    the urls files by (split, label).
    """
    reviews, urls = [], {}
    for split in splits:
        for label in _LABELS:
            for file in (root / split / label).glob("*.txt"):
                key = _review_key(f"{split}/{label}/{file.name}", splits)
                if key is not None:
                    reviews.append((*key, file.read_bytes()))
            urls_file = root / split / f"urls_{label}.txt"
            if urls_file.is_file():
                key = splits.index(split), _LABELS.index(label)
                urls[key] = urls_file.read_text(encoding="utf-8").splitlines()
    return reviews, urls


def _read_archive(archive, splits):
    """Read the labelled reviews of ``splits`` from a .tar.gz in one pass."""
    reviews, urls = [], {}
    try:
        with tarfile.open(archive, "r:gz") as tar:
            # Members are visited in archive order, so extractfile() streams
            # forward through the gzip data instead of seeking back.
            for member in tar:
                if not member.isfile():
                    continue
                key = _review_key(member.name, splits)
                if key is not None:
                    reviews.append((*key, tar.extractfile(member).read()))
                elif (key := _urls_key(member.name, splits)) is not None:
                    lines = tar.extractfile(member).read().decode("utf-8")
                    urls[key] = lines.splitlines()
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise OSError(
            f"Cannot read the IMDB archive {archive}: {exc}. It is not a valid "
            ".tar.gz file or it is truncated; delete it and download it again, "
            "or point to another copy."
        ) from exc
    return reviews, urls
