"""The real bot as a separate process (`python -m bot run`), pointed at a FakeTelegram.

Used by the end-to-end tests and the benchmark: the same command an operator runs, with
TELEGRAM_API_BASE_URL aimed at the fake on 127.0.0.1 and nothing inherited from a developer's
own .env or Telegram settings.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path

from bot.config import DEFAULT_KNOWLEDGE_DIR
from tests.telegram.fake_api import TOKEN, FakeTelegram

PROJECT_ROOT = Path(__file__).resolve().parents[2]
_INHERITED_PREFIXES = (
    "TELEGRAM_",
    "WEBHOOK_",
    "LOG_LEVEL",
    "KNOWLEDGE_DIR",
    "DATA_DIR",
    "DATABASE_PATH",
    "ADMIN_CHAT_IDS",
    "CHAT_KEY_SECRET",
    "RETENTION_DAYS",
    "RELOAD_INTERVAL_SECONDS",
)


def free_port() -> int:
    """A port nobody listens on right now (127.0.0.1)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bot_environment(tg: FakeTelegram, **overrides: str) -> dict[str, str]:
    """The environment for `python -m bot run` against `tg`: token, base URL, quiet logs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_INHERITED_PREFIXES)}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=tg.base_url,
        TELEGRAM_API_BASE_FILE_URL=tg.base_file_url,
        KNOWLEDGE_DIR=str(DEFAULT_KNOWLEDGE_DIR),
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(PROJECT_ROOT),
    )
    env.update(overrides)
    return env


class BotProcess:
    """`python -m bot run` in a scratch directory (so no .env is read), with its output kept."""

    def __init__(
        self,
        env: dict[str, str],
        args: tuple[str, ...] = ("run",),
        command: list[str] | None = None,
    ) -> None:
        """`python -m bot *args`, or any other `command` (the benchmark's echo bot)."""
        self.env = env
        self.command = command or [sys.executable, "-m", "bot", *args]
        self.process: asyncio.subprocess.Process | None = None
        self.stdout = ""
        self.stderr = ""
        self.started_at = 0.0
        self._readers: list[asyncio.Task[None]] = []
        self._workdir = tempfile.TemporaryDirectory(prefix="clinic-bot-")
        self.env.setdefault("DATA_DIR", self._workdir.name)

    async def start(self) -> BotProcess:
        """Start the process (returns at once; see `wait_until_polling`)."""
        self.started_at = time.perf_counter()
        self.process = await asyncio.create_subprocess_exec(
            *self.command,
            cwd=self._workdir.name,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        # Read the output as it comes, so a chatty bot never blocks on a full pipe.
        self._readers = [
            asyncio.create_task(self._drain(self.process.stdout, "stdout")),
            asyncio.create_task(self._drain(self.process.stderr, "stderr")),
        ]
        return self

    async def _drain(self, stream: asyncio.StreamReader | None, name: str) -> None:
        assert stream is not None
        while chunk := await stream.read(65536):
            setattr(self, name, getattr(self, name) + chunk.decode(errors="replace"))

    async def wait_until_polling(self, tg: FakeTelegram, timeout: float = 20.0) -> float:
        """Wait for the first getUpdates; returns seconds since start (the start-up time)."""
        already = len(tg.calls_to("getUpdates"))
        await tg.wait_for(lambda: len(tg.calls_to("getUpdates")) > already or self.exited, timeout)
        if self.exited:
            await self.wait(5)
            raise AssertionError(f"the bot exited early:\n{self.stderr}")
        return time.perf_counter() - self.started_at

    async def wait_for_stderr(self, text: str, timeout: float = 10.0) -> None:
        """Wait until `text` shows in the bot's log, the bot ends, or `timeout` passes."""
        deadline = time.perf_counter() + timeout
        while text not in self.stderr and not self.exited and time.perf_counter() < deadline:
            await asyncio.sleep(0.1)

    @property
    def exited(self) -> bool:
        """True once the process has ended."""
        return self.process is not None and self.process.returncode is not None

    @property
    def pid(self) -> int:
        """The process id."""
        assert self.process is not None
        return self.process.pid

    async def wait(self, timeout: float) -> int:
        """Wait for the process to end; collects its output; returns the exit code."""
        assert self.process is not None
        code = await asyncio.wait_for(self.process.wait(), timeout)
        await asyncio.gather(*self._readers)
        return code

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> tuple[int, float]:
        """Send `sig` and wait; returns (exit code, seconds it took to stop)."""
        assert self.process is not None
        began = time.perf_counter()
        if not self.exited:
            self.process.send_signal(sig)
        code = await self.wait(timeout)
        return code, time.perf_counter() - began

    async def kill(self) -> None:
        """Make sure the process is gone (test clean-up)."""
        if self.process is not None and not self.exited:
            self.process.kill()
            await self.wait(10)
        self._workdir.cleanup()
