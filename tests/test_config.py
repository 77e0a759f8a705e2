"""Settings from the environment and `.env`: what people paste from shell scripts works."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_dotenv
from bot.core.errors import EXIT_USAGE

TOKEN = "123456789:AAE_a-well-formed-token-for-tests-000"


def dotenv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / ".env"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "line",
    [
        f"TELEGRAM_BOT_TOKEN={TOKEN}",
        f"export TELEGRAM_BOT_TOKEN={TOKEN}",
        f"export   TELEGRAM_BOT_TOKEN = {TOKEN}",
        f'export TELEGRAM_BOT_TOKEN="{TOKEN}"',
        f"TELEGRAM_BOT_TOKEN='{TOKEN}'",
        f"TELEGRAM_BOT_TOKEN={TOKEN}  # from @BotFather",
        f"\ufeffexport TELEGRAM_BOT_TOKEN={TOKEN}",  # a BOM from a Windows editor
    ],
)
def test_a_token_line_in_any_usual_shape_is_read(tmp_path: Path, line: str) -> None:
    settings = Settings.from_env({}, dotenv=dotenv(tmp_path, f"{line}\n# the bot\n\n"))
    assert settings.telegram_token == TOKEN


def test_the_real_environment_wins_over_dotenv(tmp_path: Path) -> None:
    env = {"TELEGRAM_BOT_TOKEN": "from-the-environment"}
    load_dotenv(dotenv(tmp_path, f"export TELEGRAM_BOT_TOKEN={TOKEN}\n"), env)
    assert env["TELEGRAM_BOT_TOKEN"] == "from-the-environment"


def test_a_quoted_hash_is_part_of_the_value(tmp_path: Path) -> None:
    env: dict[str, str] = {}
    load_dotenv(dotenv(tmp_path, 'WEBHOOK_SECRET="abc # def"\n'), env)
    assert env["WEBHOOK_SECRET"] == "abc # def"


def test_a_line_that_is_not_name_equals_value_is_refused_with_its_line(tmp_path: Path) -> None:
    path = dotenv(tmp_path, f"# ok\nTELEGRAM_BOT_TOKEN: {TOKEN}\n")
    with pytest.raises(ConfigError, match=r"\.env:2: not a NAME=value line") as raised:
        Settings.from_env({}, dotenv=path)
    assert raised.value.exit_code == EXIT_USAGE
    assert TOKEN not in str(raised.value)  # the secret is not echoed back


def test_rehearsal_database_lives_beside_the_data(tmp_path: Path) -> None:
    settings = Settings.from_env({"DATA_DIR": str(tmp_path)}, dotenv=tmp_path / "none")
    assert settings.rehearsal_database_path == tmp_path / "rehearsal.sqlite3"
    assert settings.rehearsal_database_path != settings.database_path
