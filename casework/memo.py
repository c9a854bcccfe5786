"""A request-scoped memo for reference data that many services read in one request: the rule profile of a
jurisdiction, a department's rule, the calendar's revision, a permission's id. A clue push starts two clocks and
a complaint filing checks three rules; without the memo each of them re-reads the same rows (issue 18: about a
dozen queries of a push were these).

The scope is one request (casework.middleware.RequestContextMiddleware opens it); outside a scope (a Celery task,
a management command, a test calling a service directly) nothing is memoised, so nothing can go stale there.
Inside a request, a service that changes what is memoised (a rule, the calendar) calls `forget()`: the memo is
emptied and stays off for the rest of that request, so nothing read before, during or after the change is stale.

`for_process` is the one exception, for rows that only migrations write (a permission's id): those are kept for
the life of the process and dropped whenever migrations run (post_migrate, which a test database flush sends too).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_OFF = object()
_store: ContextVar[dict | None] = ContextVar("portal_memo", default=None)


@contextlib.contextmanager
def scope():
    token = _store.set({})
    try:
        yield
    finally:
        _store.reset(token)


def memo(key: Hashable, compute: Callable[[], T]) -> T:
    store = _store.get()
    if store is None or store.get(_OFF):
        return compute()
    try:
        return store[key]
    except KeyError:
        value = store[key] = compute()
        return value


def active() -> bool:
    """Whether memoised reads are kept (inside a request that changed no reference data)."""
    store = _store.get()
    return store is not None and not store.get(_OFF)


def forget() -> None:
    store = _store.get()
    if store is not None:
        store.clear()
        store[_OFF] = True


_process: dict = {}


def for_process(key: Hashable, compute: Callable[[], T]) -> T:
    """Memoised for the process's life: only for rows that migrations alone write (never edited at run time)."""
    try:
        return _process[key]
    except KeyError:
        value = _process[key] = compute()
        return value


def forget_process(**kwargs) -> None:
    """post_migrate receiver: a migration (or a flushed test database) may have renumbered those rows."""
    _process.clear()
