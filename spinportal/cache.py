"""Django's Redis cache, made to degrade: a Redis that is down or stalled costs a request at
most one short timeout, never an error.

Every call that fails with a Redis error answers as a cache miss (get → default, set/add →
False, incr → ValueError as for a missing key, delete → False) and opens a breaker: for
BREAKER_SECONDS the process does not try Redis at all, so a stalled server (connections that
accept and never answer) costs one socket timeout per process and breaker period, not one per
call. What each use does with a miss is documented where it is used; today:
- API throttles (accounts/throttling.py) and allauth's login rate limits fail open: an
  empty history lets the request through, the password and second factor still guard logins;
- nothing else depends on the cache for correctness (sessions live in the database).
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

BREAKER_SECONDS = 5.0


class FailSoftRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._open_until = 0.0
        self._lock = threading.Lock()

    def _call(self, method, fallback, *args):
        """`method(*args)`, or `fallback` while the breaker is open or when Redis fails."""
        if time.monotonic() < self._open_until:
            return fallback
        try:
            return method(*args)
        except RedisError as error:
            with self._lock:
                self._open_until = time.monotonic() + BREAKER_SECONDS
            logger.warning("cache unavailable for %.0f s: %s", BREAKER_SECONDS, error)
            return fallback

    def get(self, key, default=None, version=None):
        return self._call(super().get, default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._call(super().has_key, False, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set, None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set_many, list(data), data, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, False, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, False, key, timeout, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        value = self._call(super().incr, missing, key, delta, version)
        if value is missing:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def delete(self, key, version=None):
        return self._call(super().delete, False, key, version)

    def delete_many(self, keys, version=None):
        return self._call(super().delete_many, None, keys, version)

    def clear(self):
        return self._call(super().clear, False)
