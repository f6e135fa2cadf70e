"""``sk-lstm explain``: why a saved model labels texts as it does."""

import json
import os
import sys

from .._atomic import atomic_write
from ._errors import CommandError
from ._files import load_model
from ._predict import check_text_source, read_texts


def run(args):
    """Run ``sk-lstm explain`` with the parsed ``args``; return the exit status."""
    if args.top < 1:
        raise CommandError(f"--top must be at least 1, got {args.top}.")
    if args.html is not None:
        folder = os.path.dirname(os.path.abspath(args.html))
        if not os.path.isdir(folder):
            raise FileNotFoundError(f"Cannot write {args.html}: no folder {folder}.")
    check_text_source(args)
    model = load_model(args.model)
    texts = read_texts(args)

    from .._explain import explain
    from .._render import column_of, render_html, render_text

    try:
        explanations = explain(model, texts, classes="predicted")
    except TypeError as error:  # a file that holds a classifier alone
        raise CommandError(f"Cannot explain {args.model}: {error}") from None
    if args.html is not None:
        page = render_html(explanations)
        with atomic_write(args.html, "w", encoding="utf-8") as file:
            file.write(page)
    colour = _colour_wanted()
    for explanation in explanations:
        if args.json:
            print(json.dumps(explanation.to_dict(), ensure_ascii=False))
            continue
        column = column_of(explanation)
        print(
            f"{explanation.label}\t{explanation.probability:.4f}\t"
            f"(logit {explanation.logit[column]:+.3f} of "
            f"{explanation.classes[column]})"
        )
        print(f"  {render_text(explanation, top=args.top, colour=colour)}")
    if args.html is not None:
        print(f"Wrote {args.html}", file=sys.stderr)
    return 0


def _colour_wanted():
    """Colours on a terminal, unless NO_COLOR is set or the terminal is dumb."""
    return (
        sys.stdout.isatty()
        and "NO_COLOR" not in os.environ
        and os.environ.get("TERM") != "dumb"
    )
