"""scikeras is archived: fail loudly, saying what changed, if a hook we use moved."""

from scikeras.wrappers import KerasClassifier

from sk_lstm import LSTMClassifier, _scikeras


def test_every_private_scikeras_name_we_rely_on_is_there():
    assert _scikeras.missing_hooks() == []


def test_every_scikeras_override_is_declared():
    """A new override of a private scikeras method must be added to HOOKS."""
    overridden = {
        name
        for name in vars(LSTMClassifier)
        if name.startswith("_")
        and not name.startswith("__")
        and hasattr(KerasClassifier, name)
    }
    assert overridden <= set(_scikeras.HOOKS)


def test_the_check_reports_a_missing_hook(monkeypatch):
    monkeypatch.setitem(_scikeras.HOOKS, "_gone_in_a_later_release", ())
    monkeypatch.setitem(_scikeras.HOOKS, "_fit", ("X", "renamed_argument"))
    problems = _scikeras.missing_hooks()
    assert problems[0].startswith("scikeras 0.13")
    assert any(
        "KerasClassifier._gone_in_a_later_release is gone" in p for p in problems
    )
    assert any("_fit no longer takes ['renamed_argument']" in p for p in problems)
    assert len(problems) == 3  # the heading and the two changes, nothing else


def test_the_check_reports_an_attribute_no_longer_set(monkeypatch):
    def initialize_callbacks(self):
        self._fit_callbacks = []  # and no longer the one for predict

    monkeypatch.setattr(KerasClassifier, "_initialize_callbacks", initialize_callbacks)
    problems = _scikeras.missing_hooks()
    assert problems[1:] == [
        "KerasClassifier._initialize_callbacks no longer sets _predict_callbacks"
    ]
