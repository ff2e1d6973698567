"""``python -m quizsvc ...`` is the ``quizsvc`` command."""

from quizsvc.cli import main

main()
