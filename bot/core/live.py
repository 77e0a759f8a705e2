"""Live reload: the one place that owns the current Engine and swaps it whole after an edit.

The practitioner edits YAML under `knowledge/` while patients are chatting. A new Engine is
built completely (and validated) off to the side; only then is it put in place with a
single attribute assignment, so every message is answered by one whole, valid version. A
broken edit is refused as a whole: the last good Engine keeps serving and the `check`
report goes to the log and to an `on_error` callback (the Telegram layer sends it to the
admins).

Usage from the Telegram layer (no JobQueue extra needed):

    live = LiveEngine.load(settings.knowledge_dir)           # raises KnowledgeError if broken
    reply = live.engine.reply(...)                          # every message: read, never cache

    async def post_init(application):                       # Application.builder().post_init
        application.create_task(
            live.watch(settings.reload_interval_seconds, on_error=send_to_admins)
        )

    result = await live.reload_async()                      # /reload, for admins
    await update.message.reply_text(result.describe())      # plain text, no parse_mode

With PTB's JobQueue instead: `job_queue.run_repeating(tick, interval)` where `tick` awaits
`live.poll()` and handles the `ReloadResult` it returns (None when nothing changed).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import stat
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from bot.core.errors import KnowledgeError

log = logging.getLogger(__name__)

EngineT = TypeVar("EngineT")

# Files an editor leaves beside the real ones while saving: they must not trigger reloads.
_IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".tmp", ".bak", ".orig")

# (relative path, size, mtime in ns, inode) for every file that counts.
Fingerprint = tuple[tuple[str, int, int, int], ...]


def fingerprint(directory: Path) -> Fingerprint:
    """A cheap summary of `directory` that changes when any knowledge file is edited.

    Paths, sizes, modification times and inodes (editors that save by renaming a new file
    over the old one change the inode even within one mtime tick); no file is read.
    Hidden files and editor leftovers are skipped. A missing directory gives ().
    """
    entries: list[tuple[str, int, int, int]] = []
    if not directory.is_dir():
        return ()
    for path in directory.rglob("*"):
        relative = path.relative_to(directory)
        if any(part.startswith((".", "#")) for part in relative.parts):
            continue
        if path.name.endswith(_IGNORED_SUFFIXES):
            continue
        try:
            if not path.is_file():
                continue
            stat = path.stat()
        except OSError:  # removed while we looked: the next tick sees the new state
            continue
        entries.append((relative.as_posix(), stat.st_size, stat.st_mtime_ns, stat.st_ino))
    return tuple(sorted(entries))


def content_digest(directory: Path) -> str:
    """A hash of the bytes of every file `fingerprint` counts (paths included).

    Two equal digests a moment apart mean the files have stopped changing: a file an editor
    is still writing (paused mid-save, same size, same mtime tick) is caught by its bytes,
    where the stat fingerprint alone could miss it.
    """
    digest = hashlib.sha256()
    for relative, *_ in fingerprint(directory):
        digest.update(relative.encode() + b"\0")
        try:
            digest.update((directory / relative).read_bytes())
        except OSError:  # removed while we read: a different state, so a different digest
            digest.update(b"\0missing")
        digest.update(b"\0")
    return digest.hexdigest()


# -- installs of several files at once (the admin's zip upload, an undo) ----------------------
#
# The installer writes the new bytes of every file into its history entry first, then this
# marker (naming them), then the files one by one, then bumps the generation, then removes
# the marker. A reader loads only when no marker is there, and keeps what it loaded only if
# no marker appeared and the generation is the same once it has loaded: so it sees the old
# version whole or the new one whole. After a crash mid-install the marker is still there,
# and `finish_interrupted_install` (run at start-up and before the next edit) writes the rest.
# Both live in the folder's .history/ (hidden: never knowledge, never exported, never
# watched), beside the history entries that hold the staged bytes.
INSTALL_MARKER = ".history/installing.json"
GENERATION_FILE = ".history/generation"


def install_in_progress(directory: Path) -> bool:
    """True while an install of several files is under way (or was cut short by a crash)."""
    return (Path(directory) / INSTALL_MARKER).exists()


def generation(directory: Path) -> str:
    """The count of installs done in `directory` ("0" before the first)."""
    try:
        return (Path(directory) / GENERATION_FILE).read_text(encoding="utf-8").strip() or "0"
    except OSError:
        return "0"


def replace_file(target: Path, content: bytes, mode: int | None = None) -> None:
    """Write `content` beside `target` and rename it over: readers see old or new, whole."""
    if mode is None:
        mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o644
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def begin_install(directory: Path, staged: Path, files: dict[str, bool]) -> None:
    """Mark an install as started: `files` maps each relative path to True (its new bytes
    are in `staged`/path, already written and synced) or False (the file is removed)."""
    journal = {"staged": os.path.relpath(staged, directory), "files": files}
    replace_file(Path(directory) / INSTALL_MARKER, json.dumps(journal).encode(), 0o644)


def end_install(directory: Path) -> None:
    """Mark the install as done: a new generation, then no marker."""
    directory = Path(directory)
    replace_file(directory / GENERATION_FILE, str(int(generation(directory)) + 1).encode())
    (directory / INSTALL_MARKER).unlink(missing_ok=True)


def apply_install(directory: Path) -> None:
    """Write every file the marker names from its staged copy (or remove it), then end the
    install. Writing a file already written is harmless, so this also finishes an install a
    crash cut short."""
    directory = Path(directory)
    journal = json.loads((directory / INSTALL_MARKER).read_text(encoding="utf-8"))
    staged = directory / journal["staged"]
    for rel, present in journal["files"].items():
        target = directory / rel
        if present:
            replace_file(target, (staged / rel).read_bytes())
        else:
            target.unlink(missing_ok=True)
    end_install(directory)


def finish_interrupted_install(directory: Path) -> bool:
    """Complete an install a crash cut short, so the folder holds the new version whole.
    True if there was one. The marker is renamed in whole, so it is never half-written; if
    the staged copies in .history/ were deleted by hand this raises OSError, and the folder
    is then put right by hand or from an /export."""
    if not install_in_progress(directory):
        return False
    log.warning("Finishing a knowledge install that was interrupted in %s", directory)
    apply_install(directory)
    return True


@dataclass(frozen=True)
class ReloadResult:
    """What a reload did: loaded a new version, found nothing to do, or refused a broken edit."""

    ok: bool  # False: the edit was refused, the previous version still serves
    changed: bool  # True: a new version is now serving
    version: int  # the version number serving after this reload (1 = loaded at start)
    error: str | None = None  # the `check` report when refused
    seconds: float = 0.0  # how long building the new version took

    def describe(self) -> str:
        """A plain-text line (or report) for an admin, e.g. the answer to /reload."""
        if not self.ok:
            return (
                "The knowledge base was NOT reloaded: the edit has problems, so patients "
                f"still get version {self.version}. Fix these and save again:\n\n{self.error}"
            )
        if self.changed:
            return f"Knowledge reloaded: version {self.version} is live ({self.seconds:.2f} s)."
        return f"No changes in the knowledge files; version {self.version} is live."


def _default_factory(directory: Path) -> Any:
    from bot.core.conversation import Engine

    return Engine.from_directory(directory)


class LiveEngine(Generic[EngineT]):
    """Holds the current Engine; `reload` swaps in a new one only if it loads whole and valid.

    Readers just read `.engine` (one attribute read: always a whole Engine, never half of
    one). Reloads are serialised by a lock and build the new Engine before the swap, so a
    reload and the messages arriving meanwhile never see each other's partial state.
    """

    def __init__(
        self,
        directory: Path,
        engine: EngineT,
        *,
        factory: Callable[[Path], EngineT],
        loaded_fingerprint: Fingerprint | None = None,
        settle_seconds: float = 1.0,
    ) -> None:
        """Wrap an Engine already loaded from `directory`; prefer `LiveEngine.load`.

        `factory(directory)` builds a new Engine or raises KnowledgeError (default:
        `Engine.from_directory`). `settle_seconds`: the files' bytes must be the same on two
        reads this far apart (and still the same once the new Engine is built) before the
        watcher puts it in place, so a half-saved file is never served nor reported broken.
        """
        self.directory = Path(directory)
        self._engine = engine
        self._factory = factory
        self._fingerprint = (
            loaded_fingerprint if loaded_fingerprint is not None else fingerprint(self.directory)
        )
        self._refused_fingerprint: Fingerprint | None = None
        self._last_error: str | None = None
        self._version = 1
        self._settle_seconds = settle_seconds
        self._reload_lock = threading.Lock()

    @classmethod
    def load(
        cls,
        directory: Path,
        factory: Callable[[Path], Any] | None = None,
        *,
        settle_seconds: float = 1.0,
    ) -> LiveEngine[Any]:
        """Load the first version; raises KnowledgeError (the `check` report) if it is broken."""
        build = factory or _default_factory
        directory = Path(directory)
        finish_interrupted_install(directory)  # a crash mid-install: the new version, whole
        seen = fingerprint(directory)
        engine = build(directory)
        return cls(
            directory,
            engine,
            factory=build,
            loaded_fingerprint=seen,
            settle_seconds=settle_seconds,
        )

    @property
    def engine(self) -> EngineT:
        """The Engine serving now: whole and valid. Read it per message; do not keep it."""
        return self._engine

    @property
    def version(self) -> int:
        """1 for the version loaded at start, +1 for each successful reload."""
        return self._version

    @property
    def last_error(self) -> str | None:
        """The report of the latest refused edit, or None once a later edit loaded fine."""
        return self._last_error

    def has_changes(self) -> bool:
        """True if the files differ from the serving version and from the last refused edit."""
        current = fingerprint(self.directory)
        return current not in (self._fingerprint, self._refused_fingerprint)

    def reload(self, *, force: bool = True, settled_digest: str | None = None) -> ReloadResult:
        """Build a new Engine from the files and swap it in; keep the old one if it fails.

        Blocking (it parses YAML and precomputes matching): from async code use
        `reload_async`. With force=False, nothing is loaded when the files are unchanged.
        With `settled_digest` (the watcher's), the new Engine is put in place only if the
        files still hold exactly those bytes after it was built; otherwise nothing changes
        and the next tick looks again. Never raises for a broken knowledge base.
        """
        with self._reload_lock:
            seen = fingerprint(self.directory)  # taken before reading: an edit made during
            # the load gives a different fingerprint next time, so it is loaded then.
            if not force and seen == self._fingerprint:
                return ReloadResult(ok=True, changed=False, version=self._version)
            if install_in_progress(self.directory):  # half the files may be new: wait
                return ReloadResult(ok=True, changed=False, version=self._version)
            generation_seen = generation(self.directory)
            started = time.perf_counter()
            try:
                new_engine = self._factory(self.directory)
            except KnowledgeError as exc:
                if self._still_saving(settled_digest) or self._installed_meanwhile(generation_seen):
                    return ReloadResult(ok=True, changed=False, version=self._version)
                return self._refuse(seen, exc.report())
            except Exception as exc:  # a bug or an unreadable file: refuse, keep serving
                if self._installed_meanwhile(generation_seen):
                    return ReloadResult(ok=True, changed=False, version=self._version)
                log.exception("Reloading %s failed unexpectedly", self.directory)
                return self._refuse(seen, f"{type(exc).__name__}: {exc}")
            if self._still_saving(settled_digest) or self._installed_meanwhile(generation_seen):
                return ReloadResult(ok=True, changed=False, version=self._version)
            seconds = time.perf_counter() - started
            self._engine = new_engine  # the swap: one assignment, atomic for readers
            self._fingerprint = seen
            self._refused_fingerprint = None
            self._last_error = None
            self._version += 1
            log.info(
                "Knowledge reloaded from %s: version %d (%.2f s)",
                self.directory,
                self._version,
                seconds,
            )
            return ReloadResult(ok=True, changed=True, version=self._version, seconds=seconds)

    def _installed_meanwhile(self, generation_seen: str) -> bool:
        """True if an install began or ended while the new Engine was being built."""
        if install_in_progress(self.directory) or generation(self.directory) != generation_seen:
            log.info("Knowledge install ran while loading; loading again once it is done")
            return True
        return False

    def _still_saving(self, settled_digest: str | None) -> bool:
        """True if the files changed while the new Engine was being built from them."""
        if settled_digest is None or content_digest(self.directory) == settled_digest:
            return False
        log.info("Knowledge files changed while loading; loading them again once saved")
        return True

    def _refuse(self, seen: Fingerprint, report: str) -> ReloadResult:
        self._refused_fingerprint = seen
        self._last_error = report
        log.error(
            "Knowledge edit refused; still serving version %d. Problems:\n%s",
            self._version,
            report,
        )
        return ReloadResult(ok=False, changed=False, version=self._version, error=report)

    async def reload_async(
        self, *, force: bool = True, settled_digest: str | None = None
    ) -> ReloadResult:
        """`reload` in a worker thread, so the event loop keeps answering meanwhile (/reload)."""
        return await asyncio.to_thread(self.reload, force=force, settled_digest=settled_digest)

    async def poll(self) -> ReloadResult | None:
        """One watcher tick: reload if the files changed and have settled; None if nothing to do.

        Settled means the same bytes on two reads `settle_seconds` apart, and still the same
        once the new Engine is built: an editor that pauses mid-save leaves a file that may
        well parse (an answer cut short), so parsing is no test of a finished save.
        The same broken state is reported once, not every tick; saving again (fixed or not)
        is a new state and is loaded or reported again.
        """
        if not await asyncio.to_thread(self.has_changes):
            return None
        before = await asyncio.to_thread(content_digest, self.directory)
        if self._settle_seconds > 0:
            await asyncio.sleep(self._settle_seconds)
            after = await asyncio.to_thread(content_digest, self.directory)
            if before != after:  # still being saved: look again next tick
                return None
        return await self.reload_async(force=False, settled_digest=before)

    async def watch(
        self,
        interval: float = 3.0,
        on_error: Callable[[str], Awaitable[None]] | None = None,
        on_reload: Callable[[ReloadResult], Awaitable[None]] | None = None,
    ) -> None:
        """Poll every `interval` seconds until cancelled; never stops on an error.

        `on_error(report)` is awaited for each refused edit (send it to the admins as plain
        text); `on_reload(result)` after each successful reload. Exceptions from either are
        logged, not raised, so the watcher keeps watching.
        """
        while True:
            try:
                result = await self.poll()
                if result is not None and not result.ok and on_error is not None:
                    await on_error(result.error or "")
                elif result is not None and result.changed and on_reload is not None:
                    await on_reload(result)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Knowledge watcher tick failed; trying again in %s s", interval)
            await asyncio.sleep(interval)
