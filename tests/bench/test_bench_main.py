"""`python -m bench`: which benchmark runs, and its options reach it."""

from __future__ import annotations

import pytest

from bench import __main__ as bench_main
from bench import engine_bench, telegram_bench


def test_options_after_telegram_reach_the_telegram_benchmark(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr(telegram_bench, "main", lambda argv: seen.append(argv) or 0)
    assert bench_main.main(["telegram", "--rounds", "1", "--no-write"]) == 0
    assert seen == [["--rounds", "1", "--no-write"]]


def test_no_write_reaches_the_engine_benchmark(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    monkeypatch.setattr(engine_bench, "main", lambda write=True: seen.append(write))
    assert bench_main.main(["engine", "--no-write"]) == 0
    assert seen == [False]


@pytest.mark.parametrize("argv", [["nonsense"], ["engine", "--rounds", "3"]])
def test_a_wrong_call_prints_usage_and_exits_2(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench_main.main(argv) == 2
    assert "usage: python -m bench" in capsys.readouterr().err
