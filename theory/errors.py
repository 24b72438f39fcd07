"""The root of the project's error hierarchy.

Every error the tool raises on purpose derives from ``VerifyError``, so a user catches all of them with one
``except VerifyError``. It lives in the lowest layer (``theory``) so that ``numerics`` and ``verify`` can
derive from it without importing upwards. The public view of the whole hierarchy is ``verify.errors``.
"""


class VerifyError(Exception):
    """Any error raised on purpose by implicit-bias-verify; its message says what to do."""
