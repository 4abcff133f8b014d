"""Values computed from many rows, cached until any of those rows changes.

A `VersionedCache` keys its entries by a version number that `changed()` bumps; every entry
of older versions is then never read again (and expires). Apps connect `changed` to the
signals of the models the values come from, so that services, the admin and the shell all
invalidate; `bulk_create` and `update()` send no signals, so their callers call `changed()`.
The number is bumped at once (the writer's own next read) and again after commit (a reader
that cached the old rows meanwhile used the new number, which the second bump retires).
Entries also expire after `timeout` seconds, so a bump lost while the cache was unreachable
heals itself; with the cache down every read computes (FailSoftRedisCache).
"""

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction


class VersionedCache:
    def __init__(self, name: str, timeout: int = 300):
        self.name = name
        self.timeout = timeout
        self.version_key = f"{name}:version"

    def version(self) -> int:
        version = cache.get(self.version_key)
        if version is None:
            version = 1
            cache.add(self.version_key, version, timeout=None)
        return version

    def _bump(self) -> None:
        try:
            cache.incr(self.version_key)
        except ValueError:  # not there (evicted, or never read): a new start is as good
            cache.set(self.version_key, self.version() + 1, timeout=None)

    def changed(self, **_signal_arguments) -> None:
        self._bump()
        transaction.on_commit(self._bump)

    def cached(self, kind: str, parts: list[str], compute: Callable[[], object]):
        """`compute()`'s value, stored under the current version, `kind` and `parts`."""
        digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]
        key = f"{self.name}:{self.version()}:{kind}:{digest}"
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, timeout=self.timeout)
        return value
