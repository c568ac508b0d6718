"""Index backends for parametrised tests: the embedded SQLite file and Redis.

Redis tests need a server: PROVENANCE_TEST_REDIS (``redis://127.0.0.1:6399/0``, which .ci/run
starts) or a server on the default port. Outside CI they are skipped with the reason when no
server answers; in CI (CI=true) a missing server is a failure.
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


def location(backend: str, tmp_path) -> str:
    """A fresh, empty index location for the backend."""
    if backend == "sqlite":
        return str(tmp_path / f"index-{uuid.uuid4().hex[:8]}.sqlite")
    url = require_redis()
    return f"{url}?prefix=test-{uuid.uuid4().hex[:12]}"


def drop(loc: str) -> None:
    """Delete a Redis test prefix (SQLite files go with tmp_path)."""
    if not loc.startswith("redis"):
        return
    import redis

    from provenance.index.redis_backend import _split_url

    url, prefix = _split_url(loc)
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(f"{prefix}:*", count=1000))
    for i in range(0, len(keys), 500):
        client.delete(*keys[i : i + 500])


BACKENDS = ["sqlite", "redis"]
