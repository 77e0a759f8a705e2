"""The command line: help for every command, exit codes, clear errors instead of tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
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
