"""Data files shipped with the simulator (the demo manifest)."""
