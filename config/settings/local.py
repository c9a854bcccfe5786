"""Local development and the demo: embedded defaults, no services required."""

import os

from .base import *  # noqa: F403
from .base import SECRET_KEY, env_list

DEBUG = True
SECRET_KEY = SECRET_KEY or "local-dev-only-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
AUDIT_CHAIN_KEY = os.environ.get("AUDIT_CHAIN_KEY") or "local-dev-only-audit-chain-key-0123456789"
