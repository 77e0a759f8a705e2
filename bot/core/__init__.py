"""The pure core: knowledge, matching, safety, the conversation. Imports nothing from Telegram."""
