"""Synchronous operations (docs/api.md, "Cover image, timestamped lyrics, persona"): answered
at once, no callback."""
