"""The Redis cache carries on without Redis: a miss, a skipped write, a warning; never an error."""

import logging

import pytest
import redis
from django.conf import settings

from governance.cache import ForgivingRedisCache, NearCache

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


def test_a_near_cache_keeps_what_fits_the_most_recent_first_and_for_its_time():
    near = NearCache(max_size=10)
    near.set("a", "aaaa", 4, seconds=60)
    near.set("b", "bbbb", 4, seconds=60)
    assert near.get("a") == "aaaa"  # now the most recently used
    near.set("c", "cccc", 4, seconds=60)  # over ten: the least recently used goes
    assert near.get("b") is None
    assert (near.get("a"), near.get("c")) == ("aaaa", "cccc")
    near.set("huge", "x" * 11, 11, seconds=60)  # never kept, and pushes nothing out
    assert near.get("huge") is None and near.get("a") == "aaaa"
    near.set("brief", "b", 1, seconds=0)
    assert near.get("brief") is None  # expired at once


def test_clearing_the_cache_clears_the_near_caches_in_front_of_it():
    cache = ForgivingRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "test-near"})
    near = NearCache(max_size=100)
    near.set("page", "<p>old</p>", 10, seconds=60)
    cache.clear()
    assert near.get("page") is None
