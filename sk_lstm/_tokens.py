"""The default tokens: words in every script, characters where words have no spaces.

Python's ``\\w`` leaves out combining marks (the vowel signs of Devanagari,
Bengali, Tamil, Telugu..., Arabic and Hebrew diacritics), so ``\\w+`` cuts
``"आधुनिक"`` into pieces; and scripts written without spaces between words
(Chinese, Japanese, Thai, Lao, Khmer, Myanmar) come out as whole phrases. The
default tokens are those of `default_token_pattern`: HTML tags are dropped (they
act as space, as IMDB's ``<br />``), a word is a run of word characters and
combining marks with inner apostrophes (``don't``), and each character of a
script without spaces is a token with the marks that follow it, as search
engines' standard analyzers read CJK text: the model's word n-grams are
character n-grams there. A text whose characters all lie below U+0300 (ASCII,
Latin-1, Latin Extended) has neither marks nor such scripts; it gets exactly
the tokens of `LEGACY_TOKEN_PATTERN`, the default before, which runs about
three times as fast.
"""

import functools
import re
import unicodedata
import warnings
from collections import Counter

from ._re2 import _category, _union

#: The default token pattern of sk_lstm 0.1 and before; models fitted with it keep it.
LEGACY_TOKEN_PATTERN = r"</?[A-Za-z][^<>]*>|(\w+(?:'\w+)*)"

#: Blocks of the scripts written without spaces between words. Their letters
#: and marks are read a character at a time; their punctuation is not a token.
NO_SPACE_BLOCKS = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x19E0, 0x19FF),  # Khmer symbols
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3021, 0x3029),  # Hangzhou numerals
    (0x3031, 0x3035),  # kana repeat marks
    (0x3038, 0x303C),
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xA9E0, 0xA9FF),  # Myanmar Extended-B
    (0xAA60, 0xAA7F),  # Myanmar Extended-A
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0xFF66, 0xFF9F),  # halfwidth Katakana
    (0x1B000, 0x1B16F),  # Kana Supplement, Extended-A, Small Kana
    (0x20000, 0x323AF),  # CJK Extensions B to H, Compatibility Supplement
)
#: Below it no character is a combining mark or of a script without spaces.
PLAIN_BELOW = "\u0300"
#: A token this long, in the script of most of them, is likely a whole phrase.
LONG_TOKEN = 20


@functools.cache
def default_classes():
    """The code-point ranges of the default tokens' three classes.

    Returns
    -------
    dict
        ``"word"``: the characters of words (Python's ``\\w`` and the
        combining marks, less ``"no_space"``); ``"no_space"``: the letters,
        digits and marks of `NO_SPACE_BLOCKS`, each a token with the marks
        that follow it; ``"mark"``: the combining marks (Mn, Mc), less the
        variation selectors (which follow emoji) and the enclosing marks
        (Me, such as the emoji keycap), so that emoji stay out of words.
    """
    marks = _ranges_of(
        code
        for code in range(0x20000)
        if unicodedata.category(chr(code)) in ("Mn", "Mc")
        and not 0xFE00 <= code <= 0xFE0F  # variation selectors: emoji's, mostly
    )
    word = _union([*_category("CATEGORY_WORD", False), *marks])
    no_space = _ranges_of(
        code
        for low, high in NO_SPACE_BLOCKS
        for code in range(low, high + 1)
        if chr(code).isalnum() or unicodedata.category(chr(code)) in ("Mn", "Mc")
    )
    return {"word": _minus(word, no_space), "no_space": no_space, "mark": marks}


@functools.cache
def default_token_pattern():
    """The regular expression of the default tokens (one capturing group)."""
    classes = {
        name: _python_class(ranges) for name, ranges in default_classes().items()
    }
    word, no_space, mark = classes["word"], classes["no_space"], classes["mark"]
    return rf"</?[A-Za-z][^<>]*>|({word}+(?:'{word}+)*|{no_space}{mark}*)"


@functools.cache
def default_tokenizer():
    """The function from a (lowercased) text to its default tokens."""
    full = re.compile(default_token_pattern()).findall
    plain = re.compile(LEGACY_TOKEN_PATTERN).findall

    def tokenize(text):
        findall = plain if not text or max(text) < PLAIN_BELOW else full
        return [token for token in findall(text) if token]

    return tokenize


def warn_if_phrases(counts):
    """Warn once if most of the tokens counted look like whole phrases.

    Parameters
    ----------
    counts : dict
        Occurrences of each token (n-grams, which hold spaces, are skipped).
    """
    words = {token: count for token, count in counts.items() if " " not in token}
    total = sum(words.values())
    long = {token: count for token, count in words.items() if len(token) > LONG_TOKEN}
    if not total or sum(long.values()) <= total / 2:
        return
    scripts = Counter()
    for token, count in long.items():
        for char in token:
            name = unicodedata.name(char, "")
            if name and char.isalpha():
                scripts[name.split()[0]] += count
    script = scripts.most_common(1)[0][0] if scripts else "unknown"
    script = script if script == "CJK" else script.title()
    warnings.warn(
        f"Most tokens ({sum(long.values()) / total:.0%} of them) are longer than "
        f"{LONG_TOKEN} characters, most of them in the {script} script: it is "
        "likely written without spaces between words, which the default "
        "tokens do not split. Pass tokenizer= (a word segmenter for the "
        r"language) or token_pattern=r'\w' (a token per letter).",
        UserWarning,
        stacklevel=4,
    )


def _ranges_of(codes):
    ranges = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return [tuple(pair) for pair in ranges]


def _minus(ranges, removed):
    """The code points of ``ranges`` that are not in ``removed`` (both sorted)."""
    result = []
    for low, high in ranges:
        for cut_low, cut_high in removed:
            if cut_high < low or cut_low > high:
                continue
            if cut_low > low:
                result.append((low, cut_low - 1))
            low = cut_high + 1
        if low <= high:
            result.append((low, high))
    return result


def _python_class(ranges):
    def char(code):
        return rf"\U{code:08x}" if code > 0xFFFF else rf"\u{code:04x}"

    return (
        "["
        + "".join(
            char(low) if low == high else f"{char(low)}-{char(high)}"
            for low, high in ranges
        )
        + "]"
    )
