"""The ``sk-lstm`` command line: train, search, evaluate, predict, explain, export.

`main` parses the arguments (`._parser`) and runs the command's module, which
imports what it needs (TensorFlow included) only then.
"""

import importlib
import os
import sys

from ._errors import CommandError
from ._parser import build_parser, given_hyperparameters, recipe_params
from ._quiet import quiet_tensorflow

__all__ = ["CommandError", "build_parser", "given_hyperparameters", "main",
           "recipe_params"]  # fmt: skip


def main(argv=None):
    """Run ``sk-lstm``; return the exit status (1 with a one-line error)."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if args.command in ("predict", "explain"):
        # Texts may follow options (predict MODEL --json TEXT...), which argparse
        # leaves over as unknown; anything that looks like an option still is.
        args.texts += [text for text in extra if not text.startswith("-")]
        extra = [text for text in extra if text.startswith("-")]
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        with quiet_tensorflow(enabled=not args.tensorflow_logs):
            command = importlib.import_module(f"._{args.handler}", __name__)
            return command.run(args)
    except BrokenPipeError:  # `sk-lstm predict ... | head`: the reader is gone
        # Python would complain flushing stdout at exit: point it at nothing.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # as a process that SIGPIPE ended
    except (CommandError, OSError, ValueError) as error:
        message = " ".join(str(error).split())
        print(f"sk-lstm {args.command}: error: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"sk-lstm {args.command}: interrupted", file=sys.stderr)
        return 130
