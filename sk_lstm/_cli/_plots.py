"""The plots of the commands, drawn with matplotlib when it is installed.

Figures are drawn on `matplotlib.figure.Figure` and saved through its Agg canvas,
never through pyplot: no GUI backend is chosen, no global state is touched.
Each function returns False, and draws nothing, when matplotlib is missing.
"""

import os

import numpy as np

from .._atomic import atomic_write

MISSING = 'No plot: matplotlib is not installed (pip install "sk_lstm[plot]").'


def _figure_class():
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return None
    return Figure


def learning_curves(history, path):
    """Plot each metric of a Keras history per epoch, train and validation.

    Parameters
    ----------
    history : dict of str to list of float
        ``loss``, ``accuracy``... and optionally ``val_loss``, ``val_accuracy``...
    path : str
        The PNG file to write.

    Returns
    -------
    written : bool
        False if matplotlib is missing.
    """
    Figure = _figure_class()
    if Figure is None:
        return False
    from matplotlib.ticker import MaxNLocator

    metrics = sorted(
        (k for k in history if not k.startswith("val_")), key=lambda k: k != "loss"
    )
    figure = Figure(figsize=(5 * len(metrics), 4), layout="constrained")
    axes = figure.subplots(1, len(metrics), squeeze=False)[0]
    for ax, metric in zip(axes, metrics, strict=True):
        epochs = np.arange(1, len(history[metric]) + 1)
        ax.plot(epochs, history[metric], marker="o", label="train")
        if f"val_{metric}" in history:
            ax.plot(
                epochs, history[f"val_{metric}"], "--", marker="s", label="validation"
            )
        name = metric.replace("_", " ")
        ax.set(title=name.capitalize(), xlabel="epoch", ylabel=name)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend()
    figure.suptitle("Learning curves")
    _save(figure, path)
    return True


def score_heatmap(scores, x_name, x_values, y_name, y_values, title, path):
    """Plot a table of scores (``y_values`` rows by ``x_values`` columns).

    Returns
    -------
    written : bool
        False if matplotlib is missing.
    """
    Figure = _figure_class()
    if Figure is None:
        return False
    texts = [["" if np.isnan(s) else f"{s:.3f}" for s in row] for row in scores]
    figure = Figure(
        figsize=(3 + 1.2 * len(x_values), 2 + 0.7 * len(y_values)),
        layout="constrained",
    )
    ax = figure.subplots()
    _annotated_heatmap(ax, scores, texts, "viridis", "mean validation accuracy")
    ax.set_xticks(range(len(x_values)), labels=[str(v) for v in x_values])
    if y_name:
        ax.set_yticks(range(len(y_values)), labels=[str(v) for v in y_values])
    else:
        ax.set_yticks([])
    ax.set(xlabel=x_name, ylabel=y_name, title=title)
    _save(figure, path)
    return True


def confusion_matrix(matrix, labels, path, title):
    """Plot a confusion matrix: counts, and the share of each true label.

    Returns
    -------
    written : bool
        False if matplotlib is missing.
    """
    Figure = _figure_class()
    if Figure is None:
        return False
    totals = np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    shares = matrix / totals
    texts = [
        [f"{count:,}\n{share:.1%}" for count, share in zip(*row, strict=True)]
        for row in zip(matrix, shares, strict=True)
    ]
    size = 3 + 0.8 * len(labels)
    figure = Figure(figsize=(size + 1, size), layout="constrained")
    ax = figure.subplots()
    _annotated_heatmap(
        ax, shares, texts, "Blues", "share of the true label", vmin=0, vmax=1
    )
    ticks = range(len(labels))
    ax.set_xticks(ticks, labels=[str(label) for label in labels])
    ax.set_yticks(ticks, labels=[str(label) for label in labels])
    ax.set(xlabel="predicted label", ylabel="true label", title=title)
    _save(figure, path)
    return True


def _annotated_heatmap(ax, values, texts, cmap, colorbar_label, **limits):
    """Colour cells by ``values``; write ``texts`` on them in a readable colour."""
    image = ax.imshow(values, cmap=cmap, aspect="auto", **limits)
    for (row, column), value in np.ndenumerate(values):
        red, green, blue, _ = image.cmap(image.norm(value))
        dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
        ax.text(
            column,
            row,
            texts[row][column],
            ha="center",
            va="center",
            color="white" if dark else "black",
        )
    ax.figure.colorbar(image, ax=ax, label=colorbar_label)


def _save(figure, path):
    """Save ``figure`` whole or not at all, in the format its suffix names."""
    kind = os.path.splitext(path)[1][1:].lower() or "png"
    with atomic_write(path) as file:
        figure.savefig(file, format=kind, dpi=120)
