"""The error a command reports as one line, without a traceback."""


class CommandError(Exception):
    """A problem with the user's input, reported as one line without a traceback."""
