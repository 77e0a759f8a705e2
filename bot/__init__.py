"""The acupuncture clinic's assistant: a pure core (bot.core) with thin adapters (bot.adapters)."""

__version__ = "0.1.0"
