"""Quality gates through the real `python -m bot ask --json` interface (PRODUCT.md).

1. The project's own labelled sets: tests/data/regression.jsonl, and tests/data/holdout.jsonl
   (written by someone who had seen neither the knowledge nor the other sets).
2. The shared development set with its official scorer, when ../shared/eval sits beside the
   checkout (as in CI); a user's clone without it skips with the reason.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REGRESSION = ROOT / "tests" / "data" / "regression.jsonl"
SHARED_EVAL = ROOT.parent / "shared" / "eval"


def _items(path: Path) -> list[dict]:
    """The labelled lines of a .jsonl set."""
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def ask_all(questions: list[str]) -> list[dict]:
    """Feed every question to one `ask --json` process, one per line, as score.py does."""
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json"],
        input="".join(q.replace("\n", " ") + "\n" for q in questions),
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    lines = proc.stdout.splitlines()
    assert len(lines) == len(questions), proc.stderr
    return [json.loads(line) for line in lines]


def outcome(reply: dict) -> str:
    if reply["kind"] == "answer":
        return str(reply["id"])
    return reply["kind"] if reply["kind"] in ("urgent", "smalltalk") else "none"


def test_ask_json_protocol_single_question() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "how many sessions will I need?"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    reply = json.loads(proc.stdout)
    assert set(reply) == {"kind", "id", "score", "suggestions"}
    assert reply["kind"] == "answer" and reply["id"] == "how-many-sessions"
    assert isinstance(reply["score"], int) and 0 <= reply["score"] <= 100


@pytest.mark.parametrize(
    "labelled",
    [REGRESSION, ROOT / "tests" / "data" / "holdout.jsonl"],
    ids=["regression", "holdout"],
)
def test_labelled_set_quality_gate(labelled: Path) -> None:
    items = _items(labelled)
    replies = ask_all([i["q"] for i in items])
    right = wrong = urgent = caught = false_alarm = not_urgent = 0
    misses = []
    for item, reply in zip(items, replies, strict=True):
        accept, got = item["accept"], outcome(reply)
        right += got in accept
        wrong += reply["kind"] == "answer" and got not in accept
        if accept[0] == "urgent":
            urgent += 1
            caught += got == "urgent"
        else:
            not_urgent += 1
            false_alarm += got == "urgent"
        if got not in accept:
            misses.append(f"{item['q']!r}: want {accept}, got {got}")
    n = len(items)
    report = "\n".join(misses)
    assert caught == urgent, f"every red flag must be caught:\n{report}"
    assert false_alarm / not_urgent <= 0.03, report
    assert wrong / n <= 0.03, report
    assert right / n >= 0.85, report


# Rounds F-Q (2026-12-01/02), each studied after its first run: right >= 92%, wrong <= 3%,
# out-of-scope answered <= 8% (issue 8's bounds, with the wrong-answer bound of the dev set).
# Rounds R-T: red flags studied, answers not (or only in part): the triage gate only.
LATER_ROUNDS = [f"blind-{r}" for r in "fghijklmnopq"]
# Rounds U, V, X, Y and AB: studied (answers and red flags) in the fifth to seventh sessions.
STUDIED_LATER = [f"blind-{r}" for r in ["u", "v", "x", "y", "ab"]]


@pytest.mark.parametrize(
    ("name", "min_right", "max_wrong", "max_oos_answered"),
    [("blind-a", 0.93, 0.025, 0.05), ("blind-b", 0.93, 0.02, 0.08), ("blind-d", 0.93, 0.02, 0.08)]
    + [(name, 0.92, 0.03, 0.08) for name in [*LATER_ROUNDS, *STUDIED_LATER]]
    # the scope study set: 152 questions the page does not answer, 112 near misses
    + [("scope-study-1", 0.93, 0.04, 0.06)],
    ids=["blind-a", "blind-b", "blind-d", *LATER_ROUNDS, *STUDIED_LATER, "scope-study-1"],
)
def test_blind_round_answers_gate(
    name: str, min_right: float, max_wrong: float, max_oos_answered: float
) -> None:
    """Blind rounds A, B, D, F-Q, U, V, X, Y, AB and the scope study set after their misses were
    studied: right on most lines, few wrong topics (a "did you mean" or the fallback beats a
    wrong answer), and questions the page does not cover not answered (their red flags have
    their own gate)."""
    items = _items(ROOT / "tests" / "data" / f"{name}.jsonl")
    replies = ask_all([i["q"] for i in items])
    right = wrong = oos = oos_answered = 0
    misses = []
    for item, reply in zip(items, replies, strict=True):
        accept, got = item["accept"], outcome(reply)
        right += got in accept
        wrong += reply["kind"] == "answer" and got not in accept
        if accept[0] == "none":
            oos += 1
            oos_answered += reply["kind"] == "answer"
        if got not in accept:
            misses.append(f"{item['q']!r}: want {accept}, got {got}")
    n = len(items)
    report = "\n".join(misses)
    assert right / n >= min_right, report
    assert wrong / n <= max_wrong, report
    assert oos_answered / oos <= max_oos_answered, report


@pytest.mark.skipif(
    not (SHARED_EVAL / "score.py").is_file(),
    reason="../shared/eval (the shared development set) is not beside this checkout",
)
def test_shared_dev_set_meets_the_bounds() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(SHARED_EVAL / "score.py"),
            str(SHARED_EVAL / "dev.jsonl"),
            "--min-right", "90",
            "--min-reachable", "97",
            "--max-wrong-answer", "3",
            "--min-urgent-recall", "100",
            "--max-false-alarm", "3",
            "--max-oos-answered", "10",
            "--show-misses",
            "--",
            sys.executable, "-m", "bot", "ask", "--json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _by_red_flag(name: str) -> tuple[list[tuple[dict, dict]], list[tuple[dict, dict]]]:
    """The set's (line, reply) pairs, split into red-flag lines and the others."""
    items = _items(ROOT / "tests" / "data" / f"{name}.jsonl")
    replies = ask_all([i["q"] for i in items])
    pairs = list(zip(items, replies, strict=True))
    return (
        [(i, r) for i, r in pairs if i["accept"][0] == "urgent"],
        [(i, r) for i, r in pairs if i["accept"][0] != "urgent"],
    )


# Each studied set's triage gate: every red flag caught, and at most this share of false alarms.
TRIAGE_GATES = [
    ("blind-a", 0.03),
    ("blind-b", 0.02),
    ("blind-c", 0.02),
    ("blind-d", 0.02),
    ("redflags-study", 0.02),
    ("redflags-study-5", 0.04),
    ("redflags-study-6", 0.04),
    # set 7's near misses are the hardest yet (mild falls told as harmless, a relative's
    # cancer beside someone else asked for, "Lost a stone. On purpose." across a full stop,
    # and exceptions a safety review took back: "not for me", "it was only a cold", "is it
    # true that"): those are still urgent, when in doubt
    ("redflags-study-7", 0.14),
    # set 8: mild slips told as harmless and a list of denials around a multi-part flag
    # ("no lump, no bump" beside "lower back") are still urgent
    ("redflags-study-8", 0.07),
    # set 9: a mild fall "laughed off" ('off' is a fall's own word), a run-on whose "my back
    # was fine" is in another clause, someone else's fall told with the writer's own back in
    # the same sentence, a figure of speech for feeling unwell and a question about people
    # who had cancer (a history of cancer counts) stay urgent
    ("redflags-study-9", 0.05),
    # set 10: after a safety review took back exceptions broad enough to hide an emergency,
    # "we laughed", "settled completely", "before the fall" and weight lost "on purpose" said
    # in the next sentence are urgent again, when in doubt
    ("redflags-study-10", 0.07),
    *[
        (name, 0.02)
        for name in [
            *LATER_ROUNDS,
            "blind-r",
            "blind-s",
            "blind-t",
            "blind-u",
            "blind-v",
            "blind-x",
            "blind-y",
            "blind-z",
            "blind-aa",
            "blind-ab",
            "blind-ac",
        ]
    ],
]


@pytest.mark.parametrize(
    ("name", "max_alarms"), TRIAGE_GATES, ids=[name for name, _ in TRIAGE_GATES]
)
def test_blind_round_triage_gate(name: str, max_alarms: float) -> None:
    """Blind rounds A-D, F-V, X-AC and red-flag study sets 1, 5-10 (tests/data/*.jsonl, written without
    seeing the knowledge) after their misses were studied by kind: every red flag caught, few
    false alarms (set 1: 263 red flags, 163 near misses; sets 5 and 6: 200 red flags and about
    100 near misses each, 4 and 4 false alarms after the study and a review that took back
    exceptions broad enough to hide a real emergency: a case imagined with "hypothetically, if
    MY back...", "I'm fine" after someone else's sign, a fever "all normal" at the doctor's)."""
    urgent, others = _by_red_flag(name)
    missed = [i["q"] for i, r in urgent if r["kind"] != "urgent"]
    alarms = [i["q"] for i, r in others if r["kind"] == "urgent"]
    assert len(urgent) >= 45 and not missed, f"red flags missed: {missed}"
    assert len(alarms) / len(others) <= max_alarms, f"false alarms: {alarms}"


@pytest.mark.parametrize(
    ("name", "min_recall", "max_alarms"),
    [
        ("redflags-study-2", 0.99, 0.02),
        ("redflags-study-3", 0.955, 0.02),
        ("redflags-study-4", 0.975, 0.02),
        ("blind-e", 1.0, 0.02),
    ],
    ids=["redflags-study-2", "redflags-study-3", "redflags-study-4", "blind-e"],
)
def test_red_flag_study_sets_2_to_4_gate(name: str, min_recall: float, max_alarms: float) -> None:
    """Red-flag study sets 2-4 (older people and carers; young texters, sport, non-native;
    middle-aged workers with dialects), written blind, after their misses were studied by kind.
    Not every red flag is caught yet: the bound is what the study reached (199/200, 192/200,
    196/200 on 2026-12-01; the rest are emoji-only signs, a sign split over two sentences, a
    relative's cancer in remission, a sign told beside a reason that is not one), so a change
    that loses any of them fails; false alarms stay <= 2%. Blind round E too (53/53 after its
    study: a weight come down on the back, and vowel-less shorthand read back)."""
    urgent, others = _by_red_flag(name)
    caught = [i for i, r in urgent if r["kind"] == "urgent"]
    alarms = [i["q"] for i, r in others if r["kind"] == "urgent"]
    missed = [i["q"] for i, r in urgent if r["kind"] != "urgent"]
    assert len(urgent) >= 50 and len(caught) / len(urgent) >= min_recall, f"missed: {missed}"
    assert len(alarms) / len(others) <= max_alarms, f"false alarms: {alarms}"
