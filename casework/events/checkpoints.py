"""Signed anchors of the audit chain, written outside the database.

One JSON line per record in AUDIT_CHECKPOINT_DIR/checkpoints.jsonl, each signed with HMAC(AUDIT_CHAIN_KEY):
- "checkpoint": the chain's tip (seq = chain position, hash) at a moment, written by beat;
- "purge": the retention purge removed every event up to and including seq, whose hash was `hash`;
  verification starts after it.
Someone who can write the database but not this file (nor knows the key) cannot truncate the chain, rewrite
it, or forge a purge without verification noticing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from casework.events.models import AuditHead

FILE_NAME = "checkpoints.jsonl"


def checkpoint_path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR) / FILE_NAME


def _sign(record: dict) -> str:
    from casework.events.services import canonical, chain_key

    body = {k: v for k, v in record.items() if k != "sig"}
    return hmac.new(chain_key(), b"checkpoint\x00" + canonical(body), hashlib.sha256).hexdigest()


def _append(record: dict) -> dict:
    record = {**record, "sig": _sign(record)}
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return record


@dataclass
class Checkpoints:
    checkpoints: list[dict]  # valid "checkpoint" records, in file order
    purges: list[dict]  # valid "purge" records, in file order
    bad_lines: list[int]  # 1-based line numbers that are not valid signed records

    @property
    def base(self) -> tuple[int, str]:
        """Where verification starts: after the latest purge, or at the genesis."""
        if self.purges:
            last = max(self.purges, key=lambda r: r["seq"])
            return last["seq"], last["hash"]
        from casework.events.services import GENESIS

        return 0, GENESIS

    @property
    def last_seq(self) -> int:
        return max((r["seq"] for r in self.checkpoints + self.purges), default=0)


def read() -> Checkpoints:
    result = Checkpoints([], [], [])
    path = checkpoint_path()
    if not path.exists():
        return result
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            valid = (isinstance(record, dict) and isinstance(record.get("seq"), int)
                     and isinstance(record.get("hash"), str)
                     and hmac.compare_digest(str(record.get("sig", "")), _sign(record)))
        except (ValueError, TypeError):
            valid = False
        if not valid:
            result.bad_lines.append(number)
        elif record.get("kind") == "purge":
            result.purges.append(record)
        elif record.get("kind") == "checkpoint":
            result.checkpoints.append(record)
        else:
            result.bad_lines.append(number)
    return result


def write_checkpoint() -> dict | None:
    """Anchor the chain's current tip; nothing is written when it has not moved since the last anchor."""
    head = AuditHead.objects.filter(pk=1).first()
    if head is None or head.seq == 0:
        return None
    if read().last_seq >= head.seq:
        return None
    return _append({"kind": "checkpoint", "seq": head.seq, "hash": head.hash,
                    "at": timezone.now().isoformat(timespec="seconds")})


def write_purge(*, seq: int, hash: str, before: str, actor_label: str) -> dict:
    return _append({"kind": "purge", "seq": seq, "hash": hash, "before": before, "by": actor_label,
                    "at": timezone.now().isoformat(timespec="seconds")})
