"""Entry point of ``python -m verify``."""

import sys

from .threads import single_threaded

single_threaded()  # before NumPy, SciPy or torch load their thread pools

from .cli import main  # noqa: E402

sys.exit(main())
