"""Case references like XS2026000123: the row is inserted under a unique placeholder, then numbered
from its id, so numbers never repeat however many requests arrive at once."""

import datetime as dt
import uuid

from django.utils import timezone


def placeholder() -> str:
    """Unique until the row is numbered; short enough for every reference column (32 characters)."""
    return f"tmp-{uuid.uuid4().hex[:24]}"


def numbered(prefix: str, pk: int, at: dt.datetime) -> str:
    """The reference for row `pk` created at `at`: prefix, the Asia/Shanghai year, the id."""
    return f"{prefix}{timezone.localdate(at).year}{pk:06d}"
