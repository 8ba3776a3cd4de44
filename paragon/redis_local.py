"""The embedded default's Redis: use the one at REDIS_URL, or start a local redis-server when none answers."""

from __future__ import annotations

import logging
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def redis_answers(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2).ping())
    except (RedisError, OSError):
        return False


def ensure_redis(url: str, data_dir: Path) -> None:
    """Start a local redis-server for a loopback REDIS_URL that does not answer; raise if that fails."""
    if redis_answers(url):
        return
    parsed = urlparse(url)
    if parsed.hostname not in LOCAL_HOSTS:
        raise RuntimeError(f"Redis at {url} does not answer")
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("Redis does not answer and redis-server is not installed (apt-get install redis-server)")
    data_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [binary, "--daemonize", "yes", "--bind", parsed.hostname, "--port", str(parsed.port or 6379),
         "--save", "", "--appendonly", "no", "--dir", str(data_dir), "--maxmemory-policy", "noeviction",
         "--logfile", str(data_dir / "redis.log")],
        check=True,
    )
    for _ in range(50):
        if redis_answers(url):
            log.info("started a local redis-server for %s", url)
            return
        time.sleep(0.1)
    raise RuntimeError(f"started redis-server but {url} still does not answer; see {data_dir / 'redis.log'}")


def eviction_warning(redis: Redis) -> str | None:
    """A warning when Redis may evict keys (queued jobs would silently vanish), else None."""
    try:
        policy = redis.config_get("maxmemory-policy").get("maxmemory-policy")
    except RedisError:  # managed Redis may forbid CONFIG: nothing to say
        return None
    if policy not in (None, "noeviction"):
        return (f"Redis maxmemory-policy is {policy!r}: queued jobs may be evicted. "
                "Set maxmemory-policy noeviction (the sweeper re-queues lost claims, but later).")
    return None
