"""The practitioner's tools beside the chat: the report of what patients asked, and summaries."""
