"""What the PostgreSQL benches share: their own database, named after the one in DATABASE_URL (so two
worktrees or CI jobs on one server never drop each other's), created afresh and dropped at the end."""

import contextlib
import os
import sys
import urllib.parse


@contextlib.contextmanager
def bench_database(suffix: str, *, keep: bool = False, var_dir: str = "", fresh: bool = True):
    """`fresh=False` reuses the bench database a previous `keep` left (created if missing)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL server (the bench creates its own database)")
    import psycopg

    parsed = urllib.parse.urlparse(url)
    base = (parsed.path.lstrip("/") or "postgres").replace("-", "_")
    name = f"{base}_bench_{suffix}"
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if fresh or not exists:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
    os.environ["DATABASE_URL"] = parsed._replace(path=f"/{name}").geturl()
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ.setdefault("PORTAL_VAR_DIR", var_dir or f"/tmp/{name}_var")
    try:
        yield os.environ["DATABASE_URL"]
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if not keep:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
