"""Once-only actions: a request repeated with the same Idempotency-Key gets the first one's answer.

The page makes a key for each submit of a form (and disables the button while it is pending), so
a double click, a resubmitted request or a retry after a lost answer runs the action on fluxiond
once. A second request with a key whose action is still running waits for that action's answer.
Keys are kept `TTL_S` seconds, at most `MAX_KEYS` of them (the oldest go first).
"""
from __future__ import annotations

import asyncio
import collections
import time
from typing import Awaitable, Callable, Optional

Answer = tuple[int, dict]

TTL_S = 600.0
MAX_KEYS = 2000


class IdempotencyCache:
    def __init__(self, ttl_s: float = TTL_S, max_keys: int = MAX_KEYS) -> None:
        self.ttl_s = ttl_s
        self.max_keys = max_keys
        self._entries: "collections.OrderedDict[str, tuple[float, asyncio.Future[Answer]]]" = collections.OrderedDict()
        self.executed = 0   # actions run
        self.replayed = 0   # requests answered from the cache

    def _expire(self) -> None:
        now = time.monotonic()
        while self._entries:
            key, (at, fut) = next(iter(self._entries.items()))
            if (now - at > self.ttl_s or len(self._entries) > self.max_keys) and fut.done():
                del self._entries[key]
            else:
                break

    async def run(self, key: Optional[str], action: Callable[[], Awaitable[Answer]]) -> Answer:
        """The answer of `action`, run once per `key` (None or "": every time)."""
        if not key:
            self.executed += 1
            return await action()
        self._expire()
        entry = self._entries.get(key)
        if entry is not None:
            self.replayed += 1
            return await asyncio.shield(entry[1])
        # A task of its own, so that a request that goes away (the browser closed) does not
        # cancel an action already sent: its answer is still kept for the key.
        task: asyncio.Future[Answer] = asyncio.ensure_future(action())
        self._entries[key] = (time.monotonic(), task)
        self.executed += 1

        def forget_failure(t: asyncio.Future[Answer]) -> None:
            # The action failed without an answer (not a status: those are answers): later
            # requests with this key may try again.
            if t.cancelled() or t.exception() is not None:
                entry = self._entries.get(key)
                if entry is not None and entry[1] is t:
                    del self._entries[key]

        task.add_done_callback(forget_failure)
        return await asyncio.shield(task)
