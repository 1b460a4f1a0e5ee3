"""The Redis cache, forgiving of Redis being down, and a near cache in front of it.

The cache only holds what can be lost (an import's progress); the database holds the truth. So
when Redis does not answer, a read is a miss and a write is skipped, with a warning in the log,
instead of a server error for the user. incr() and decr() still raise: a count that silently
stays at nothing would be wrong, not merely missing.
"""

import logging
import threading
import time
import weakref
from collections import OrderedDict

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)


def _unavailable(error):
    logger.warning("Redis cache unavailable, carrying on without it: %s", error)


class ReusedRedisClient(RedisCacheClient):
    """Django's client makes a new redis.Redis for every command, which costs more than
    the command itself on a page read from the cache (redis-py copies its reply handlers);
    a redis.Redis is safe to share between threads, so each pool's is made once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ForgivingRedisCache(RedisCache):
    def __init__(self, server, params):
        # A Redis that hangs would hold every request: give up after a second instead.
        options = {"socket_connect_timeout": 1, "socket_timeout": 1, **params.get("OPTIONS", {})}
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusedRedisClient

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNAVAILABLE as error:
            _unavailable(error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNAVAILABLE as error:
            _unavailable(error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except UNAVAILABLE as error:
            _unavailable(error)
            return False

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except UNAVAILABLE as error:
            _unavailable(error)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except UNAVAILABLE as error:
            _unavailable(error)
            return list(data)  # the keys not set

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNAVAILABLE as error:
            _unavailable(error)
            return False

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except UNAVAILABLE as error:
            _unavailable(error)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNAVAILABLE as error:
            _unavailable(error)
            return False

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except UNAVAILABLE as error:
            _unavailable(error)

    def clear(self):
        # What is cleared is gone from this process's near caches too.
        for near in list(NEAR_CACHES):
            near.clear()
        return super().clear()


# Every near cache, so that clearing the cache clears them.
NEAR_CACHES: "weakref.WeakSet[NearCache]" = weakref.WeakSet()


class NearCache:
    """A small cache in this process's memory, in front of Redis for what most pages read: a
    look-up costs a dictionary's, where Redis costs a round trip (80 µs and more for a page).
    Holds at most max_size (the callers' measure: characters of HTML), the least recently used
    going first; each entry for at most its seconds. Safe between threads."""

    def __init__(self, max_size):
        self.max_size = max_size
        self._entries = OrderedDict()  # key -> (value, size, expiry on time.monotonic())
        self._size = 0
        self._lock = threading.Lock()
        NEAR_CACHES.add(self)

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[2] < time.monotonic():
                self._remove(key)
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def set(self, key, value, size, seconds):
        if size > self.max_size:
            return
        with self._lock:
            if key in self._entries:
                self._remove(key)
            self._entries[key] = (value, size, time.monotonic() + seconds)
            self._size += size
            while self._size > self.max_size:
                self._remove(next(iter(self._entries)))

    def clear(self):
        with self._lock:
            self._entries.clear()
            self._size = 0

    def _remove(self, key):
        _value, size, _expires = self._entries.pop(key)
        self._size -= size


def count_up(key: str, timeout: int) -> int | None:
    """Add one to a counter in the default cache that lives `timeout` seconds from its first
    count, and return it; None when the cache cannot count (Redis down)."""
    from django.core.cache import cache  # here: django.core.cache loads this module

    try:
        cache.add(key, 0, timeout=timeout)
        return cache.incr(key)
    except ValueError:  # expired between the two: a new minute
        return None
    except UNAVAILABLE as error:
        _unavailable(error)
        return None
