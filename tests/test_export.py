"""sk_lstm.export: a SavedModel that reads raw strings exactly as the pipeline does."""

import copy
import json
import os
import re
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import sk_lstm
from sk_lstm import LSTMClassifier, TextSequencer, export, make_lstm_pipeline
from sk_lstm._cli import main
from sk_lstm._export import _label_tensor, _TextStep
from sk_lstm._lower import PythonLower
from sk_lstm._tokens import LEGACY_TOKEN_PATTERN

from .conftest import TINY, make_reviews

AWKWARD = [
    "",
    " \t\n ",
    "Café, NAÏVE, Ærøskøbing; e\u0301 (a combining accent) good",
    "映画はとても良かった。最高！ great",
    "Loved it 😀👍🏽 ❤️ superb",
    "הסרט היה נהדר bad",
    "الفيلم كان رائعا awful",
    "zero\u200bwidth\u200cjoiners\u200d good\ufeffBOM",
    "<br /><i>Great</i> acting<br/>but <a href='x'>awful</a> plot",
    "ΟΔΟΣ ΣΑΣ İSTANBUL ǅemal ẞ \u2c2f\ua7c0 K",
    "nul\x00GOOD\x00\x00inside",
    "don't 'quoted' rock'n'roll ''x'' y' _under_score_ 3.14 ٣",
    "good film " * 100,
    "a dull film " * 80_000,  # about 1 MB
]
# Every script the default tokens read in their own way, and mixtures.
SCRIPTS = [
    "आधुनिक भारत अच्छा है",  # Devanagari: vowel signs and virama are marks
    "সিনেমাটা দারুণ ছিল",  # Bengali
    "படம் மிகவும் நன்றாக இருந்தது",  # Tamil
    "ఈ సినిమా బాగుంది",  # Telugu
    "หนังเรื่องนี้ดีมาก",  # Thai: no spaces, vowel signs
    "ຮູບເງົາດີຫຼາຍ",  # Lao
    "ខ្ញុំចូលចិត្តភាពយន្តនេះ។",  # Khmer, with its full stop
    "ရုပ်ရှင်ကောင်းတယ်။",  # Myanmar
    "今天是个阴天，电影很好看。",  # Chinese
    "東京タワーに行ったよ！ｶﾀｶﾅ",  # Japanese, halfwidth kana
    "مَرْحَبًا بِكُم الفيلم رائع",  # Arabic with diacritics
    "שָׁלוֹם הסרט טוב",  # Hebrew with points
    "Good 映画 बहुत अच्छा 😀 ดี's don't 天'a a'天 étั",  # mixed
    "Привет, мир! Γειά σου κόσμε",  # Cyrillic, Greek: as before
]
# Pieces that the regular expressions or the lowercasing could read apart.
_PIECES = [
    *"aZ09_'<>/ \n\t-.!",
    "good",
    "BAD",
    "<br />",
    "<b>",
    "é",
    "e\u0301",
    "日本",
    "😀",
    "\u200b",
    "\u00a0",
    "\x00",
    "Σ",
    "İ",
    "K",
    "\u2c2f",
    "ǅ",
    "٣",
    "²",
    "आधु",
    "\u093f",
    "ดี",
    "\u0e31",
    "ខ្",
    "ကျ",
    "ー",
    "'天",
]


def fuzz_texts(n, random_state=0):
    rng = np.random.default_rng(random_state)
    return ["".join(rng.choice(_PIECES, rng.integers(0, 40))) for _ in range(n)]


TEXTS = AWKWARD + SCRIPTS + fuzz_texts(300)


def serve(path, texts):
    signature = tf.saved_model.load(os.fspath(path)).signatures["serving_default"]
    return {name: t.numpy() for name, t in signature(text=tf.constant(texts)).items()}


def assert_serves_like(path, pipe, texts):
    outputs = serve(path, texts)
    np.testing.assert_allclose(
        outputs["probabilities"], pipe.predict_proba(texts), rtol=0, atol=1e-5
    )
    labels = outputs["label"]
    if labels.dtype == object:
        labels = np.array([label.decode() for label in labels])
    np.testing.assert_array_equal(labels, pipe.predict(texts))


@pytest.fixture(scope="module")
def fitted():
    texts, y = make_reviews(200)
    return make_lstm_pipeline(**TINY, maxlen=40).fit(texts, y)


@pytest.fixture(scope="module")
def exported(fitted, tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "sentiment" / "1"
    export(fitted, path)
    return path


def test_probabilities_and_labels_are_the_pipelines(fitted, exported):
    assert_serves_like(exported, fitted, TEXTS)


def test_serving_signature(exported):
    signature = tf.saved_model.load(str(exported)).signatures["serving_default"]
    inputs = signature.structured_input_signature[1]
    assert inputs == {"text": tf.TensorSpec([None], tf.string, name="text")}
    outputs = signature.structured_outputs
    assert outputs["probabilities"].dtype == tf.float32
    assert outputs["probabilities"].shape.as_list() == [None, 2]
    assert outputs["label"].dtype == tf.string
    empty = serve(exported, tf.zeros([0], tf.string))
    assert empty["probabilities"].shape == (0, 2) and empty["label"].shape == (0,)


@pytest.mark.parametrize(
    "text",
    [b"bad \xff byte", b"\xed\xa0\x80", b"ab\xe0\x80\xafcd", b"\xf4\x90\x80\x80"],
    ids=["byte", "surrogate", "overlong", "beyond U+10FFFF"],
)
def test_invalid_utf8_is_an_error_naming_the_text(exported, text):
    with pytest.raises(tf.errors.InvalidArgumentError, match="not valid UTF-8"):
        serve(exported, [b"fine", text])


@pytest.mark.parametrize(
    "params",
    [
        dict(padding="post"),
        dict(padding="post", mask_zero=True),
        dict(mask_zero=True, truncating="post"),
        dict(length_bucketing=False),
        dict(ngram_range=(1, 3), truncating="post"),
        dict(ngram_range=(2, 3), lowercase=False, token_pattern=r"\S+"),
        dict(vocab_size=8, predict_batch_size=7),
        dict(bag_ngrams=0, pooling="last", bidirectional=True, min_df=2),
        dict(bag_binary=False, bag_ngrams=2),
    ],
    ids=repr,
)
def test_every_text_and_window_option_exports(params, tmp_path):
    texts, y = make_reviews(120)
    pipe = make_lstm_pipeline(**{**TINY, "epochs": 2, "maxlen": 12, **params})
    pipe.fit(texts, y)
    export(pipe, tmp_path / "model")
    assert_serves_like(tmp_path / "model", pipe, TEXTS)


def test_more_classes_and_integer_labels(tmp_path):
    rng = np.random.default_rng(0)
    cues = ["good great", "bad awful", "plot actor"]
    y = rng.integers(0, 3, 90) * 10
    texts = [f"the film {cues[label // 10]} it" for label in y]
    pipe = make_lstm_pipeline(**TINY).fit(texts, y)
    export(pipe, tmp_path / "model")
    outputs = serve(tmp_path / "model", TEXTS)
    assert outputs["label"].dtype == np.int64
    assert outputs["probabilities"].shape == (len(TEXTS), 3)
    assert_serves_like(tmp_path / "model", pipe, TEXTS)


def test_a_fresh_process_serves_a_rest_request(fitted, exported, tmp_path):
    # What TensorFlow Serving's REST API does with {"instances": [...]}, in a
    # process where sk_lstm, scikit-learn and scikeras cannot be imported (Keras,
    # which TensorFlow imports, would import scikit-learn where it can).
    # A Turkish locale would make ICU lower "FILM" to "fılm".
    texts = ["IT WAS A FILM", "İt Is", *TEXTS[:20]]
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"instances": texts}))
    script = textwrap.dedent(
        """
        import json, sys

        class Uninstalled:
            def find_spec(self, name, path=None, target=None):
                if name.partition(".")[0] in ("sk_lstm", "sklearn", "scikeras"):
                    raise ModuleNotFoundError(f"No module named {name!r}", name=name)

        sys.meta_path.insert(0, Uninstalled())
        import tensorflow as tf
        serve = tf.saved_model.load(sys.argv[1]).signatures["serving_default"]
        instances = json.load(open(sys.argv[2]))["instances"]
        outputs = serve(text=tf.constant(instances))
        predictions = [
            {"probabilities": p.tolist(), "label": label.decode()}
            for p, label in zip(outputs["probabilities"].numpy(),
                                outputs["label"].numpy())
        ]
        leaked = [m for m in sys.modules
                  if m.partition(".")[0] in ("sk_lstm", "sklearn", "scikeras")]
        print(json.dumps({"predictions": predictions, "leaked": leaked}))
        """
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "LC_ALL": "tr_TR.UTF-8"}
    result = subprocess.run(
        [sys.executable, "-c", script, str(exported), str(request)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    )
    response = json.loads(result.stdout.strip().splitlines()[-1])
    assert response["leaked"] == []
    predictions = response["predictions"]
    proba = np.array([p["probabilities"] for p in predictions])
    np.testing.assert_allclose(proba, fitted.predict_proba(texts), atol=1e-5)
    assert [p["label"] for p in predictions] == list(fitted.predict(texts))


def test_tfsm_layer_reads_the_export(fitted, exported):
    layer = keras.layers.TFSMLayer(str(exported), call_endpoint="serving_default")
    texts = TEXTS[:30]
    proba = layer(tf.constant(texts))["probabilities"]
    np.testing.assert_allclose(proba, fitted.predict_proba(texts), atol=1e-5)
    inputs = keras.Input(shape=(), dtype="string")
    model = keras.Model(inputs, layer(inputs)["probabilities"])
    np.testing.assert_allclose(
        model.predict(tf.constant(texts), verbose=0),
        fitted.predict_proba(texts),
        atol=1e-5,
    )


@pytest.fixture(scope="module")
def fuzz_sequencer():
    return TextSequencer(maxlen=8).fit(fuzz_texts(50, random_state=1))


def test_lowercasing_is_pythons_on_every_code_point():
    chars = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    # The capital sigma's small form depends on the letters around it.
    contexts = [
        "ΟΔΟΣ ΣΑΣ.",
        "ΑΣ-Σ",
        "Α'Σ'",
        "ΑΣ\u0301Β",
        "Σ",
        "\u2c2fΣ\u200b>",
        "ʰΣ",
        "İI",
        "a\x00\x00\u2c2f\x00",
        "\x00",
        "ǅ",
    ]
    texts = chars + contexts + fuzz_texts(2000, random_state=2)
    lowered = PythonLower()(tf.constant([text.encode() for text in texts])).numpy()
    assert [text.decode() for text in lowered] == [text.lower() for text in texts]


PATTERNS = [
    None,
    LEGACY_TOKEN_PATTERN,
    r"\S+",
    r"(?u)\w\w+",
    r"[a-z]+",
    r"(\w+)'?",
    r"(?a)\b\w+\b",
    r"\d+|[^\W\d]+",
    r"(?s)<[^>]*>|(\w+)",
    r"\w+?'",
    r".[^a\n]",
    r"(?s:[^ ])\w",
    r"(?:ab|a)(?:bc|b)?",
    r"\w{2,3}",
    r"\A\w+|\w+\Z",
    r"[\s\d]\w",
    r"(?x) \w+ (?: - \w+ )*",
    r"[^\\]+",  # a backslash is then the separator
    r"[^/\\]+",
    r"(?a)\w+(?u:\w)",
    r"(?a)\b[\x00-\x1e -/]",
    r"(?:a?)?b|\w",
    r"[^a]+",  # "a" is then the separator
    r"[^0-9]+",
]


@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("lowercase", [True, False])
def test_tokens_are_pythons(pattern, lowercase, fuzz_sequencer):
    sequencer = copy.deepcopy(fuzz_sequencer)
    sequencer.set_params(token_pattern=pattern, lowercase=lowercase)
    step = _TextStep(sequencer)
    texts = TEXTS[:-1] + [r"C:\Users\me/file \\x", "\x1f-", "héllo"]
    texts = tf.constant([text.encode() for text in texts])
    if lowercase:
        texts = step.lower(texts)
    tokens = step.tokenize(texts).to_list()
    tokenize = sequencer.build_tokenizer()
    for text, got in zip(
        TEXTS[:-1] + [r"C:\Users\me/file \\x", "\x1f-", "héllo"], tokens, strict=True
    ):
        assert [token.decode() for token in got] == tokenize(text), text


@pytest.mark.parametrize(
    "pattern, construct",
    [
        (r"\w+(?=x)", "lookahead"),
        (r"(?<!x)\w+", "lookahead or lookbehind"),
        (r"(\w)\1", "backreference"),
        (r"\b\w+\b", r"\b"),
        (r"(?i)\w+", "IGNORECASE"),
        (r"(?i:x)\w+", "IGNORECASE"),
        (r"\w+$", "'$'"),
        (r"(?m)^\w+", "MULTILINE"),
        (r"\w++", "possessive"),
        (r"(?>\w+)", "atomic group"),
        (r"a{1001}", "above 1000"),
        (r"\w*", "empty string"),
        (r"(\w)(\w)", "2 capturing groups"),
        (r"(?s).+", "any character"),
        (r"(a)(?(1)b|c)", "conditional group"),
        (r"(a?)+b", "can match the empty string"),
        (r"(?:a*?|b)*b", "can match the empty string"),
        (r"(?:x{10}){101}|\w+", "cannot compile"),
    ],
)
def test_patterns_re2_reads_otherwise_are_refused(pattern, construct, fitted, tmp_path):
    fitted[0].set_params(token_pattern=pattern)
    try:
        with pytest.raises(ValueError, match=re.escape(construct)):
            export(fitted, tmp_path / "model")
    finally:
        fitted[0].set_params(token_pattern=None)
    assert os.listdir(tmp_path) == []


def test_callable_tokenizer_is_refused(fitted, tmp_path):
    fitted[0].set_params(tokenizer=str.split)
    try:
        with pytest.raises(ValueError, match="callable tokenizer"):
            export(fitted, tmp_path / "model")
    finally:
        fitted[0].set_params(tokenizer=None)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    "estimator",
    [
        LSTMClassifier(),
        make_pipeline(TfidfVectorizer(), LogisticRegression()),
        make_pipeline(TextSequencer()),
        "a pipeline",
    ],
    ids=["classifier", "tfidf", "sequencer only", "str"],
)
def test_only_text_pipelines_export(estimator, tmp_path):
    with pytest.raises(TypeError, match="TextSequencer then an LSTMClassifier"):
        export(estimator, tmp_path / "model")
    assert os.listdir(tmp_path) == []


def test_an_unfitted_pipeline_is_refused(tmp_path):
    with pytest.raises(NotFittedError):
        export(make_lstm_pipeline(), tmp_path / "model")
    assert os.listdir(tmp_path) == []


def test_an_existing_path_is_left_alone(fitted, tmp_path):
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="exists"):
        export(fitted, tmp_path / "model")
    assert os.listdir(tmp_path / "model") == ["keep.txt"]


def test_a_failed_write_leaves_nothing(fitted, tmp_path, monkeypatch):
    def fail(source, destination):
        raise OSError("disk full")

    # The SavedModel is whole beside the target; moving it there fails.
    monkeypatch.setattr(os, "rename", fail)
    with pytest.raises(OSError, match="disk full"):
        export(fitted, tmp_path / "model")
    assert os.listdir(tmp_path) == []


def test_a_failed_export_removes_the_directories_it_made(fitted, tmp_path, monkeypatch):
    def fail(source, destination):
        raise OSError("disk full")

    monkeypatch.setattr(os, "rename", fail)
    with pytest.raises(OSError, match="disk full"):
        export(fitted, tmp_path / "deep" / "er" / "1")
    assert os.listdir(tmp_path) == []


def test_a_trailing_slash_is_the_same_directory(fitted, tmp_path):
    export(fitted, f"{tmp_path}/serving/1/")
    assert os.listdir(tmp_path / "serving") == ["1"]
    assert_serves_like(tmp_path / "serving" / "1", fitted, TEXTS[:5])


def test_a_sequencer_changed_after_fit_is_refused(fitted, tmp_path):
    fitted[0].set_params(maxlen=30)
    try:
        with pytest.raises(ValueError, match="maxlen \\(30\\)"):
            export(fitted, tmp_path / "model")
    finally:
        fitted[0].set_params(maxlen=40)
    assert os.listdir(tmp_path) == []


def test_labels_a_savedmodel_cannot_return_are_refused():
    assert _label_tensor(np.array([False, True])).dtype == tf.bool
    assert _label_tensor(np.array([0.5, 1.5])).dtype == tf.float64
    assert _label_tensor(np.array(["a", "b"], dtype=object)).dtype == tf.string
    with pytest.raises(ValueError, match="labels of types"):
        _label_tensor(np.array([(1, 2), "b"], dtype=object))


def test_cli_exports_a_saved_model(fitted, tmp_path, capsys):
    model = tmp_path / "model.sklstm"
    sk_lstm.save(fitted, model)
    target = tmp_path / "serving" / "1"
    assert main(["export", str(model), str(target)]) == 0
    assert "serving_default" in capsys.readouterr().out
    assert_serves_like(target, fitted, TEXTS[:20])
    assert main(["export", str(model), str(target)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("sk-lstm export: error:") and "exists" in error
    assert error.count("\n") == 1


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("SK_LSTM_DATA"),
    reason="SK_LSTM_DATA is not set: no local copy of the IMDB data to read",
)
def test_the_25000_imdb_test_reviews(tmp_path):
    from sk_lstm.datasets import load_imdb

    X_train, y_train = load_imdb(subset="train", return_X_y=True)
    X_test, _ = load_imdb(subset="test", return_X_y=True)
    rows = np.random.default_rng(0).choice(len(X_train), 2000, replace=False)
    pipe = make_lstm_pipeline(
        units=16, embedding_dim=16, epochs=1, min_steps=0, random_state=0
    ).fit([X_train[i] for i in rows], np.asarray(y_train)[rows])
    export(pipe, tmp_path / "model")
    assert_serves_like(tmp_path / "model", pipe, X_test)
