"""The group commit in front of the store: one write for the outcomes queued together, each
handler released only once its own outcome is written, failures logged, never raised."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import pytest

from bot.adapters.telegram.recording import Recorder
from bot.core.reply import Kind, Reply
from bot.store import NullStore

ANSWER = Reply(Kind.ANSWER, "The answer.", topic_id="cost", score=90)


class ListStore(NullStore):
    """Keeps batches in a list, as the real store keeps them in one transaction each."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[tuple[int, str, Reply]]] = []

    @property
    def available(self) -> bool:
        return True

    def record_many(self, messages: Sequence[tuple[int, str, Reply]], answers=()) -> None:
        self.batches.append(list(messages))


async def test_outcomes_queued_together_share_one_write() -> None:
    store = ListStore()
    recorder = Recorder(store)
    await asyncio.gather(*(recorder.record(chat, "", ANSWER) for chat in range(50)))
    assert [len(batch) for batch in store.batches] == [50]
    await recorder.record(99, "later", ANSWER)  # a lone patient is written at once
    assert store.batches[-1] == [(99, "later", ANSWER)]


async def test_each_caller_returns_only_after_its_own_outcome_is_written() -> None:
    caller_done_at_write: list[bool] = []

    class WatchingStore(ListStore):
        def record_many(self, messages: Sequence[tuple[int, str, Reply]], answers=()) -> None:
            caller_done_at_write.append(caller.done())
            super().record_many(messages)

    store = WatchingStore()
    recorder = Recorder(store)
    caller = asyncio.create_task(recorder.record(1, "", ANSWER))
    await caller
    assert caller_done_at_write == [False]
    assert store.batches == [[(1, "", ANSWER)]]


async def test_a_cancelled_caller_does_not_lose_the_others_outcomes() -> None:
    store = ListStore()
    recorder = Recorder(store)
    doomed = asyncio.create_task(recorder.record(1, "", ANSWER))
    kept = asyncio.create_task(recorder.record(2, "", ANSWER))
    await asyncio.sleep(0)
    doomed.cancel()
    await kept
    assert store.batches == [[(1, "", ANSWER), (2, "", ANSWER)]]


async def test_a_failing_write_is_logged_and_later_ones_still_happen(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class FlakyStore(ListStore):
        def record_many(self, messages: Sequence[tuple[int, str, Reply]], answers=()) -> None:
            if not self.batches:
                self.batches.append([])
                raise RuntimeError("disk on fire")
            super().record_many(messages)

    store = FlakyStore()
    recorder = Recorder(store)
    with caplog.at_level(logging.ERROR):
        await recorder.record(1, "", ANSWER)
    await recorder.record(2, "", ANSWER)
    assert "Recording 1 outcome(s) failed" in caplog.text
    assert store.batches[-1] == [(2, "", ANSWER)]


async def test_without_a_database_nothing_is_queued() -> None:
    recorder = Recorder(NullStore())
    await recorder.record(1, "", ANSWER)
    assert recorder._writer is None
