"""A Keras model's weights as bytes, and read back into a model built here.

The `.keras` files of this package are only ever read for their weights, into
a model that this package's own factory built from saved parameters: the
architecture in the file is not deserialized, so it cannot run code.
"""

import os
import tempfile
import warnings
import zipfile

import h5py
import numpy as np

WEIGHTS_MEMBER = "model.weights.h5"  # in a .keras file
#: The most weights a loaded model may hold (float32: 8 GiB).
MAX_WEIGHTS = 2**31
#: The longest sequences a loaded sequencer or classifier may read.
MAX_SEQUENCE_LENGTH = 2**20
#: The most classes a loaded classifier may have.
MAX_CLASSES = 2**16


def check_model_size(length, vocab_size, n_classes, weights):
    """Refuse to build, for a file, a model larger than any this package makes.

    Raises
    ------
    ValueError
        Naming the sequence length, embedding, classes or weights out of bounds.
    """
    if not 2 <= n_classes <= MAX_CLASSES:
        raise ValueError(f"{n_classes} classes: expected 2 to {MAX_CLASSES:,}")
    if not 1 <= length <= MAX_SEQUENCE_LENGTH or vocab_size < 2:
        raise ValueError(
            f"sequences of {length} (1 to {MAX_SEQUENCE_LENGTH:,} allowed) over "
            f"{vocab_size} indices (at least 2)"
        )
    if weights > MAX_WEIGHTS:
        raise ValueError(
            f"the model would hold {weights:,} weights, more than the "
            f"{MAX_WEIGHTS:,} allowed"
        )


def model_bytes(model):
    """The ``.keras`` file of ``model`` (weights and optimizer slots), as uint8."""
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "model.keras")
        model.save(path)
        with open(path, "rb") as file:
            return np.frombuffer(file.read(), dtype=np.uint8)


def file_limit(weights):
    """The most bytes a ``.keras`` file of a model of ``weights`` may hold:
    float32 weights, the optimizer's two slots each, and room for the rest."""
    return 16 * weights + 2**26


def read_weights(model, keras_file, limit, what=None):
    """Load the weights of a ``.keras`` file into ``model``, built to match.

    Parameters
    ----------
    model : keras.Model
        Built by this package's factory. The file's optimizer slots are read
        where its optimizer is built, else skipped.
    keras_file : str or bytes-like
        Path of the file, or its bytes.
    limit : int
        The most bytes the weights may take.
    what : str, optional
        The file, as the error names it.

    Raises
    ------
    ValueError
        If the file is damaged, declares more than ``limit`` bytes, or holds
        weights of another model.
    """
    with tempfile.TemporaryDirectory() as scratch:
        if not isinstance(keras_file, (str, os.PathLike)):
            path = os.path.join(scratch, "model.keras")
            with open(path, "wb") as file:
                file.write(memoryview(keras_file))
            keras_file = path
        try:
            check_weights_file(keras_file, limit)
            with warnings.catch_warnings():
                # An unbuilt optimizer starts afresh (its saved slots are not
                # wanted); weights of another model are refused, not warned about.
                for skipped in ("variable loading for optimizer", "nested container"):
                    warnings.filterwarnings("ignore", f"Skipping {skipped}")
                model.load_weights(keras_file)
        except Exception as error:  # h5py and Keras raise many kinds for a bad file
            raise ValueError(
                f"{what or 'the weights'} are damaged or do not fit the model its "
                f"parameters describe ({type(error).__name__}: {str(error)[:300]})"
            ) from None


def check_weights_file(path, limit):
    """Refuse a ``.keras`` file whose weights would take more than limit bytes.

    Keras writes its members uncompressed and reads them whole, so compressed
    members (and HDF5 datasets declaring more than the model can hold) are
    refused before Keras reads them.
    """
    with zipfile.ZipFile(path) as inner:
        for info in inner.infolist():
            if info.compress_type != zipfile.ZIP_STORED or info.file_size > limit:
                raise ValueError(f"unexpected member {info.filename!r}")
        with inner.open(WEIGHTS_MEMBER) as raw, h5py.File(raw, "r") as weights:
            # (h5py's visitors must not raise: collect, then judge.)
            links, items = [], []
            weights.visititems_links(lambda name, link: links.append((name, link)))
            # Each object once, however many links reach it.
            weights.visititems(lambda name, item: items.append(item))
            for name, link in links:
                if not isinstance(link, h5py.HardLink):
                    raise ValueError(f"the HDF5 link {name!r} is not a hard link")
            datasets = [item for item in items if isinstance(item, h5py.Dataset)]
            for dataset in datasets:
                if dataset.external or dataset.is_virtual:
                    raise ValueError(f"the HDF5 dataset {dataset.name!r} is elsewhere")
            size = sum(dataset.size * dataset.dtype.itemsize for dataset in datasets)
    if size > limit:
        raise ValueError(f"its datasets declare {size:,} bytes")
