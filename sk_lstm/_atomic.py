"""Write a file whole or not at all."""

import os
import secrets
from contextlib import contextmanager


@contextmanager
def atomic_write(path, mode="wb", **kwargs):
    """Yield a file open on ``<path>.<random>.partial``, renamed to ``path`` when
    the block ends without an error (after an fsync), removed when it raises.

    A crash or a full disk while writing leaves an existing file at ``path`` as
    it was; a killed process leaves a ``.partial`` file whose name says which
    file it was becoming, safe to delete. The new file's mode follows the umask,
    as for any file ``open`` creates (``tempfile`` would give 0o600).

    Parameters
    ----------
    path : str or os.PathLike
    mode : {"wb", "w"}, default="wb"
    **kwargs
        Passed on to ``open`` (``encoding``, ``newline``...).
    """
    folder, base = os.path.split(os.path.abspath(path))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temporary = os.path.join(folder, f"{base}.{secrets.token_hex(4)}.partial")
        try:
            handle = os.open(temporary, flags, 0o666)
            break
        except FileExistsError:
            continue
        except OSError as error:
            raise naming(error, path) from None
    try:
        with open(handle, mode, **kwargs) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as error:
        os.unlink(temporary)
        # Writing the file (a full disk, say): name it, not its .partial.
        # Errors that name another file are that file's.
        if error.filename in (None, temporary):
            raise naming(error, path) from None
        raise
    except BaseException:
        os.unlink(temporary)
        raise


def naming(error, path):
    """``error`` (an OSError) as one that names ``path``: "Cannot write PATH:
    [Errno 28] No space left on device"."""
    if error.errno is None:
        return error
    return type(error)(error.errno, f"Cannot write {os.fspath(path)}: {error.strerror}")
