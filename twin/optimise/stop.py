"""Stopping a run cleanly on Ctrl-C (SIGINT) or SIGTERM, also in the middle of a HiGHS solve.

HiGHS runs in the calling thread and holds it for the whole solve, so a Python signal handler
only runs when HiGHS calls back into Python.  Every window's HiGHS instance gets an interrupt
callback (``cbMipInterrupt``, ``cbSimplexInterrupt``, ``cbIpmInterrupt`` of highspy: HiGHS
asks it at each node / iteration whether to stop); the handler installed by :func:`stop_on_signal`
records the signal, the callback then interrupts the solve, and the driver raises
:class:`Interrupted` once HiGHS has returned.  Outside a solve the handler raises at once.
Nothing is written by the optimiser, so an interrupted run leaves no run behind.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time

_state = {"signum": None, "in_solve": False, "deadline": None}


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal (``signum``: ``signal.SIGINT`` or ``signal.SIGTERM``)."""

    def __init__(self, signum: int):
        self.signum = int(signum)
        super().__init__(f"stopped by {signal.Signals(self.signum).name}")


def _handler(signum, frame):  # noqa: ARG001 - signal handler signature
    _state["signum"] = signum
    if not _state["in_solve"]:
        raise Interrupted(signum)


@contextlib.contextmanager
def stop_on_signal():
    """Within the block, SIGINT and SIGTERM stop the optimiser (see module notes); the previous
    handlers are restored on exit.  Off the main thread (where Python cannot set handlers) it
    does nothing and the caller's own handling applies."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    _state["signum"] = None
    try:
        for s in old:
            signal.signal(s, _handler)
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


@contextlib.contextmanager
def in_solve(deadline: float | None = None):
    """Mark a HiGHS solve: a signal now only asks HiGHS to stop; :class:`Interrupted` is raised
    after the solve returns.  ``deadline`` (a :func:`time.perf_counter` value): the callback
    also stops HiGHS once it has passed (the window's budget on the wall clock, model update
    included, where HiGHS's own time limit counts only its run)."""
    _state["in_solve"] = True
    _state["deadline"] = deadline
    try:
        yield
    finally:
        _state["in_solve"] = False
        _state["deadline"] = None
    raise_if_stopped()


def deadline_passed() -> bool:
    d = _state["deadline"]
    return d is not None and time.perf_counter() >= d


def raise_if_stopped() -> None:
    if _state["signum"] is not None:
        raise Interrupted(_state["signum"])


def attach(highs) -> None:
    """Give a highspy ``Highs`` instance the interrupt callback."""

    def ask(event):
        # set the flag both ways: HiGHS keeps the callback input between runs, so a flag left
        # on by the last window's deadline would stop the next window at its first check
        event.interrupt(_state["signum"] is not None or deadline_passed())

    highs.cbMipInterrupt += ask
    highs.cbSimplexInterrupt += ask
    highs.cbIpmInterrupt += ask
