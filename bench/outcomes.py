"""What the engine decides for every labelled message, written down so that a change meant
only to make it faster can be shown to change nothing.

    python -m bench.outcomes save before.jsonl        # on the code before the change
    python -m bench.outcomes save after.jsonl         # on the code after it
    python -m bench.outcomes compare before.jsonl after.jsonl

Each record holds one message's reply as `ask --json` prints it, the whole reply, every
label's rounded score, the triage's findings (`ask --explain`) and, for short messages, the
decision as a follow-up to several topics. The messages: every line of tests/data/*.jsonl
and of the shared dev set, a typo'd and a lower-cased copy of each, 300 stories stitched
from several lines, the engine benchmark's messages, and the benchmark's messages against
its generated knowledge of 1,000 and 10,000 phrasings. Run both with the same
PYTHONHASHSEED: the order of a few sums follows string hashes, and a score at x.5 can then
round either way (no decision has been seen to change with it).
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bench import engine_bench
from bot.config import DEFAULT_KNOWLEDGE_DIR, PROJECT_ROOT
from bot.core.conversation import ChatState, Engine

SHARED_DEV = PROJECT_ROOT.parent / "shared" / "eval" / "dev.jsonl"
SEED = 7


def labelled() -> list[str]:
    """Every labelled message in the repository (and the shared dev set, when it is there)."""
    files = sorted((PROJECT_ROOT / "tests" / "data").glob("*.jsonl"))
    files += [SHARED_DEV] if SHARED_DEV.is_file() else []
    return [
        json.loads(line)["q"]
        for path in files
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def variants(messages: list[str]) -> list[str]:
    """A typo'd and a lower-cased, unpunctuated copy of each message, and stitched stories."""
    rng = random.Random(SEED)
    out = []
    for q in messages:
        chars = list(q)
        for _ in range(max(1, len(chars) // 12)):
            chars[rng.randrange(len(chars))] = rng.choice("abcdefghijklmnopqrstuvwxyz ,.?")
        out += ["".join(chars), q.lower().replace(".", " ").replace(",", "")]
    out += [" ".join(rng.sample(messages, rng.randint(2, 5))) for _ in range(300)]
    return out


def records() -> Iterator[dict[str, object]]:
    """One record per message, as described above."""
    messages = labelled()
    engine = Engine.from_directory(DEFAULT_KNOWLEDGE_DIR)
    topics = [t.id for t in engine.knowledge.topics][::3]
    for q in messages + variants(messages) + engine_bench.messages():
        record: dict[str, object] = {
            "q": q,
            "reply": engine.respond(q).to_json(),
            "full": repr(engine.respond(q, ChatState())),
            "rank": [(s.label, s.score) for s in engine.matcher.rank(q)],
            "explain": engine.triage.explain(q),
        }
        if len(q.split()) <= 6:
            record["follow"] = [repr(engine.decide(q, previous_topic=t)) for t in topics]
        yield record
    with tempfile.TemporaryDirectory() as tmp:
        for size in (1_000, 10_000):
            directory = Path(tmp) / f"kb-{size}"
            engine_bench.generate_knowledge(directory, size)
            generated = Engine.from_directory(directory)
            for q in engine_bench.messages()[:: 1 if size == 1_000 else 2]:
                yield {
                    "kb": size,
                    "q": q,
                    "decision": repr(generated.decide(q)),
                    "rank": [(s.label, s.score) for s in generated.matcher.rank(q)],
                }


def compare(before: Path, after: Path) -> int:
    """Print how many records differ, field by field; 0 when none does."""
    a = [json.loads(line) for line in before.read_text(encoding="utf-8").splitlines()]
    b = [json.loads(line) for line in after.read_text(encoding="utf-8").splitlines()]
    if len(a) != len(b) or any(x["q"] != y["q"] for x, y in zip(a, b, strict=True)):
        print("the two files do not hold the same messages: save both with the same data")
        return 2
    differing: dict[str, list[str]] = {}
    for x, y in zip(a, b, strict=True):
        for field in x.keys() | y.keys():
            if x.get(field) != y.get(field):
                differing.setdefault(field, []).append(str(x["q"])[:80])
    print(
        f"{len(a)} records compared: "
        + (
            ", ".join(f"{field} differs on {len(qs)}" for field, qs in differing.items())
            or "no differences"
        )
    )
    for field, qs in differing.items():
        for q in qs[:5]:
            print(f"  {field}: {q}")
    return 1 if differing else 0


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "save":
        written = 0
        with Path(argv[1]).open("w", encoding="utf-8") as out:
            for record in records():
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                written += 1
        print(f"{written} records written to {argv[1]}")
        return 0
    if len(argv) == 3 and argv[0] == "compare":
        return compare(Path(argv[1]), Path(argv[2]))
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
