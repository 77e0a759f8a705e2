"""Live reload: valid edits go live, broken ones are refused whole, readers never see a half."""

from __future__ import annotations

import asyncio
import itertools
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.core.errors import KnowledgeError, Problem
from bot.core.live import LiveEngine, ReloadResult, fingerprint

_mtime_clock = itertools.count(1_700_000_000_000_000_000, 1_000_000_000)


def save(path: Path, text: str) -> None:
    """Write like an editor does, with a fresh mtime (test writes are faster than the clock)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    stamp = next(_mtime_clock)
    os.utime(path, ns=(stamp, stamp))


class StandInEngine:
    """Built in steps like the real Engine's precomputation; `complete` only at the end."""

    def __init__(self) -> None:
        self.complete = False
        self.versions: dict[str, int] = {}

    @property
    def version(self) -> int:
        return max(self.versions.values())


@dataclass
class StandInFactory:
    """Reads `version: N` from every YAML file; a file saying `broken` is a KnowledgeError."""

    step_seconds: float = 0.0
    calls: int = 0

    def __call__(self, directory: Path) -> StandInEngine:
        self.calls += 1
        engine = StandInEngine()
        problems = []
        for path in sorted(directory.glob("*.yaml")):
            text = path.read_text(encoding="utf-8")
            if "broken" in text:
                problems.append(Problem(path, 1, "unknown key 'broken' - remove it"))
                continue
            engine.versions[path.name] = int(text.split(":")[1])
            if self.step_seconds:
                time.sleep(self.step_seconds)  # widen the window a half-built engine would show
        if problems:
            raise KnowledgeError(problems)
        engine.complete = True
        return engine


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    directory = tmp_path / "knowledge"
    save(directory / "topics.yaml", "version: 1\n")
    save(directory / "clinic.yaml", "version: 1\n")
    return directory


def test_load_builds_the_first_version(knowledge: Path) -> None:
    live = LiveEngine.load(knowledge, StandInFactory())
    assert live.engine.complete
    assert live.engine.version == 1
    assert live.version == 1
    assert live.last_error is None


def test_a_broken_knowledge_base_is_refused_at_start(knowledge: Path) -> None:
    save(knowledge / "topics.yaml", "broken\n")
    with pytest.raises(KnowledgeError) as caught:
        LiveEngine.load(knowledge, StandInFactory())
    assert "topics.yaml:1: unknown key 'broken'" in caught.value.report()


def test_a_valid_edit_goes_live(knowledge: Path) -> None:
    live = LiveEngine.load(knowledge, StandInFactory())
    save(knowledge / "topics.yaml", "version: 2\n")
    result = live.reload()
    assert result == ReloadResult(ok=True, changed=True, version=2, seconds=result.seconds)
    assert live.engine.version == 2
    assert "version 2 is live" in result.describe()


def test_a_broken_edit_keeps_the_last_good_engine_and_reports(knowledge: Path) -> None:
    live = LiveEngine.load(knowledge, StandInFactory())
    good = live.engine
    save(knowledge / "topics.yaml", "broken\n")
    result = live.reload()
    assert not result.ok and not result.changed
    assert result.error is not None
    assert f"{knowledge / 'topics.yaml'}:1: unknown key 'broken' - remove it" in result.error
    assert "the knowledge base was not loaded" in result.error
    assert live.engine is good
    assert live.last_error == result.error
    assert "NOT reloaded" in result.describe()
    assert "version 1" in result.describe()

    save(knowledge / "topics.yaml", "version: 3\n")
    fixed = live.reload()
    assert fixed.ok and fixed.changed
    assert live.engine.version == 3
    assert live.last_error is None


def test_an_unexpected_exception_is_refused_like_a_broken_edit(knowledge: Path) -> None:
    live = LiveEngine.load(knowledge, StandInFactory())
    save(knowledge / "topics.yaml", "version: not-a-number\n")
    result = live.reload()
    assert not result.ok
    assert "ValueError" in (result.error or "")
    assert live.engine.version == 1


def test_unchanged_files_are_not_loaded_again(knowledge: Path) -> None:
    factory = StandInFactory()
    live = LiveEngine.load(knowledge, factory)
    assert not live.has_changes()
    result = live.reload(force=False)
    assert result == ReloadResult(ok=True, changed=False, version=1)
    assert "No changes" in result.describe()
    assert factory.calls == 1


def test_fingerprint_sees_edits_additions_and_removals_but_not_editor_leftovers(
    knowledge: Path,
) -> None:
    first = fingerprint(knowledge)
    save(knowledge / ".topics.yaml.swp", "swap")
    save(knowledge / "topics.yaml~", "backup")
    save(knowledge / "#topics.yaml#", "emacs")
    assert fingerprint(knowledge) == first

    save(knowledge / "topics.yaml", "version: 2\n")
    edited = fingerprint(knowledge)
    assert edited != first
    save(knowledge / "sub" / "new.yaml", "version: 2\n")
    added = fingerprint(knowledge)
    assert added != edited
    (knowledge / "sub" / "new.yaml").unlink()
    assert fingerprint(knowledge) == edited
    assert fingerprint(knowledge / "missing") == ()


def test_readers_in_threads_never_see_a_half_loaded_or_broken_engine(knowledge: Path) -> None:
    live = LiveEngine.load(knowledge, StandInFactory(step_seconds=0.002))
    stop = threading.Event()
    failures: list[str] = []
    reads = [0]

    def reader() -> None:
        last_seen = 0
        while not stop.is_set():
            engine = live.engine
            if not engine.complete:
                failures.append("saw an engine that was still being built")
            if engine.version < last_seen:
                failures.append(f"went back from version {last_seen} to {engine.version}")
            last_seen = engine.version
            reads[0] += 1
            time.sleep(0)  # let the writer have the GIL too

    readers = [threading.Thread(target=reader) for _ in range(3)]
    for thread in readers:
        thread.start()
    try:
        last_good = 1
        for n in range(2, 23):
            if n % 3 == 0:
                save(knowledge / "topics.yaml", "broken\n")
                result = live.reload()
                assert not result.ok
                assert live.engine.version == last_good
            else:
                save(knowledge / "topics.yaml", f"version: {n}\n")
                save(knowledge / "clinic.yaml", f"version: {n}\n")
                result = live.reload()
                assert result.ok and result.changed
                last_good = n
                assert live.engine.version == n
    finally:
        stop.set()
        for thread in readers:
            thread.join()
    assert failures == []
    assert reads[0] > 100


async def test_the_watcher_loads_edits_and_reports_a_broken_one_once(knowledge: Path) -> None:
    live = LiveEngine.load(knowledge, StandInFactory(step_seconds=0.001), settle_seconds=0.02)
    errors: list[str] = []
    reloads: list[ReloadResult] = []

    async def on_error(report: str) -> None:
        errors.append(report)

    async def on_reload(result: ReloadResult) -> None:
        reloads.append(result)

    answered: list[int] = []
    stop = asyncio.Event()

    async def patient_messages() -> None:
        # Messages keep arriving on the same loop while the watcher reloads.
        while not stop.is_set():
            engine = live.engine
            assert engine.complete
            answered.append(engine.version)
            await asyncio.sleep(0)

    async def wait_for(condition, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, "the watcher did not react in time"
            await asyncio.sleep(0.01)

    watcher = asyncio.create_task(live.watch(0.02, on_error=on_error, on_reload=on_reload))
    traffic = asyncio.create_task(patient_messages())
    try:
        save(knowledge / "topics.yaml", "version: 2\n")
        await wait_for(lambda: live.engine.version == 2)
        await wait_for(lambda: len(reloads) == 1)

        save(knowledge / "topics.yaml", "broken\n")
        await wait_for(lambda: len(errors) == 1)
        assert "unknown key 'broken'" in errors[0]
        await asyncio.sleep(0.2)  # many more ticks on the same broken files
        assert len(errors) == 1, "the same broken state must be reported once"
        assert live.engine.version == 2

        save(knowledge / "topics.yaml", "version: 5\n")
        await wait_for(lambda: live.engine.version == 5)
    finally:
        stop.set()
        watcher.cancel()
        await traffic
        with pytest.raises(asyncio.CancelledError):
            await watcher
    assert answered, "messages were answered during the reloads"
    assert answered == sorted(answered)
    assert set(answered) <= {1, 2, 5}


async def test_the_watcher_survives_a_failing_callback(knowledge: Path) -> None:
    live = LiveEngine.load(knowledge, StandInFactory(), settle_seconds=0)

    async def on_error(report: str) -> None:
        raise RuntimeError("Telegram is down")

    watcher = asyncio.create_task(live.watch(0.01, on_error=on_error))
    try:
        save(knowledge / "topics.yaml", "broken\n")
        await asyncio.sleep(0.1)
        save(knowledge / "topics.yaml", "version: 7\n")
        deadline = time.monotonic() + 5
        while live.engine.version != 7:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)
    finally:
        watcher.cancel()


async def test_reload_async_does_not_block_the_event_loop(knowledge: Path) -> None:
    live = LiveEngine.load(knowledge, StandInFactory(step_seconds=0.05))
    save(knowledge / "topics.yaml", "version: 2\n")
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    task = asyncio.create_task(ticker())
    result = await live.reload_async()
    task.cancel()
    assert result.ok and live.engine.version == 2
    assert ticks >= 5, "the loop kept running while the new version was built"


def test_with_the_real_engine_edits_go_live_and_broken_ones_are_refused(tmp_path: Path) -> None:
    import shutil

    from bot.core.reply import Kind

    knowledge = tmp_path / "knowledge"
    shutil.copytree(Path(__file__).resolve().parents[2] / "knowledge", knowledge)
    live = LiveEngine.load(knowledge)
    assert live.engine.respond("flibbertigibbet").kind is not Kind.ANSWER

    booking = knowledge / "topics" / "booking.yaml"
    original = booking.read_text(encoding="utf-8")
    stop = threading.Event()
    failures: list[BaseException] = []

    def patient() -> None:
        while not stop.is_set():
            try:
                live.engine.respond("how many sessions will i need")
            except BaseException as exc:  # pragma: no cover - reported below
                failures.append(exc)
            time.sleep(0)

    reader = threading.Thread(target=patient)
    reader.start()
    try:
        save(booking, original.replace("phrasings:\n", "phrasings:\n  - flibbertigibbet\n", 1))
        assert live.reload().ok
        reply = live.engine.respond("flibbertigibbet")
        assert (reply.kind, reply.topic_id) == (Kind.ANSWER, "booking")

        save(booking, original + "\nnot_a_field: oops\n")
        refused = live.reload()
        assert not refused.ok
        assert "booking.yaml:" in (refused.error or "")
        assert live.engine.respond("flibbertigibbet").topic_id == "booking"  # last good
    finally:
        stop.set()
        reader.join()
    assert failures == []


# -- half-saved files ----------------------------------------------------------------------


async def test_a_file_caught_half_saved_by_a_pausing_editor_is_never_served(
    knowledge: Path,
) -> None:
    """The editor writes half the file, pauses (longer than the old 0.3 s stat check waited),
    then finishes: the half parses fine ("version: 2" of "version: 23") and must not load."""
    live = LiveEngine.load(knowledge, StandInFactory())  # the default settle time
    served: list[int] = []
    path = knowledge / "topics.yaml"

    async def pausing_editor() -> None:
        with path.open("w", encoding="utf-8") as handle:
            handle.write("version: 2")  # the first half of "version: 23\n"
            handle.flush()
            await asyncio.sleep(0.6)
            handle.write("3\n")

    async def watcher_ticks() -> None:
        deadline = time.monotonic() + 4
        while live.engine.version != 23 and time.monotonic() < deadline:
            await live.poll()
            served.append(live.engine.version)
            await asyncio.sleep(0.01)

    await asyncio.gather(pausing_editor(), watcher_ticks())
    assert 2 not in served
    assert live.engine.version == 23


async def test_a_file_that_changes_while_the_engine_is_built_is_not_put_in_place(
    knowledge: Path,
) -> None:
    path = knowledge / "topics.yaml"
    edits = iter(["version: 4\n"])

    class EditedDuringLoad(StandInFactory):
        def __call__(self, directory: Path) -> StandInEngine:
            engine = super().__call__(directory)
            edit = next(edits, None)
            if edit is not None:  # the editor saves again while this version is built
                save(path, edit)
            return engine

    live = LiveEngine.load(knowledge, StandInFactory(), settle_seconds=0.01)
    live._factory = EditedDuringLoad()  # the watcher's later loads see the mid-load edit
    save(path, "version: 3\n")
    first = await live.poll()
    assert first is not None and not first.changed and live.engine.version == 1
    second = await live.poll()
    assert second is not None and second.changed and live.engine.version == 4
