"""scikeras is archived: fail loudly, saying what changed, if a hook we use moved."""

import inspect

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
    assert inspect.signature(KerasClassifier._fit)  # the real one is untouched
