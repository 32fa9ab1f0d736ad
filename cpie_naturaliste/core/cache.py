"""The Redis cache backend: Django's, whose client keeps one redis-py client per connection
pool. Django's makes a new one for every cache call, and redis-py fills each new client's
table of response callbacks (some 200 entries): a request reads its session and its
throttles' counters through the cache, three such clients or more per request. A redis-py
client is safe to share between threads (each command borrows a connection from the
pool)."""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(
                    self._servers[index], **self._pool_options
                )
            client = self._clients[index] = self._client(
                connection_pool=self._pools[index]
            )
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
