"""The practitioner's services, over the store and below the adapters: the report of what
patients asked (grouping, proposals, rendering) and checked, logged, undoable edits to the
knowledge (knowledge_edits, learning). The command line and the Telegram admin both call
these; neither decides anything itself."""
