"""The WhatsApp channel's state in Redis, for scale-out mode (several Rasa servers behind a
proxy, README "Scale-out mode"): one logical state for all of them. Used when ``REDIS_URL``
is set; without it the channel keeps its SQLite file and in-process rate limit
(``whatsapp_state``). Same interfaces as ``ChannelState`` and ``RateLimiter``.

Keys (under ``prefix``, default ``pemberdayaan:wa:``):

- ``msg:<id>``: ``pending`` or ``done``, expiring after ``keep_seconds``; ``SET NX`` makes
  the first server that takes a message id in its only handler;
- ``pending:<instance>``: hash id -> the message (JSON), the messages this server took in
  and has not finished, so that it handles them again after a restart (another server's
  pending messages are its own to finish);
- ``consent``: hash number -> ``1:<time>`` (opted out) or ``0:<time>``; never expires;
- ``rate:<sender>``: the sender's token bucket (tokens, updated), changed by one Lua
  script so that two servers never both spend the last token;
- ``notice:<sender>``: set for ``notice_every`` seconds after a "too many messages" notice.

Any Redis error becomes ``StateUnavailable``: the webhook answers 503 and WhatsApp
delivers the message again later, so nothing is lost while Redis is away.

Imports only the standard library and ``redis`` (shipped with Rasa), loaded on first use.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from assistant.channels.whatsapp_payloads import Inbound
from assistant.channels.whatsapp_state import (
    DONE,
    KEEP_IDS_SECONDS,
    PENDING,
    StateUnavailable,
    Unfinished,
)

logger = logging.getLogger(__name__)

PREFIX = "pemberdayaan:wa:"
SOCKET_SECONDS = 2.0  # a Redis that does not answer within this is treated as away

# KEYS[1] bucket; ARGV capacity, refill per second, now, ttl. 1 = allowed, 0 = over.
_TAKE_TOKEN = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(bucket[1]) or capacity
local updated = tonumber(bucket[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - updated) * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return allowed
"""


def connect(url: str) -> Any:
    """A Redis client for ``url`` (redis://[:password@]host:port/db), short timeouts."""
    import redis

    return redis.Redis.from_url(
        url,
        socket_timeout=SOCKET_SECONDS,
        socket_connect_timeout=SOCKET_SECONDS,
        decode_responses=True,
    )


@contextmanager
def _redis_errors(what: str) -> Iterator[None]:
    import redis

    try:
        yield
    except redis.RedisError as error:
        raise StateUnavailable(f"Redis: {what}: {type(error).__name__}: {error}") from error


def instance_name() -> str:
    """This server's name among the others (its pending messages are kept under it):
    ``WHATSAPP_INSTANCE``, else ``RASA_PORT``, else ``default``."""
    return os.environ.get("WHATSAPP_INSTANCE") or os.environ.get("RASA_PORT") or "default"


class RedisChannelState:
    """``ChannelState`` kept in Redis (see the module's docstring)."""

    def __init__(
        self,
        client: Any,
        instance: str,
        prefix: str = PREFIX,
        keep_seconds: float = KEEP_IDS_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis, self.instance, self.prefix = client, instance, prefix
        self.keep_seconds, self.clock = int(keep_seconds), clock
        self.path = f"redis ({prefix}, instance {instance})"

    def _key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    @property
    def _pending(self) -> str:
        return self._key("pending", self.instance)

    # --- messages ---------------------------------------------------------------------

    def seen(self, message_id: str) -> bool:
        with _redis_errors("seen"):
            return bool(self.redis.exists(self._key("msg", message_id)))

    def claim(self, message: Inbound, done: bool = False) -> bool:
        with _redis_errors("claim"):
            first = self.redis.set(
                self._key("msg", message.id),
                DONE if done else PENDING,
                nx=True,
                ex=self.keep_seconds,
            )
            if first and not done:
                record = {
                    "sender": message.sender,
                    "kind": message.kind,
                    "body": message.text,
                    "at": self.clock(),
                }
                self.redis.hset(self._pending, message.id, json.dumps(record))
        return bool(first)

    def finish(self, message_id: str) -> None:
        with _redis_errors("finish"):
            pipe = self.redis.pipeline()
            pipe.set(self._key("msg", message_id), DONE, xx=True, ex=self.keep_seconds)
            pipe.hdel(self._pending, message_id)
            pipe.execute()

    def status(self, message_id: str) -> str | None:
        with _redis_errors("status"):
            value = self.redis.get(self._key("msg", message_id))
        return str(value) if value else None

    def unfinished(self) -> list[Unfinished]:
        """This server's pending messages, oldest first."""
        with _redis_errors("unfinished"):
            raw = self.redis.hgetall(self._pending)
        left = []
        for message_id, value in raw.items():
            record = json.loads(value)
            message = Inbound(
                message_id,
                record.get("sender") or "",
                record.get("kind") or "unknown",
                record.get("body"),
            )
            left.append(Unfinished(message, float(record.get("at", 0.0))))
        return sorted(left, key=lambda item: item.at)

    def prune(self) -> None:
        """Nothing to do: the ids expire by themselves."""

    def handled_count(self) -> int:
        with _redis_errors("count"):
            return sum(1 for _ in self.redis.scan_iter(match=self._key("msg", "*"), count=1000))

    # --- consent ----------------------------------------------------------------------

    def opted_out(self, number: str) -> bool:
        with _redis_errors("opted_out"):
            value = self.redis.hget(self._key("consent"), number)
        return bool(value) and str(value).startswith("1:")

    def set_opted_out(self, number: str, opted_out: bool) -> None:
        with _redis_errors("set_opted_out"):
            self.redis.hset(self._key("consent"), number, f"{int(opted_out)}:{self.clock()}")

    def close(self) -> None:
        try:
            self.redis.close()
        except Exception:  # closing a connection to a Redis that went away
            logger.debug("WhatsApp: closing the Redis connection failed", exc_info=True)


class RedisRateLimiter:
    """``RateLimiter`` shared by all servers: a token bucket per sender in Redis."""

    def __init__(
        self,
        client: Any,
        per_minute: int = 20,
        notice_every: float = 60.0,
        prefix: str = PREFIX,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis, self.prefix, self.clock = client, prefix, clock
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.notice_every = notice_every
        # A bucket refills in capacity / rate seconds; after that it is full and can go.
        self._ttl = int(self.capacity / self.rate) + 60 if self.rate else 3600
        self._take = client.register_script(_TAKE_TOKEN)

    def allow(self, sender: str) -> bool:
        with _redis_errors("rate limit"):
            allowed = self._take(
                keys=[f"{self.prefix}rate:{sender}"],
                args=[self.capacity, self.rate, self.clock(), self._ttl],
            )
        return bool(int(allowed))

    def should_notice(self, sender: str) -> bool:
        with _redis_errors("notice"):
            first = self.redis.set(
                f"{self.prefix}notice:{sender}", "1", nx=True, ex=max(1, int(self.notice_every))
            )
        return bool(first)
