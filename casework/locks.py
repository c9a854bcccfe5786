"""Transaction-scoped locks on a name, for check-then-insert rules no unique constraint can express
(e.g. "the same complaint content within 24 hours")."""

from __future__ import annotations

import hashlib

from django.db import connection


def lock_name(name: str) -> None:
    """Hold a lock on `name` until the surrounding transaction ends. PostgreSQL: an advisory transaction lock;
    SQLite: nothing to do, as every atomic block already holds the database's write lock (BEGIN IMMEDIATE)."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock_name() must be called inside transaction.atomic()")
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
