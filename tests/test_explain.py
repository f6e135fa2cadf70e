"""sk_lstm.explain, top_ngrams and the explanation page: exact, complete, safe."""

import json
import os
import re
import shutil
import subprocess

import joblib
import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline

import sk_lstm
from sk_lstm import TextSequencer, explain, make_lstm_pipeline, render_html, top_ngrams
from sk_lstm._render import render_text

from .conftest import TINY, check_exact, make_reviews, run_cli

AWKWARD = [
    "",
    "!!! ...",
    "GOOD good Good, not bad. zzzunknown qqqunseen",
    "İstanbul was good",  # "İ" lowercases to two characters
    " ".join(["good"] * 40 + ["bad"] * 3),  # beyond maxlen=30
    "a " * 5 + "film",
]


def made_up(n_classes, n=240, seed=0):
    """Texts whose class shows in a few words (class c: cue words 'cueC_k')."""
    rng = np.random.default_rng(seed)
    filler = ["the", "film", "a", "plot", "and", "it", "was", "good", "bad"]
    texts, labels = [], []
    for i in range(n):
        c = i % n_classes
        words = list(rng.choice(filler, rng.integers(3, 10)))
        words += [f"cue{c}_{k}" for k in rng.integers(0, 3, size=2)]
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append(f"c{c}")
    return texts, np.array(labels)


def fitted(n_classes=2, **params):
    texts, labels = made_up(n_classes)
    pipe = make_lstm_pipeline(**{**TINY, "maxlen": 30, **params})
    return pipe.fit(texts, labels), texts


@pytest.mark.parametrize(
    "n_classes, params",
    [
        (2, {}),
        (3, {}),
        (2, {"bag_binary": False}),
        (3, {"bag_ngrams": 0}),
        (4, {"bag_dim": 2}),  # the bag's columns projected to the classes
    ],
    ids=["binary", "three classes", "counted n-grams", "no bag", "projected bag"],
)
def test_parts_add_up_to_the_models_logits(n_classes, params):
    pipe, texts = fitted(n_classes, **params)
    every = texts[:40] + AWKWARD
    explanations = explain(pipe, every)
    check_exact(pipe, every, explanations)
    outputs = 1 if n_classes == 2 else n_classes
    assert all(len(e.logit) == outputs for e in explanations)
    if params.get("bag_ngrams") == 0:
        assert all(not e.bag.any() and not e.ngrams for e in explanations)


@pytest.mark.slow
@pytest.mark.parametrize(
    "params",
    [
        {"pooling": "last", "bidirectional": True},
        {"pooling": "last", "bidirectional": True, "mask_zero": True},
        {"pooling": "mean"},
        {"pooling": "mean", "mask_zero": True},
        {"pooling": "max", "mask_zero": True},
        {"length_bucketing": False},
        {"ngram_range": (1, 2), "padding": "post", "truncating": "post"},
    ],
)
def test_parts_add_up_for_every_architecture(params):
    pipe, texts = fitted(3, **params)
    every = texts[:30] + AWKWARD
    check_exact(pipe, every, explain(pipe, every))


def test_tokens_spans_and_truncation():
    pipe, _ = fitted()
    empty, marks, mixed, istanbul, long, _ = explain(pipe, AWKWARD)
    assert empty.tokens == [] and marks.tokens == [] and empty.dropped == 0
    assert empty.bag.shape == (0, 1)
    assert mixed.tokens[:4] == ["good", "good", "good", "not"]
    assert [mixed.text[a:b] for a, b in mixed.spans[:3]] == ["GOOD", "good", "Good"]
    # Out-of-vocabulary words are read (as the unknown word) and explained.
    assert mixed.tokens[-2:] == ["zzzunknown", "qqqunseen"]
    assert [istanbul.text[a:b] for a, b in istanbul.spans][-2:] == ["was", "good"]
    # maxlen=30 keeps the last 30 tokens ("pre" truncating): 27 "good", 3 "bad".
    assert long.dropped == 13 and len(long.tokens) == 30
    assert long.tokens[-3:] == ["bad"] * 3 and long.spans[0] == (13 * 5, 13 * 5 + 4)


def test_hashed_collisions_are_explained_as_the_model_counts_them():
    # 3 rows for every n-gram of 2 and 3 words: many share a row.
    pipe, texts = fitted(bag_buckets=3)
    explanations = explain(pipe, texts[:20])
    check_exact(pipe, texts[:20], explanations)
    bag = pipe[-1].model_.get_layer("ngram_bag")
    ids, valid = (np.asarray(a) for a in bag.ngram_ids(pipe[0].transform(texts[:20])))
    hashed = ids[valid][ids[valid] >= bag.vocab_size]
    assert len(np.unique(hashed)) < len(hashed)  # the collisions the test is about


def test_predicted_and_chosen_classes():
    pipe, texts = fitted(3)
    every = explain(pipe, texts[:10])
    best = explain(pipe, texts[:10], classes="predicted")
    chosen = explain(pipe, texts[:10], classes=["c2", "c0"])
    for e, b, c in zip(every, best, chosen, strict=True):
        k = list(pipe.classes_).index(e.label)
        assert list(b.classes) == [e.label]
        np.testing.assert_allclose(b.logit, e.logit[[k]], atol=1e-6)
        np.testing.assert_allclose(b.bag[:, 0], e.bag[:, k], atol=1e-6)
        np.testing.assert_allclose(c.lstm, e.lstm[:, [2, 0]], atol=1e-6)
        assert list(c.classes) == ["c2", "c0"]


def test_explaining_changes_nothing_and_is_reproducible():
    pipe, texts = fitted()
    before = pipe.predict_proba(texts[:20])
    params = repr(pipe.get_params())
    state = {k: repr(v) for k, v in vars(pipe[-1]).items() if k != "model_"}
    weights = [w.copy() for w in pipe[-1].model_.get_weights()]
    first = explain(pipe, texts[:20], batch_size=3)
    second = explain(pipe, texts[:20])
    np.testing.assert_array_equal(pipe.predict_proba(texts[:20]), before)
    assert repr(pipe.get_params()) == params
    assert {k: repr(v) for k, v in vars(pipe[-1]).items() if k != "model_"} == state
    for old, new in zip(weights, pipe[-1].model_.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)
    for a, b in zip(first, second, strict=True):  # batches of 3, then of 512
        np.testing.assert_allclose(a.logit, b.logit, atol=1e-6)
        np.testing.assert_allclose(a.bag, b.bag, atol=1e-6)
        np.testing.assert_allclose(a.lstm, b.lstm, atol=1e-6)
        assert (a.tokens, a.spans, a.ngrams) == (b.tokens, b.spans, b.ngrams)
    json.dumps(first[0].to_dict())  # plain values only


def test_bad_input_gets_one_clear_error():
    pipe, texts = fitted()
    with pytest.raises(TypeError, match="pipeline of a TextSequencer and an LSTM"):
        explain(pipe[-1], texts)
    with pytest.raises(TypeError, match="TextSequencer"):
        explain(make_pipeline(TextSequencer()), texts)
    with pytest.raises(NotFittedError):
        explain(make_lstm_pipeline(), texts)
    with pytest.raises(ValueError, match="one logit"):
        explain(pipe, texts, classes=["c0"])
    with pytest.raises(ValueError, match="batch_size"):
        explain(pipe, texts, batch_size=0)
    with pytest.raises(ValueError, match="one-dimensional|texts"):
        explain(pipe, [[1, 2], [3, 4]])
    three, _ = fitted(3)
    with pytest.raises(ValueError, match="labels among"):
        explain(three, texts, classes=["nope"])
    with pytest.raises(ValueError, match="k must be"):
        top_ngrams(pipe, 0)
    with pytest.raises(ValueError, match="no bag"):
        top_ngrams(fitted(bag_ngrams=0)[0])


def test_top_ngrams_names_the_cues_of_each_class():
    pipe, texts = fitted(3, epochs=20)
    top = top_ngrams(pipe, 3)
    assert list(top) == ["c0", "c1", "c2"]
    for label, ngrams in top.items():
        assert len(ngrams) == 3
        words = [w for w, _ in ngrams]
        assert all(w.startswith(f"cue{label[1]}_") for w in words), (label, words)
        weights = [w for _, w in ngrams]
        assert weights == sorted(weights, reverse=True)
    # With texts, hashed n-grams are named, or their row's n-grams counted.
    named = top_ngrams(pipe, 200, texts)
    assert any(" " in w for ngrams in named.values() for w, _ in ngrams)
    phrases = {w.split(" (+")[0] for ngrams in named.values() for w, _ in ngrams}
    assert all(w in " ".join(texts) for w in phrases)


def test_top_ngrams_of_two_classes_point_both_ways():
    texts, labels = make_reviews(200)
    pipe = make_lstm_pipeline(**TINY).fit(texts, labels)
    top = top_ngrams(pipe, 3)
    assert len(top["pos"]) == len(top["neg"]) == 3
    assert {w for w, _ in top["pos"]} <= {"good", "great", "superb", "loved",
                                          "wonderful", "fine"}  # fmt: skip
    assert {w for w, _ in top["neg"]} <= {"bad", "awful", "boring", "hated",
                                          "terrible", "dull"}  # fmt: skip


def test_page_is_self_contained_and_escapes_the_text():
    pipe, _ = fitted()
    (e,) = explain(pipe, ["good <script>alert(1)</script> & bad"])
    page = render_html([e])
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "http" not in page and "src=" not in page
    assert e.tokens == ["good", "alert", "1", "bad"]  # tags read as space
    assert page.count("<mark") == 4 and "probability" in page


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    texts, labels = make_reviews(200)
    path = tmp_path_factory.mktemp("model") / "reviews.sklstm"
    sk_lstm.save(make_lstm_pipeline(**TINY).fit(texts, labels), path)
    return path


@pytest.mark.slow
def test_cli_marks_json_and_page(saved, tmp_path):
    page = tmp_path / "why.html"
    result = run_cli(
        "explain", str(saved), "a good film", "a dull plot", "--html", str(page)
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("pos\t") and lines[2].startswith("neg\t")
    assert "[+good]" in lines[1] and "[-dull]" in lines[3]
    assert "\033[" not in result.stdout  # no colours off a terminal
    assert "<mark" in page.read_text() and "error" not in result.stderr
    result = run_cli("explain", str(saved), "--json", input="a good film\n\n")
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    parts = record["bias"][0] + record["lstm_padding"][0]
    parts += sum(t["bag"][0] + t["lstm"][0] for t in record["tokens"])
    assert parts == pytest.approx(record["logit"][0], abs=1e-5)
    assert [t["span"] for t in record["tokens"]] == [[0, 1], [2, 6], [7, 11]]


@pytest.mark.slow
def test_cli_refuses_bad_options_without_writing(saved, tmp_path):
    result = run_cli("explain", str(saved), "text", "--top", "0")
    assert result.returncode == 1 and "--top must be at least 1" in result.stderr
    missing = tmp_path / "no" / "page.html"
    result = run_cli("explain", str(saved), "text", "--html", str(missing))
    assert result.returncode == 1 and "no folder" in result.stderr
    result = run_cli("explain", str(tmp_path / "none.sklstm"), "text")
    assert result.returncode == 1 and "No model at" in result.stderr
    assert os.listdir(tmp_path) == []


def browser():
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
@pytest.mark.skipif(browser() is None, reason="no chromium browser installed")
def test_page_in_a_browser_shows_positive_words_green_negative_red(tmp_path):
    image = pytest.importorskip("matplotlib.image")
    texts, labels = make_reviews(200)
    pipe = make_lstm_pipeline(**TINY).fit(texts, labels)

    def pixels(text):
        page = tmp_path / "page.html"
        # The legend's swatches are green and red on every page: leave them out.
        html = render_html(explain(pipe, [text])).replace('class="legend"', "hidden")
        page.write_text(html, encoding="utf-8")
        shot = tmp_path / "page.png"
        subprocess.run(
            [browser(), "--headless", "--no-sandbox", "--disable-gpu",
             "--hide-scrollbars", "--window-size=800,400",
             f"--screenshot={shot}", page.as_uri()],
            capture_output=True, timeout=120, check=True,
        )  # fmt: skip
        rgb = image.imread(shot)[..., :3]
        red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
        greenish = (green - np.maximum(red, blue) > 0.15).sum()
        reddish = (red - np.maximum(green, blue) > 0.15).sum()
        return greenish, reddish

    green, red = pixels("wonderful superb great loved")
    assert green > 500 and red < green / 20
    green, red = pixels("terrible awful boring hated")
    assert red > 500 and green < red / 20


def test_terminal_marks_the_strongest_words():
    texts, labels = make_reviews(200)
    pipe = make_lstm_pipeline(**TINY).fit(texts, labels)
    (e,) = explain(pipe, ["The film was wonderful, the plot dull."])
    assert render_text(e, top=2) == "The film was [+wonderful], the plot [-dull]."
    coloured = render_text(e, top=2, colour=True)
    assert "\033[1;32mwonderful\033[0m" in coloured
    assert "\033[1;31mdull\033[0m" in coloured
    assert render_text(e, top=100).count("[") == len(e.tokens)  # every word


def test_fit_names_the_strongest_hashed_rows_and_files_keep_them(tmp_path):
    pipe, texts = fitted(3, epochs=20)
    names = pipe[-1].bag_row_names_
    bag = pipe[-1].model_.get_layer("ngram_bag")
    assert names.shape[1] == 2 + bag.max_n and len(names) > 0
    assert (names[:, 0] >= bag.vocab_size).all() and (names[:, 1] >= 1).all()
    # Without texts, top_ngrams names hashed rows from what fit kept, as the
    # training texts themselves would.
    assert top_ngrams(pipe, 30) == top_ngrams(pipe, 30, texts)
    sk_lstm.save(pipe, tmp_path / "pipe.sklstm")
    loaded = sk_lstm.load(tmp_path / "pipe.sklstm")
    np.testing.assert_array_equal(loaded[-1].bag_row_names_, names)
    assert top_ngrams(loaded, 30) == top_ngrams(pipe, 30)
    assert fitted(bag_ngrams=1)[0][-1].bag_row_names_ is None


def words_and_spans(text):
    return [(m.group(), m.start()) for m in re.finditer(r"\S+", text)]


def test_a_custom_tokenizer_gets_spans_where_it_can():
    texts, labels = make_reviews(100)

    def tokenize(text):  # a generator, and one token not in the text
        yield from text.split()
        yield "<end>"

    pipe = make_lstm_pipeline(**TINY, tokenizer=tokenize).fit(texts, labels)
    (e,) = explain(pipe, ["A GOOD film"])
    assert e.tokens == ["a", "good", "film", "<end>"]
    assert e.spans == [(0, 1), (2, 6), (7, 11), None]
    check_exact(pipe, ["A GOOD film", ""], explain(pipe, ["A GOOD film", ""]))


def test_an_empty_matching_pattern_reads_as_the_sequencer_does():
    texts, labels = make_reviews(100)
    pipe = make_lstm_pipeline(**TINY, token_pattern=r"\w*").fit(texts, labels)
    (e,) = explain(pipe, ["a good film"])
    assert e.tokens == pipe[0].build_analyzer()("a good film")  # with "" tokens
    check_exact(pipe, ["a good film"], [e])


def test_two_classes_have_one_logit_whatever_is_predicted():
    texts, labels = make_reviews(200)
    pipe = make_lstm_pipeline(**TINY).fit(texts, labels)
    for explanations in (
        explain(pipe, ["a dull film", "a great film"]),
        explain(pipe, ["a dull film", "a great film"], classes="predicted"),
    ):
        negative, positive = explanations
        assert (negative.label, positive.label) == ("neg", "pos")
        assert list(negative.classes) == list(positive.classes) == ["pos"]
        assert negative.logit[0] < 0 < positive.logit[0]


def test_parameters_set_after_fit_do_not_change_the_explanation():
    pipe, texts = fitted(3)
    before = explain(pipe, texts[:10])
    proba = pipe.predict_proba(texts[:10])
    pipe.set_params(classifier__pooling="mean", classifier__mask_zero=True)
    np.testing.assert_array_equal(pipe.predict_proba(texts[:10]), proba)
    for a, b in zip(before, explain(pipe, texts[:10]), strict=True):
        np.testing.assert_allclose(a.lstm, b.lstm, atol=1e-6)


def test_top_ngrams_of_an_embedding_larger_than_the_vocabulary():
    texts, labels = make_reviews(200)
    pipe = make_lstm_pipeline(**TINY, vocab_size=1000).fit(texts, labels)
    assert len(top_ngrams(pipe, 3)["pos"]) == 3
    assert len(top_ngrams(pipe, 3, texts)["pos"]) == 3


def test_top_ngrams_warns_when_the_model_kept_no_names():
    texts, labels = make_reviews(200)
    pipe = make_lstm_pipeline(**TINY)
    pipe[-1].partial_fit(pipe[0].fit_transform(texts), labels)
    assert pipe[-1].bag_row_names_ is None
    with pytest.warns(UserWarning, match="keeps no names"):
        words = top_ngrams(pipe, 3)
    assert all(" " not in w for ngrams in words.values() for w, _ in ngrams)
    assert any(" " in w for ngrams in top_ngrams(pipe, 50, texts).values()
               for w, _ in ngrams)  # fmt: skip


@pytest.mark.slow
def test_cli_explains_a_pipeline_only(tmp_path):
    texts, labels = make_reviews(100)
    X = TextSequencer(maxlen=12).fit_transform(texts)
    path = tmp_path / "classifier.joblib"
    joblib.dump(sk_lstm.LSTMClassifier(**TINY).fit(X, labels), path)
    result = run_cli("explain", str(path), "a good film")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "Cannot explain" in result.stderr and "TextSequencer" in result.stderr
