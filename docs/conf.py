"""Sphinx configuration: the user guide (Markdown) and the API reference."""

import sk_lstm

project = "sk_lstm"
author = "the sk_lstm developers"
copyright = "2026, the sk_lstm developers"  # noqa: A001 (Sphinx's name)
release = version = sk_lstm.__version__

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
autosummary_generate = True
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
myst_heading_anchors = 3
html_theme = "alabaster"
html_static_path = []
