"""Raw text -> padded integer sequences, as a scikit-learn transformer."""

import re
from contextlib import contextmanager
from numbers import Integral, Real
from types import MappingProxyType

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils.validation import check_is_fitted

from ._constraints import SEQUENCER
from ._tokens import default_token_pattern, default_tokenizer, warn_if_phrases
from ._validation import check_texts

# Parameters added since the first sequencers were saved (with joblib), each with
# the value that gives the sequences of files without it: the words alone.
ADDED_PARAMS = MappingProxyType({"ngram_range": (1, 1), "verbose": 0})

PAD_INDEX = 0
OOV_INDEX = 1
PAD_TOKEN = ""
OOV_TOKEN = "[UNK]"

_BLOCK = 1000  # texts counted, and rows re-indexed, at a time


class TextSequencer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Turn raw texts into padded sequences of word indices.

    ``fit`` learns a word index from the texts: index 0 is padding, index 1 stands
    for out-of-vocabulary words and the kept words get indices 2, 3, ... by
    descending frequency (ties broken alphabetically). ``transform`` maps each text
    to its word indices and pads or truncates it to ``maxlen``, as Keras'
    ``pad_sequences`` does.

    Parameters
    ----------
    num_words : int or None, default=100000
        Size of the index space: every index is ``< num_words``, so at most
        ``num_words - 2`` words are kept (the most frequent ones; at least 3).
        ``None`` keeps every word that passes ``min_df``.
    maxlen : int, default=800
        Length of every output sequence (800 words keep 98 % of IMDB reviews
        whole).
    padding : {"pre", "post"}, default="pre"
        Put the padding zeros before or after the words of short texts.
    truncating : {"pre", "post"}, default="pre"
        Drop the words of long texts at the start (``"pre"``: keep the end) or at
        the end (``"post"``).
    lowercase : bool, default=True
        Lowercase texts before tokenizing.
    token_pattern : str or None, default=None
        Regular expression whose matches are the tokens. If it has one capturing
        group, the group's content is the token and empty groups are dropped.
        None gives the default tokens, in any script: words are runs of letters,
        digits and combining marks (so that the vowel signs of Devanagari,
        Tamil..., Arabic and Hebrew diacritics stay in their words) with inner
        apostrophes, one-letter words included; each character of a script
        written without spaces (Chinese, Japanese, Thai, Lao, Khmer, Myanmar)
        is a token with its marks, so that n-grams there are character n-grams;
        HTML tags such as ``<br />`` act as space. Texts without combining
        marks or those scripts (Latin, Greek, Cyrillic...) get the tokens of
        ``r"</?[A-Za-z][^<>]*>|(\\w+(?:'\\w+)*)"``, the default of sk_lstm
        0.1, which models fitted then keep. If most tokens
        the default finds are over 20 characters long (a script without spaces
        that it does not know), ``fit`` warns, naming the script. Ignored when
        ``tokenizer`` is given.
    tokenizer : callable or None, default=None
        Function mapping a (lowercased) text to a list of tokens; overrides
        ``token_pattern``.
    ngram_range : tuple (min_n, max_n), default=(1, 1)
        Lengths of the word n-grams that make the sequence: at each word, the
        n-grams starting there, shortest first. ``(1, 2)`` turns "not a good
        film" into "not", "not a", "a", "a good", "good", "good film", "film"
        (about twice as many positions, so ``maxlen`` keeps half as many
        words); the default ``(1, 1)`` gives words only, and `LSTMClassifier`
        reads the n-grams of the words itself (``bag_ngrams``). The n-grams
        compete with the words for the ``num_words`` indices.
    min_df : int or float, default=1
        Keep only words found in at least ``min_df`` texts (an int) or in at least
        that proportion of the texts (a float in (0, 1]).
    verbose : int or "auto", default=0
        0 is silent; 1 (or ``"auto"``) shows a Keras progress bar while texts are
        indexed (``fit``) or read (``transform``), 2 or more one line when done,
        as Keras' ``fit`` does. Indexing 100,000 reviews takes 12-17 s on 2 cores.

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Word -> index, for the kept words (indices ``2 ..
        len(vocabulary_) + 1``).
    word_counts_ : dict of str to int
        Number of occurrences in the training texts of every kept word.
    n_features_in_ : int
        Always 1: one text per sample.

    See Also
    --------
    sk_lstm.LSTMClassifier : The classifier that consumes these sequences.
    sklearn.feature_extraction.text.CountVectorizer : Bag-of-words counterpart.

    Examples
    --------
    >>> from sk_lstm import TextSequencer
    >>> texts = ["a good film", "a bad film, a bad day"]
    >>> seq = TextSequencer(maxlen=6, ngram_range=(1, 1)).fit(texts)
    >>> seq.vocabulary_
    {'a': 2, 'bad': 3, 'film': 4, 'day': 5, 'good': 6}
    >>> seq.transform(["a very good film"])
    array([[0, 0, 2, 1, 6, 4]], dtype=int32)
    >>> seq.inverse_transform([[0, 0, 2, 1, 6, 4]])
    [['a', '[UNK]', 'good', 'film']]
    """

    _parameter_constraints = SEQUENCER

    def __init__(
        self,
        *,
        num_words=100000,
        maxlen=800,
        padding="pre",
        truncating="pre",
        lowercase=True,
        token_pattern=None,
        tokenizer=None,
        ngram_range=(1, 1),
        min_df=1,
        verbose=0,
    ):
        self.num_words = num_words
        self.maxlen = maxlen
        self.padding = padding
        self.truncating = truncating
        self.lowercase = lowercase
        self.token_pattern = token_pattern
        self.tokenizer = tokenizer
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.verbose = verbose

    def __setstate__(self, state):
        super().__setstate__({**ADDED_PARAMS, **state})  # files from before them

    def build_tokenizer(self):
        """Return the function that turns one raw text into its list of tokens."""
        if self.tokenizer is not None:
            tokenize = self.tokenizer
        elif self._default_tokens:
            tokenize = default_tokenizer()
        else:
            pattern = re.compile(self.token_pattern)
            if pattern.groups > 1:
                raise ValueError(
                    f"token_pattern {self.token_pattern!r} has {pattern.groups} "
                    "capturing groups; expected at most one."
                )
            if pattern.groups == 1:

                def tokenize(text):
                    return [token for token in pattern.findall(text) if token]

            else:
                tokenize = pattern.findall
        if self.lowercase:
            return lambda text: tokenize(text.lower())
        return tokenize

    @property
    def _default_tokens(self):
        return self.tokenizer is None and self.token_pattern in (
            None,
            default_token_pattern(),
        )

    def _token_regex(self):
        """The compiled ``token_pattern``, or the default tokens' pattern."""
        if self.token_pattern is None:
            return re.compile(default_token_pattern())
        return re.compile(self.token_pattern)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the word index from raw texts.

        Parameters
        ----------
        X : iterable of str
            Raw texts: a list, a 1-D array or a pandas Series, or one column
            of them (an ``(n, 1)`` array or one-column DataFrame).
        y : None
            Ignored.

        Returns
        -------
        self : TextSequencer
            The fitted transformer.
        """
        self._fit(check_texts(X))
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Learn the word index and return the texts as padded sequences.

        The same as ``fit(X).transform(X)``, reading each text once: its tokens
        are counted and written to its row under a provisional index, which is
        then replaced by the learned one, a block of rows at a time. Extra memory
        is the output and the token counts, whatever the number of texts.

        Parameters
        ----------
        X : iterable of str
            Raw texts.
        y : None
            Ignored.

        Returns
        -------
        sequences : ndarray of shape (n_texts, maxlen), dtype int32
            Word indices; 0 is padding, 1 an out-of-vocabulary word.
        """
        texts = check_texts(X)
        sequences = np.zeros((len(texts), self.maxlen), dtype=np.int32)
        index = self._fit(texts, sequences)
        for start in range(0, len(sequences), _BLOCK):
            block = sequences[start : start + _BLOCK]
            np.take(index, block, out=block)
        return sequences

    def build_analyzer(self):
        """Return the function that turns one raw text into its list of tokens.

        The words of `build_tokenizer`, followed at each position by the n-grams
        that start there when ``ngram_range`` asks for them.
        """
        tokenize = self.build_tokenizer()
        min_n, max_n = _check_ngram_range(self.ngram_range)
        if (min_n, max_n) == (1, 1):
            return tokenize

        def analyze(text):
            words = tokenize(text)
            return [
                " ".join(words[start : start + n])
                for start in range(len(words))
                for n in range(min_n, min(max_n, len(words) - start) + 1)
            ]

        return analyze

    def _fit(self, texts, sequences=None):
        """Count the tokens of ``texts`` and learn the index of the kept ones.

        With ``sequences``, also write each text's window of tokens into its row
        under provisional ids (1, 2, ... in order of first sight) and return the
        array that maps a provisional id to the learned index (0 to 0).
        """
        if not texts:
            raise ValueError("TextSequencer needs at least one text to fit, got none.")
        analyze = self.build_analyzer()
        ids = {}  # token -> provisional id
        new_id = ids.setdefault
        counts = np.zeros(1, dtype=np.int64)  # by provisional id; 0 is padding
        doc_counts = np.zeros(1, dtype=np.int64)
        with _progress(len(texts), self.verbose, "Indexing") as progress:
            for start in range(0, len(texts), _BLOCK):
                occurrences, documents = [], []
                for offset, text in enumerate(texts[start : start + _BLOCK]):
                    row_ids = [new_id(token, len(ids) + 1) for token in analyze(text)]
                    occurrences += row_ids
                    documents += set(row_ids)
                    if sequences is not None:
                        self._place(sequences[start + offset], row_ids)
                counts = _add_counts(counts, occurrences, len(ids) + 1)
                doc_counts = _add_counts(doc_counts, documents, len(ids) + 1)
                progress(min(start + _BLOCK, len(texts)))

        min_df = self.min_df
        if isinstance(min_df, Real) and not isinstance(min_df, Integral):
            min_df = min_df * len(texts)
        tokens, frequency = list(ids), counts.tolist()
        if self._default_tokens:
            warn_if_phrases(dict(zip(tokens, frequency[1:], strict=True)))
        kept = np.flatnonzero(doc_counts >= max(min_df, 1)).tolist()
        kept.sort(key=lambda i: (-frequency[i], tokens[i - 1]))
        if self.num_words is not None:
            kept = kept[: self.num_words - 2]
        if not kept:
            raise ValueError(
                f"No word is left to index: {len(texts)} texts, "
                f"{len(ids)} distinct tokens, none found in at least "
                f"min_df={self.min_df} texts. Lower min_df or check the texts."
            )
        self.vocabulary_ = {tokens[i - 1]: index for index, i in enumerate(kept, 2)}
        self.word_counts_ = {tokens[i - 1]: frequency[i] for i in kept}
        self.n_features_in_ = 1
        if sequences is not None:
            index = np.full(len(ids) + 1, OOV_INDEX, dtype=np.int32)
            index[PAD_INDEX] = PAD_INDEX
            index[kept] = np.arange(2, len(kept) + 2, dtype=np.int32)
            return index

    def _place(self, row, indices):
        """Write a text's indices into its row, truncated and padded."""
        maxlen = self.maxlen
        if len(indices) > maxlen:
            indices = (
                indices[-maxlen:] if self.truncating == "pre" else indices[:maxlen]
            )
        if indices:
            if self.padding == "pre":
                row[maxlen - len(indices) :] = indices
            else:
                row[: len(indices)] = indices

    @property
    def _n_features_out(self):
        # One output column per position, following the current `maxlen`.
        return self.maxlen

    def transform(self, X):
        """Map raw texts to padded sequences of word indices.

        Parameters
        ----------
        X : iterable of str
            Raw texts.

        Returns
        -------
        sequences : ndarray of shape (n_texts, maxlen), dtype int32
            Word indices; 0 is padding, 1 an out-of-vocabulary word.
        """
        check_is_fitted(self)
        # Parameters set after fit (maxlen, padding...) are used here: check them.
        self._validate_params()
        texts = check_texts(X)
        analyze, lookup = self.build_analyzer(), self.vocabulary_.get
        sequences = np.zeros((len(texts), self.maxlen), dtype=np.int32)
        with _progress(len(texts), self.verbose, "Reading") as progress:
            for row, text in enumerate(texts):
                indices = [lookup(token, OOV_INDEX) for token in analyze(text)]
                self._place(sequences[row], indices)
                if row % _BLOCK == _BLOCK - 1:
                    progress(row + 1)
            progress(len(texts))
        return sequences

    def get_vocabulary(self):
        """Return the tokens in index order, padding and out-of-vocabulary first.

        Returns
        -------
        vocabulary : list of str
            ``vocabulary[i]`` is the token of index ``i``: ``""`` for padding,
            ``"[UNK]"`` for out-of-vocabulary words, then the kept words (the
            layout of Keras' ``TextVectorization.get_vocabulary``).
        """
        check_is_fitted(self)
        return [PAD_TOKEN, OOV_TOKEN, *self.vocabulary_]

    def inverse_transform(self, X):
        """Map sequences of word indices back to lists of tokens.

        Padding is dropped; out-of-vocabulary words come back as ``"[UNK]"``.

        Parameters
        ----------
        X : array-like of shape (n_texts, n_positions)
            Word indices, as returned by ``transform``.

        Returns
        -------
        tokens : list of list of str
            The tokens of each text.
        """
        check_is_fitted(self)
        sequences = np.asarray(X)
        if sequences.ndim != 2 or sequences.dtype.kind not in "iu":
            raise ValueError(
                "Expected a 2-D array of integer word indices, got an array of "
                f"shape {sequences.shape} and dtype {sequences.dtype}."
            )
        vocabulary = self.get_vocabulary()
        out_of_range = (sequences < 0) | (sequences >= len(vocabulary))
        if out_of_range.any():
            raise ValueError(
                f"Word indices must be in [0, {len(vocabulary)}); got values from "
                f"{sequences.min()} to {sequences.max()}."
            )
        return [
            [vocabulary[index] for index in row if index != PAD_INDEX]
            for row in sequences.tolist()
        ]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


def _add_counts(counts, ids, size):
    """``counts`` grown to ``size`` with one more for each of ``ids``."""
    counts = np.pad(counts, (0, size - len(counts)))
    return counts + np.bincount(ids, minlength=size)


@contextmanager
def _progress(total, verbose, verb):
    """Yield ``update(done)``, which shows a Keras progress bar if ``verbose``."""
    if not verbose or not total:
        yield lambda done: None
        return
    from keras.utils import Progbar  # TensorFlow is loaded by then in a pipeline

    print(f"{verb} {total:,} texts")
    # As Keras' fit: "auto" and 1 draw a bar, 2 and more one line at the end.
    bar = Progbar(
        total,
        verbose=1 if verbose == "auto" else min(int(verbose), 2),
        unit_name="text",
    )
    yield bar.update


def _check_ngram_range(ngram_range):
    if (
        len(ngram_range) == 2
        and all(isinstance(n, Integral) for n in ngram_range)
        and 1 <= ngram_range[0] <= ngram_range[1]
    ):
        return tuple(ngram_range)
    raise ValueError(
        "ngram_range must be a tuple (min_n, max_n) of integers with "
        f"1 <= min_n <= max_n; got {ngram_range!r}."
    )
