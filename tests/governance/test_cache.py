"""The Redis cache carries on without Redis: a miss, a skipped write, a warning; never an error."""

import logging

import pytest
import redis
from django.conf import settings

from governance.cache import ForgivingRedisCache

DOWN = "redis://127.0.0.1:9/0"  # nothing listens on port 9


def test_without_redis_reads_miss_and_writes_are_skipped(caplog):
    cache = ForgivingRedisCache(DOWN, {})
    with caplog.at_level(logging.WARNING, logger="governance.cache"):
        assert cache.get("progress", 0) == 0
        assert cache.get_many(["a", "b"]) == {}
        assert not cache.has_key("progress")
        cache.set("progress", 12)
        assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
        assert not cache.add("progress", 12)
        assert not cache.touch("progress")
        assert not cache.delete("progress")
        cache.delete_many(["a", "b"])
        assert cache.get_or_set("progress", 7) == 7
    assert "Redis cache unavailable" in caplog.text


def test_without_redis_a_count_still_fails_loudly():
    with pytest.raises(redis.exceptions.ConnectionError):
        ForgivingRedisCache(DOWN, {}).incr("attempts")


def test_with_redis_it_is_the_plain_redis_cache():
    cache = ForgivingRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "test-forgiving"})
    cache.set("progress", 12)
    assert cache.get("progress") == 12
    assert cache.incr("progress") == 13
    cache.delete("progress")
    assert cache.get("progress") is None
