"""The Redis broker transport: kombu's, with channels that close cleanly on a lost connection.

Why this exists (kombu 5.7.0 with celery 5.7.0, the newest releases): when
Redis goes away, Celery's consumer `collect()`s the connection, which closes
its channels and then detaches the transport from it (`transport.client =
None`), and afterwards `close()`s the connection once more. A Redis
`Channel.close()` first reads the reply of the BRPOP it has pending; on a
dead socket that read raises and the close stops there, the channel's
unacknowledged messages neither restored nor given up. When the loss was
noticed on another socket (a fanout subscription such as remote control,
whose own close fails too and cuts `collect()` short), the task channel is
left half closed,
and the final `close()` restores its messages through a new connection pool
built from the detached client: `AttributeError: 'NoneType' object has no
attribute 'hostname'`, which Celery reports as "Unrecoverable error" and
exits. It takes a task channel that holds a message and waits on a BRPOP at
once: a worker under traffic. An idle worker survives.

Two narrow corrections and one saving, and nothing else changes:

- `Channel.close` drops the pending BRPOP reply when the connection is gone
  and closes the rest of the channel, so its messages are restored (or, with
  Redis down, left in Redis's unacked set for the visibility timeout) during
  the first close, while the transport still has its connection;
- a channel whose connection was already detached fails with a connection
  error, which Celery and kombu handle as the broker loss it is (a late ack
  is logged and left to the visibility timeout), never with AttributeError.

- a channel reuses one Redis client (over its connection pool) for the
  commands it sends outside its BRPOP: kombu builds a new client, with its
  table of reply callbacks, for every message published and every ack, a
  sixth of a webhook's CPU.

Everything the worker runs is idempotent and every row the broker loses is
submitted again by the sweeps, so a message redelivered after its
visibility timeout costs a no-op.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from queue import Empty
from typing import Any

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    """kombu's Redis channel; closing it finishes even when the pending BRPOP read fails."""

    _shared_client: Any = None

    @contextmanager
    def conn_or_acquire(self, client: Any = None) -> Iterator[Any]:
        """The given client, else this channel's one client over its current pool (a Redis
        client is safe to share between threads: each command takes a pooled connection)."""
        if client:
            yield client
            return
        pool = self.pool
        shared = self._shared_client
        if shared is None or shared.connection_pool is not pool:
            shared = self._shared_client = self._create_client()
        yield shared

    def close(self) -> None:
        if self._in_poll:
            try:
                self._brpop_read()
            except Empty:
                pass
            except self.connection.connection_errors:
                pass  # the reply went with the connection; _brpop_read has cleared _in_poll
        super().close()

    def _get_pool(self, asynchronous: bool = False) -> Any:
        if self.connection.client is None:
            raise RedisConnectionError("the broker connection of this channel was already closed")
        return super()._get_pool(asynchronous=asynchronous)


class _SpelledRedis(type):
    """Logs and the worker banner write the broker as `<transport>://host`: keep it `redis`."""

    def __str__(cls) -> str:
        return "redis"


class Transport(kombu_redis.Transport, metaclass=_SpelledRedis):
    """kombu's Redis transport with `Channel` above; the driver is still "redis"."""

    Channel = Channel
