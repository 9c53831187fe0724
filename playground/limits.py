"""Per-user run limits: runs going at once, and runs started in any 60 seconds.

Kept in this process's memory: with several server processes each one counts its
own (see docs/deploy.md). That is enough for what the limits are for, stopping a
stuck script or an impatient double-click from hammering a shared key.
"""

import time
from collections import deque
from collections.abc import Callable
from typing import Any

from django.conf import settings

WINDOW_SECONDS = 60.0


class RunRefused(Exception):
    """A run the limits do not allow now; ``message`` says why and what to do."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class RunLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._running: dict[Any, int] = {}
        self._started: dict[Any, deque[float]] = {}

    def acquire(self, user_key: Any) -> None:
        """Count one more run for ``user_key``, or raise RunRefused. Pair with ``release``."""
        concurrent = settings.PLAYGROUND_MAX_CONCURRENT_RUNS
        per_minute = settings.PLAYGROUND_MAX_RUNS_PER_MINUTE
        now = self._clock()
        started = self._started.setdefault(user_key, deque())
        while started and now - started[0] >= WINDOW_SECONDS:
            started.popleft()
        if self._running.get(user_key, 0) >= concurrent:
            raise RunRefused(
                f"You already have {concurrent} run{'' if concurrent == 1 else 's'} going (the limit per user). Wait for one "
                "to finish, or stop one, then run again."
            )
        if len(started) >= per_minute:
            wait = max(1, round(WINDOW_SECONDS - (now - started[0])))
            raise RunRefused(
                f"You started {per_minute} runs in the last minute (the limit per user). "
                f"Run again in {wait} s."
            )
        started.append(now)
        self._running[user_key] = self._running.get(user_key, 0) + 1

    def release(self, user_key: Any) -> None:
        left = self._running.get(user_key, 0) - 1
        if left > 0:
            self._running[user_key] = left
        else:
            self._running.pop(user_key, None)

    def running(self, user_key: Any) -> int:
        return self._running.get(user_key, 0)

    def reset(self) -> None:
        self._running.clear()
        self._started.clear()


run_limiter = RunLimiter()


def user_key(user: Any) -> Any:
    """What the limits count by: the user's id, or the name of a user not saved (tests)."""
    return user.pk if getattr(user, "pk", None) is not None else f"name:{user.get_username()}"
