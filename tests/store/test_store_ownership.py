"""A data folder left to root (the bot first run as root) names its owner and the fix."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

NOBODY = 65534

SETPRIV = shutil.which("setpriv") or "setpriv"

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None,
    reason="needs root and setpriv to play both root and the service user",
)


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder under /tmp another user may enter (pytest's tmp_path is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="clinic-bot-owner-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def test_a_root_owned_data_folder_names_its_owner_and_the_chown_that_fixes_it(
    open_folder: Path,
) -> None:
    data = open_folder / "data"
    data.mkdir(mode=0o700)  # what a first run as root leaves behind
    script = textwrap.dedent(
        f"""
        import logging
        from pathlib import Path
        from bot.config import Settings
        from bot.store import open_store
        logging.basicConfig(level=logging.INFO)
        data = Path({str(data)!r})
        store = open_store(Settings(data_dir=data, database_path=data / "clinic-bot.sqlite3"))
        print("available" if store.available else "off")
        """
    )
    result = subprocess.run(
        [
            SETPRIV,
            f"--reuid={NOBODY}",
            f"--regid={NOBODY}",
            "--clear-groups",
            sys.executable,
            "-c",
            script,
        ],
        cwd=open_folder,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[2]), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "off", result.stderr
    message = result.stderr
    assert "Storage is OFF" in message
    assert f"the folder {data} belongs to root (mode 0700)" in message
    assert f"sudo chown -R nobody: {data}" in message
    assert "Traceback" not in message
