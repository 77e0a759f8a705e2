"""`python -m bot ask --explain`: the practitioner sees why a message was or was not urgent."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def ask(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "ask", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )


def test_explain_prints_each_finding_with_its_reason() -> None:
    out = ask("--explain", "no fever, but my colleague cant walk. mine is just stiff").stdout
    assert "triage: set aside: fever-unwell on 'fever' - negated by 'no'" in out
    assert "triage: set aside: leg-weakness on 'cant walk' - about a bystander" in out
    assert "[urgent" not in out


def test_explain_says_why_a_message_is_urgent() -> None:
    out = ask("--explain", "i fell off a ladder yesterday").stdout
    assert "triage: URGENT: accident-fall" in out and "about the writer" in out
    assert "[urgent" in out


def test_explain_with_json_keeps_stdout_one_json_line() -> None:
    proc = ask("--json", "--explain", "had a bad fall years ago, fine since")
    assert json.loads(proc.stdout)["kind"] != "urgent"
    assert "historical: 'years ago', 'fine since'" in proc.stderr
