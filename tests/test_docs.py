"""The documentation: every public name has an API page, and Sphinx builds
the guide and the reference with warnings as errors."""

import importlib
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest
from numpydoc.docscrape import ClassDoc, FunctionDoc

import sk_lstm
import sk_lstm.datasets
from sk_lstm import LSTMClassifier, TextSequencer, explain, render_html
from sk_lstm._model import build_lstm_model

DOCS = Path(__file__).resolve().parents[1] / "docs"
PUBLIC = sorted(
    [name for name in sk_lstm.__all__ if name != "__version__"]
    + [f"datasets.{name}" for name in sk_lstm.datasets.__all__]
)


def test_every_public_name_is_in_the_api_reference():
    listed = re.findall(r"^   ([\w.]+)$", (DOCS / "api.rst").read_text(), re.M)
    assert sorted(listed) == PUBLIC


def test_every_guide_page_is_in_the_table_of_contents():
    index = (DOCS / "index.md").read_text()
    pages = {page.stem for page in DOCS.glob("*.md")} - {"index"}
    assert pages | {"api"} == set(re.findall(r"^(\w+)$", index, re.M))


@pytest.mark.slow
def test_the_docs_build_without_warnings(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(tmp_path / "doctrees"), str(DOCS), str(tmp_path / "html")],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    warnings = [
        line
        for line in build.stderr.splitlines()
        if "WARNING" in line or "ERROR" in line
    ]
    assert build.returncode == 0, warnings or build.stderr[-2000:]
    for name in PUBLIC:
        assert (tmp_path / "html" / "generated" / f"sk_lstm.{name}.html").is_file()


@pytest.mark.parametrize(
    "documented",
    [LSTMClassifier, TextSequencer, build_lstm_model, explain, render_html],
    ids=lambda obj: obj.__name__,
)
def test_documented_defaults_are_the_signatures(documented):
    """Each ``default=...`` of a numpydoc Parameters section is the default."""
    doc = (
        ClassDoc(documented) if inspect.isclass(documented) else FunctionDoc(documented)
    )
    signature = inspect.signature(documented)
    names = vars(importlib.import_module(documented.__module__))
    checked = 0
    for parameter in doc["Parameters"]:
        found = re.search(r"default=(.+)$", parameter.type)
        if not found:
            continue
        try:
            value = eval(found.group(1), dict(names))  # "auto", 0.5, NAMES...
        except (NameError, SyntaxError):
            value = found.group(1)
        for name in (n.strip() for n in parameter.name.split(",")):
            assert signature.parameters[name].default == value, name
            checked += 1
    assert checked >= (1 if documented in (explain, render_html) else 8)
