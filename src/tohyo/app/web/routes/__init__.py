"""Routers of the election service; each module is thin (STYLE §12)."""
