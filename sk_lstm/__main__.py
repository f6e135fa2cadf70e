"""``python -m sk_lstm``: the same as the ``sk-lstm`` command."""

from ._cli import main

raise SystemExit(main())
