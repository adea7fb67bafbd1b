"""SIGINT (Ctrl-C) and SIGTERM stop the command line cleanly: exit 130 and 143.

Only the console script arms this (`wheelcheck._cli.run`, also ``python -m wheelcheck``): it
owns its process. A host program that calls `wheelcheck._cli.main` (click's CliRunner
included) and the library keep their own handling: the library's `check` runs in
``asyncio.run``, where Ctrl-C cancels the check and then raises KeyboardInterrupt; SIGTERM
keeps its default action.

Armed, the two signals raise `Interrupted` while the main thread is outside the event loop
(reading the configuration, writing a report: report files and cache entries are written
to a temporary file and renamed, so nothing half-written is left). Raised inside the loop,
an exception could land in the middle of the loop's own bookkeeping, so `run` gives the loop
handlers of its own: a signal cancels the check, which unwinds (connections closed, resolver
threads stopped), and then `Interrupted` is raised. A signal that was ignored when the run
started (``nohup``, a background job of a script) stays ignored.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Coroutine
from types import FrameType
from typing import Any, NoReturn, TypeVar

from wheelcheck.errors import Interrupted

__all__ = ["arm", "disarm", "run"]

T = TypeVar("T")
_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_armed: list[signal.Signals] = []  # the signals whose handler `arm` installed


def arm() -> None:
    """Turn SIGINT and SIGTERM into `Interrupted`, unless ignored or handled by someone else."""
    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may set signal handlers
    for signum in _SIGNALS:
        if signum in _armed:
            continue
        if signal.getsignal(signum) not in (signal.SIG_DFL, signal.default_int_handler):
            continue  # ignored (SIG_IGN), or a handler the host installed: theirs
        signal.signal(signum, _raise)
        _armed.append(signum)


def disarm() -> None:
    """Give the armed signals their default action back: a second signal while the run ends
    ends it at once."""
    while _armed:
        signal.signal(_armed.pop(), signal.SIG_DFL)


def _raise(signum: int, _frame: FrameType | None) -> NoReturn:
    raise Interrupted(signum)


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coroutine)``; once armed, a signal cancels it and raises Interrupted.

    A signal that arrives as the coroutine finishes still stops the run: what the user
    asked for wins over an answer they no longer wait for.
    """
    import asyncio

    if not _armed:
        return asyncio.run(coroutine)
    received: list[int] = []
    try:
        result = asyncio.run(_cancelled_by_signals(coroutine, received))
    except BaseException:
        if received:  # whatever the unwinding raised, the signal is why
            raise Interrupted(received[0]) from None
        raise
    if received:
        raise Interrupted(received[0])
    return result


async def _cancelled_by_signals(coroutine: Coroutine[Any, Any, T], received: list[int]) -> T:
    import asyncio

    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None

    def on_signal(signum: int) -> None:
        received.append(signum)
        task.cancel()  # a second signal cancels the unwinding too: it is bounded either way

    signals = tuple(_armed)
    for signum in signals:
        loop.add_signal_handler(signum, on_signal, signum)
    try:
        return await coroutine
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)  # which sets the default handler back
            signal.signal(signum, _raise)
