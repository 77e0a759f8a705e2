"""Changes to the knowledge folder made for the practitioner: checked, atomic, logged, undoable.

Both the Telegram admin and any other caller use `KnowledgeEditor`; it never talks to
Telegram. Every change:
- is checked first with the same validation as `python -m bot check`, on a copy of the
  folder with the change applied; a change that would break the knowledge is refused with
  the `file:line: what is wrong - how to fix it` lines and touches nothing;
- replaces each file atomically (a new file renamed over the old one), so the bot's live
  reload never reads half a file;
- keeps the previous bytes of every file it touched in `knowledge/.history/NNNN/` and adds
  one line to `knowledge/.history/changes.log` (when, which admin, what), so `undo` can put
  the files back byte for byte and the practitioner can read what changed.
The history folder is hidden: the live reload and the export skip it.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import stat
import tempfile
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from bot.core.errors import KnowledgeError, Problem
from bot.core.live import apply_install, begin_install, finish_interrupted_install, replace_file
from bot.core.loader import (
    CLINIC_FILE,
    GAPS_FILE,
    RED_FLAGS_FILE,
    SMALLTALK_FILE,
    SYNONYMS_FILE,
    TOPICS_DIR,
    check_knowledge,
    load_knowledge,
)
from bot.core.model import Knowledge
from bot.core.text import fold
from bot.practitioner.proposals import question_part, slug, usable_phrasings
from bot.practitioner.unmasked import has_mask
from bot.practitioner.yaml_edits import (
    YamlEditError,
    add_gap,
    add_gap_phrasings,
    add_topic_phrasings,
    gap_ids,
)
from bot.store import utc_now
from bot.store.masking import mask_personal_details

HISTORY_DIR = ".history"
CHANGES_LOG = "changes.log"
TOP_LEVEL_FILES = frozenset({CLINIC_FILE, SYNONYMS_FILE, RED_FLAGS_FILE, SMALLTALK_FILE, GAPS_FILE})
YAML_SUFFIXES = (".yaml", ".yml")
MAX_ADDED_PHRASINGS = 10  # one tap adds at most this many wordings
MAX_FILE_BYTES = 256 * 1024  # one knowledge file (the largest shipped is about 25 KB)
MAX_ZIP_BYTES = 2 * 1024 * 1024  # the uploaded .zip itself
MAX_UNZIPPED_BYTES = 8 * 1024 * 1024  # everything in it, uncompressed
MAX_ZIP_ENTRIES = 500
MAX_COMPRESSION_RATIO = 100  # YAML compresses ~5x; far more is a zip bomb
BOMB_CHECK_BYTES = 32 * 1024  # small files may compress well; they cannot hurt anyway
_IGNORED_IN_ZIP = ("__MACOSX/",)
NEW_GAPS_FILE = """\
# Questions patients ask that the clinic's page does NOT answer: the bot says so kindly.
# Each gap has an id, its phrasings and (optionally) a reply; see the README.
gaps:
"""


class EditRefused(Exception):
    """A change was not made; `str()` says why and `problems` holds any `check` lines."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        self.problems = tuple(problems)
        super().__init__(message)

    def report(self) -> str:
        """The message, then each problem on its own line (plain text for a chat)."""
        return "\n".join([str(self), *self.problems])


@dataclass(frozen=True)
class Change:
    """One change to the knowledge, as the changes log records it."""

    number: int
    when: datetime
    who: str  # a pseudonymous admin key or a label, never a username
    what: str
    files: tuple[str, ...]  # paths relative to the knowledge folder

    def log_line(self) -> str:
        return (
            f"{self.when.strftime('%Y-%m-%d %H:%M:%S')} UTC  #{self.number}  {self.who}  "
            f"{self.what}  [{', '.join(self.files)}]"
        )


@dataclass(frozen=True)
class EditResult:
    """What a change did: the logged change, and which phrasings went in (if any)."""

    change: Change
    added: tuple[str, ...] = ()
    target: str = ""  # the topic or gap id phrasings went to


class KnowledgeEditor:
    """Makes checked, logged, undoable changes to one knowledge folder (thread-safe)."""

    def __init__(self, directory: Path, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.directory = Path(directory)
        self.history = self.directory / HISTORY_DIR
        self.changes_log = self.history / CHANGES_LOG
        self._clock = clock
        self._lock = threading.Lock()
        with self._lock:
            finish_interrupted_install(self.directory)

    # -- the changes ----------------------------------------------------------------------

    def add_phrasings(self, topic_id: str, texts: Sequence[str], who: str) -> EditResult:
        """Add patients' wordings as phrasings of a topic, in its file, keeping its comments."""
        with self._lock:
            knowledge = self._current()
            topic = knowledge.topic(topic_id)
            if topic is None or topic.source is None:
                raise EditRefused(f"There is no topic '{topic_id}' any more.")
            phrasings = self._new_phrasings(knowledge, texts)
            rel = self._relative(topic.source)
            text = self._read_text(rel)
            try:
                new_text = add_topic_phrasings(text, phrasings)
            except YamlEditError as exc:
                raise EditRefused(f"{rel} could not be edited: {exc}.") from exc
            what = f"added {_count(phrasings, 'phrasing')} to topic {topic_id}"
            change = self._commit({rel: new_text.encode()}, who, what)
            return EditResult(change, tuple(phrasings), topic_id)

    def add_to_gap(self, texts: Sequence[str], who: str, gap_id: str | None = None) -> EditResult:
        """Add wordings to a known gap in not_on_page.yaml, or (gap_id None) to a new gap."""
        with self._lock:
            knowledge = self._current()
            phrasings = self._new_phrasings(knowledge, texts)
            path = self.directory / GAPS_FILE
            text = path.read_text(encoding="utf-8") if path.is_file() else ""
            try:
                existing = gap_ids(text) if text else []
                if gap_id is not None and gap_id in existing:
                    new_text = add_gap_phrasings(text, gap_id, phrasings)
                    what = f"added {_count(phrasings, 'phrasing')} to gap {gap_id}"
                else:
                    taken = set(existing) | {t.id for t in knowledge.topics}
                    gap_id = slug([(p, 1) for p in phrasings], (), taken)
                    new_text = add_gap(text or NEW_GAPS_FILE, gap_id, phrasings)
                    what = f"new gap {gap_id} with {_count(phrasings, 'phrasing')}"
            except YamlEditError as exc:
                raise EditRefused(f"{GAPS_FILE} could not be edited: {exc}.") from exc
            change = self._commit({GAPS_FILE: new_text.encode()}, who, what)
            return EditResult(change, tuple(phrasings), gap_id)

    def install_file(self, file_name: str, data: bytes, who: str) -> EditResult:
        """Put one uploaded YAML file in place: clinic.yaml and the like by name, else a topic."""
        rel = target_for_upload(file_name)
        if len(data) > MAX_FILE_BYTES:
            raise EditRefused(
                f"{file_name} is {len(data) // 1024} KB; a knowledge file may be at most"
                f" {MAX_FILE_BYTES // 1024} KB."
            )
        with self._lock:
            before = self._read_bytes(rel)
            if before == data:
                raise EditRefused(f"{rel} is already exactly this file: nothing changed.")
            what = f"{'replaced' if before is not None else 'added'} {rel} (uploaded)"
            return EditResult(self._commit({rel: data}, who, what))

    def install_zip(self, data: bytes, who: str) -> EditResult:
        """Replace the whole folder with an uploaded .zip of it (YAML files only)."""
        files = read_knowledge_zip(data)
        with self._lock:
            current = dict(self._knowledge_files())
            changes: dict[str, bytes | None] = {
                rel: content for rel, content in files.items() if current.get(rel) != content
            }
            changes.update({rel: None for rel in current if rel not in files})
            if not changes:
                raise EditRefused("The zip holds exactly the current knowledge: nothing changed.")
            added = sum(1 for rel in changes if rel not in current)
            removed = sum(1 for rel, content in changes.items() if content is None)
            what = (
                f"installed a zip: {len(changes) - added - removed} file(s) changed,"
                f" {added} added, {removed} removed"
            )
            return EditResult(self._commit(changes, who, what))

    def undo(self, who: str) -> EditResult:
        """Put back the files of the latest change not yet undone, byte for byte."""
        with self._lock:
            entry = self._latest_entry()
            if entry is None:
                raise EditRefused("There is no change to undo.")
            manifest = json.loads((entry / "manifest.json").read_text(encoding="utf-8"))
            number = int(manifest["number"])
            edited_since = [
                rel
                for rel, after in manifest["after"].items()
                if _digest(self._read_bytes(rel)) != after
            ]
            if edited_since:
                raise EditRefused(
                    f"Change #{number} cannot be undone: {', '.join(edited_since)} changed"
                    " again since (edited by hand?). Undoing would lose that; send the file"
                    " you want instead."
                )
            restore: dict[str, bytes | None] = {}
            for rel in manifest["after"]:
                kept = entry / "before" / rel
                restore[rel] = kept.read_bytes() if kept.is_file() else None
            self._install(
                entry / "before", {rel: content is not None for rel, content in restore.items()}
            )
            manifest["undone"] = True
            replace_file(entry / "manifest.json", json.dumps(manifest, indent=1).encode())
            change = Change(
                self._next_number(),
                self._clock(),
                who,
                f"undid #{number}: {manifest['what']}",
                tuple(restore),
            )
            self._log(change)
            return EditResult(change)

    def export_zip(self) -> bytes:
        """The knowledge folder as a .zip (no history), the form `install_zip` takes back."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for rel, content in self._knowledge_files():
                archive.writestr(f"knowledge/{rel}", content)
        return buffer.getvalue()

    def recent_changes(self, limit: int = 10) -> list[str]:
        """The last lines of the changes log, newest last."""
        if not self.changes_log.is_file():
            return []
        return self.changes_log.read_text(encoding="utf-8").splitlines()[-limit:]

    # -- checking and committing ----------------------------------------------------------

    def _current(self) -> Knowledge:
        finish_interrupted_install(self.directory)
        try:
            return load_knowledge(self.directory)
        except KnowledgeError as exc:
            raise EditRefused(
                "The knowledge folder has problems right now, so nothing was changed."
                " Fix these first (or send a corrected file):",
                self._located(exc.problems, self.directory),
            ) from exc

    def _new_phrasings(self, knowledge: Knowledge, texts: Sequence[str]) -> list[str]:
        known = {fold(p) for t in knowledge.topics for p in (t.title, *t.phrasings)}
        known |= {fold(p) for g in knowledge.gaps for p in g.phrasings}
        phrasings = usable_phrasings(texts, known, MAX_ADDED_PHRASINGS)
        if not phrasings:
            raise EditRefused(_nothing_to_add(texts, known))
        return phrasings

    def _commit(self, changes: dict[str, bytes | None], who: str, what: str) -> Change:
        """Check the folder as it would be, then write, keep the old bytes and log it."""
        problems = self._check_with(changes)
        if problems:
            raise EditRefused(
                "Not changed: with this change the knowledge would have these problems.",
                problems,
            )
        number = self._next_number()
        entry = self.history / f"{number:04d}"
        (entry / "before").mkdir(parents=True, exist_ok=False)
        after: dict[str, str | None] = {}
        for rel, content in changes.items():
            previous = self._read_bytes(rel)
            if previous is not None:
                kept = entry / "before" / rel
                kept.parent.mkdir(parents=True, exist_ok=True)
                kept.write_bytes(previous)
            after[rel] = _digest(content)
        change = Change(number, self._clock(), who, what, tuple(changes))
        manifest = {"number": number, "what": what, "after": after, "undone": False}
        (entry / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        staged = entry / "after"
        for rel, content in changes.items():
            if content is not None:
                replace_file(staged / rel, content, 0o600)
        self._install(staged, {rel: content is not None for rel, content in changes.items()})
        self._log(change)
        return change

    def _install(self, staged: Path, files: dict[str, bool]) -> None:
        """Put every file in place as one install: a reader (LiveEngine) sees the old set or
        the new one whole, and a crash part way is finished at the next start or edit."""
        begin_install(self.directory, staged, files)
        apply_install(self.directory)

    def _check_with(self, changes: dict[str, bytes | None]) -> list[str]:
        with tempfile.TemporaryDirectory(prefix="knowledge-check-") as tmp:
            copy = Path(tmp) / self.directory.name
            shutil.copytree(
                self.directory, copy, ignore=shutil.ignore_patterns(".*"), symlinks=False
            )
            for rel, content in changes.items():
                target = copy / rel
                if content is None:
                    target.unlink(missing_ok=True)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(content)
            return self._located(check_knowledge(copy), copy)

    def _located(self, problems: Iterable[Problem], root: Path) -> list[str]:
        """`check` lines with paths as the practitioner knows them (knowledge/topics/x.yaml),
        not the server's full path or the temporary copy's."""
        shown = self.directory.name
        out = []
        for problem in problems:
            try:
                rel = problem.file.relative_to(root).as_posix()
                where = f"{shown}/{rel}" if rel != "." else shown
            except ValueError:
                where = str(problem.file)
            out.append(str(Problem(Path(where), problem.line, problem.message)))
        return out

    def _write(self, rel: str, content: bytes | None) -> None:
        target = self.directory / rel
        if content is None:
            target.unlink(missing_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        replace_file(target, content)

    def _log(self, change: Change) -> None:
        self.history.mkdir(parents=True, exist_ok=True)
        with self.changes_log.open("a", encoding="utf-8") as log:
            log.write(change.log_line() + "\n")

    def _next_number(self) -> int:
        numbers = [int(p.name) for p in self._entries()]
        logged = len(self.recent_changes(limit=1_000_000))
        return max([*numbers, logged, 0]) + 1

    def _entries(self) -> list[Path]:
        if not self.history.is_dir():
            return []
        return sorted(p for p in self.history.iterdir() if p.is_dir() and p.name.isdigit())

    def _latest_entry(self) -> Path | None:
        for entry in reversed(self._entries()):
            manifest = entry / "manifest.json"
            if manifest.is_file() and not json.loads(manifest.read_text("utf-8"))["undone"]:
                return entry
        return None

    def _relative(self, path: Path) -> str:
        return path.resolve().relative_to(self.directory.resolve()).as_posix()

    def _read_bytes(self, rel: str) -> bytes | None:
        path = self.directory / rel
        return path.read_bytes() if path.is_file() else None

    def _read_text(self, rel: str) -> str:
        data = self._read_bytes(rel)
        if data is None:
            raise EditRefused(f"{rel} is missing.")
        return data.decode("utf-8")

    def _knowledge_files(self) -> list[tuple[str, bytes]]:
        """(relative path, bytes) of every YAML file the knowledge is made of."""
        out = []
        for name in sorted(TOP_LEVEL_FILES):
            data = self._read_bytes(name)
            if data is not None:
                out.append((name, data))
        topics = self.directory / TOPICS_DIR
        if topics.is_dir():
            for path in sorted(topics.iterdir()):
                if (
                    path.is_file()
                    and path.suffix in YAML_SUFFIXES
                    and not path.name.startswith(".")
                ):
                    out.append((f"{TOPICS_DIR}/{path.name}", path.read_bytes()))
        return out


# -- uploads ---------------------------------------------------------------------------------


def target_for_upload(file_name: str) -> str:
    """Where an uploaded file goes: clinic.yaml and the like at the top, any other YAML a topic."""
    name = PurePosixPath(file_name.replace("\\", "/")).name
    if not name.lower().endswith(YAML_SUFFIXES) or name.startswith("."):
        raise EditRefused(
            f"{file_name or 'This file'} is not a .yaml file. Send a knowledge file (for"
            " example cost.yaml or clinic.yaml) or a .zip of the knowledge folder."
        )
    if name in TOP_LEVEL_FILES:
        return name
    return f"{TOPICS_DIR}/{name}"


def read_knowledge_zip(data: bytes) -> dict[str, bytes]:
    """The YAML files of an uploaded .zip by their place in the folder; EditRefused if unsafe.

    Refused: archives or files over the size limits, far too well compressed (zip bombs),
    paths that would leave the folder (absolute, `..`, drive letters), links, and files
    that are not YAML. The files may sit at the top of the zip or in one folder.
    """
    if len(data) > MAX_ZIP_BYTES:
        raise EditRefused(f"The zip is over {MAX_ZIP_BYTES // (1024 * 1024)} MB; nothing changed.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise EditRefused(f"This is not a readable .zip file ({exc}); nothing changed.") from exc
    if len(members) > MAX_ZIP_ENTRIES:
        raise EditRefused(f"The zip holds over {MAX_ZIP_ENTRIES} entries; nothing changed.")
    total = 0
    wanted: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
    for info in members:
        name = info.filename
        if name.startswith(_IGNORED_IN_ZIP):
            continue
        path = PurePosixPath(name.replace("\\", "/"))
        if (
            name.startswith(("/", "\\"))
            or ".." in path.parts
            or (path.parts and ":" in path.parts[0])
        ):
            raise EditRefused(f"The zip has an unsafe path ({name}); nothing changed.")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise EditRefused(f"The zip holds a link ({name}); nothing changed.")
        if info.is_dir() or any(part.startswith(".") for part in path.parts):
            continue
        if path.suffix not in YAML_SUFFIXES:
            raise EditRefused(
                f"The zip holds {name}, which is not a .yaml file; only the knowledge"
                " folder's YAML files belong in it. Nothing changed."
            )
        if info.file_size > MAX_FILE_BYTES:
            raise EditRefused(f"{name} is over {MAX_FILE_BYTES // 1024} KB; nothing changed.")
        if info.file_size > BOMB_CHECK_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            raise EditRefused(f"{name} is suspiciously compressed (a zip bomb?); nothing changed.")
        total += info.file_size
        if total > MAX_UNZIPPED_BYTES:
            raise EditRefused("The zip unpacks to too much data; nothing changed.")
        wanted.append((info, path))
    prefix = _common_folder([p for _, p in wanted])
    files: dict[str, bytes] = {}
    for info, path in wanted:
        rel = PurePosixPath(*path.parts[len(prefix) :])
        if len(rel.parts) == 1 and rel.name in TOP_LEVEL_FILES:
            key = rel.name
        elif len(rel.parts) == 2 and rel.parts[0] == TOPICS_DIR:
            key = rel.as_posix()
        else:
            raise EditRefused(
                f"The zip holds {info.filename}, which has no place in the knowledge folder"
                f" (expected {', '.join(sorted(TOP_LEVEL_FILES))} and topics/*.yaml)."
                " Nothing changed."
            )
        try:  # never more than the declared size (zipfile stops there and checks the CRC)
            with archive.open(info) as member:
                content = member.read(MAX_FILE_BYTES + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as exc:
            raise EditRefused(
                f"{info.filename} in the zip is damaged ({exc}); nothing changed."
            ) from exc
        if len(content) > MAX_FILE_BYTES:
            raise EditRefused(
                f"{info.filename} is over {MAX_FILE_BYTES // 1024} KB; nothing changed."
            )
        files[key] = content
    if CLINIC_FILE not in files:
        raise EditRefused(
            f"The zip has no {CLINIC_FILE}: send a zip of the whole knowledge folder"
            " (as /export makes it). Nothing changed."
        )
    return files


def _common_folder(paths: Sequence[PurePosixPath]) -> tuple[str, ...]:
    """The one folder every file is in ("knowledge/"), when clinic.yaml is not at the top."""
    if not paths or any(len(p.parts) == 1 for p in paths):
        return ()
    first = paths[0].parts[0]
    if first == TOPICS_DIR or any(p.parts[0] != first for p in paths):
        return ()
    return (first,)


# -- small helpers ---------------------------------------------------------------------------


def _digest(content: bytes | None) -> str | None:
    return None if content is None else hashlib.sha256(content).hexdigest()


def _count(items: Sequence[object], word: str) -> str:
    return f"{len(items)} {word}{'' if len(items) == 1 else 's'}"


def _nothing_to_add(texts: Sequence[str], known: set[str]) -> str:
    """Why no phrasing came out of `texts`, said truly for what happened to each wording."""
    reasons = []
    for text in texts:
        masked = mask_personal_details(text)
        folded = fold(question_part(masked))
        if folded in known:
            reason = "already in the knowledge"
        elif has_mask(masked) and not folded:
            reason = "nothing is left to add once the hidden name, phone number or e-mail is out"
        else:
            reason = "too long or too vague to be a phrasing on its own"
        if reason not in reasons:
            reasons.append(reason)
    said = "; ".join(reasons) if len(reasons) > 1 else (reasons or ["nothing was chosen"])[0]
    return (
        f"Nothing to add: {said}. You can still add a phrasing by hand in the topic's file"
        " (or send the file)."
    )
