"""Test configuration: Hypothesis profiles, and a private derivation cache for the session.

Profiles (select with HYPOTHESIS_PROFILE, or pytest --hypothesis-profile):
* ``ci``: Hypothesis' built-in CI profile (chosen automatically when CI=true: derandomized, no deadline,
  no database, print_blob), re-registered with a fixed number of examples;
* ``dev`` (default outside CI): fewer examples, no deadline (first calls compile and warm caches);
* ``thorough``: many more examples, for a nightly run.
"""

import os
import tempfile

from verify.threads import single_threaded

single_threaded()  # one thread per pool in every test worker, as in a CLI run (verify/threads.py)

from hypothesis import settings  # noqa: E402

# Cold, private cache per session: tests never read a cache left by an older checkout.
os.environ.setdefault("VERIFY_CACHE_DIR", tempfile.mkdtemp(prefix="verify-cache-"))

settings.register_profile("ci", parent=settings.get_profile("ci"), max_examples=25, deadline=None)
settings.register_profile("dev", max_examples=15, deadline=None)
settings.register_profile("thorough", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
