"""Entry point of ``python -m verify``."""

import sys

from .threads import single_threaded

single_threaded()  # before NumPy, SciPy or torch load their thread pools

from .errors import VerifyError  # noqa: E402

try:
    from .cli import main
except VerifyError as error:  # an installed claim package that cannot be loaded: what to do, not a traceback
    print(f"python -m verify: error: {error}", file=sys.stderr)
    sys.exit(2)  # the CLI's exit code for bad usage

sys.exit(main())
