"""One runner per sweep at a time: a Redis lock with Celery, a process lock without.

Sweeps are safe to run twice, so the lock is about not wasting work (and not
racing two batches over the same rows), not about correctness. A lock whose
holder died expires after its timeout.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import redis
from redis.exceptions import LockError, RedisError

from backend.core.config import settings

log = logging.getLogger(__name__)

_local_locks: dict[str, threading.Lock] = {}
_local_guard = threading.Lock()


@lru_cache(maxsize=4)
def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def broker_redis() -> redis.Redis:
    from backend.workers.celery_app import celery_app

    return redis_client(celery_app.conf.broker_url)


@contextmanager
def exclusive(name: str, *, timeout_s: int) -> Iterator[bool]:
    """Yields True if this caller holds the lock named `name`, False if someone else does."""
    if settings.uses_celery:
        with _redis_lock(name, timeout_s) as held:
            yield held
    else:
        with _local_lock(name) as held:
            yield held


@contextmanager
def _redis_lock(name: str, timeout_s: int) -> Iterator[bool]:
    from backend.workers.celery_app import key

    lock = broker_redis().lock(key(f"lock:{name}"), timeout=timeout_s, blocking=False)
    try:
        held = bool(lock.acquire(blocking=False))
    except RedisError:
        log.warning("Redis unreachable; running sweep %s without its lock", name)
        yield True
        return
    try:
        yield held
    finally:
        if held:
            try:
                lock.release()
            except (LockError, RedisError):
                log.warning("lock %s expired or Redis went away before release", name)


@contextmanager
def _local_lock(name: str) -> Iterator[bool]:
    with _local_guard:
        lock = _local_locks.setdefault(name, threading.Lock())
    held = lock.acquire(blocking=False)
    try:
        yield held
    finally:
        if held:
            lock.release()
