"""The cache backend (``cpie_naturaliste.core.cache``): Django's Redis cache, on the real
Redis of the tests, with one redis-py client kept per connection pool."""

import threading

from django.core.cache import cache


def test_the_cache_reads_and_writes_redis_through_one_client():
    cache.set("test-cache-key", {"a": 1}, 30)
    assert cache.get("test-cache-key") == {"a": 1}
    cache.delete("test-cache-key-n")
    assert cache.add("test-cache-key-n", 1, 30)
    assert cache.incr("test-cache-key-n") == 2
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client() is client
    assert client.get(cache.make_and_validate_key("test-cache-key")) is not None
    cache.delete_many(["test-cache-key", "test-cache-key-n"])
    assert cache.get("test-cache-key") is None


def test_threads_share_the_client():
    errors = []

    def work(n):
        try:
            for i in range(50):
                cache.set(f"test-thread-{n}-{i}", i, 30)
                assert cache.get(f"test-thread-{n}-{i}") == i
        except AssertionError as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    cache.delete_many([f"test-thread-{n}-{i}" for n in range(8) for i in range(50)])
