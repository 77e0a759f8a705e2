"""The Telegram benchmark still runs end to end (no timing is asserted: figures live in
bench/RESULTS.md)."""

from __future__ import annotations

from bench.telegram_bench import benchmark, summary, table


async def test_a_tiny_benchmark_runs_all_three_bots() -> None:
    runs = await benchmark(rounds=1, patients=3, messages_each=2, warmup=1)
    assert [r.bot for r in runs] == ["echo", "echo-16", "clinic"]
    for run in runs:
        assert run.messages == 6 and len(run.latencies) == 6
        assert run.sent >= 6 and run.peak_rss_mb > 0 and run.startup_seconds > 0
        # Every message the bot sent was one sendMessage request, counted as such.
        assert run.requests.get("sendMessage", 0) >= run.sent
    assert summary(runs, "clinic")["throughput"] > 0
    assert "Throughput ratio clinic / bare echo" in table(runs)
    assert "HTTP requests per patient message, clinic bot: " in table(runs)
