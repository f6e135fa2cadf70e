"""Pretrained word vectors (GloVe, word2vec's text format, fastText's ``.vec``)
for the embedding's rows: read a file, keep the rows of a vocabulary."""

import gzip
import os
from collections.abc import Mapping

import numpy as np

#: Characters of a line quoted in an error.
_SHOWN = 60


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _vector(values, dim, where):
    try:
        vector = np.asarray(values, dtype=np.float32).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"{where} is not a vector of numbers") from None
    if vector.size != dim:
        raise ValueError(
            f"{where} has {vector.size} numbers, the vectors before it {dim}: "
            "every vector must have the same dimension"
        )
    if not np.isfinite(vector).all():
        raise ValueError(f"{where} holds an infinite or NaN value")
    return vector


def _file_lines(path):
    """``(where, word, fields, dim)`` per vector line of a text file.

    word2vec's and fastText's files start with a line of two counts (words,
    dimension); GloVe's do not, and the first vector gives the dimension. The
    word is what comes before the last ``dim`` fields, so that the few words
    of GloVe with a space in them read whole.
    """
    opener = gzip.open if os.fspath(path).endswith(".gz") else open
    dim, number = None, 0
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as file:
            for number, line in enumerate(file, 1):
                fields = line.rstrip("\r\n").rstrip(" ").split(" ")
                if fields == [""]:
                    continue
                if (
                    number == 1
                    and len(fields) == 2
                    and all(f.isascii() and f.isdigit() for f in fields)
                ):
                    dim = int(fields[1])
                    continue
                where = f"{path} line {number}"
                dim = dim or len(fields) - 1
                extra = len(fields) - dim - 1
                if dim < 1 or extra < 0 or (extra and _is_number(fields[extra])):
                    raise ValueError(
                        f"{where} is not a word and {dim or 'some'} numbers "
                        f"separated by spaces: {line[:_SHOWN]!r}... (every vector "
                        "must have the same dimension)"
                    )
                yield where, " ".join(fields[: extra + 1]), fields[extra + 1 :], dim
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{path} is not UTF-8 text near line {number + 1} ({error.reason}): "
            "word vectors are read from text files (a binary word2vec file "
            "must be converted to text first, a .zip unpacked)"
        ) from None
    except (EOFError, gzip.BadGzipFile) as error:
        raise ValueError(
            f"{path} cannot be read ({type(error).__name__}: {error}); it may be "
            "truncated"
        ) from None


def _mapping_items(mapping):
    dim = None
    for word, values in mapping.items():
        if not isinstance(word, str):
            raise TypeError(f"word_vectors' words must be str, got {word!r}")
        where = f"the vector of {word!r}"
        vector = np.asarray(values, dtype=object).reshape(-1)
        dim = dim or vector.size
        yield where, word, vector, dim


def word_vector_rows(source, words, dim=None):
    """The vectors of ``words`` in ``source``: row ``i`` is ``words[i]``'s.

    A file is read a line at a time and only the vectors of ``words`` are kept,
    so memory holds ``len(words)`` vectors however large the file. A word
    absent in its own case takes the vector of the same word in another case
    (compared lowercased: a lowercased vocabulary reads a cased fastText
    file); an exact match wins.

    Parameters
    ----------
    source : str, os.PathLike or Mapping
        A text file with a word and its numbers on each line, separated by
        spaces (GloVe; word2vec's text format and fastText's ``.vec``, whose
        first line counts words and dimensions; read compressed if its name
        ends in ``.gz``), or a mapping from word to vector.
    words : sequence of str
        The word of each row.
    dim : int, optional
        The dimension the vectors must have (the embedding's): another fails
        at the first vector, before the rest is read.

    Returns
    -------
    vectors : ndarray of shape (len(words), dim), dtype float32
        Zero where a word was not found.
    found : ndarray of shape (len(words),), dtype bool

    Raises
    ------
    ValueError
        If the vectors differ in dimension, a line is not a word and numbers,
        a value is not finite, the source holds no vector, or the file is not
        UTF-8 text (a binary word2vec file) or is damaged.
    TypeError
        If ``source`` is neither a path nor a mapping.
    FileNotFoundError, PermissionError
        As `open` raises them.
    """
    if isinstance(source, Mapping):
        items = _mapping_items(source)
    elif isinstance(source, (str, os.PathLike)):
        items = _file_lines(source)
    else:
        raise TypeError(
            "word_vectors must be a path to a text file of word vectors or a "
            f"mapping from word to vector, not a {type(source).__name__}"
        )
    rows, lowered = {}, {}
    for index, word in enumerate(words):
        rows.setdefault(word, index)
        lowered.setdefault(word.lower(), []).append(index)
    expected, dim = dim, None
    vectors, found, exact = None, np.zeros(len(words), bool), set()
    for where, word, values, dim in items:
        if expected is not None and dim != expected:
            raise ValueError(
                f"{where}: the word vectors have {dim} dimensions but "
                f"embedding_dim={expected}: set embedding_dim={dim}."
            )
        key = word.lower()
        if word not in rows and key not in lowered and isinstance(values, list):
            continue  # a file's other words: not parsed
        vector = _vector(values, dim, where)
        if vectors is None:
            vectors = np.zeros((len(words), dim), np.float32)
        if word in rows and word not in exact:
            exact.add(word)
            vectors[rows[word]], found[rows[word]] = vector, True
        for index in lowered.get(key, ()):
            if not found[index]:
                vectors[index], found[index] = vector, True
    if dim is None:
        raise ValueError(f"{_name(source)} holds no word vector")
    if vectors is None:
        vectors = np.zeros((len(words), dim), np.float32)
    return vectors, found


class WordsOf:
    """The words of a pipeline's indices, read when the classifier asks.

    `AtomicPipeline` passes one to its classifier's ``fit``: the sequencer is
    fitted by then, and its words are those of the fit's indices.
    """

    def __init__(self, pipeline):
        self.pipeline = pipeline

    def __call__(self):
        for _, step in reversed(self.pipeline.steps[:-1]):
            if hasattr(step, "get_vocabulary"):
                return step.get_vocabulary()
        raise ValueError(
            "word_vectors needs the word of each index, which no step before the "
            "classifier gives: put a TextSequencer there, or pass words= to the "
            "classifier's fit."
        )


def _name(source):
    return "the word_vectors mapping" if isinstance(source, Mapping) else source
