"""Engine benchmark: per-message latency (p50/p99), load time and memory, side by side for the
shipped knowledge and generated knowledge bases of 1,000 and 10,000 phrasings, in one run.

    python -m bench engine            # prints the table and rewrites its section of RESULTS.md

Generated knowledge bases reuse the shipped clinic settings, red flags and smalltalk, and
build topics whose phrasings mix the shipped vocabulary with random filler words, so the
index, the typo corrector and the IDF weights all grow as a real, larger knowledge base would.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import random
import shutil
import statistics
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

from bench.results import RESULTS, write_section
from bot.config import DEFAULT_KNOWLEDGE_DIR, PROJECT_ROOT
from bot.core.conversation import ChatState, Engine
from bot.core.loader import load_knowledge

BEGIN, END = "<!-- engine-bench:begin -->", "<!-- engine-bench:end -->"
SEED = 20261125


@dataclass(frozen=True)
class Figures:
    name: str
    phrasings: int
    load_ms: float
    engine_mb: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    cpu_p99_ms: float  # the engine's own CPU time: what other processes on the machine cost
    messages: int  # it is not in this column, only in the wall-clock ones


def messages() -> list[str]:
    """Realistic messages: the regression questions, plus typo'd and story-length variants."""
    rng = random.Random(SEED)
    lines = (PROJECT_ROOT / "tests" / "data" / "regression.jsonl").read_text(encoding="utf-8")
    base = [json.loads(line)["q"] for line in lines.splitlines() if line.strip()]
    out = list(base)
    for q in base:
        chars = list(q)
        for _ in range(max(1, len(chars) // 15)):  # a typo every ~15 characters
            i = rng.randrange(len(chars))
            chars[i] = rng.choice("abcdefghijklmnopqrstuvwxyz")
        out.append("".join(chars))
    story = " ".join(rng.sample(base, 6))
    out += [story, story * 5]
    return out


def generate_knowledge(target: Path, n_phrasings: int) -> None:
    """A knowledge folder with about `n_phrasings` phrasings, from the shipped one."""
    rng = random.Random(SEED + n_phrasings)
    shutil.copytree(
        DEFAULT_KNOWLEDGE_DIR, target, ignore=shutil.ignore_patterns("topics", "clinic.yaml")
    )
    clinic = yaml.safe_load((DEFAULT_KNOWLEDGE_DIR / "clinic.yaml").read_text(encoding="utf-8"))
    clinic.pop("menu", None)
    (target / "clinic.yaml").write_text(yaml.safe_dump(clinic, sort_keys=False), encoding="utf-8")
    shipped = load_knowledge(DEFAULT_KNOWLEDGE_DIR)
    vocabulary = sorted({w for t in shipped.topics for p in t.phrasings for w in p.lower().split()})
    filler = [
        "".join(rng.choice("bcdfghjklmnprstvw") + rng.choice("aeiou") for _ in range(3))
        for _ in range(3000)
    ]
    per_topic = 20
    (target / "topics").mkdir()
    seen: set[str] = set()
    for n in range(max(1, n_phrasings // per_topic)):
        phrasings = []
        while len(phrasings) < per_topic:
            words = rng.sample(vocabulary, rng.randint(3, 7)) + rng.sample(
                filler, rng.randint(1, 3)
            )
            rng.shuffle(words)
            text = " ".join(words)
            if text not in seen:
                seen.add(text)
                phrasings.append(text)
        topic = {
            "id": f"topic-{n}",
            "title": f"Topic {n}",
            "answer": f"Answer number {n}.",
            "phrasings": phrasings,
        }
        (target / "topics" / f"topic-{n}.yaml").write_text(yaml.safe_dump(topic), encoding="utf-8")


def measure(name: str, directory: Path, corpus: list[str], rounds: int) -> Figures:
    gc.collect()
    started = time.perf_counter()
    engine = Engine.from_directory(directory)
    load_ms = (time.perf_counter() - started) * 1000
    del engine
    gc.collect()
    tracemalloc.start()
    engine = Engine.from_directory(directory)
    engine_mb = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
    for q in corpus[:20]:  # warm the typo cache as a running bot would be
        engine.respond(q, ChatState())
    timings, cpu = [], []
    for _ in range(rounds):
        for q in corpus:
            t0, c0 = time.perf_counter(), time.thread_time()
            engine.respond(q, ChatState())
            cpu.append((time.thread_time() - c0) * 1000)
            timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    cpu.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    cpu_p99 = cpu[min(len(cpu) - 1, int(len(cpu) * 0.99))]
    return Figures(
        name=name,
        phrasings=sum(len(t.phrasings) for t in engine.knowledge.topics),
        load_ms=load_ms,
        engine_mb=engine_mb,
        p50_ms=statistics.median(timings),
        p95_ms=p95,
        p99_ms=p99,
        cpu_p99_ms=cpu_p99,
        messages=len(timings),
    )


def table(rows: list[Figures]) -> str:
    lines = [
        "| knowledge | phrasings | load (ms) | engine memory (MB) | p50 per message (ms) | p95 per message (ms) | p99 per message (ms) | p99 CPU time (ms) | messages timed |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.name} | {r.phrasings} | {r.load_ms:.0f} | {r.engine_mb:.1f} | {r.p50_ms:.3f} | {r.p95_ms:.3f} | {r.p99_ms:.3f} | {r.cpu_p99_ms:.3f} | {r.messages} |"
        for r in rows
    ]
    return "\n".join(lines)


def record(rows: list[Figures], load: float) -> None:
    machine = (
        f"{platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}"
    )
    cores = len(os.sched_getaffinity(0))
    section = "\n".join(
        [
            BEGIN,
            "## Engine (the core: safety + matching + reply), per message",
            "",
            f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine}, {cores} cores"
            f" (load average {load:.1f} when it started),"
            " by `make bench` (`python -m bench engine`). Latency is `Engine.respond` on one core,"
            " over the regression questions, typo'd copies of them and two long stories;"
            " the CPU-time column is the same calls' own CPU time, which other processes on a"
            " busy machine do not inflate; memory is what building the engine allocates"
            " (tracemalloc).",
            "",
            table(rows),
            "",
            "Targets (issue 8): p99 <= 1 ms on the shipped knowledge, <= 10 ms at 10,000"
            " phrasings.",
            END,
        ]
    )
    write_section(section, BEGIN, END, at_top=True)


def main(write: bool = True) -> list[Figures]:
    corpus = messages()
    load = os.getloadavg()[0]  # other processes' share of the machine as the run starts
    rows = [measure("shipped", DEFAULT_KNOWLEDGE_DIR, corpus, rounds=20)]
    with tempfile.TemporaryDirectory() as tmp:
        for size in (1_000, 10_000):
            directory = Path(tmp) / f"kb-{size}"
            generate_knowledge(directory, size)
            rows.append(
                measure(f"generated {size:,}", directory, corpus, rounds=3 if size > 1000 else 8)
            )
    print(table(rows))
    if write:
        record(rows, load)
        print(f"\nwritten to {RESULTS.relative_to(PROJECT_ROOT)}")
    return rows


if __name__ == "__main__":
    main()
