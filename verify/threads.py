"""One thread-pool policy for a run: every pool gets one thread, so a run on a loaded machine slows in
proportion to its share of the cores.

Pools that wait by spinning (OpenMP, OpenBLAS, torch's intra-op pool) degrade far beyond their share when
another job holds the cores: a two-thread pool on a loaded 2-core machine made a quick run 10–100× slower,
and the batched tensor programs here are too small to gain from a second thread anyway (training already ran
on one intra-op thread). Parallelism comes from processes instead (pytest-xdist workers, Dask workers), and from
plain Python threads, which never spin, for independent training programs of large kernels
(``verify.training.placement.concurrently``).

``single_threaded()`` must run before NumPy, SciPy or torch is imported (the BLAS and OpenMP pools read
these variables once, at load time); a variable the user has set is left alone.
"""

import os

VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def single_threaded() -> None:
    for variable in VARIABLES:
        os.environ.setdefault(variable, "1")
