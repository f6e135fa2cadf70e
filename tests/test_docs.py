"""The documentation: every public name has an API page, and Sphinx builds
the guide and the reference with warnings as errors."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

import sk_lstm
import sk_lstm.datasets

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
