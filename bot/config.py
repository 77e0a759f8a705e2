"""All configuration in one place: read from the environment (and an optional `.env` file).

Secrets (the bot token, the webhook secret, the chat-key secret) come only from the
environment and are never logged; `Settings.__repr__` hides them.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bot.core.errors import ConfigError

__all__ = ["ConfigError", "Settings", "check_telegram_settings", "load_dotenv"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"

_TOKEN_SHAPE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as secret_token


_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

_DOTENV_LINE = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")


def load_dotenv(path: Path, environ: MutableMapping[str, str] | None = None) -> None:
    """Fill unset variables from a `.env` file of NAME=value lines (real environment wins).

    Accepts what people paste from shell scripts: `export NAME=value`, quotes around the
    value, comments (`# ...`) on their own line or after an unquoted value. A line that is
    none of these is refused with its line number, rather than silently ignored.
    """
    target: MutableMapping[str, str] = os.environ if environ is None else environ
    if not path.is_file():
        return
    text = path.read_text(encoding="utf-8-sig")  # -sig: a BOM from a Windows editor is dropped
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _DOTENV_LINE.match(line)
        if match is None:
            raise ConfigError(
                f"{path}:{number}: not a NAME=value line - write it like"
                " TELEGRAM_BOT_TOKEN=123456789:AAE... (or start it with # to keep it as a note)"
            )
        key, value = match.groups()
        target.setdefault(key, _dotenv_value(value, f"{path}:{number}", key))


# A quoted value, then nothing or a # comment: `"123:AAE..."  # from @BotFather`.
_QUOTED_VALUE = re.compile(r"""^(["'])(.*?)\1\s*(?:#.*)?$""")


def _dotenv_value(value: str, where: str, key: str) -> str:
    """The value of one `.env` line without its quotes and its trailing `# comment`."""
    if value[:1] in ("'", '"'):
        quoted = _QUOTED_VALUE.match(value)
        if quoted is None:
            raise ConfigError(
                f"{where}: the quote after {key}= is not closed, or text follows it - write"
                f' {key}="value" (a # comment may follow after a space)'
            )
        return quoted.group(2)
    return re.sub(r"\s+#.*$", "", value).strip()


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
    # Where `chat --record` keeps a rehearsal, apart from what real patients said.
    rehearsal_database_path: Path = DEFAULT_DATA_DIR / "rehearsal.sqlite3"
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

    def __post_init__(self) -> None:
        """Refuse values no command can work with, however the settings were made."""
        if self.telegram_rate_limit < 0:
            raise ConfigError("TELEGRAM_RATE_LIMIT must be 0 (no cap) or a positive number")
        if self.log_level not in _LOG_LEVELS:
            raise ConfigError(
                f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {self.log_level!r}"
            )

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
            rehearsal_database_path=Path(
                env.get("REHEARSAL_DATABASE_PATH") or data_dir / "rehearsal.sqlite3"
            ),
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
            log_level=(env.get("LOG_LEVEL") or "INFO").strip().upper(),
        )


def check_telegram_settings(settings: Settings) -> None:
    """Refuse settings `run` cannot work with, with a message that says how to fix them.

    Everything else is checked as it is read (`Settings.from_env`), on every command's path.
    """
    token = settings.telegram_token
    if not token:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is not set - get a token from @BotFather and put it in the"
            " environment or in .env"
        )
    if not _TOKEN_SHAPE.match(token):
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then letters,"
            " e.g. 123456789:AAE...) - copy it again from @BotFather"
        )
    for name, url in (
        ("TELEGRAM_API_BASE_URL", settings.telegram_api_base_url),
        ("TELEGRAM_API_BASE_FILE_URL", settings.telegram_api_base_file_url),
    ):
        if url and urlsplit(url).scheme not in ("http", "https"):
            raise ConfigError(f"{name} must start with http:// or https://, got {url!r}")
    if settings.webhook_url:
        _check_webhook(settings)


def _check_webhook(settings: Settings) -> None:
    if not settings.webhook_secret:
        raise ConfigError(
            "WEBHOOK_URL is set but WEBHOOK_SECRET is not - set WEBHOOK_SECRET to a random"
            " string of letters, digits, _ and - (e.g. `openssl rand -hex 32`)"
        )
    if not _SECRET_SHAPE.match(settings.webhook_secret):
        raise ConfigError(
            "WEBHOOK_SECRET may only contain letters, digits, _ and - (1 to 256 of them)"
        )
    parts = urlsplit(settings.webhook_url)
    if parts.scheme != "https" and not (parts.scheme == "http" and _is_loopback(parts.hostname)):
        raise ConfigError(
            f"WEBHOOK_URL must be a public https:// address, got {settings.webhook_url!r}"
        )
    if not 1 <= settings.webhook_port <= 65535:
        raise ConfigError(f"WEBHOOK_PORT must be between 1 and 65535, got {settings.webhook_port}")


def _is_loopback(host: str | None) -> bool:
    """http:// webhooks are allowed only on this machine (tests, a local Bot API server)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False
