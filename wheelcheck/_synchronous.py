"""The blocking twin of a coroutine function of the library (`check` of `acheck`, `plan` of
`aplan`): the same parameters, run to completion in an event loop of its own."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

__all__ = ["synchronous"]

P = ParamSpec("P")
R = TypeVar("R")


def synchronous(
    function: Callable[P, Coroutine[Any, Any, R]], *, name: str, doc: str
) -> Callable[P, R]:
    """`function` run by asyncio.run, named `name`, documented by `doc`; its signature is
    `function`'s (``inspect.signature`` follows ``__wrapped__``). Called from a running
    event loop it raises RuntimeError, as asyncio.run does."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        return asyncio.run(function(*args, **kwargs))

    run.__name__ = run.__qualname__ = name
    run.__doc__ = doc
    return run
