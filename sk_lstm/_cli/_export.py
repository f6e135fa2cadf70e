"""``sk-lstm export``: a saved model as a TensorFlow SavedModel."""

from .. import _export
from ._files import load_model


def run(args):
    """Run ``sk-lstm export`` with the parsed ``args``; return the exit status."""
    model = load_model(args.model)
    try:
        _export.export(model, args.path)
    except TypeError as error:  # not a pipeline of text: a one-line error too
        raise ValueError(str(error)) from None
    print(f"Exported {args.model} to {args.path} (serving signature: serving_default)")
    return 0
