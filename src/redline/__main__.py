"""``python -m redline``: the same as the ``redline`` command."""

from redline.entry import main

main()
