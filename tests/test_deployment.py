"""docker-compose.yml describes production truthfully: the five services, wired to each other."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_has_postgres_redis_web_worker_beat():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        assert env["DATABASE_URL"].startswith("postgres://") and "@pgbouncer:6432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert "config.wsgi:application" in " ".join(services["web"]["command"])
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    beat = services["beat"]["command"]
    assert beat[:4] == ["celery", "-A", "config", "beat"]
    assert "django_celery_beat.schedulers:DatabaseScheduler" in beat


def test_dockerfile_installs_letter_fonts_and_harfbuzz_subset():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "fonts-noto-cjk" in dockerfile and "libharfbuzz-subset0" in dockerfile
    assert "collectstatic" in dockerfile


SECRETS = {"DJANGO_SECRET_KEY": "k" * 60, "DJANGO_ALLOWED_HOSTS": "portal.example.gov.cn",
           "PORTAL_BASE_URL": "https://portal.example.gov.cn",
           "POSTGRES_PASSWORD": "pw", "AUDIT_CHAIN_KEY": "a" * 40, "S3_SECRET_ACCESS_KEY": "s" * 24}


def _compose(*args, **env):
    import os
    import shutil
    import subprocess

    exe = shutil.which("docker-compose")
    assert exe, "docker-compose missing: bin/setup --test installs Debian's docker-compose"
    base = {k: v for k, v in os.environ.items() if k not in SECRETS}
    return subprocess.run([exe, "-f", str(ROOT / "docker-compose.yml"), *args], cwd=ROOT, capture_output=True,
                          text=True, env={**base, **env}, timeout=120)


def test_compose_config_is_valid():
    result = _compose("config", "-q", **SECRETS)
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_start_without_its_secrets():
    result = _compose("config", "-q", **{k: v for k, v in SECRETS.items() if k != "AUDIT_CHAIN_KEY"})
    assert result.returncode != 0 and "AUDIT_CHAIN_KEY" in result.stderr


def test_compose_scales_out_behind_pgbouncer_with_one_beat():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert services["web"]["deploy"]["replicas"] == "${WEB_REPLICAS:-3}"
    assert services["worker"]["deploy"]["replicas"] == "${WORKER_REPLICAS:-2}"
    assert services["beat"]["deploy"]["replicas"] == 1
    assert services["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert "@pgbouncer:6432/" in env["DATABASE_URL"] and env["DATABASE_POOLER"] == "pgbouncer"
    assert "@postgres:5432/" in services["migrate"]["environment"]["DATABASE_URL"]  # DDL on a session
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])


def test_pgbouncer_settings_disable_server_side_cursors_and_prepared_statements(monkeypatch):
    from config.settings.base import database_config

    monkeypatch.setenv("DATABASE_URL", "postgres://portal:pw@pgbouncer:6432/portal")
    monkeypatch.setenv("DATABASE_POOLER", "pgbouncer")
    monkeypatch.setenv("DB_CONN_MAX_AGE", "60")
    config = database_config()
    assert config["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert config["OPTIONS"]["prepare_threshold"] is None and config["CONN_MAX_AGE"] == 60
