"""Explanations shown: a self-contained HTML page, and marked text for a terminal.

Each token is coloured by its part of the logit (`Explanation.scores`): green
where it raises the logit, red where it lowers it, the stronger the larger the
part. For two classes the logit is the second class's log-odds (green: toward
it); for more classes, the predicted class's logit.
"""

import html

import numpy as np

__all__ = ["render_html", "render_text"]

_GREEN = (0, 150, 60)
_RED = (210, 30, 30)
_ANSI = {1: "\033[1;32m", -1: "\033[1;31m"}
_RESET = "\033[0m"

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: sans-serif; max-width: 60em; margin: 2em auto; color: #222;
       line-height: 1.7; }}
.text {{ border: 1px solid #ccc; padding: 0.6em 1em; margin: 0.4em 0 1.6em;
         font-size: 1.15em; white-space: pre-wrap; }}
.legend span {{ padding: 0.1em 0.5em; margin-right: 1em; }}
mark {{ color: inherit; border-radius: 0.2em; }}
</style>
</head>
<body>
<h1>{title}</h1>
{items}
</body>
</html>
"""


def column_of(explanation):
    """The logit that a display shows: the predicted class's, or the only one."""
    classes = list(explanation.classes)
    return classes.index(explanation.label) if explanation.label in classes else 0


def _segments(explanation, column):
    """``(text, score or None)`` pieces that make up the whole text.

    Tokens usually do not overlap; where they do (``ngram_range`` n-grams of
    the sequencer) each character gets an even share of every token over it.
    """
    text = explanation.text
    scores = explanation.scores(column)
    spans = [
        (span, score)
        for span, score in zip(explanation.spans, scores, strict=True)
        if span is not None and span[1] > span[0]
    ]
    bounds = sorted({0, len(text), *(b for span, _ in spans for b in span)})
    density = np.zeros(len(text))
    covered = np.zeros(len(text), dtype=bool)
    for (start, end), score in spans:
        density[start:end] += score / (end - start)
        covered[start:end] = True
    return [
        (text[a:b], float(density[a:b].sum()) if covered[a] else None)
        for a, b in zip(bounds, bounds[1:], strict=False)
        if b > a
    ]


def render_html(explanations, title="Why the model decided"):
    """A self-contained HTML page that highlights each word by its part.

    Green words raise the shown logit and red ones lower it (see the module's
    docstring); the stronger the colour, the larger the part, on one scale for
    the whole page. Each word's exact part is in its tooltip. The page needs
    no script, style sheet or font from elsewhere.

    Parameters
    ----------
    explanations : list of Explanation
        From `explain`.
    title : str, default="Why the model decided"

    Returns
    -------
    page : str
    """
    pieces = [
        (explanation, _segments(explanation, column_of(explanation)))
        for explanation in explanations
    ]
    scale = max(
        (abs(s) for _, segments in pieces for _, s in segments if s is not None),
        default=0.0,
    )
    items = []
    for explanation, segments in pieces:
        shown = explanation.classes[column_of(explanation)]
        toward, against = f"toward {shown}", f"against {shown}"
        body = "".join(
            html.escape(piece)
            if score is None
            else (
                f'<mark style="background: {_colour(score, scale)}" '
                f'title="{score:+.4f}">{html.escape(piece)}</mark>'
            )
            for piece, score in segments
        )
        items.append(
            f"<h2>{html.escape(str(explanation.label))} "
            f"(probability {explanation.probability:.3f})</h2>\n"
            f'<p class="legend"><span style="background: {_colour(1, 1)}">'
            f"{html.escape(toward)}</span>"
            f'<span style="background: {_colour(-1, 1)}">{html.escape(against)}'
            f"</span> logit {float(explanation.logit[column_of(explanation)]):+.3f}"
            f"</p>\n"
            f'<div class="text">{body}</div>'
        )
    return _PAGE.format(title=html.escape(title), items="\n".join(items))


def _colour(score, scale):
    strength = 0.0 if scale == 0 else min(abs(score) / scale, 1.0)
    red, green, blue = _GREEN if score > 0 else _RED
    return f"rgba({red}, {green}, {blue}, {0.08 + 0.72 * strength:.3f})"


def render_text(explanation, top=5, colour=False):
    """The text with its ``top`` strongest tokens marked.

    Marked as ``[+word]`` (raises the shown logit) or ``[-word]``, or in green
    and red with ``colour``.

    Parameters
    ----------
    explanation : Explanation
    top : int, default=5
    colour : bool, default=False
        Use ANSI colours (for a terminal) instead of markers.

    Returns
    -------
    text : str
    """
    column = column_of(explanation)
    scores = explanation.scores(column)
    spans = explanation.spans
    order = [
        i
        for i in np.argsort(-np.abs(scores), kind="stable")
        if spans[i] is not None and scores[i] != 0
    ]
    strongest = sorted(order[:top], key=lambda i: spans[i][0])
    text, out, cursor = explanation.text, [], 0
    for i in strongest:
        start, end = spans[i]
        if start < cursor:  # overlaps a token already marked
            continue
        sign = 1 if scores[i] > 0 else -1
        word = text[start:end]
        out.append(text[cursor:start])
        if colour:
            out.append(f"{_ANSI[sign]}{word}{_RESET}")
        else:
            out.append(f"[{'+' if sign > 0 else '-'}{word}]")
        cursor = end
    out.append(text[cursor:])
    return "".join(out)
