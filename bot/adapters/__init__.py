"""Thin adapters around the core: Telegram, the terminal chat, storage."""
