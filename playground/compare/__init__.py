"""Compare: one conversation, 2 to 4 configurations side by side, streamed at once."""
