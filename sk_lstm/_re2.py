"""Python regular expressions rewritten for RE2, TensorFlow's regex engine.

`TextSequencer`'s tokens are ``re.findall(token_pattern, text)``. TensorFlow has
no findall, but it has a global replace (``tf.strings.regex_replace``), which
searches on from the end of each match as findall does, and RE2 picks among
alternatives as Python does (leftmost first, greedy or lazy repeats). So the
tokens come out of a replace that marks them and a split (`findall_program`).

The two engines differ where RE2 reads a construct another way: ``\\w``, ``\\d``
and ``\\s`` are ASCII in RE2 and Unicode in Python, so every class is written
out as the ranges of code points Python's own ``re`` matches; ``$`` also
matches before a final newline in Python; Unicode case folding differs between
their Unicode versions; lookarounds, backreferences, atomic groups and
possessive repeats do not exist in RE2. Those are refused by name.
"""

import functools
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass

try:  # Python >= 3.11
    from re import _constants as _sre
    from re import _parser
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _sre
    import sre_parse as _parser

MAX_CODE_POINT = sys.maxunicode
_MAX_RE2_REPEAT = 1000
# Separator candidates, in order of preference: any character the matches
# cannot hold will do (but NUL, which ends TensorFlow's string attributes),
# and the rarer in texts the better (fewer to write over): ASCII's unit, record
# and group separators first.
_SEPARATORS = "\x1f\x1e\x1d \n\t"

_REFUSED = {
    "ASSERT": "a lookahead or lookbehind assertion",
    "ASSERT_NOT": "a negative lookahead or lookbehind assertion",
    "GROUPREF": "a backreference",
    "GROUPREF_EXISTS": "a conditional group (?(id)yes|no)",
    "ATOMIC_GROUP": "an atomic group (?>...)",
    "POSSESSIVE_REPEAT": "a possessive repeat such as *+",
}
_ANCHORS = {"AT_BEGINNING": r"\A", "AT_BEGINNING_STRING": r"\A", "AT_END_STRING": r"\z"}


class UnsupportedPattern(ValueError):
    """A token pattern that RE2 cannot match as Python's ``re`` does."""


@dataclass(frozen=True)
class Findall:
    """``re.findall`` as a TensorFlow replace and split (see `findall_program`).

    Replace ``stand_in[0]`` by ``stand_in[1]`` in the text (when set), every
    match of ``regex`` by ``rewrite``, split on ``separator``; the tokens are
    then the pieces at odd positions (``every_other``), or else the non-empty
    pieces.
    """

    regex: str
    rewrite: str
    separator: str
    stand_in: tuple = None
    every_other: bool = False


def findall_program(pattern):
    """Rewrite ``re.findall(pattern, text)`` for TensorFlow's regex ops.

    Findall searches on from the end of each match; so does RE2's global
    replace, choosing among alternatives as Python does. Without a capturing
    group, each match is wrapped in separators (a character no match can
    hold, written over where the text has it), and the tokens are every other
    piece. With one, whose content is the token, the pattern gets a second
    branch that eats the characters between matches, and each match is
    rewritten to a separator and its group: capture groups make RE2 several
    times slower.

    Parameters
    ----------
    pattern : str
        A Python regular expression with at most one capturing group, whose
        matches cannot be empty.

    Returns
    -------
    Findall

    Raises
    ------
    UnsupportedPattern
        Naming the construct RE2 would read differently.
    """
    try:
        parsed = _parser.parse(pattern)
    except re.error as error:
        message = f"token_pattern {pattern!r} is invalid: {error}"
        raise UnsupportedPattern(message) from None
    groups = parsed.state.groups - 1
    if groups > 1:
        raise UnsupportedPattern(
            f"token_pattern {pattern!r} has {groups} capturing groups; expected "
            "at most one."
        )
    if parsed.getwidth()[0] == 0:
        raise UnsupportedPattern(
            f"token_pattern {pattern!r} can match the empty string, which RE2 "
            "and Python's re step over differently."
        )
    writer = _Writer(pattern, parsed.state.flags)
    body = writer.write(parsed)
    if groups == 0:
        # The stand-in is written over the separator in the text: they must
        # read alike to an ASCII \b.
        outside = _outside(writer.chars, 2, word=False)
        if len(outside) == 2:
            separator, stand_in = outside
            mark = _rewritten(separator)
            return Findall(
                regex=body,
                rewrite=rf"{mark}\0{mark}",
                separator=separator,
                stand_in=(char_literal(separator), _rewritten(stand_in)),
                every_other=True,
            )
        # One character at most is left to separate with: capture the token.
        body, token_chars = f"({body})", writer.chars
    else:
        token_chars = writer.group_chars
    separator = "".join(_outside(token_chars, 1))
    if not separator:
        raise UnsupportedPattern(
            f"token_pattern {pattern!r} has matches that can hold any character, "
            "so no character is left to separate them in TensorFlow."
        )
    # Where no match can start, findall steps on: a run of such characters is
    # one match of the second branch, rather than one match per character.
    cannot_start = _complement(writer.first(parsed))
    skip = f"{_class(cannot_start)}+|" if cannot_start else ""
    return Findall(f"{body}|{skip}(?s:.)", rf"{_rewritten(separator)}\1", separator)


def default_pattern_passes(legacy=False):
    r"""Replaces that leave the default tokens between spaces.

    The tokens of `sk_lstm._tokens.default_token_pattern` (or, with
    ``legacy``, of ``</?[A-Za-z][^<>]*>|(\w+(?:'\w+)*)``): a tag holds a "<"
    only at its start and a word none, so findall finds the tags a replace of
    the first branch alone finds, and they act as space. Each character of a
    script without spaces, with the marks after it, is then put between
    spaces (word characters exclude those scripts, so no word holds one). The
    words are then the runs of word characters and "'" cut at every "'" not
    between two word characters. Run on a text with a space at each end, the
    replaces below leave exactly the tokens, separated by spaces: split on
    whitespace. They have no capture group, which makes them 4 to 8 times as
    fast in RE2 as `findall_program`'s one replace.

    Returns
    -------
    list of (str, str)
        ``(regex, rewrite)`` of each ``tf.strings.regex_replace``, in order.
    """
    from ._tokens import default_classes  # it builds on this module

    tag = _Writer("", 0).write(_parser.parse("</?[A-Za-z][^<>]*>"))
    if legacy:
        word, apart = _class(_category("CATEGORY_WORD", False)), []
    else:
        classes = default_classes()
        word = _class(_union([*classes["word"], *classes["no_space"]]))
        # each character of a script without spaces, and its marks, apart
        cluster = f"{_class(classes['no_space'])}{_class(classes['mark'])}*"
        apart = [(cluster, r" \0 ")]
    return [
        (tag, " "),
        *apart,
        (f"[^'{word[1:]}+", " "),  # what is neither a word character nor "'"
        ("''+", " "),  # an "'" beside another
        (" '", "  "),  # at the start of a run (runs are isolated by now)
        ("' ", "  "),  # at its end
    ]


class _Writer:
    """Writes a parsed Python pattern in RE2 syntax, collecting its characters."""

    def __init__(self, pattern, flags):
        self.pattern = pattern
        self.chars = []  # ranges of the characters any match can hold
        self.group_chars = []  # ... that group 1 can hold
        self._in_group = False
        self._check_flags(flags)
        self.ascii = bool(flags & re.ASCII)
        self.dotall = bool(flags & re.DOTALL)

    def refuse(self, construct, why="RE2 has no such construct"):
        raise UnsupportedPattern(
            f"token_pattern {self.pattern!r} cannot be exported: it uses "
            f"{construct}, which TensorFlow's regular expressions (RE2) cannot "
            f"match as Python's re does ({why})."
        )

    def _check_flags(self, flags):
        if flags & re.IGNORECASE:
            self.refuse("the IGNORECASE flag", "their Unicode case folding differs")
        if flags & re.MULTILINE:
            self.refuse("the MULTILINE flag", "'$' also matches before a newline")
        if flags & re.LOCALE:
            self.refuse("the LOCALE flag", "it depends on the locale")

    @contextmanager
    def _scope(self, add_flags, del_flags, in_group=False):
        """Within a group: its inline flags, such as ``(?s:...)``."""
        self._check_flags(add_flags)
        saved = self.ascii, self.dotall, self._in_group
        self.ascii = bool(add_flags & re.ASCII) or (
            self.ascii and not add_flags & re.UNICODE
        )
        self.dotall = bool(add_flags & re.DOTALL) or (
            self.dotall and not del_flags & re.DOTALL
        )
        self._in_group |= in_group
        try:
            yield
        finally:
            self.ascii, self.dotall, self._in_group = saved

    def write(self, items):
        return "".join(self._item(str(op), value) for op, value in items)

    def _item(self, op, value):
        if op in _REFUSED:
            self.refuse(_REFUSED[op])
        if op == "LITERAL":
            return self._set([(value, value)])
        if op == "NOT_LITERAL":
            return self._set(_complement([(value, value)]))
        if op == "ANY":
            return self._set(_ANY if self.dotall else _complement([(10, 10)]))
        if op == "IN":
            return self._set(self._class(value))
        if op in ("MAX_REPEAT", "MIN_REPEAT"):
            low, high, item = value
            if high != 1 and _min_width(item) == 0:
                self.refuse(
                    "a repeat of something that can match the empty string, such "
                    "as (a?)+",
                    "the engines end such loops at different points",
                )
            if max(low, 0 if high is _sre.MAXREPEAT else high) > _MAX_RE2_REPEAT:
                self.refuse(f"a repeat count above {_MAX_RE2_REPEAT}", "RE2's limit")
            high = "" if high is _sre.MAXREPEAT else high
            lazy = "?" if op == "MIN_REPEAT" else ""
            return f"(?:{self.write(item)}){{{low},{high}}}{lazy}"
        if op == "BRANCH":
            return "(?:" + "|".join(self.write(item) for item in value[1]) + ")"
        if op == "SUBPATTERN":
            group, add_flags, del_flags, item = value
            with self._scope(add_flags, del_flags, group is not None):
                body = self.write(item)
            return f"({body})" if group is not None else f"(?:{body})"
        if op == "AT":
            anchor = str(value)
            if anchor in _ANCHORS:
                return _ANCHORS[anchor]
            if anchor in ("AT_BOUNDARY", "AT_NON_BOUNDARY") and self.ascii:
                return r"\b" if anchor == "AT_BOUNDARY" else r"\B"
            if anchor in ("AT_BOUNDARY", "AT_NON_BOUNDARY"):
                self.refuse(r"a word boundary \b or \B", "RE2's are ASCII only")
            self.refuse("'$'", "Python's also matches before a final newline")
        self.refuse(f"the construct {op}")  # pragma: no cover - none left

    def _class(self, items):
        ranges, negate = [], False
        for op, value in items:
            op = str(op)
            if op == "NEGATE":
                negate = True
            elif op == "LITERAL":
                ranges.append((value, value))
            elif op == "RANGE":
                ranges.append(value)
            elif op == "CATEGORY":
                ranges += _category(str(value), self.ascii)
            else:  # pragma: no cover - the parser gives no other
                self.refuse(f"the class item {op}")
        ranges = _union(ranges)
        return _complement(ranges) if negate else ranges

    def _set(self, ranges):
        self.chars = _union(self.chars + ranges)
        if self._in_group:
            self.group_chars = _union(self.group_chars + ranges)
        return _class(ranges)

    def first(self, items):
        """Ranges of the characters a match of ``items`` can start with.

        A superset will do; ``items`` are parsed items, as `write` takes.
        """
        chars = []
        for op, value in items:
            op = str(op)
            if op in ("LITERAL", "NOT_LITERAL", "ANY", "IN"):
                # What `_item` writes for these is a class of those characters.
                return _union(chars + self._set_of(op, value))
            if op in ("MAX_REPEAT", "MIN_REPEAT"):
                chars += self.first(value[2])
                if value[0] > 0 and _min_width(value[2]) > 0:
                    return _union(chars)
            elif op == "SUBPATTERN":
                with self._scope(value[1], value[2]):
                    chars += self.first(value[3])
                if _min_width(value[3]) > 0:
                    return _union(chars)
            elif op == "BRANCH":
                chars += [r for item in value[1] for r in self.first(item)]
                if min(_min_width(item) for item in value[1]) > 0:
                    return _union(chars)
            elif op != "AT":
                return list(_ANY)
        return _union(chars)

    def _set_of(self, op, value):
        if op == "LITERAL":
            return [(value, value)]
        if op == "NOT_LITERAL":
            return _complement([(value, value)])
        if op == "ANY":
            return list(_ANY)  # a superset without DOTALL
        return self._class(value)


_ANY = [(0, MAX_CODE_POINT)]


def _min_width(items):
    return items.getwidth()[0]


def _class(ranges):
    if not ranges:
        return r"[^\x{0}-\x{10ffff}]"  # matches nothing
    return "[" + "".join(_range(low, high) for low, high in ranges) + "]"


def _range(low, high):
    return rf"\x{{{low:x}}}" if low == high else rf"\x{{{low:x}}}-\x{{{high:x}}}"


@functools.cache
def _category(name, ascii):
    """Ranges of the code points Python's ``re`` puts in a class such as ``\\w``."""
    escape = {
        "CATEGORY_DIGIT": r"\d",
        "CATEGORY_NOT_DIGIT": r"\D",
        "CATEGORY_SPACE": r"\s",
        "CATEGORY_NOT_SPACE": r"\S",
        "CATEGORY_WORD": r"\w",
        "CATEGORY_NOT_WORD": r"\W",
    }[name]
    flags = re.ASCII if ascii else 0
    every_char = "".join(map(chr, range(MAX_CODE_POINT + 1)))
    runs = re.compile(f"[{escape}]+", flags).finditer(every_char)
    return [(run.start(), run.end() - 1) for run in runs]


def _union(ranges):
    merged = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _complement(ranges):
    result, start = [], 0
    for low, high in _union(ranges):
        if low > start:
            result.append((start, low - 1))
        start = high + 1
    if start <= MAX_CODE_POINT:
        result.append((start, MAX_CODE_POINT))
    return result


def _contains(ranges, char):
    return any(low <= ord(char) <= high for low, high in ranges)


def _outside(ranges, count, word=True):
    """At most ``count`` characters outside ``ranges``, the simplest first.

    Never NUL (see `_SEPARATORS`) or a surrogate (no UTF-8 form); with
    ``word=False``, never an ASCII word character either (an ASCII ``\b``
    tells those apart from the others).
    """
    chars = [c for c in _SEPARATORS if not _contains(ranges, c)]
    for low, high in _complement([*ranges, (0, 0), (0xD800, 0xDFFF)]):
        for code in range(low, min(high, low + 256) + 1):
            if len(chars) == count:
                return chars
            char = chr(code)
            if (word or not _ASCII_WORD.fullmatch(char)) and char not in chars:
                chars.append(char)
    return chars[:count]


_ASCII_WORD = re.compile(r"\w", re.ASCII)


def _rewritten(char):
    """``char`` in an RE2 rewrite string, where a backslash escapes."""
    return char.replace("\\", "\\\\")


def char_literal(char):
    """``char`` as an RE2 escape, ``\\x{...}``."""
    return rf"\x{{{ord(char):x}}}"
