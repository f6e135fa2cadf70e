"""
Streaming prediction: sk-lstm predict's memory does not grow with its input
==========================================================================

Fits ``make_lstm_pipeline()`` on some IMDB training reviews and saves it, cuts
the test reviews into sentences, one per line, and runs ``sk-lstm predict
MODEL --file FILE`` on 1,000 lines and on 1,000,000 (the sentences over and
over). Prints each run's peak memory (the process's maximum resident set),
time, lines per second and the time to its first line of output, and checks
that the output has one line per input line, in order.

Run: ``python examples/benchmark_predict_stream.py`` (about 10 minutes on 2 CPU
cores); ``--lines 1000 100000`` for a quicker run.
"""

import argparse
import itertools
import os
import re
import subprocess
import sys
import tempfile
import time

from _common import load_train_test

import sk_lstm
from sk_lstm import make_lstm_pipeline

parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
parser.add_argument("--max-samples", type=int, default=2000, metavar="N")
parser.add_argument("--lines", type=int, nargs="+", default=[1000, 1_000_000])
args = parser.parse_args()

X_train, X_test, y_train, _ = load_train_test(args.max_samples)
sentences = [
    sentence.strip()
    for review in X_test
    for sentence in re.split(r"(?<=[.!?])\s+|<br\s*/?>", review)
    if sentence.strip()
]
with tempfile.TemporaryDirectory() as folder:
    model = os.path.join(folder, "model.sklstm")
    sk_lstm.save(make_lstm_pipeline(random_state=0).fit(X_train, y_train), model)
    print(f"{'lines':>9} {'peak MB':>8} {'seconds':>8} {'lines/s':>8} {'first (s)':>9}")
    for n in args.lines:
        path = os.path.join(folder, "lines.txt")
        with open(path, "w", encoding="utf-8") as file:
            for sentence in itertools.islice(itertools.cycle(sentences), n):
                file.write(sentence + "\n")
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "sk_lstm", "predict", model, "--file", path],
            stdout=subprocess.PIPE,
            text=True,
        )
        first = process.stdout.readline()
        first_s = time.perf_counter() - start
        # The third column is the text (abridged past 70 characters): in order?
        expected = itertools.islice(itertools.cycle(sentences), n)
        outputs = itertools.chain([first], process.stdout)
        count = 0
        for line, sentence in itertools.zip_longest(outputs, expected):
            shown = line.rstrip("\n").split("\t")[2]
            whole = " ".join(sentence.split())
            assert whole.startswith(shown.removesuffix("...")), (count, shown)
            count += 1
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        assert process.returncode == 0 and count == n, (process.returncode, count)
        peak = usage.ru_maxrss / 1024  # kB on Linux
        rate = n / seconds
        print(f"{n:>9,} {peak:>8.0f} {seconds:>8.1f} {rate:>8,.0f} {first_s:>9.1f}")
