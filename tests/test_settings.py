"""Production settings refuse to start without their secrets and pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**base, "DJANGO_SETTINGS_MODULE": "config.settings.production", **env}, timeout=120)


def test_production_refuses_without_secret_key():
    result = manage("check")
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_without_allowed_hosts():
    result = manage("check", DJANGO_SECRET_KEY="x" * 60)
    assert result.returncode != 0 and "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_refuses_without_audit_chain_key():
    result = manage("check", DJANGO_SECRET_KEY="k7$" + "a1b2c3d4e5f6g7h8i9j0" * 3,
                    DJANGO_ALLOWED_HOSTS="portal.example.gov.cn", DATABASE_URL="postgres://portal@127.0.0.1:5432/portal",
                    AUDIT_CHAIN_KEY="")
    assert result.returncode != 0 and "AUDIT_CHAIN_KEY" in result.stderr


def test_check_deploy_is_clean():
    result = manage("check", "--deploy", "--fail-level", "WARNING",
                    DJANGO_SECRET_KEY="k7$" + "a1b2c3d4e5f6g7h8i9j0" * 3, DJANGO_ALLOWED_HOSTS="portal.example.gov.cn",
                    DATABASE_URL="postgres://portal@127.0.0.1:5432/portal", AUDIT_CHAIN_KEY="c" * 40,
                    PORTAL_BASE_URL="https://portal.example.gov.cn")
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_refuses_without_a_public_base_url():
    """E-mail links are built from PORTAL_BASE_URL: production must not fall back to 127.0.0.1:8000."""
    secrets = dict(DJANGO_SECRET_KEY="k7$" + "a1b2c3d4e5f6g7h8i9j0" * 3, DJANGO_ALLOWED_HOSTS="portal.example.gov.cn",
                   DATABASE_URL="postgres://portal@127.0.0.1:5432/portal", AUDIT_CHAIN_KEY="c" * 40)
    for bad in ("", "http://portal.example.gov.cn", "https://elsewhere.example.org"):
        result = manage("check", PORTAL_BASE_URL=bad, **secrets)
        assert result.returncode != 0 and "PORTAL_BASE_URL" in result.stderr, bad
