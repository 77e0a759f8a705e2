"""The command line: help for every command, exit codes, clear errors instead of tracebacks."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]


def run(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env=env,
    )


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert {"run", "chat", "ask", "check", "eval"} <= set(commands)
    for name in commands:
        with pytest.raises(SystemExit) as done:
            main([name, "--help"])
        assert done.value.code == 0
        assert len(capsys.readouterr().out) > 150, f"{name} --help says too little"


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "python -m bot chat" in capsys.readouterr().out


def test_ask_reads_stdin_one_json_line_per_question() -> None:
    proc = run(
        "ask", "--json", stdin="how often should i come\nhi\n\nfell off a ladder, back is agony\n"
    )
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["kind"] for r in lines] == ["answer", "smalltalk", "fallback", "urgent"]
    assert lines[0]["id"] == "how-many-sessions"


def test_ask_plain_text() -> None:
    proc = run("ask", "where do the needles go")
    assert proc.returncode == 0
    assert "where-needles-go" in proc.stdout
    assert "elbows" in proc.stdout


def test_broken_knowledge_exits_1_with_located_problems(tmp_path: Path) -> None:
    (tmp_path / "clinic.yaml").write_text("clinic: [\n", encoding="utf-8")
    proc = run("ask", "--knowledge", str(tmp_path), "hello")
    assert proc.returncode == 1
    assert f"{tmp_path / 'clinic.yaml'}:" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_run_without_token_says_how_to_get_one() -> None:
    env = {k: v for k, v in __import__("os").environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["TELEGRAM_BOT_TOKEN"] = ""
    proc = run("run", env=env)
    assert proc.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in proc.stderr and "BotFather" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_eval_reports_metrics_and_misses(tmp_path: Path) -> None:
    labelled = tmp_path / "mine.jsonl"
    labelled.write_text(
        '{"q": "how many sessions will i need", "accept": ["how-many-sessions"]}\n'
        '{"q": "what is the parking like", "accept": ["none"]}\n'
        '{"q": "who is rick", "accept": ["cost"]}\n',
        encoding="utf-8",
    )
    proc = run("eval", str(labelled))
    assert proc.returncode == 0
    assert "right_pct" in proc.stdout
    assert "misses (1)" in proc.stdout and "who is rick" in proc.stdout
    metrics = json.loads(run("eval", "--json", str(labelled)).stdout)
    assert metrics["n"] == 3
    assert metrics["wrong_answer_pct"] == pytest.approx(33.3)


def test_eval_bad_file_is_explained(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"q": "x"}\n', encoding="utf-8")
    proc = run("eval", str(bad))
    assert proc.returncode == 2
    assert "bad.jsonl:1" in proc.stderr


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM", "DATA"))}
    env.update(PYTHONPATH=str(ROOT), **extra)
    return env


def test_make_run_serves_telegram_with_an_exported_token_in_dotenv(tmp_path: Path) -> None:
    """`make run` is `python -m bot start`: an `export NAME=value` .env is not ignored."""
    with socket.socket() as probe:  # a port nobody listens on: "Telegram" is unreachable
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (tmp_path / ".env").write_text(
        "export TELEGRAM_BOT_TOKEN=123456789:AAE_a-well-formed-token-for-tests-000\n"
        f"export TELEGRAM_API_BASE_URL=http://127.0.0.1:{port}/bot\n",
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "start", "--knowledge", str(ROOT / "knowledge")],
        cwd=tmp_path,
        env=clean_env(DATA_DIR=str(tmp_path / "data")),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(4)
        assert proc.poll() is None, "it should keep trying to reach Telegram"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert "Cannot reach Telegram at 127.0.0.1" in err
    assert "terminal chat" not in out + err
    assert proc.returncode == 0


def test_make_run_without_a_token_opens_the_chat(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "start", "--knowledge", str(ROOT / "knowledge")],
        input="how many sessions will i need\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(),
        timeout=60,
    )
    assert proc.returncode == 0
    assert "opening the terminal chat" in proc.stderr
    assert "1 to 2 weeks" in proc.stdout


def test_every_problem_becomes_its_exit_code_in_one_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    broken_db = tmp_path / "broken.sqlite3"
    broken_db.write_text("this is not a database", encoding="utf-8")
    assert main(["report", "--database", str(broken_db)]) == 1  # a StoreError
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert main(["report", "--since", "0"]) == 2  # a UsageError
    assert "--since must be at least 1 day" in capsys.readouterr().err
    (tmp_path / ".env").write_text("what is this\n", encoding="utf-8")
    assert main(["check"]) == 2  # a ConfigError from .env
    assert ".env:1" in capsys.readouterr().err
