"""Python's ``str.lower`` in TensorFlow ops.

``tf.strings.lower(encoding="utf-8")`` runs ICU, whose lowercasing depends on the
serving process's locale (Turkish makes "I" a dotless "ı"), on its Unicode
version, and stops at a NUL. So only ASCII texts are lowered by TensorFlow's
byte-wise ASCII lowering; the others by Python's own mapping, taken at export
time:

- each code point to its lowercase, through a sorted table;
- the few characters that lower to several ("İ" to "i̇") replaced first;
- a capital sigma to its final form after a cased letter (skipping
  case-ignorable characters) unless one follows, as Python decides it.
"""

import functools
import sys

import numpy as np
import tensorflow as tf

from ._re2 import char_literal

_SIGMA, _SMALL_SIGMA, _FINAL_SIGMA = "\u03a3", "\u03c3", "\u03c2"


class PythonLower:
    """A callable: a string tensor lowered as ``str.lower`` lowers each string."""

    def __init__(self):
        changed, lowered, expansions = _case_table()
        self.changed = tf.constant(changed, tf.int32)
        self.lowered = tf.constant(lowered, tf.int32)
        self.expansions = expansions
        cased, ignorable = _sigma_context()
        self.cased = tf.constant(cased, tf.int32)  # (2, n): starts and ends
        self.ignorable = tf.constant(ignorable, tf.int32)

    def __call__(self, texts):
        ascii = tf.strings.regex_full_match(texts, r"[\x00-\x7f]*")
        lowered = tf.strings.lower(texts)  # ASCII only, byte by byte
        return _changed_where(~ascii, texts, self.lower_unicode, lowered)

    def lower_unicode(self, texts):
        """Lower texts of any script, code point by code point."""
        texts = _where_found(texts, _SIGMA, self.choose_sigmas)
        for char, lowered in self.expansions:
            texts = tf.strings.regex_replace(texts, char_literal(char), lowered)
        points = tf.strings.unicode_decode(texts, "UTF-8")
        flat = points.flat_values
        index = tf.searchsorted(self.changed, flat)
        index = tf.minimum(index, tf.size(self.changed) - 1)
        found = tf.gather(self.changed, index) == flat
        flat = tf.where(found, tf.gather(self.lowered, index), flat)
        return tf.strings.unicode_encode(points.with_flat_values(flat), "UTF-8")

    def choose_sigmas(self, texts):
        """Replace each capital sigma by the small form Python lowers it to."""
        points = tf.strings.unicode_decode(texts, "UTF-8")
        flat = points.flat_values
        rows = points.value_rowids()
        position = tf.range(tf.size(flat, tf.int64))
        # Python looks past case-ignorable characters, within the text.
        others = tf.where(~_member(flat, self.ignorable))[:, 0]
        before = tf.searchsorted(others, position, "left", out_type=tf.int64) - 1
        after = tf.searchsorted(others, position, "right", out_type=tf.int64)
        ends = tf.size(others, tf.int64)

        def cased_neighbour(index, valid):
            index = tf.clip_by_value(index, 0, tf.maximum(ends - 1, 0))
            neighbour = tf.gather(others, index)
            valid &= tf.gather(rows, neighbour) == rows
            return valid & _member(tf.gather(flat, neighbour), self.cased)

        final = cased_neighbour(before, before >= 0) & ~cased_neighbour(
            after, after < ends
        )
        small = tf.where(final, ord(_FINAL_SIGMA), ord(_SMALL_SIGMA))
        flat = tf.where(flat == ord(_SIGMA), small, flat)
        return tf.strings.unicode_encode(points.with_flat_values(flat), "UTF-8")


def _where_found(texts, chars, change):
    """``change`` applied to the texts that hold one of ``chars``."""
    pattern = "(?s).*[" + "".join(char_literal(char) for char in chars) + "].*"
    return _changed_where(tf.strings.regex_full_match(texts, pattern), texts, change)


def _changed_where(mask, texts, change, others=None):
    """``change`` of the texts where ``mask``, ``others`` (or the texts) elsewhere."""
    where = tf.where(mask)
    changed = change(tf.gather_nd(texts, where))
    return tf.tensor_scatter_nd_update(
        texts if others is None else others, where, changed
    )


def _member(points, ranges):
    """Whether each code point is in one of the ``(starts, ends)`` ranges."""
    index = tf.searchsorted(ranges[0], points, side="right") - 1
    inside = tf.gather(ranges[1], tf.maximum(index, 0)) >= points
    return (index >= 0) & inside


def _chars():
    # Surrogates have no UTF-8 form, so no text holds one.
    return [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]


@functools.cache
def _case_table():
    """Python's lowercase of every code point that has another.

    Returns
    -------
    changed, lowered : ndarray of int32
        The code points, sorted, and the code point each lowers to.
    expansions : list of (str, str)
        The characters that lower to several ("İ": "i̇").
    """
    pairs = [(char, char.lower()) for char in _chars() if char.lower() != char]
    single = [(ord(char), ord(low)) for char, low in pairs if len(low) == 1]
    changed, lowered = np.array(single, dtype=np.int32).T
    return changed, lowered, [(char, low) for char, low in pairs if len(low) > 1]


@functools.cache
def _sigma_context():
    """Ranges of cased and of case-ignorable characters, as Python reads them.

    Python does not expose the two properties, but its lowercasing of a
    capital sigma shows them: it ends "c" + sigma finally where c is cased
    and not case-ignorable, and "A" + c + sigma finally also where c is
    case-ignorable.

    Returns
    -------
    cased, ignorable : ndarray of shape (2, n_ranges)
        First and last code point of each range.
    """
    chars = list(map(chr, range(sys.maxunicode + 1)))
    cased = np.array([f"{c}{_SIGMA}".lower()[-1] == _FINAL_SIGMA for c in chars])
    after_a = np.array([f"A{c}{_SIGMA}".lower()[-1] == _FINAL_SIGMA for c in chars])
    return _ranges(cased), _ranges(after_a & ~cased)


def _ranges(member):
    edges = np.flatnonzero(np.diff(np.concatenate([[0], member.astype(np.int8), [0]])))
    return np.stack([edges[0::2], edges[1::2] - 1])
