"""A full disk: every file sk_lstm writes fails with one error naming the file
and the cause, leaves the previous file as it was and no partial file behind.

The disk is a small tmpfs mounted for the test (it needs the right to mount, as
root in a container has; skipped otherwise).
"""

import errno
import os
import subprocess
import uuid

import numpy as np
import pytest

import sk_lstm
from sk_lstm import explain, make_lstm_pipeline, render_html
from sk_lstm._atomic import atomic_write

from .conftest import TINY, make_reviews, run_cli


@pytest.fixture
def disk(tmp_path):
    """A 2 MiB filesystem, and a function that fills it up."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")

    def fill():
        try:
            with open(mount / f"filler-{uuid.uuid4().hex}", "wb") as file:
                while True:
                    file.write(b"\0" * 4096)
                    file.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC

    try:
        yield mount, fill
    finally:
        subprocess.run(["umount", str(mount)], check=False)


@pytest.fixture(scope="module")
def pipe():
    texts, labels = make_reviews(60)
    return make_lstm_pipeline(**TINY).fit(texts, labels)


def files(folder):
    return sorted(name for name in os.listdir(folder) if not name.startswith("filler"))


def test_save_on_a_full_disk_keeps_the_previous_file(disk, pipe):
    mount, fill = disk
    path = mount / "model.sklstm"
    sk_lstm.save(pipe, path)
    before = path.read_bytes()
    fill()
    with pytest.raises(OSError, match=f"Cannot write {path}: No space left on device"):
        sk_lstm.save(pipe, path)
    assert path.read_bytes() == before and files(mount) == ["model.sklstm"]
    texts = ["a good film"]
    loaded = sk_lstm.load(path).predict_proba(texts)
    np.testing.assert_array_equal(loaded, pipe.predict_proba(texts))


def test_a_page_or_any_file_written_whole_or_not_at_all(disk, pipe):
    mount, fill = disk
    page = mount / "why.html"
    page.write_text("the page before")
    fill()
    with pytest.raises(OSError, match="No space left on device"):
        with atomic_write(page, "w", encoding="utf-8") as file:
            file.write(render_html(explain(pipe, ["a good film"] * 200)))
    assert page.read_text() == "the page before" and files(mount) == ["why.html"]


@pytest.mark.slow
def test_export_on_a_full_disk_leaves_nothing(disk, pipe):
    mount, fill = disk
    fill()
    path = mount / "models" / "1"
    with pytest.raises(OSError, match=f"Cannot write {path}.*No space left"):
        sk_lstm.export(pipe, path)
    assert files(mount) == []


@pytest.mark.slow
def test_train_and_search_outputs_on_a_full_disk(disk, tmp_path):
    mount, fill = disk
    texts, labels = make_reviews(60)
    data = tmp_path / "reviews.csv"
    rows = [f"{t},{y}" for t, y in zip(texts, labels, strict=True)]
    data.write_text("\n".join(["text,label", *rows, ""]))
    model = mount / "model.joblib"
    model.write_bytes(b"the model before")
    fill()
    options = ["--data", str(data), "--epochs", "1", "--units", "4",
               "--embedding-dim", "4", "--bag-buckets", "1021"]  # fmt: skip
    done = run_cli("train", *options, "--output", str(model))
    assert done.returncode == 1
    (line,) = [x for x in done.stderr.splitlines() if x.startswith("sk-lstm")]
    assert "No space left on device" in line and str(mount) in line
    assert model.read_bytes() == b"the model before"
    assert files(mount) == ["model.joblib"]
    results = mount / "results.csv"
    best = tmp_path / "best.joblib"
    done = run_cli("search", *options, "--cv", "2", "--dropout", "0", "0.5",
                   "--results", str(results), "--output", str(best))  # fmt: skip
    assert done.returncode == 1
    (line,) = [x for x in done.stderr.splitlines() if x.startswith("sk-lstm")]
    assert "No space left on device" in line and str(mount) in line
    assert files(mount) == ["model.joblib"]
