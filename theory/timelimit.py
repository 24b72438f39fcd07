"""Run a SymPy computation with a wall-clock limit.

SymPy's ``integrate`` can run for minutes on the toy model's integrals and cannot be interrupted from
inside, so the computation runs in a forked child process that is killed when the limit passes. The
result comes back pickled.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import pickle
import signal
import threading


class TimeLimitExceeded(Exception):
    """The computation did not finish within its time limit."""


def within(seconds: float, function, *args):
    """``function(*args)`` computed in a child process, or ``TimeLimitExceeded`` after ``seconds``."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_run, args=(sender, function, args), daemon=True)
    try:
        with ctrl_c_deferred():
            child.start()
        sender.close()
        if not receiver.poll(seconds):
            raise TimeLimitExceeded(f"{getattr(function, '__name__', 'computation')} took longer than {seconds:g} s")
        ok, payload = pickle.loads(receiver.recv_bytes())
    except EOFError:
        raise RuntimeError("the child process computing a derivation died") from None
    finally:
        if child.is_alive():
            child.kill()
        if child.pid is not None:
            child.join()
        # release the pipe and the process now: their finalizers, run later by the garbage collector, are
        # places where Python prints a KeyboardInterrupt and drops it
        child.close()
        sender.close()
        receiver.close()
    if not ok:
        raise payload
    return payload


@contextlib.contextmanager
def ctrl_c_deferred():
    """Hold a Ctrl-C that arrives inside the block and deliver it at the end; for a block that forks.

    A KeyboardInterrupt raised inside ``os.fork``'s at-fork callbacks (logging's lock release) is printed and
    dropped. Blocking SIGINT in this thread is not enough: the kernel then hands the signal to another thread (BLAS
    and torch keep pools), and Python raises it in this one at the next bytecode, wherever that is. So the
    Python-level handler only records the signal here, and afterwards the signal is raised again under the previous
    handler (a KeyboardInterrupt by default). A child forked in the block inherits the handler that only records, so
    a Ctrl-C that reaches it before it sets its own (a terminal's reaches the whole process group) raises nothing
    there. Python runs signal handlers only in the main thread: elsewhere there is nothing to hold.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: received.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            signal.raise_signal(signal.SIGINT)


def _run(sender, function, args):
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it kills this child
    try:
        message = (True, function(*args))
    except Exception as error:  # noqa: BLE001 - re-raised in the parent
        message = (False, error)
    try:
        data = pickle.dumps(message)
    except Exception as error:  # noqa: BLE001
        data = pickle.dumps((False, RuntimeError(f"result could not be pickled: {error}")))
    sender.send_bytes(data)
    sender.close()
