"""Every request the bot makes goes through PTB's AIORateLimiter, plus retries on network errors.

AIORateLimiter already keeps under Telegram's flood limits and waits out 429 `retry_after`;
it does not retry a request that failed on the way (connection dropped, a 5xx from
Telegram, a timeout). Those are retried here a few times with a growing pause, so a
patient's answer survives a network blip. Requests Telegram *refused* (400 Bad Request,
403 Forbidden) are not retried: sending them again would fail the same way.

Fetching updates is not routed through the rate limiter by PTB; our polling loop
(polling.py) retries on its own. Nor is the start-up's getMe retried here: `app.connect`
waits for Telegram as long as it takes and says in plain words that it cannot be reached.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter, BaseRateLimiter

log = logging.getLogger(__name__)

RETRY_PAUSES = (0.5, 1.0, 2.0, 4.0)  # seconds before each new attempt; ~7.5 s in all
RATE_LIMIT_RETRIES = 3  # 429s waited out per request before giving up
NOT_RETRIED = frozenset({"getMe"})  # the start-up check; app.connect has its own patient loop

Result = bool | dict[str, Any] | list[dict[str, Any]]


class RetryingRateLimiter(BaseRateLimiter[int]):
    """AIORateLimiter's flood control and 429 handling, with retries after network errors."""

    def __init__(
        self,
        overall_max_rate: float,
        pauses: Sequence[float] = RETRY_PAUSES,
        rate_limit_retries: int = RATE_LIMIT_RETRIES,
    ) -> None:
        """`overall_max_rate`: messages per second across chats; 0 lifts the overall cap."""
        self._limiter = AIORateLimiter(
            overall_max_rate=overall_max_rate, max_retries=rate_limit_retries
        )
        self._pauses = tuple(pauses)

    async def initialize(self) -> None:
        """Nothing to set up beyond the wrapped limiter."""
        await self._limiter.initialize()

    async def shutdown(self) -> None:
        """Nothing to free beyond the wrapped limiter."""
        await self._limiter.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Run one Bot API call through the limiter, trying again after a network failure."""
        if endpoint in NOT_RETRIED:
            return await self._limiter.process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        for attempt in range(len(self._pauses) + 1):
            try:
                return await self._limiter.process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:
                raise  # Telegram understood and refused it: the same request fails again
            except NetworkError as exc:
                if attempt == len(self._pauses):
                    log.warning(
                        "%s failed after %d attempts (%s); giving up",
                        endpoint,
                        attempt + 1,
                        exc.message,
                    )
                    raise
                pause = self._pauses[attempt]
                log.warning("%s failed (%s); retrying in %.1f s", endpoint, exc.message, pause)
                await asyncio.sleep(pause)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
