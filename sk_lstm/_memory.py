"""How much memory a model may take: checked before it is built."""

import os
from contextlib import contextmanager
from contextvars import ContextVar

# Each trained float32 weight, its gradient and Adam's two slots; a fixed one.
BYTES_PER_WEIGHT, BYTES_PER_FIXED_WEIGHT = 16, 4
_CHECKING = ContextVar("sk_lstm_memory_check", default=True)


@contextmanager
def memory_check_off():
    """Build models without `check_model_memory` (to load one for predicting)."""
    token = _CHECKING.set(False)
    try:
        yield
    finally:
        _CHECKING.reset(token)


def available_memory():
    """Bytes of memory this process may still take, or None where unknown.

    The smaller of the system's available memory (``MemAvailable`` of
    ``/proc/meminfo``) and what a cgroup (v2) limit leaves; elsewhere the
    physical memory.
    """
    limits = []
    try:
        with open("/proc/meminfo") as file:
            for line in file:
                if line.startswith("MemAvailable:"):
                    limits.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:
        with open("/sys/fs/cgroup/memory.max") as file:
            limit = file.read().strip()
        with open("/sys/fs/cgroup/memory.current") as file:
            used = int(file.read().strip())
        with open("/sys/fs/cgroup/memory.stat") as file:
            stats = dict(line.split() for line in file if line.count(" ") == 1)
        used -= int(stats.get("inactive_file", 0))  # page cache it can drop
        if limit.isdigit():
            limits.append(int(limit) - used)
    except (OSError, ValueError):
        pass
    if not limits:
        try:
            limits.append(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (AttributeError, OSError, ValueError):
            return None
    return max(min(limits), 0)


def check_model_memory(weights, rows, columns, fixed=0, available=None):
    """Refuse a model whose training would not fit in memory, saying what to lower.

    Parameters
    ----------
    weights : int
        The model's weights, ``fixed`` of them not trained.
    rows, columns : int
        The shape of its bag of n-grams (0 rows without one).
    fixed : int, default=0
        Weights that are not trained (the bag's prior).
    available : int or None, default=None
        Bytes available; None asks `available_memory`.

    Raises
    ------
    MemoryError
        If the trained weights at ``BYTES_PER_WEIGHT`` and the fixed ones at
        ``BYTES_PER_FIXED_WEIGHT`` take more than is available.
    """
    if not _CHECKING.get():
        return
    need = BYTES_PER_WEIGHT * (weights - fixed) + BYTES_PER_FIXED_WEIGHT * fixed
    available = available_memory() if available is None else available
    if available is None or need <= available:
        return
    bag = (
        f" Its bag of n-grams alone holds {rows:,} rows x {columns:,} columns: "
        "lower bag_buckets or bag_dim (or set bag_ngrams=0)."
        if rows
        else ""
    )
    raise MemoryError(
        f"The model would hold {weights:,} weights, which with their gradients "
        f"and the optimizer's slots need about {need / 2**30:.1f} GiB, but "
        f"only {available / 2**30:.1f} GiB of memory are available.{bag} A "
        "smaller vocabulary (num_words, vocab_size) or embedding_dim helps too."
    )
