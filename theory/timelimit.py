"""Run a SymPy computation with a wall-clock limit.

SymPy's ``integrate`` can run for minutes on the toy model's integrals (numerics-notes.md §6.2) and
cannot be interrupted from inside, so the computation runs in a forked child process that is killed
when the limit passes. The result comes back pickled.
"""

from __future__ import annotations

import multiprocessing
import pickle
import signal


class TimeLimitExceeded(Exception):
    """The computation did not finish within its time limit."""


def within(seconds: float, function, *args):
    """``function(*args)`` computed in a child process, or ``TimeLimitExceeded`` after ``seconds``."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_run, args=(sender, function, args), daemon=True)
    # Ctrl-C during the fork would raise inside an at-fork callback (logging's lock release), where Python
    # prints the KeyboardInterrupt and drops it: hold SIGINT until the fork is done, then take it here.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        child.start()
        sender.close()
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        raise
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a Ctrl-C held during the fork is raised here
        if not receiver.poll(seconds):
            raise TimeLimitExceeded(f"{getattr(function, '__name__', 'computation')} took longer than {seconds:g} s")
        ok, payload = pickle.loads(receiver.recv_bytes())
    except EOFError:
        raise RuntimeError("the child process computing a derivation died") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    if not ok:
        raise payload
    return payload


def _run(sender, function, args):
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it kills this child
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held across the fork (see ``within``)
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
