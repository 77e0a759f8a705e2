"""All configuration in one place: read from the environment (and an optional `.env` file).

Secrets (the bot token, the webhook secret, the chat-key secret) come only from the
environment and are never logged; `Settings.__repr__` hides them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"


class ConfigError(Exception):
    """A setting is missing or malformed; the message says which and how to fix it."""


def load_dotenv(path: Path, environ: dict[str, str] | None = None) -> None:
    """Fill unset variables from a simple KEY=VALUE `.env` file (real environment wins)."""
    environ = os.environ if environ is None else environ
    if not path.is_file():
        return
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        environ.setdefault(key, value)


def _int(environ: dict[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def _int_set(environ: dict[str, str], name: str) -> frozenset[int]:
    raw = environ.get(name, "").replace(";", ",")
    ids = set()
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            raise ConfigError(
                f"{name} must be chat ids separated by commas (e.g. 12345,67890), got {part!r}"
            ) from None
    return frozenset(ids)


@dataclass(frozen=True)
class Settings:
    """Everything the program reads from its environment, with defaults that work locally."""

    knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR
    data_dir: Path = DEFAULT_DATA_DIR
    database_path: Path = DEFAULT_DATA_DIR / "clinic-bot.sqlite3"
    telegram_token: str = field(default="", repr=False)
    telegram_api_base_url: str = ""  # e.g. http://127.0.0.1:8081/bot for a self-hosted Bot API
    telegram_api_base_file_url: str = ""
    webhook_url: str = ""  # public https URL; when set, serve by webhook instead of polling
    webhook_secret: str = field(default="", repr=False)
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_path: str = "telegram"
    # Messages per second the bot sends across all chats (Telegram's limit is about 30);
    # 0 lifts the cap and leaves only the waiting-out of Telegram's "retry after" answers.
    telegram_rate_limit: int = 30
    admin_chat_ids: frozenset[int] = frozenset()
    retention_days: int = 90
    chat_key_secret: str = field(default="", repr=False)
    reload_interval_seconds: int = 3
    log_level: str = "INFO"

    @classmethod
    def from_env(
        cls, environ: dict[str, str] | None = None, *, dotenv: Path | None = None
    ) -> Settings:
        """Read settings; `.env` in the working directory fills what the environment lacks."""
        env = dict(os.environ if environ is None else environ)
        load_dotenv(dotenv if dotenv is not None else Path.cwd() / ".env", env)
        data_dir = Path(env.get("DATA_DIR") or DEFAULT_DATA_DIR)
        retention = _int(env, "RETENTION_DAYS", 90)
        if retention < 1:
            raise ConfigError(f"RETENTION_DAYS must be at least 1, got {retention}")
        return cls(
            knowledge_dir=Path(env.get("KNOWLEDGE_DIR") or DEFAULT_KNOWLEDGE_DIR),
            data_dir=data_dir,
            database_path=Path(env.get("DATABASE_PATH") or data_dir / "clinic-bot.sqlite3"),
            telegram_token=env.get("TELEGRAM_BOT_TOKEN", "").strip(),
            telegram_api_base_url=env.get("TELEGRAM_API_BASE_URL", "").strip(),
            telegram_api_base_file_url=env.get("TELEGRAM_API_BASE_FILE_URL", "").strip(),
            webhook_url=env.get("WEBHOOK_URL", "").strip(),
            webhook_secret=env.get("WEBHOOK_SECRET", "").strip(),
            webhook_listen=env.get("WEBHOOK_LISTEN", "127.0.0.1").strip() or "127.0.0.1",
            webhook_port=_int(env, "WEBHOOK_PORT", 8443),
            webhook_path=env.get("WEBHOOK_PATH", "telegram").strip().strip("/") or "telegram",
            telegram_rate_limit=_int(env, "TELEGRAM_RATE_LIMIT", 30),
            admin_chat_ids=_int_set(env, "ADMIN_CHAT_IDS"),
            retention_days=retention,
            chat_key_secret=env.get("CHAT_KEY_SECRET", "").strip(),
            reload_interval_seconds=_int(env, "RELOAD_INTERVAL_SECONDS", 3),
            log_level=(env.get("LOG_LEVEL") or "INFO").upper(),
        )
