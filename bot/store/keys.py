"""Pseudonymous chat keys: a chat is stored under HMAC-SHA256(secret, chat id), never its id."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from bot.store.files import FILE_MODE, private_folder
from bot.store.records import StoreError

SECRET_FILE_NAME = "chat-key.secret"


class ChatKeys:
    """Turns a chat id into its pseudonymous key: HMAC-SHA256(secret, chat id), hex."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the chat-key secret must be at least 16 bytes")
        self._secret = secret

    def __repr__(self) -> str:
        return "ChatKeys(<secret hidden>)"

    def key(self, chat_id: int) -> str:
        """The key stored instead of the chat id."""
        return hmac.new(self._secret, str(int(chat_id)).encode(), hashlib.sha256).hexdigest()


def load_chat_key_secret(configured: str, data_dir: Path) -> bytes:
    """The secret from CHAT_KEY_SECRET, else the one kept in data_dir (created once, mode 0600).

    Keeping the generated secret matters: with a new secret, old rows can no longer be found
    by `forget`, so the file is created once and reused.
    """
    if configured:
        return configured.encode()
    path = data_dir / SECRET_FILE_NAME
    private_folder(data_dir)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(FILE_MODE)
        secret = path.read_text(encoding="ascii").strip()
        if len(secret) < 32:
            raise StoreError(f"{path} is too short to be a chat-key secret; delete it") from None
        return secret.encode()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return path.read_text(encoding="ascii").strip().encode()
