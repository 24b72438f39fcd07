"""A theorem's statement as a registry of closed forms, by name.

Numbers, checks and derivations read the forms through the registry, so a test can substitute a
corrupted one (``substituted``) and watch every check that depends on it fail. ``version`` changes on
every substitution, so compiled forms can be cached safely.
"""

from __future__ import annotations

from contextlib import contextmanager


class Statement:
    def __init__(self, **forms):
        self._forms = dict(forms)
        self.version = 0

    def __getitem__(self, name: str):
        return self._forms[name]

    @contextmanager
    def substituted(self, **forms):
        """Temporarily replace forms, each by a function with the original's arguments returning SymPy."""
        unknown = set(forms) - set(self._forms)
        if unknown:
            raise ValueError(f"unknown closed forms {sorted(unknown)}: known are {sorted(self._forms)}")
        saved = dict(self._forms)
        self._forms.update(forms)
        self.version += 1
        try:
            yield
        finally:
            self._forms = saved
            self.version += 1
