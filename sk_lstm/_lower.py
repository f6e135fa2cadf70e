"""Python's ``str.lower`` in TensorFlow ops.

``tf.strings.lower(encoding="utf-8")`` runs ICU's full lowercasing, which is
Python's but for three things, all mended here:

- ICU stops at a NUL: the pieces between NULs are lowered one by one;
- ICU's Unicode tables may be older than Python's: the letters it does not
  lower (40 between TensorFlow 2.21 and Python 3.11) are replaced first;
- a capital sigma lowers to the final form after a cased letter (skipping
  case-ignorable characters) unless one follows; with older tables, ICU does
  not see the newer letters as cased. Where a text holds a capital sigma, its
  form is chosen here first, with Python's own reading of each character.
"""

import functools
import sys

import numpy as np
import tensorflow as tf

_SIGMA, _SMALL_SIGMA, _FINAL_SIGMA = "\u03a3", "\u03c3", "\u03c2"


class PythonLower:
    """A callable: a string tensor lowered as ``str.lower`` lowers each string."""

    def __init__(self):
        chars = [
            chr(c) for c in range(1, sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF
        ]
        lowered = tf.strings.lower([c.encode() for c in chars], encoding="utf-8")
        self.fixes = [
            (char, char.lower())
            for char, low in zip(chars, lowered.numpy(), strict=True)
            if low.decode() != char.lower()
        ]
        cased, ignorable = _sigma_context()
        self.cased = tf.constant(cased, tf.int32)  # (2, n): starts and ends
        self.ignorable = tf.constant(ignorable, tf.int32)

    def __call__(self, texts):
        texts = _where_found(texts, _SIGMA, self.choose_sigmas)
        # ICU stops at a NUL: lower the pieces between. (The NUL is a tensor:
        # ops' string attributes end at a NUL too.)
        nul = tf.constant("\x00")
        pieces = tf.strings.split(texts, nul)
        if self.fixes:
            chars = "".join(char for char, _ in self.fixes)
            lowered = _where_found(pieces.flat_values, chars, self.fix)
        else:
            lowered = pieces.flat_values
        lowered = tf.strings.lower(lowered, encoding="utf-8")
        last = tf.range(tf.size(lowered, tf.int64)) + 1 == tf.gather(
            pieces.row_limits(), pieces.value_rowids()
        )
        lowered = tf.strings.join([lowered, tf.where(last, "", nul)])
        return tf.strings.reduce_join(pieces.with_flat_values(lowered), axis=-1)

    def fix(self, texts):
        """Lower the letters ICU's tables lack."""
        for char, lowered in self.fixes:
            texts = tf.strings.regex_replace(texts, _literal(char), lowered)
        return texts

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
    pattern = "(?s).*[" + "".join(_literal(char) for char in chars) + "].*"
    found = tf.where(tf.strings.regex_full_match(texts, pattern))
    changed = change(tf.gather_nd(texts, found))
    return tf.tensor_scatter_nd_update(texts, found, changed)


def _member(points, ranges):
    """Whether each code point is in one of the ``(starts, ends)`` ranges."""
    index = tf.searchsorted(ranges[0], points, side="right") - 1
    inside = tf.gather(ranges[1], tf.maximum(index, 0)) >= points
    return (index >= 0) & inside


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
    everything = range(sys.maxunicode + 1)
    cased = [f"{c}{_SIGMA}".lower()[-1] == _FINAL_SIGMA for c in map(chr, everything)]
    after_a = [
        f"A{c}{_SIGMA}".lower()[-1] == _FINAL_SIGMA for c in map(chr, everything)
    ]
    ignorable = np.array(after_a) & ~np.array(cased)
    return _ranges(np.array(cased)), _ranges(ignorable)


def _ranges(member):
    edges = np.flatnonzero(np.diff(np.concatenate([[0], member.astype(np.int8), [0]])))
    return np.stack([edges[0::2], edges[1::2] - 1])


def _literal(char):
    return rf"\x{{{ord(char):x}}}"
