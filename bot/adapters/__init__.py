"""Thin adapters around the core: Telegram and the terminal chat."""
