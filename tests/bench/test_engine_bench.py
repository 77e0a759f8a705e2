"""The engine benchmark still runs (no timing is asserted: figures live in bench/RESULTS.md)."""

from __future__ import annotations

from pathlib import Path

from bench.engine_bench import generate_knowledge, measure, messages, table
from bot.core.loader import check_knowledge


def test_generated_knowledge_is_valid_and_measurable(tmp_path: Path) -> None:
    directory = tmp_path / "kb"
    generate_knowledge(directory, 200)
    assert check_knowledge(directory) == []
    corpus = messages()[:30]
    figures = measure("generated 200", directory, corpus, rounds=1)
    assert figures.phrasings == 200
    assert figures.messages == len(corpus)
    assert figures.p50_ms > 0 and figures.p99_ms >= figures.p50_ms
    assert "generated 200" in table([figures])
