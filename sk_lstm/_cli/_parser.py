"""The parser of ``sk-lstm``: its commands, options and the types of their values.

Only the standard library is imported here, so that ``sk-lstm --help`` is quick
and needs no TensorFlow. The values of the model options are checked against
the estimators' own parameter constraints (`sk_lstm._constraints`) as they are
parsed, so a bad value exits with status 2 before any data is loaded.
"""

import argparse
import math

#: A quoted CSV field may span this many lines before reading it is refused
#: (unless --allow-multiline): longer, it is almost always a stray quote.
MAX_FIELD_LINES = 20


def _checked(convert, valid, expected):
    """An argparse type: ``convert`` the text, then check the value."""

    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not valid(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    return parse


_positive_int = _checked(int, lambda value: value >= 1, "a positive integer")
_at_least_two = _checked(int, lambda value: value >= 2, "an integer >= 2")
_seed = _checked(int, lambda value: 0 <= value < 2**32, "an integer in [0, 2**32)")
_n_jobs = _checked(int, lambda value: value != 0, "a non-zero integer (-1: all cores)")
_fraction = _checked(float, lambda value: 0 < value < 1, "a fraction in (0, 1)")
_separator = _checked(str, lambda value: value != "", "a non-empty string")
_BOOLEANS = {
    "true": True,
    "yes": True,
    "1": True,
    "false": False,
    "no": False,
    "0": False,
}


def _read_path(text):
    return text


def _read_boolean(text):
    if text.lower() not in _BOOLEANS:
        raise ValueError(text)
    return _BOOLEANS[text.lower()]


def _read_pair(text):
    pair = tuple(int(n) for n in text.split(","))
    if len(pair) != 2 or not 1 <= pair[0] <= pair[1]:
        raise ValueError(text)
    return pair


def _read_class_weight(text):
    if text == "balanced":
        return text
    weights = {}
    for item in text.split(","):
        label, colon, weight = item.rpartition(":")
        if not colon or not label or label in weights:
            raise ValueError(text)
        weights[label] = float(weight)
        if not 0 < weights[label] < math.inf:
            raise ValueError(text)
    try:  # whole-number labels are read as ints from .csv/.tsv files: the same
        return {int(label): weight for label, weight in weights.items()}
    except ValueError:
        return weights


# How the text of each kind of value is read: (what it must look like, metavar).
_READERS = {
    int: ("an integer", "N"),
    float: ("a number", "X"),
    _read_boolean: ("true or false", "BOOL"),
    _read_pair: ("MIN,MAX with 1 <= MIN <= MAX, such as 1,2", "MIN,MAX"),
    str: ("a word", "KIND"),
    _read_path: ("a path", "PATH"),
    _read_class_weight: (
        "balanced, or LABEL:WEIGHT,LABEL:WEIGHT... with finite weights > 0",
        "WEIGHTS",
    ),
}


def _estimator_value(keyword, read):
    """An argparse type: read the text, then check it as the estimator will.

    The check is the parameter's constraint in `TextSequencer` or
    `LSTMClassifier` (scikit-learn's message), made at parse time.
    """
    expected = _READERS[read][0]

    def parse(text):
        try:
            # "auto" where the estimator takes it (its constraint tells, below)
            value = "auto" if text == "auto" else read(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {expected}, got {text!r}"
            ) from None
        # scikit-learn, not TensorFlow: only when the option is given.
        from sklearn.utils._param_validation import (
            InvalidParameterError,
            validate_parameter_constraints,
        )

        from .._constraints import CLASSIFIER, SEQUENCER

        owner, constraints = (
            ("TextSequencer", SEQUENCER)
            if keyword in SEQUENCER
            else ("LSTMClassifier", CLASSIFIER)
        )
        try:
            validate_parameter_constraints(
                {keyword: constraints[keyword]}, {keyword: value}, owner
            )
        except InvalidParameterError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
        return value

    return parse


# The model options of `train` and `search`, one row per keyword of
# make_lstm_pipeline: (option, keyword, how its text is read, help). They default
# to None, which keeps the value of the recipe; `search` takes several values of
# each. Their values are checked against the estimators' constraints.
HYPERPARAMETERS = (
    ("--num-words", "num_words", int,
     "vocabulary size: the N - 2 most frequent words get an index"),
    ("--maxlen", "maxlen", int,
     "tokens per text: longer texts are cut, shorter ones padded"),
    ("--ngram-range", "ngram_range", _read_pair,
     "word n-grams that make a sequence: 1,1 words, 1,2 words and word pairs"),
    ("--embedding-dim", "embedding_dim", int, "word vector size"),
    ("--units", "units", int, "LSTM state size"),
    ("--dropout", "dropout", float, "dropout rate before and after the LSTM"),
    ("--bidirectional", "bidirectional", _read_boolean,
     "true: add an LSTM that reads each text backwards"),
    ("--pooling", "pooling", str,
     "what the output layer reads: the LSTM's last state, or the max or mean of "
     "its states over the text (last, max, mean)"),
    ("--bag-ngrams", "bag_ngrams", int,
     "longest word n-gram of the linear bag-of-n-grams path beside the LSTM; "
     "0: the LSTM alone"),
    ("--bag-buckets", "bag_buckets", int,
     "rows the bag's n-grams of 2 words and more are hashed into; auto: 4 per "
     "n-gram of the training texts, at most 2,097,143"),
    ("--bag-binary", "bag_binary", _read_boolean,
     "true: the bag counts each n-gram of a text once, however often it occurs"),
    ("--bag-dim", "bag_dim", int,
     "columns of the bag's rows; auto: one per class up to 32 classes, 32 "
     "beyond (shared by the classes through a projection)"),
    ("--word-vectors", "word_vectors", _read_path,
     "text file of pretrained word vectors (GloVe, word2vec text, fastText .vec; "
     "a word and its numbers per line): the rows of the words found start from "
     "them; set --embedding-dim to their dimension"),
    ("--freeze-word-vectors", "freeze_word_vectors", _read_boolean,
     "true: training keeps the pretrained vectors as they are (the other words' "
     "rows still learn)"),
    ("--learning-rate", "learning_rate", float,
     "learning rate of Adam; auto: 0.003 where the fit stops early, else 0.001"),
    ("--clipnorm", "clipnorm", float,
     "scale down each weight's gradient to at most this norm"),
    ("--learning-rate-schedule", "learning_rate_schedule", str,
     "constant, or cosine: lower the learning rate after every step, along half "
     "a cosine down to 0 at the end of the last epoch"),
    ("--label-smoothing", "label_smoothing", float,
     "train towards labels moved X of the way to the uniform (0.05: 0.975 and "
     "0.025 for two classes); 0: the labels themselves"),
    ("--early-stopping", "early_stopping", _read_boolean,
     "true: stop when the validation accuracy stops improving, keep the best "
     "epoch; auto: on for fewer than 10,000 training texts"),
    ("--validation-fraction", "validation_fraction", float,
     "share of the training texts held out to score every epoch; auto: 0.1 "
     "where the fit stops early, else none"),
    ("--epochs", "epochs", int,
     "passes over the training data (the most, when stopping early); auto: 2, "
     "or at most 30 when stopping early"),
    ("--min-steps", "min_steps", int,
     "train for more epochs where needed to make at least N gradient steps"),
    ("--batch-size", "batch_size", int, "texts per gradient step"),
    ("--predict-batch-size", "predict_batch_size", int,
     "texts per batch when predicting"),
    ("--class-weight", "class_weight", _read_class_weight,
     "favour classes by weight (the logits shift by half the log weight): "
     "balanced (the inverse of each class's share), or LABEL:WEIGHT pairs such "
     "as pos:4,neg:1; unset: every class weighs 1"),
)  # fmt: skip


def recipe_params(args):
    """The recipe's keywords of make_lstm_pipeline, with the seed and verbosity."""
    params = {}
    if args.recipe == "classic":
        from .. import CLASSIC_RECIPE

        params.update(CLASSIC_RECIPE)
    return {**params, "random_state": args.random_state, "verbose": args.verbose}


def given_hyperparameters(args):
    """The hyperparameter options given, by keyword of make_lstm_pipeline."""
    values = {keyword: getattr(args, keyword) for _, keyword, _, _ in HYPERPARAMETERS}
    return {keyword: value for keyword, value in values.items() if value is not None}


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Show an option's default in its help, unless it has none to show."""

    def _get_help_string(self, action):
        shown = action.default not in (None, argparse.SUPPRESS)
        if shown and action.default is not False:
            return action.help + " (default: %(default)s)"
        return action.help


def _add_data_options(parser, *, evaluation=False):
    data = parser.add_argument_group("data")
    data.add_argument(
        "--data",
        metavar="PATH",
        help="IMDB (aclImdb_v1.tar.gz, an aclImdb/ folder or a folder holding "
        "one), or your own labelled texts: a .csv, .tsv or .jsonl file with a text "
        "and a label column, or a folder with one sub-folder of .txt files per "
        "label; default: IMDB from $SK_LSTM_DATA, else the scikit-learn data home "
        "(downloaded there if missing)",
    )
    data.add_argument(
        "--text-column",
        default="text",
        metavar="NAME",
        help="column (or JSON key) of the texts in a .csv/.tsv/.jsonl file",
    )
    data.add_argument(
        "--label-column",
        default="label",
        metavar="NAME",
        help="column (or JSON key) of the labels in a .csv/.tsv/.jsonl file",
    )
    data.add_argument(
        "--label-separator",
        type=_separator,
        metavar="SEP",
        help="several labels per text: the label column holds any number of "
        "labels separated by SEP (say '|'; an empty cell: none), and the model "
        "learns each; a .jsonl label that is a list is read so without it",
    )
    data.add_argument(
        "--allow-multiline",
        action="store_true",
        help="accept a quoted .csv/.tsv field that spans more than "
        f"{MAX_FIELD_LINES} lines (refused otherwise: it is almost always a stray "
        "quote); fields over several lines are counted in a warning either way",
    )
    if not evaluation:
        data.add_argument(
            "--test-size",
            type=_fraction,
            default=0.2,
            metavar="FRACTION",
            help="share of your own data held out (stratified) to test on; IMDB "
            "has its own test set",
        )
    data.add_argument(
        "--max-samples",
        type=_positive_int,
        metavar="N",
        help="use a stratified subset of at most N texts"
        + ("" if evaluation else " to train on and N to test on")
        + " (quick runs)",
    )


def _add_model_options(parser, *, several):
    model = parser.add_argument_group(
        "model",
        "Unset options keep the recipe's value."
        + (
            "\nGive several values to search over them, one to fix it."
            if several
            else ""
        ),
    )
    model.add_argument(
        "--recipe",
        choices=["default", "classic"],
        default="default",
        help="start from make_lstm_pipeline()'s defaults, or from the classic "
        "Keras IMDB recipe (sk_lstm.CLASSIC_RECIPE); the options below override it",
    )
    for option, keyword, read, text in HYPERPARAMETERS:
        model.add_argument(
            option,
            dest=keyword,
            type=_estimator_value(keyword, read),
            nargs="+" if several else None,
            metavar=_READERS[read][1],
            help=text,
        )
    model.add_argument(
        "--random-state",
        type=_seed,
        default=7,
        metavar="SEED",
        help="seed of weights, dropout and shuffling (and of the data split)",
    )
    model.add_argument(
        "--verbose",
        type=int,
        choices=[0, 1, 2],
        default=0 if several else 1,
        help="Keras output while fitting: 0 none, 1 a progress bar per epoch, "
        "2 one line per epoch",
    )


def _add_output_options(parser, *, default, what):
    output = parser.add_argument_group("output")
    output.add_argument(
        "--output",
        default=default,
        metavar="FILE",
        help=f"where to save {what}; with --format both, the safe format goes "
        "next to it with the suffix .sklstm",
    )
    output.add_argument(
        "--format",
        choices=["both", "joblib", "sklstm"],
        default="both",
        help="joblib (loads anything, but runs code from the file: trusted files "
        "only), the safe format of sk_lstm.save (loading runs no code), or both",
    )
    return output


def _add_train(commands):
    parser = commands.add_parser(
        "train",
        help="fit a pipeline, print its test accuracy, save it",
        formatter_class=_HelpFormatter,
        description="""\
Fit make_lstm_pipeline() on IMDB's 25,000 training reviews (or on your own
data), print the accuracy on IMDB's 25,000 test reviews (or on a held-out
part of your data), and save the fitted pipeline, its training history
(FILE_history.csv: loss and metrics per epoch) and its learning curves
(FILE_learning_curves.png, with matplotlib).""",
    )
    _add_data_options(parser)
    _add_model_options(parser, several=False)
    output = _add_output_options(
        parser, default="imdb_lstm.joblib", what="the fitted pipeline (joblib)"
    )
    checkpointing = output.add_mutually_exclusive_group()
    checkpointing.add_argument(
        "--checkpoint-dir",
        metavar="DIR",
        help="where the fit saves its state after every epoch, so that the same "
        "command, run again after Ctrl-C or a kill, resumes where it stopped; "
        "default: FILE_checkpoints next to the output (the checkpoint is deleted "
        "once the model is saved)",
    )
    checkpointing.add_argument(
        "--no-checkpoint",
        action="store_true",
        help="do not save the fit's state after every epoch",
    )
    parser.set_defaults(handler="train")


def _add_search(commands):
    parser = commands.add_parser(
        "search",
        help="grid-search hyperparameters with cross-validation (resumable)",
        formatter_class=_HelpFormatter,
        description="""\
Cross-validate every combination of the given option values on the training
data, for example `sk-lstm search --dropout 0 0.2 0.5 --units 50 100`.
Each finished candidate is added to the results file at once: if the search
stops, run the same command again and only the missing candidates are fitted.
Then print the ranked results, write them (as GridSearchCV.cv_results_) and a
heat map of the mean validation score (RESULTS_heatmap.png, with matplotlib),
refit the best candidate on all the training data, print its test accuracy and
save it.""",
    )
    _add_data_options(parser)
    _add_model_options(parser, several=True)
    search = parser.add_argument_group("search")
    search.add_argument(
        "--cv",
        type=_at_least_two,
        default=3,
        metavar="K",
        help="number of stratified cross-validation folds",
    )
    search.add_argument(
        "--n-jobs",
        type=_n_jobs,
        default=1,
        metavar="N",
        help="fits to run at once, in joblib worker processes (-1: one per core)",
    )
    output = _add_output_options(
        parser, default="best_lstm.joblib", what="the refitted best pipeline"
    )
    output.add_argument(
        "--results",
        default="cv_results.csv",
        metavar="FILE",
        help="the results table (CSV), also read to resume a stopped search",
    )
    parser.set_defaults(handler="search")


def _add_model_file(parser):
    parser.add_argument(
        "model",
        metavar="MODEL",
        help="a fitted pipeline saved by sk-lstm, joblib.dump or sk_lstm.save",
    )


def _add_evaluate(commands):
    parser = commands.add_parser(
        "evaluate",
        help="classification report, ROC AUC and confusion matrix of a model",
        formatter_class=_HelpFormatter,
        description="""\
Print the classification report, the ROC AUC and the confusion matrix of a
saved model on IMDB's test reviews (or on your own labelled data), and plot
the confusion matrix (with matplotlib).""",
    )
    _add_model_file(parser)
    _add_data_options(parser, evaluation=True)
    parser.add_argument(
        "--plot",
        metavar="FILE",
        help="where to save the confusion matrix plot (PNG); default: "
        "MODEL_confusion_matrix.png next to the model",
    )
    parser.set_defaults(handler="evaluate")


def _add_predict(commands):
    parser = commands.add_parser(
        "predict",
        help="label texts with a saved model",
        formatter_class=_HelpFormatter,
        description="""\
Print the predicted label and its probability for each text: the TEXT
arguments, then the lines of --file; with neither, the lines of standard
input. Empty lines are skipped. Lines are read, labelled and printed 1,000 at
a time, in order: memory does not grow with the input, and the first labels
come out while the rest is read.""",
    )
    _add_model_file(parser)
    _add_texts(parser, "texts to label")
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object per text (text, label, probability, and the "
        "probability of every label) instead of a table",
    )
    parser.set_defaults(handler="predict")


def _add_texts(parser, help):
    """The TEXT arguments and --file of the commands that read texts."""
    parser.add_argument("texts", nargs="*", metavar="TEXT", help=help)
    parser.add_argument(
        "--file",
        metavar="FILE",
        help="read texts from FILE, one per line ('-' for standard input)",
    )


def _add_explain(commands):
    parser = commands.add_parser(
        "explain",
        help="show which words made a saved model label texts as it did",
        formatter_class=_HelpFormatter,
        description="""\
For each text (the TEXT arguments, then the lines of --file; with neither, the
lines of standard input), print the predicted label, its probability and its
logit, then the text with its strongest words marked: [+word] raises the logit
shown, [-word] lowers it (green and red on a terminal; NO_COLOR turns colours
off). A word's part is exact: its n-grams' weights in the bag plus the LSTM's
part read at its position (see docs/explain.md). For two classes the logit is
the second class's log-odds; for more, the predicted class's logit.""",
    )
    _add_model_file(parser)
    _add_texts(parser, "texts to explain")
    parser.add_argument(
        "--top",
        type=int,
        default=5,
        metavar="N",
        help="words to mark in each text",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object per text: label, probability, logit, bias, and "
        "every token with its span in the text and its parts of the logit",
    )
    parser.add_argument(
        "--html",
        metavar="FILE",
        help="also write a self-contained HTML page that colours every word by "
        "its part (green raises the logit, red lowers it)",
    )
    parser.set_defaults(handler="explain")


def _add_export(commands):
    parser = commands.add_parser(
        "export",
        help="write a saved model as a TensorFlow SavedModel that reads raw text",
        formatter_class=_HelpFormatter,
        description="""\
Write a saved model as a TensorFlow SavedModel (sk_lstm.export) for TensorFlow
Serving or any TensorFlow program: its serving_default signature takes a batch
of strings ("text") and returns "probabilities" and "label" per text, with no
need for scikit-learn or sk_lstm where it runs.""",
    )
    _add_model_file(parser)
    parser.add_argument(
        "path",
        metavar="PATH",
        help="the directory to create, such as models/sentiment/1 (the version "
        "directory TensorFlow Serving reads); it must not exist",
    )
    parser.set_defaults(handler="export")


def build_parser():
    """The argument parser of ``sk-lstm`` and its six commands."""
    parser = argparse.ArgumentParser(
        prog="sk-lstm",
        description="Train, tune, evaluate, use and export LSTM text classifiers "
        "built with scikit-learn and Keras. `sk-lstm COMMAND --help` explains a "
        "command.",
    )
    parser.add_argument(
        "--tensorflow-logs",
        action="store_true",
        help="show TensorFlow's C++ log lines (start-up notices), which are left "
        "out unless this is given or TF_CPP_MIN_LOG_LEVEL=0 is set",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (
        _add_train,
        _add_search,
        _add_evaluate,
        _add_predict,
        _add_explain,
        _add_export,
    ):
        add(commands)
    return parser
