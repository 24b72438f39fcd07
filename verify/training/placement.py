"""Where and in what precision training runs: the device, the dtype, and the CPU thread count."""

from __future__ import annotations

from contextlib import contextmanager

import torch

DTYPES = {"float64": torch.float64, "float32": torch.float32}


def select_device(device: str = "auto") -> torch.device:
    """``auto`` picks CUDA when available; ``cuda`` without a GPU is an error naming the choices."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("device='cuda' is invalid: no CUDA device is available (use 'auto' or 'cpu')")
    if device not in ("cpu", "cuda"):
        raise ValueError(f"device={device!r} is invalid: must be one of auto, cpu, cuda")
    return torch.device(device)


def torch_dtype(dtype: str) -> torch.dtype:
    """The torch dtype named ``dtype`` (float64 or float32); any other name is an error naming both."""
    if dtype not in DTYPES:
        raise ValueError(f"dtype={dtype!r} is invalid: must be one of {', '.join(DTYPES)}")
    return DTYPES[dtype]


@contextmanager
def one_thread_on_cpu(where: torch.device):
    """Train on one intra-op thread when ``where`` is the CPU, restoring the count afterwards. The batched ops
    are small: a second thread costs more than it saves (toy model 2.3× slower), and it stalls when the other
    core is busy (a classification default run: 30 s on one thread, 270 s with two on a contended CPU)."""
    threads = torch.get_num_threads()
    if where.type == "cpu":
        torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
