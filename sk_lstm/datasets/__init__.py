"""Datasets for sk_lstm: loaders that return scikit-learn style Bunch objects."""

from ._imdb import load_imdb

__all__ = ["load_imdb"]
