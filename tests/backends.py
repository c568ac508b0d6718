"""Index backends for parametrised tests: the embedded SQLite file, Redis and PostgreSQL.

Redis tests need a server: PROVENANCE_TEST_REDIS (``redis://127.0.0.1:6399/0``, which .ci/run
starts) or a server on the default port. PostgreSQL tests need PROVENANCE_TEST_POSTGRES (a
``postgresql://`` URL of a database the tests may create schemas in; .ci/run starts a throwaway
cluster); each test gets a schema of its own, dropped after. Outside CI, tests of a backend whose
server is absent are skipped with the reason; in CI (CI=true) a missing server is a failure.
"""

from __future__ import annotations

import os
import uuid

import pytest

DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def redis_url() -> str | None:
    url = os.environ.get("PROVENANCE_TEST_REDIS") or DEFAULT_REDIS
    try:
        import redis
    except ImportError:
        return None
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except (redis.exceptions.RedisError, OSError):
        return None
    return url


def require_redis() -> str:
    url = redis_url()
    if url is None:
        reason = (f"no Redis server answers at {os.environ.get('PROVENANCE_TEST_REDIS') or DEFAULT_REDIS} "
                  "(set PROVENANCE_TEST_REDIS or start redis-server; .ci/run starts one)")
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return url


def postgres_url() -> str | None:
    url = os.environ.get("PROVENANCE_TEST_POSTGRES")
    if not url:
        return None
    try:
        import psycopg
    except ImportError:
        return None
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except (psycopg.Error, OSError):
        return None
    return url


def require_postgres() -> str:
    url = postgres_url()
    if url is None:
        wanted = os.environ.get("PROVENANCE_TEST_POSTGRES")
        reason = (f"no PostgreSQL server answers at {wanted} (or psycopg is missing)" if wanted else
                  "PROVENANCE_TEST_POSTGRES is not set (a postgresql:// URL; .ci/run starts a throwaway cluster)")
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return url


def location(backend: str, tmp_path) -> str:
    """A fresh, empty index location for the backend."""
    if backend == "sqlite":
        return str(tmp_path / f"index-{uuid.uuid4().hex[:8]}.sqlite")
    if backend == "postgres":
        url = require_postgres()
        return f"{url}{'&' if '?' in url else '?'}schema=test_{uuid.uuid4().hex[:12]}"
    url = require_redis()
    return f"{url}?prefix=test-{uuid.uuid4().hex[:12]}"


def drop(loc: str) -> None:
    """Delete a Redis test prefix or a PostgreSQL test schema (SQLite files go with tmp_path)."""
    if loc.startswith(("postgresql://", "postgres://")):
        import psycopg
        from psycopg import sql

        from provenance.index.postgres_backend import split_url

        url, schema = split_url(loc)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        return
    if not loc.startswith("redis"):
        return
    import redis

    from provenance.index.redis_backend import _split_url

    url, prefix = _split_url(loc)
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(f"{prefix}:*", count=1000))
    for i in range(0, len(keys), 500):
        client.delete(*keys[i : i + 500])


BACKENDS = ["sqlite", "redis", "postgres"]
