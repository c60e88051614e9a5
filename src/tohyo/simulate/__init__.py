"""Whole-election simulation: directly with the crypto API, or through a real server."""
