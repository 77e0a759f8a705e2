"""Files only the bot's own user can read: the data folder 0700, every database file 0600.

Patients' unanswered questions live in these files, so their modes must not depend on the
umask the operator happened to start the bot with. SQLite creates the -wal and -shm files
with the mode of the database file, so creating that one 0600 covers them from the start;
files left by an older version with looser modes are tightened on open.
"""

from __future__ import annotations

import logging
import os
import pwd
from pathlib import Path

log = logging.getLogger(__name__)

FOLDER_MODE = 0o700
FILE_MODE = 0o600
# SQLite's companions of a database file: write-ahead log, its shared-memory index, and the
# rollback journal used when WAL is unavailable.
DATABASE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def private_folder(path: Path) -> None:
    """Create `path` (and missing parents) readable by the owner only; tighten it if it exists.

    A folder the bot does not own (DATA_DIR=/tmp, say) cannot be tightened: that is logged,
    and the files in it are still 0600.
    """
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    try:
        _tighten(path, FOLDER_MODE)
    except PermissionError:
        log.warning(
            "Cannot make the data folder %s private (mode 0700): it belongs to another user."
            " The database files are still readable by this user only; prefer a folder of"
            " the bot's own (DATA_DIR).",
            path,
        )


def private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 if missing (whatever the umask); tighten it if not."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        _tighten(path, FILE_MODE)
    else:
        os.close(fd)


def tighten_database_files(database: Path) -> None:
    """Mode 0600 for the database and whichever of its -wal, -shm, -journal files exist."""
    for suffix in DATABASE_SUFFIXES:
        path = database.with_name(database.name + suffix)
        if path.exists():
            _tighten(path, FILE_MODE)


def _tighten(path: Path, mode: int) -> None:
    if path.stat().st_mode & 0o777 & ~mode:
        path.chmod(mode)


def folder_access_advice(path: Path) -> str:
    """Why this user cannot use `path`, naming the folder's owner and the command that fixes it.

    The usual cause: the bot was first started as root (data/ became root's, mode 0700),
    then as its service user, which may not even look inside. Empty when nothing is in the way.
    """
    folder = path
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    if os.access(folder, os.R_OK | os.W_OK | os.X_OK):
        return ""
    info = folder.stat()
    me = _user_name(os.geteuid())
    return (
        f"the folder {folder} belongs to {_user_name(info.st_uid)} (mode"
        f" {info.st_mode & 0o777:04o}) and the bot runs as {me}, which cannot write there"
        f" - give it to the bot's user: sudo chown -R {me}: {folder}"
    )


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"user {uid}"
