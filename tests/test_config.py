"""Settings from the environment and `.env`: what people paste from shell scripts works."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, check_telegram_settings, load_dotenv
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


@pytest.mark.parametrize(
    "line",
    [
        f'TELEGRAM_BOT_TOKEN="{TOKEN}" # from @BotFather',
        f"TELEGRAM_BOT_TOKEN='{TOKEN}'# c",
        f'export TELEGRAM_BOT_TOKEN = "{TOKEN}"   ',
        f"TELEGRAM_BOT_TOKEN={TOKEN} # a note with \"quotes\" and 'more'",
    ],
)
def test_a_quoted_value_with_a_trailing_comment_is_read(tmp_path: Path, line: str) -> None:
    settings = Settings.from_env({}, dotenv=dotenv(tmp_path, f"{line}\n"))
    assert settings.telegram_token == TOKEN
    check_telegram_settings(settings)  # the shape check passes: no quote or comment left


def test_an_unclosed_quote_is_refused_with_its_line_and_not_echoed(tmp_path: Path) -> None:
    path = dotenv(tmp_path, f'# ok\nTELEGRAM_BOT_TOKEN="{TOKEN}\n')
    with pytest.raises(ConfigError, match=r"\.env:2: the quote after TELEGRAM_BOT_TOKEN="):
        Settings.from_env({}, dotenv=path)
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({}, dotenv=path)
    assert TOKEN not in str(raised.value)


@pytest.mark.parametrize("command", [["start"], ["chat"], ["ask", "hello"], ["check"]])
def test_a_bad_log_level_is_refused_by_every_command(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    from bot.cli import main

    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    monkeypatch.setenv("LOG_LEVEL", "verbose")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(command) == EXIT_USAGE
    assert (
        "LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got 'VERBOSE'" in capsys.readouterr().err
    )


def test_a_good_log_level_in_any_case_is_accepted(tmp_path: Path) -> None:
    settings = Settings.from_env({"LOG_LEVEL": " warning "}, dotenv=tmp_path / "none")
    assert settings.log_level == "WARNING"
