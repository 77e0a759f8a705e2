"""Telegram for the clinic's assistant: python-telegram-bot around the core, and nothing more.

`serve(settings)` runs the bot (long polling, or a webhook when WEBHOOK_URL is set) and
returns an exit code; `build_application(settings, engine)` builds the same Application for
tests. Updates go in, the core's `Reply` is rendered out: see handlers.py.
"""

from bot.adapters.telegram.app import build_application, serve

__all__ = ["build_application", "serve"]
