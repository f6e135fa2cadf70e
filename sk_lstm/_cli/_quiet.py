"""Keep TensorFlow's C++ log lines off the terminal of ``sk-lstm``.

TensorFlow 2.21 logs through Abseil before anything can configure it, so
``TF_CPP_MIN_LOG_LEVEL`` no longer silences its start-up lines (oneDNN, CPU
instructions, "failed call to cuInit" where there is no GPU), which read as
failures. While a command runs, the process's standard error (file descriptor
2, where C++ writes) goes through a pipe that drops those lines and passes
everything else on, Python's warnings and tracebacks included.
"""

import contextlib
import os
import re
import sys
import threading

# Abseil's prefix: severity (info, warning, error: not fatal), date, time,
# thread, file:line]; and the two lines that go with TensorFlow's notices.
_TF_LINE = re.compile(
    rb"[IWE]\d{4} [\d:.]+ +\d+ [\w./-]+:\d+\] "
    rb"|WARNING: All log messages before absl::InitializeLog\(\) is called"
    rb"|To enable the following instructions: .*rebuild TensorFlow"
)


_LOG_STARTS = (b"I", b"W", b"E", b"T")


def is_tensorflow_log(line):
    """Whether a line (bytes) of standard error is one of TensorFlow's logs."""
    return _TF_LINE.match(line) is not None


@contextlib.contextmanager
def quiet_tensorflow(enabled=True):
    """Drop TensorFlow's C++ log lines from standard error inside the block.

    Does nothing where ``enabled`` is false, the user set
    ``TF_CPP_MIN_LOG_LEVEL=0`` (all of TensorFlow's logs), or file descriptor 2
    cannot be redirected.
    """
    if not enabled or os.environ.get("TF_CPP_MIN_LOG_LEVEL") == "0":
        yield
        return
    opened = []
    try:
        sys.stderr.flush()
        opened += os.pipe()
        opened.append(os.dup(2))
        os.dup2(opened[1], 2)
    except (OSError, ValueError, AttributeError):  # no real descriptor 2
        for descriptor in opened:
            os.close(descriptor)
        yield
        return
    read, write, terminal = opened
    os.close(write)  # descriptor 2 is the pipe's writer now
    forward = threading.Thread(target=_forward, args=(read, terminal), daemon=True)
    forward.start()
    try:
        yield
    finally:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            sys.stderr.flush()
        os.dup2(terminal, 2)  # the pipe's last writer closes: the thread ends
        forward.join(timeout=5)  # (longer if a child process still holds it)


def _forward(read, terminal):
    """Copy lines from the pipe to the terminal, without TensorFlow's logs."""
    pending = b""
    with open(read, "rb", buffering=0) as pipe:
        while chunk := pipe.read(65536):
            *lines, pending = (pending + chunk).split(b"\n")
            kept = [line + b"\n" for line in lines if not is_tensorflow_log(line)]
            if pending and not pending.startswith(_LOG_STARTS):
                kept.append(pending)  # a line in the making, such as a prompt
                pending = b""
            _write(terminal, b"".join(kept))
    if pending and not is_tensorflow_log(pending):
        _write(terminal, pending)
    with contextlib.suppress(OSError):
        os.close(terminal)


def _write(fd, data):
    with contextlib.suppress(OSError):
        while data:
            data = data[os.write(fd, data) :]
