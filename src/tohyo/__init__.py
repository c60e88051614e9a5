"""Tohyo (投票): verifiable internet voting.

Layers depend inward only: ``crypto`` <- ``log`` <- ``record`` <- ``verify``;
``app`` and ``cli`` sit on top (docs/adr/0001-layers.md).
"""

__version__ = "0.1.0"
PROTOCOL_VERSION = "tohyo/1"
