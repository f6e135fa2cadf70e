"""How much memory a model may take: checked before it is built."""

import os

# Each float32 weight, its gradient and Adam's two slots.
BYTES_PER_WEIGHT = 16


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


def check_model_memory(weights, rows, columns, available=None):
    """Refuse a model whose training would not fit in memory, saying what to lower.

    Parameters
    ----------
    weights : int
        The model's weights.
    rows, columns : int
        The shape of its bag of n-grams (0 rows without one).
    available : int or None, default=None
        Bytes available; None asks `available_memory`.

    Raises
    ------
    MemoryError
        If ``BYTES_PER_WEIGHT * weights`` is more than is available.
    """
    need = BYTES_PER_WEIGHT * weights
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
        f"and the optimizer's slots need at least {need / 2**30:.1f} GiB, but "
        f"only {available / 2**30:.1f} GiB of memory are available.{bag} A "
        "smaller vocabulary (num_words, vocab_size) or embedding_dim helps too."
    )
