"""Fixtures for the Telegram tests: the fake Bot API (offline or on 127.0.0.1) and engines."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.adapters.telegram import build_application
from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from tests.telegram.fake_api import TOKEN, FakeTelegram, OfflineBot, OfflineRequest
from tests.telegram.fake_engine import FakeEngine


@pytest.fixture
def fake_engine() -> FakeEngine:
    return FakeEngine()


@pytest.fixture
async def offline(fake_engine: FakeEngine) -> AsyncIterator[OfflineBot]:
    tg = FakeTelegram()
    app = build_application(Settings(telegram_token=TOKEN), fake_engine, request=OfflineRequest(tg))
    await app.initialize()
    try:
        yield OfflineBot(tg, app)
    finally:
        await app.shutdown()


@pytest.fixture
async def fake_tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as tg:
        yield tg


@pytest.fixture(scope="session")
def real_engine():
    from bot.core.conversation import Engine

    return Engine.from_directory(DEFAULT_KNOWLEDGE_DIR)
