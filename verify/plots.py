"""Figures (matplotlib, PNG and PDF), written atomically."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .files import write_atomic  # noqa: E402

COLOURS = ("#1b6ca8", "#d1495b", "#edae49", "#00798c")


def save(figure, directory: Path, stem: str) -> list:
    """Write ``figure`` as ``stem``.png and ``stem``.pdf into ``directory`` (atomically); close it."""
    paths = []
    for suffix in ("png", "pdf"):
        path = Path(directory) / f"{stem}.{suffix}"
        buffer = _rendered(figure, suffix)
        write_atomic(path, buffer)
        paths.append(path)
    plt.close(figure)
    return paths


def _rendered(figure, suffix: str) -> bytes:
    from io import BytesIO  # noqa: PLC0415

    buffer = BytesIO()
    figure.savefig(buffer, format=suffix, dpi=160, metadata={"CreationDate": None} if suffix == "pdf" else None)
    return buffer.getvalue()
